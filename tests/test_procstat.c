/*
 * test_procstat.c: the /proc parsers of `falconsim measure` on fixtures
 * (tests/data/proc): files captured on a 2-CPU Linux 6.18 guest, and
 * hand-made ones for a 4-CPU machine with CPU 2 offline and for a pre-5.10
 * softnet_stat without the CPU-id column. Values checked here are read off
 * the fixture files by eye.
 */
#include "check.h"
#include "procstat.h"

#include <stdlib.h>

static char buf[1 << 20];

static const char *fixture(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/proc/%s", TEST_DATA_DIR, name);
    struct sim_err err;
    long n = ps_read_file(path, buf, sizeof buf, &err);
    if (n < 0) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return buf;
}

static void test_stat(void)
{
    uint64_t t[2][PS_STAT_FIELDS];
    struct sim_err err;
    CHECK_EQ_I64(ps_parse_stat(fixture("stat_2cpu"), "stat", 2, t, &err), 0);
    CHECK_EQ_I64(t[0][PS_USER], 644);
    CHECK_EQ_I64(t[0][PS_SYSTEM], 590);
    CHECK_EQ_I64(t[0][PS_IDLE], 12473);
    CHECK_EQ_I64(t[0][PS_SOFTIRQ], 22);

    uint64_t u[4][PS_STAT_FIELDS];
    CHECK_EQ_I64(ps_parse_stat(fixture("stat_4cpu_offline"), "stat", 4, u, &err), 0);
    CHECK_EQ_I64(u[1][PS_USER], 200);
    CHECK_EQ_I64(u[2][PS_IDLE], 0); /* offline: not in the file */
    CHECK_EQ_I64(u[3][PS_NICE], 7);
    CHECK_EQ_I64(u[3][PS_STEAL], 4);
    /* Asking for fewer CPUs than the file has is fine. */
    CHECK_EQ_I64(ps_parse_stat(fixture("stat_4cpu_offline"), "stat", 1, u, &err), 0);
    CHECK_EQ_I64(u[0][PS_IDLE], 2000);

    CHECK_TRUE(ps_parse_stat("intr 1 2 3\n", "x", 2, t, &err) < 0);
    CHECK_TRUE(strstr(err.msg, "x: no per-CPU lines") != NULL);
    CHECK_TRUE(ps_parse_stat("cpu0 1 2\n", "y", 2, t, &err) < 0);
    CHECK_TRUE(strstr(err.msg, "y: too few columns") != NULL);
}

static void test_percpu_rows(void)
{
    uint64_t v[4];
    struct sim_err err;
    CHECK_EQ_I64(ps_parse_percpu_row(fixture("softirqs_2cpu"), "softirqs", "NET_RX", 2, v, &err),
                 0);
    CHECK_EQ_I64(v[0], 523);
    CHECK_EQ_I64(v[1], 538);
    /* NET_TX must not match NET_RX, nor HI match HRTIMER. */
    CHECK_EQ_I64(ps_parse_percpu_row(fixture("softirqs_2cpu"), "softirqs", "HI", 2, v, &err), 0);
    CHECK_EQ_I64(v[0], 0);

    CHECK_EQ_I64(ps_parse_percpu_row(fixture("interrupts_2cpu"), "interrupts", "CAL", 2, v, &err),
                 0);
    CHECK_EQ_I64(v[0], 19800);
    CHECK_EQ_I64(v[1], 18771);
    CHECK_EQ_I64(ps_parse_percpu_row(fixture("interrupts_2cpu"), "interrupts", "LOC", 2, v, &err),
                 0);
    CHECK_EQ_I64(v[1], 10891);

    /* Columns follow the CPU header: CPU 2 offline. */
    CHECK_EQ_I64(
        ps_parse_percpu_row(fixture("softirqs_4cpu_offline"), "softirqs", "NET_RX", 4, v, &err), 0);
    CHECK_EQ_I64(v[1], 538);
    CHECK_EQ_I64(v[2], 0);
    CHECK_EQ_I64(v[3], 123456);
    CHECK_EQ_I64(ps_parse_percpu_row(fixture("interrupts_4cpu_offline"), "interrupts", "RES", 4, v,
                                     &err),
                 0);
    CHECK_EQ_I64(v[3], 17);

    CHECK_TRUE(ps_parse_percpu_row(fixture("softirqs_2cpu"), "softirqs", "NOPE", 2, v, &err) < 0);
    CHECK_TRUE(strstr(err.msg, "softirqs: no row NOPE") != NULL);
    CHECK_TRUE(ps_parse_percpu_row("   CPU0 CPU1\nCAL: 1\n", "short", "CAL", 2, v, &err) < 0);
    CHECK_TRUE(strstr(err.msg, "has 1 of 2 CPU columns") != NULL);
}

static void test_softnet(void)
{
    uint64_t s[4][PS_SOFTNET_FIELDS];
    struct sim_err err;
    CHECK_EQ_I64(ps_parse_softnet(fixture("softnet_stat_2cpu"), "softnet", 2, s, &err), 0);
    CHECK_EQ_I64(s[0][PS_SN_PROCESSED], 0x11);
    CHECK_EQ_I64(s[1][PS_SN_PROCESSED], 0x2da);

    CHECK_EQ_I64(ps_parse_softnet(fixture("softnet_stat_4cpu_offline"), "softnet", 4, s, &err), 0);
    CHECK_EQ_I64(s[1][PS_SN_PROCESSED], 0x2da);
    CHECK_EQ_I64(s[1][PS_SN_DROPPED], 1);
    CHECK_EQ_I64(s[1][PS_SN_RPS], 5);
    CHECK_EQ_I64(s[2][PS_SN_PROCESSED], 0);
    CHECK_EQ_I64(s[3][PS_SN_PROCESSED], 0xffff);
    CHECK_EQ_I64(s[3][PS_SN_SQUEEZE], 0x20);
    CHECK_EQ_I64(s[3][PS_SN_FLOWLIMIT], 0x40);

    /* Before 5.10: no CPU column, lines in CPU order. */
    CHECK_EQ_I64(ps_parse_softnet(fixture("softnet_stat_old"), "softnet", 2, s, &err), 0);
    CHECK_EQ_I64(s[0][PS_SN_DROPPED], 2);
    CHECK_EQ_I64(s[0][PS_SN_RPS], 10);
    CHECK_EQ_I64(s[0][PS_SN_FLOWLIMIT], 11);
    CHECK_EQ_I64(s[1][PS_SN_PROCESSED], 0x2da);

    CHECK_TRUE(ps_parse_softnet("00000001 00000002\n", "sn", 2, s, &err) < 0);
    CHECK_TRUE(strstr(err.msg, "sn: line 1 has 2 columns") != NULL);
}

static void test_snmp_netdev_schedstat(void)
{
    uint64_t v = 99;
    struct sim_err err;
    const char *snmp = fixture("snmp");
    CHECK_EQ_I64(ps_parse_snmp(snmp, "snmp", "Udp", "InDatagrams", &v, &err), 0);
    CHECK_EQ_I64(v, 20);
    CHECK_EQ_I64(ps_parse_snmp(snmp, "snmp", "Udp", "OutDatagrams", &v, &err), 0);
    CHECK_EQ_I64(v, 21);
    CHECK_EQ_I64(ps_parse_snmp(snmp, "snmp", "UdpLite", "InDatagrams", &v, &err), 0);
    CHECK_EQ_I64(v, 0);
    CHECK_EQ_I64(ps_parse_snmp(snmp, "snmp", "Ip", "InReceives", &v, &err), 0);
    CHECK_EQ_I64(v, 745);
    CHECK_TRUE(ps_parse_snmp(snmp, "snmp", "Udp", "Bogus", &v, &err) < 0);
    CHECK_TRUE(strstr(err.msg, "no field Bogus in Udp") != NULL);
    CHECK_TRUE(ps_parse_snmp(snmp, "snmp", "Sctp", "InDatagrams", &v, &err) < 0);

    struct ps_netdev d;
    const char *dev = fixture("netdev");
    CHECK_EQ_I64(ps_parse_netdev(dev, "dev", "eth0", &d, &err), 0);
    CHECK_EQ_I64(d.rx_packets, 718);
    CHECK_EQ_I64(d.rx_drop, 0);
    CHECK_EQ_I64(d.tx_packets, 571);
    CHECK_EQ_I64(ps_parse_netdev(dev, "dev", "lo", &d, &err), 0);
    CHECK_EQ_I64(d.rx_packets, 29);
    /* "eth" is a prefix of eth0, not a device. */
    CHECK_TRUE(ps_parse_netdev(dev, "dev", "eth", &d, &err) < 0);
    CHECK_TRUE(strstr(err.msg, "dev: no device eth") != NULL);
    CHECK_EQ_I64(ps_parse_netdev("Inter-|\n face |\n  u1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
                                 "dev", "u1", &d, &err),
                 0);
    CHECK_EQ_I64(d.rx_packets, 2);
    CHECK_EQ_I64(d.rx_drop, 4);
    CHECK_EQ_I64(d.tx_packets, 10);
    CHECK_EQ_I64(d.tx_drop, 12);

    struct ps_schedstat ss;
    CHECK_EQ_I64(ps_parse_schedstat(fixture("schedstat"), "schedstat", &ss, &err), 0);
    CHECK_EQ_I64(ss.run_ns, 1755763);
    CHECK_EQ_I64(ss.wait_ns, 86434);
    CHECK_EQ_I64(ss.slices, 2);
    CHECK_TRUE(ps_parse_schedstat("12 x", "ss", &ss, &err) < 0);

    CHECK_TRUE(ps_read_file("/nonexistent/file", buf, sizeof buf, &err) == SIM_ENOENT);
    char tiny[8];
    CHECK_TRUE(ps_read_file(TEST_DATA_DIR "/proc/snmp", tiny, sizeof tiny, &err) == SIM_EIO);
    CHECK_TRUE(strstr(err.msg, "larger than 7 bytes") != NULL);
}

int main(void)
{
    test_stat();
    test_percpu_rows();
    test_softnet();
    test_snmp_netdev_schedstat();
    return check_report("test_procstat");
}
