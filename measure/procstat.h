/*
 * procstat.h: parsers for the kernel counters a measurement samples.
 *
 * `falconsim measure` snapshots these files at the start and at the end of a
 * measurement window and reports the differences. Each parser takes the text
 * of one file (read whole by the caller) and fills plain arrays indexed by
 * CPU id, so they can be tested on fixtures without a kernel:
 *
 *   /proc/stat               per-CPU time in USER_HZ ticks (Documentation/
 *                            filesystems/proc.rst, "1.7 Miscellaneous kernel
 *                            statistics"): user nice system idle iowait irq
 *                            softirq steal
 *   /proc/softirqs           per-CPU counts of each softirq vector (NET_RX ...)
 *   /proc/interrupts         per-CPU counts of each interrupt line; the
 *                            architecture's named lines (CAL function-call
 *                            IPIs, RES reschedule IPIs, LOC local timer)
 *   /proc/net/softnet_stat   one line per online CPU, hex columns
 *                            (net/core/net-procfs.c, softnet_seq_show):
 *                            1 processed, 2 dropped, 3 time_squeeze,
 *                            10 received_rps, 11 flow_limit_count, 13 CPU id
 *   /proc/net/snmp           "Proto: names" / "Proto: values" line pairs
 *   /proc/net/dev            one line per device: receive and transmit columns
 *   /proc/PID/schedstat      run time (ns), run-queue wait (ns), timeslices
 *
 * CPU columns: /proc/softirqs and /proc/interrupts head their columns with
 * "CPU<n>" for the online CPUs only, so a machine with CPU 2 offline has the
 * columns CPU0 CPU1 CPU3; the parsers map columns through that header.
 * /proc/net/softnet_stat names the CPU in column 13 (since Linux 5.10); older
 * kernels print one line per online CPU in order, which the parser falls back
 * to. A CPU the file does not mention is left at 0.
 *
 * Every parser returns 0, or a negative SIM_E* with a message naming the file
 * (the `name` argument) and what was wrong.
 */
#ifndef FALCONSIM_PROCSTAT_H
#define FALCONSIM_PROCSTAT_H

#include "sim_base.h"

#include <stdint.h>

/* /proc/stat columns, in file order. */
enum ps_stat_field {
    PS_USER,
    PS_NICE,
    PS_SYSTEM,
    PS_IDLE,
    PS_IOWAIT,
    PS_IRQ,
    PS_SOFTIRQ,
    PS_STEAL,
    PS_STAT_FIELDS
};

/* softnet_stat columns kept (1-based file columns 1, 2, 3, 10, 11). */
enum ps_softnet_field {
    PS_SN_PROCESSED,
    PS_SN_DROPPED,
    PS_SN_SQUEEZE,
    PS_SN_RPS,
    PS_SN_FLOWLIMIT,
    PS_SOFTNET_FIELDS
};

/* Per-CPU times; out[cpu][field] for cpu < ncpu. */
int ps_parse_stat(const char *text, const char *name, unsigned ncpu,
                  uint64_t (*out)[PS_STAT_FIELDS], struct sim_err *err);

/* The row `row` ("NET_RX", "CAL", ...) of /proc/softirqs or /proc/interrupts:
 * out[cpu] for cpu < ncpu. A row the file lacks is an error. */
int ps_parse_percpu_row(const char *text, const char *name, const char *row, unsigned ncpu,
                        uint64_t *out, struct sim_err *err);

int ps_parse_softnet(const char *text, const char *name, unsigned ncpu,
                     uint64_t (*out)[PS_SOFTNET_FIELDS], struct sim_err *err);

/* One counter of /proc/net/snmp, e.g. ("Udp", "RcvbufErrors"). */
int ps_parse_snmp(const char *text, const char *name, const char *proto, const char *field,
                  uint64_t *out, struct sim_err *err);

struct ps_netdev {
    uint64_t rx_packets, rx_drop, tx_packets, tx_drop;
};

/* The counters of device `dev` in /proc/net/dev. */
int ps_parse_netdev(const char *text, const char *name, const char *dev, struct ps_netdev *out,
                    struct sim_err *err);

struct ps_schedstat {
    uint64_t run_ns, wait_ns, slices;
};

int ps_parse_schedstat(const char *text, const char *name, struct ps_schedstat *out,
                       struct sim_err *err);

/* Reads a whole (small, virtual) file into buf, NUL-terminated. Returns the
 * length, or a negative SIM_E* with a message. Files under /proc report size
 * 0, so this reads until EOF; a file larger than buf is an error. */
long ps_read_file(const char *path, char *buf, size_t cap, struct sim_err *err);

#endif
