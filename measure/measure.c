/*
 * measure.c: `falconsim measure`, the real-host kit.
 *
 * What it builds (all names are its own; traffic never leaves them):
 *
 *   fsm-snd (sender host)          fsm-rcv (receiver host)                 fsm-pod
 *   u0 10.231.0.1 ==== veth ==== u1 10.231.0.2    <- underlay receiver
 *   vx0 10.232.0.1 (VNI 42)       vx0 -- br0 -- vp0 ==== veth ==== eth0 10.232.0.2
 *                                                                  <- overlay receiver
 *
 * Underlay: sender -> u0 -> u1 backlog -> IP/UDP -> socket (one receive pass).
 * Overlay: sender -> VXLAN encap -> u0 -> u1 backlog (outer IP/UDP, vxlan_rcv)
 * -> vx0 gro_cell NAPI (bridge, veth_xmit) -> pod backlog (inner IP/UDP) ->
 * socket in fsm-pod: the three receive passes of a container overlay
 * (drivers/net/vxlan, net/bridge, drivers/net/veth.c in Linux). MTU 1450 on
 * the overlay, static neighbours and FDB entries, IPv6 off, so nothing but
 * the measured datagrams crosses the path.
 *
 * Placement is RPS (Documentation/networking/scaling.rst), written to
 * rps_cpus of the receive devices before each run:
 *   vanilla    no RPS: the whole receive path runs where the packet entered,
 *              which for a veth underlay is the sender's CPU (veth_xmit ->
 *              netif_rx -> softirq at the sender's local_bh_enable);
 *   rps        rps_cpus = the RPS CPUs on u1, vx0 and the pod's eth0;
 *   rps_first  rps_cpus on u1 only: every later stage stays on that CPU.
 * With --irq-cpus, u1 gets the IRQ CPUs instead (the "NIC interrupt" CPUs a
 * veth does not have, emulated by RPS on the first device).
 *
 * A run: the receiver starts and binds, then the sender; after --warmup the
 * window [T0, T1) of --duration opens. Both processes are given T0 and T1 as
 * CLOCK_MONOTONIC times and count only what they send and receive inside it;
 * the harness snapshots the kernel's counters at T0 and T1 (procstat.h) and
 * the row holds the differences. The sender stops 0.3 s after T1, the
 * receiver 0.6 s after it.
 *
 * The matrix: topology x placement x payload x flows; per case, saturation
 * (flat out) first, --sat-reps times, and its median delivered rate is the
 * base of the fixed-rate loads (--loads percent, --load-reps times each).
 * Runs go round the cases one repetition at a time (blocking against a host
 * whose speed drifts over minutes: docs/measure.md). With --interleave each
 * fixed-rate run is followed by a flat-out run of its case, a further
 * saturation repetition, so a paced run can be set against flat-out runs
 * measured beside it rather than minutes before.
 *
 * Invariants: the namespaces exist only between build and teardown, which
 * every exit path runs (an error, SIGINT, SIGTERM, SIGHUP); the helper
 * processes die with the harness (PR_SET_PDEATHSIG) and by their own
 * deadline; results are written to OUT.partial.PID and renamed to OUT only
 * after the last run, so an interrupted or failed measurement leaves nothing.
 * Only SIGKILL can leave namespaces behind: the next start refuses until
 * `--cleanup` removes them.
 */
#define _GNU_SOURCE
#include "measure.h"
#include "procstat.h"
#include "runs_report.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define NS_SND "fsm-snd"
#define NS_RCV "fsm-rcv"
#define NS_POD "fsm-pod"
#define MS_PORT 9000u
#define MS_MAX_CPUS 1024u
#define MS_MAX_LIST 16u
#define MS_MAX_COLS 4096u
/* Time from the spawn of the receiver to the start of the warm-up, the
 * sender's and the receiver's tails after T1, and the harness's own margin
 * before it kills a helper that has not exited (seconds). */
#define MS_START_S 0.15
#define MS_SEND_TAIL_S 0.3
#define MS_RECV_TAIL_S 0.6
#define MS_REAP_S 3.0
/* A window with more steal than this is flagged (percent of all CPUs). */
#define MS_STEAL_FLAG_PCT 5.0

enum topology { TOPO_UNDERLAY, TOPO_OVERLAY, TOPO_N };
enum placement { PLACE_VANILLA, PLACE_RPS, PLACE_RPS_FIRST, PLACE_N };
static const char *const k_topo_names[] = {"underlay", "overlay"};
static const char *const k_place_names[] = {"vanilla", "rps", "rps_first"};

struct role_list {
    unsigned n;
    unsigned id[MS_MAX_CPUS];
};

struct opts {
    const char *out;
    struct role_list sender, reader, rps, irq;
    bool topo[TOPO_N], place[PLACE_N];
    unsigned payloads[MS_MAX_LIST], npayloads;
    unsigned flows[MS_MAX_LIST], nflows;
    unsigned loads[MS_MAX_LIST], nloads;
    unsigned sat_reps, load_reps;
    double duration_s, warmup_s, noise_s;
    unsigned batch, paced_batch;
    unsigned rcvbuf;
    bool brnf;
    bool interleave; /* a flat-out run after each fixed-rate run */
    bool dry_run, cleanup, quiet;
    const char *summary, *noise_cfg, *wake_cfg, *ipi_cfg;
    long noise_cpu;
    char cmdline[4096];
};

struct run_spec {
    enum topology topo;
    enum placement place;
    unsigned payload, flows;
    unsigned load; /* 0 = saturation (flat out), else percent of the case's median */
    unsigned rep;
};

static volatile sig_atomic_t g_signal;
static void on_signal(int sig) { g_signal = sig; }

static unsigned g_ncpu;
static char g_loadgen[4096];
static int g_netns_self = -1;
/* Helpers still running, killed on any exit. */
static pid_t g_children[2];

/* {===== Small helpers ===== */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleeps until t; false if a signal asked us to stop. */
static bool sleep_until(int64_t t)
{
    while (!g_signal) {
        int64_t left = t - now_ns();
        if (left <= 0)
            return true;
        if (left > 20000000)
            left = 20000000;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = left};
        nanosleep(&ts, NULL);
    }
    return false;
}

void measure_msg(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "falconsim %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

#define msg(...) measure_msg("measure", __VA_ARGS__)

static int parse_cpu_list(const char *opt, const char *s, struct role_list *l)
{
    l->n = 0;
    if (s[0] == '\0')
        return 0;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", s);
    char *save;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *end;
        errno = 0;
        unsigned long lo = strtoul(t, &end, 10), hi = lo;
        if (*end == '-')
            hi = strtoul(end + 1, &end, 10);
        if (end == t || *end != '\0' || errno != 0 || hi < lo) {
            msg("error: %s: '%s' is not a CPU list (e.g. 0,2-3)", opt, s);
            return EX_USAGE;
        }
        for (unsigned long c = lo; c <= hi; c++) {
            if (c >= g_ncpu) {
                msg("error: %s: CPU %lu does not exist (this machine has CPUs 0-%u)", opt, c,
                    g_ncpu - 1);
                return EX_USAGE;
            }
            for (unsigned i = 0; i < l->n; i++)
                if (l->id[i] == c) {
                    msg("error: %s: CPU %lu is listed twice", opt, c);
                    return EX_USAGE;
                }
            l->id[l->n++] = (unsigned)c;
        }
    }
    return 0;
}

static void cpu_list_text(const struct role_list *l, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < l->n && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%u", i ? "," : "", l->id[i]);
}

static bool in_list(const struct role_list *l, unsigned c)
{
    for (unsigned i = 0; i < l->n; i++)
        if (l->id[i] == c)
            return true;
    return false;
}

/* The kernel's cpumask text: 32-bit hex groups, most significant first,
 * comma-separated (lib/bitmap-str.c, bitmap_parse). */
static void cpu_mask_text(const struct role_list *l, char *buf, size_t cap)
{
    unsigned groups = (g_ncpu + 31) / 32;
    size_t o = 0;
    for (unsigned g = groups; g-- > 0 && o < cap;) {
        uint32_t w = 0;
        for (unsigned i = 0; i < l->n; i++)
            if (l->id[i] / 32 == g)
                w |= UINT32_C(1) << (l->id[i] % 32);
        o += (size_t)snprintf(buf + o, cap - o, g + 1 == groups ? "%x" : ",%08x", w);
    }
}

static int parse_uint_list(const char *opt, const char *s, unsigned *out, unsigned *n,
                           unsigned lo, unsigned hi)
{
    *n = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", s);
    char *save;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(t, &end, 10);
        if (end == t || *end != '\0' || errno != 0 || v < lo || v > hi || *n == MS_MAX_LIST) {
            msg("error: %s: '%s' must be a list of at most %u integers in %u..%u", opt, s,
                MS_MAX_LIST, lo, hi);
            return EX_USAGE;
        }
        out[(*n)++] = (unsigned)v;
    }
    if (*n == 0) {
        msg("error: %s: empty list", opt);
        return EX_USAGE;
    }
    return 0;
}

static int parse_names(const char *opt, const char *s, const char *const *names, unsigned n,
                       bool *on)
{
    memset(on, 0, n * sizeof *on);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    char *save;
    bool any = false;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        unsigned i = 0;
        while (i < n && strcmp(t, names[i]) != 0)
            i++;
        if (i == n) {
            msg("error: %s: unknown '%s'", opt, t);
            return EX_USAGE;
        }
        on[i] = any = true;
    }
    if (!any) {
        msg("error: %s: empty list", opt);
        return EX_USAGE;
    }
    return 0;
}

static int parse_seconds(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        msg("error: %s: '%s' must be a number of seconds in %g..%g", opt, s, lo, hi);
        return EX_USAGE;
    }
    *out = v;
    return 0;
}

/* }===== Small helpers ===== */

/* {===== Commands and namespaces ===== */

/* Starts argv with stdin on /dev/null, stdout (and stderr, if err_fd is not
 * NULL) into pipes whose read ends it returns; exe NULL looks argv[0] up in
 * PATH. Returns the pid, or -1 (nothing left open). */
static pid_t spawn(const char *exe, const char *const argv[], int *out_fd, int *err_fd)
{
    int po[2], pe[2] = {-1, -1};
    if (pipe2(po, O_CLOEXEC) != 0)
        return -1;
    if (err_fd != NULL && pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(po[1], 1);
        if (err_fd != NULL)
            dup2(pe[1], 2);
        if (exe != NULL)
            execv(exe, (char *const *)argv);
        else
            execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(po[1]);
    if (err_fd != NULL)
        close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        if (err_fd != NULL)
            close(pe[0]);
        return -1;
    }
    *out_fd = po[0];
    if (err_fd != NULL)
        *err_fd = pe[0];
    return pid;
}

/* Runs argv (PATH lookup) with stdin closed, stdout into out (if non-NULL),
 * stderr into errbuf; returns the exit status, or -1 if it could not run. */
static int run_cmd(const char *const argv[], char *out, size_t outcap, char *errbuf, size_t errcap)
{
    int ofd, efd;
    pid_t pid = spawn(NULL, argv, &ofd, &efd);
    if (pid < 0)
        return -1;
    size_t no = 0, ne = 0;
    struct pollfd pf[2] = {{.fd = ofd, .events = POLLIN}, {.fd = efd, .events = POLLIN}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(pf, 2, 10000) <= 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP)))
                continue;
            char tmp[4096];
            ssize_t r = read(pf[i].fd, tmp, sizeof tmp);
            if (r <= 0) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
                continue;
            }
            char *dst = i == 0 ? out : errbuf;
            size_t cap = i == 0 ? outcap : errcap, *len = i == 0 ? &no : &ne;
            if (dst && cap > 0) {
                size_t k = (size_t)r < cap - 1 - *len ? (size_t)r : cap - 1 - *len;
                memcpy(dst + *len, tmp, k);
                *len += k;
                dst[*len] = '\0';
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (pf[i].fd >= 0)
            close(pf[i].fd);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (out && outcap)
        out[no < outcap ? no : outcap - 1] = '\0';
    if (errbuf && errcap)
        errbuf[ne < errcap ? ne : errcap - 1] = '\0';
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs a command given as words; on failure prints it with its stderr. */
static bool cmd(const char *first, ...)
{
    const char *argv[64];
    int n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char err[1024] = "";
    int rc = run_cmd(argv, NULL, 0, err, sizeof err);
    if (rc == 0)
        return true;
    char line[1024];
    size_t o = 0;
    for (int i = 0; i < n && o < sizeof line; i++)
        o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i ? " " : "", argv[i]);
    char *nl = strchr(err, '\n');
    if (nl)
        *nl = '\0';
    msg("error: '%s' failed (%s%s%s)", line, rc < 0 ? "could not run" : "exit status",
        rc < 0 ? "" : "", err[0] ? err : "no message");
    return false;
}

static bool netns_exists(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "/var/run/netns/%s", name);
    return access(path, F_OK) == 0;
}

static int netns_open(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "/var/run/netns/%s", name);
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* Writes value to a /proc/sys file inside namespace ns (sysctls under net/
 * belong to the namespace of the writing task). */
static bool ns_sysctl(const char *ns, const char *path, const char *value)
{
    int fd = netns_open(ns);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
        msg("error: cannot enter namespace %s: %s", ns, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    close(fd);
    bool ok = false;
    FILE *f = fopen(path, "w");
    if (f) {
        ok = fputs(value, f) >= 0;
        ok = (fclose(f) == 0) && ok;
    }
    int e = errno;
    setns(g_netns_self, CLONE_NEWNET);
    if (!ok)
        msg("error: cannot write %s in %s: %s", path, ns, strerror(e));
    return ok;
}

static void teardown(void)
{
    for (unsigned i = 0; i < SIM_ARRAY_LEN(g_children); i++)
        if (g_children[i] > 0) {
            kill(g_children[i], SIGKILL);
            waitpid(g_children[i], NULL, 0);
            g_children[i] = 0;
        }
    static const char *const names[] = {NS_POD, NS_RCV, NS_SND};
    for (unsigned i = 0; i < SIM_ARRAY_LEN(names); i++) {
        if (!netns_exists(names[i]))
            continue;
        /* Anything left inside (a helper of an earlier, killed harness). */
        char out[4096] = "";
        const char *argv[] = {"ip", "netns", "pids", (char *)names[i], NULL};
        if (run_cmd(argv, out, sizeof out, NULL, 0) == 0) {
            char *save;
            for (char *t = strtok_r(out, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
                kill((pid_t)atoi(t), SIGKILL);
        }
        const char *del[] = {"ip", "netns", "del", (char *)names[i], NULL};
        run_cmd(del, NULL, 0, NULL, 0);
    }
}

#define MAC_U0 "02:fa:1c:00:00:01"
#define MAC_U1 "02:fa:1c:00:00:02"
#define MAC_SVX "02:fa:1c:00:00:11"
#define MAC_RVX "02:fa:1c:00:00:12"
#define MAC_BR "02:fa:1c:00:00:13"
#define MAC_VP "02:fa:1c:00:00:14"
#define MAC_POD "02:fa:1c:00:00:15"

static bool build(bool brnf)
{
    static const char *const names[] = {NS_SND, NS_RCV, NS_POD};
    for (unsigned i = 0; i < 3; i++) {
        if (!cmd("ip", "netns", "add", names[i], NULL))
            return false;
        if (!ns_sysctl(names[i], "/proc/sys/net/ipv6/conf/all/disable_ipv6", "1") ||
            !ns_sysctl(names[i], "/proc/sys/net/ipv6/conf/default/disable_ipv6", "1") ||
            !cmd("ip", "-n", names[i], "link", "set", "lo", "up", NULL))
            return false;
    }
    return cmd("ip", "link", "add", "name", "u0", "address", MAC_U0, "netns", NS_SND, "type",
               "veth", "peer", "name", "u1", "address", MAC_U1, "netns", NS_RCV, NULL) &&
           /* underlay */
           cmd("ip", "-n", NS_SND, "addr", "add", "10.231.0.1/24", "dev", "u0", NULL) &&
           cmd("ip", "-n", NS_RCV, "addr", "add", "10.231.0.2/24", "dev", "u1", NULL) &&
           cmd("ip", "-n", NS_SND, "link", "set", "u0", "up", NULL) &&
           cmd("ip", "-n", NS_RCV, "link", "set", "u1", "up", NULL) &&
           cmd("ip", "-n", NS_SND, "neigh", "replace", "10.231.0.2", "lladdr", MAC_U1, "dev",
               "u0", "nud", "permanent", NULL) &&
           cmd("ip", "-n", NS_RCV, "neigh", "replace", "10.231.0.1", "lladdr", MAC_U0, "dev",
               "u1", "nud", "permanent", NULL) &&
           /* overlay, sender side */
           cmd("ip", "-n", NS_SND, "link", "add", "vx0", "address", MAC_SVX, "type", "vxlan",
               "id", "42", "dstport", "4789", "local", "10.231.0.1", "dev", "u0", "nolearning",
               NULL) &&
           cmd("ip", "-n", NS_SND, "addr", "add", "10.232.0.1/24", "dev", "vx0", NULL) &&
           cmd("ip", "-n", NS_SND, "link", "set", "vx0", "up", NULL) &&
           cmd("bridge", "-n", NS_SND, "fdb", "append", MAC_POD, "dev", "vx0", "dst",
               "10.231.0.2", "self", "permanent", NULL) &&
           cmd("ip", "-n", NS_SND, "neigh", "replace", "10.232.0.2", "lladdr", MAC_POD, "dev",
               "vx0", "nud", "permanent", NULL) &&
           /* overlay, receiver side: vxlan and a veth into the pod on a bridge */
           cmd("ip", "-n", NS_RCV, "link", "add", "vx0", "address", MAC_RVX, "type", "vxlan",
               "id", "42", "dstport", "4789", "local", "10.231.0.2", "dev", "u1", NULL) &&
           cmd("ip", "-n", NS_RCV, "link", "add", "br0", "address", MAC_BR, "mtu", "1450",
               "type", "bridge", NULL) &&
           cmd("ip", "-n", NS_RCV, "link", "add", "name", "vp0", "address", MAC_VP, "mtu",
               "1450", "type", "veth", "peer", "name", "eth0", "address", MAC_POD, "mtu", "1450",
               "netns", NS_POD, NULL) &&
           cmd("ip", "-n", NS_RCV, "link", "set", "vx0", "master", "br0", NULL) &&
           cmd("ip", "-n", NS_RCV, "link", "set", "vp0", "master", "br0", NULL) &&
           cmd("ip", "-n", NS_RCV, "link", "set", "br0", "up", NULL) &&
           cmd("ip", "-n", NS_RCV, "link", "set", "vx0", "up", NULL) &&
           cmd("ip", "-n", NS_RCV, "link", "set", "vp0", "up", NULL) &&
           cmd("bridge", "-n", NS_RCV, "fdb", "replace", MAC_POD, "dev", "vp0", "master",
               "static", NULL) &&
           cmd("bridge", "-n", NS_RCV, "fdb", "append", MAC_SVX, "dev", "vx0", "dst",
               "10.231.0.1", "self", "permanent", NULL) &&
           cmd("ip", "-n", NS_POD, "addr", "add", "10.232.0.2/24", "dev", "eth0", NULL) &&
           cmd("ip", "-n", NS_POD, "link", "set", "eth0", "up", NULL) &&
           cmd("ip", "-n", NS_POD, "neigh", "replace", "10.232.0.1", "lladdr", MAC_SVX, "dev",
               "eth0", "nud", "permanent", NULL) &&
           /* br_netfilter's hooks (Docker's default is on); the files exist
            * only where br_netfilter is loaded or built in */
           (access("/proc/sys/net/bridge", F_OK) != 0 ||
            (ns_sysctl(NS_RCV, "/proc/sys/net/bridge/bridge-nf-call-iptables", brnf ? "1" : "0") &&
             ns_sysctl(NS_RCV, "/proc/sys/net/bridge/bridge-nf-call-ip6tables", brnf ? "1" : "0") &&
             ns_sysctl(NS_RCV, "/proc/sys/net/bridge/bridge-nf-call-arptables", brnf ? "1" : "0")));
}

/* Sets rps_cpus of the receive devices for a placement and reads them back
 * into `readback` ("u1=2;vx0=2;eth0=2"). */
static bool set_placement(const struct opts *o, enum placement p, char *readback, size_t cap)
{
    static const struct role_list none = {0};
    const struct role_list *first = o->irq.n ? &o->irq : (p == PLACE_VANILLA ? &none : &o->rps);
    const struct role_list *later = p == PLACE_RPS ? &o->rps : &none;
    char m1[512], m2[512], out[2048] = "", err[512] = "";
    cpu_mask_text(first, m1, sizeof m1);
    cpu_mask_text(later, m2, sizeof m2);
    /* Under `ip netns exec` /sys shows the namespace's own devices. */
    char full[4096];
    snprintf(full, sizeof full,
             "q=/sys/class/net/%%s/queues/rx-0/rps_cpus; "
             "echo %s > $(printf $q u1) && echo %s > $(printf $q vx0) && "
             "printf 'u1=%%s;vx0=%%s;' $(cat $(printf $q u1)) $(cat $(printf $q vx0))",
             m1, m2);
    const char *argv[] = {"ip", "netns", "exec", NS_RCV, "sh", "-c", full, NULL};
    if (run_cmd(argv, out, sizeof out, err, sizeof err) != 0) {
        msg("error: cannot set rps_cpus in %s: %s", NS_RCV, err);
        return false;
    }
    char pod[1024], out2[512] = "";
    snprintf(pod, sizeof pod,
             "f=/sys/class/net/eth0/queues/rx-0/rps_cpus; echo %s > $f && printf 'eth0=%%s' "
             "$(cat $f)",
             m2);
    const char *argv2[] = {"ip", "netns", "exec", NS_POD, "sh", "-c", pod, NULL};
    if (run_cmd(argv2, out2, sizeof out2, err, sizeof err) != 0) {
        msg("error: cannot set rps_cpus in %s: %s", NS_POD, err);
        return false;
    }
    snprintf(readback, cap, "%s%s", out, out2);
    return true;
}

/* }===== Commands and namespaces ===== */

/* {===== Snapshots ===== */

enum { UDP_IN, UDP_RCVBUF, UDP_INERR, UDP_NOPORTS, UDP_OUT, UDP_SNDBUF, UDP_N };
static const char *const k_udp_fields[UDP_N] = {"InDatagrams", "RcvbufErrors", "InErrors",
                                                "NoPorts", "OutDatagrams", "SndbufErrors"};
enum { NSI_SND, NSI_RCV, NSI_POD, NSI_N };
static const char *const k_ns_names[NSI_N] = {NS_SND, NS_RCV, NS_POD};
enum { DEV_U0, DEV_U1, DEV_VX0, DEV_BR0, DEV_VP0, DEV_ETH0, DEV_N };
static const struct {
    const char *dev;
    unsigned ns;
} k_devs[DEV_N] = {{"u0", NSI_SND}, {"u1", NSI_RCV}, {"vx0", NSI_RCV},
                   {"br0", NSI_RCV}, {"vp0", NSI_RCV}, {"eth0", NSI_POD}};

struct snapshot {
    int64_t t_ns, end_ns; /* when the snapshot began and ended reading */
    uint64_t (*stat)[PS_STAT_FIELDS];
    uint64_t (*softnet)[PS_SOFTNET_FIELDS];
    uint64_t *netrx, *cal, *res, *loc, *ksoftirqd_ns;
    uint64_t udp[NSI_N][UDP_N];
    struct ps_netdev dev[DEV_N];
    struct ps_schedstat snd_task, rcv_task;
};

static void snap_init(struct snapshot *s)
{
    memset(s, 0, sizeof *s);
    s->stat = xcalloc(g_ncpu, sizeof *s->stat);
    s->softnet = xcalloc(g_ncpu, sizeof *s->softnet);
    s->netrx = xcalloc(g_ncpu, sizeof(uint64_t));
    s->cal = xcalloc(g_ncpu, sizeof(uint64_t));
    s->res = xcalloc(g_ncpu, sizeof(uint64_t));
    s->loc = xcalloc(g_ncpu, sizeof(uint64_t));
    s->ksoftirqd_ns = xcalloc(g_ncpu, sizeof(uint64_t));
}

static void snap_fini(struct snapshot *s)
{
    free(s->stat);
    free(s->softnet);
    free(s->netrx);
    free(s->cal);
    free(s->res);
    free(s->loc);
    free(s->ksoftirqd_ns);
}

static pid_t *g_ksoftirqd; /* [g_ncpu], 0 if not found */
static char *g_filebuf;
#define MS_FILEBUF (4u << 20)

static void find_ksoftirqd(void)
{
    g_ksoftirqd = xcalloc(g_ncpu, sizeof(pid_t));
    DIR *d = opendir("/proc");
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], comm[64];
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        unsigned cpu;
        if (fgets(comm, sizeof comm, f) && sscanf(comm, "ksoftirqd/%u", &cpu) == 1 &&
            cpu < g_ncpu)
            g_ksoftirqd[cpu] = (pid_t)atoi(e->d_name);
        fclose(f);
    }
    closedir(d);
}

/* Sums the schedstat of every thread of pid. */
static void task_schedstat(pid_t pid, struct ps_schedstat *sum)
{
    memset(sum, 0, sizeof *sum);
    if (pid <= 0)
        return;
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", (int)pid);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[400], text[256];
        snprintf(path, sizeof path, "%s/%s/schedstat", dir, e->d_name);
        struct ps_schedstat one;
        if (ps_read_file(path, text, sizeof text, NULL) > 0 &&
            ps_parse_schedstat(text, path, &one, NULL) == 0) {
            sum->run_ns += one.run_ns;
            sum->wait_ns += one.wait_ns;
            sum->slices += one.slices;
        }
    }
    closedir(d);
}

static int read_into(const char *path, struct sim_err *err)
{
    long n = ps_read_file(path, g_filebuf, MS_FILEBUF, err);
    return n < 0 ? (int)n : 0;
}

/* Reads every counter; per-namespace files through a short setns. */
static int snapshot(struct snapshot *s, pid_t snd, pid_t rcv, struct sim_err *err)
{
    s->t_ns = now_ns();
    int rc;
    if ((rc = read_into("/proc/stat", err)) != 0 ||
        (rc = ps_parse_stat(g_filebuf, "/proc/stat", g_ncpu, s->stat, err)) != 0 ||
        (rc = read_into("/proc/softirqs", err)) != 0 ||
        (rc = ps_parse_percpu_row(g_filebuf, "/proc/softirqs", "NET_RX", g_ncpu, s->netrx,
                                  err)) != 0 ||
        (rc = read_into("/proc/net/softnet_stat", err)) != 0 ||
        (rc = ps_parse_softnet(g_filebuf, "/proc/net/softnet_stat", g_ncpu, s->softnet,
                               err)) != 0 ||
        (rc = read_into("/proc/interrupts", err)) != 0)
        return rc;
    /* Not every architecture has each named IPI line; a missing one reads 0. */
    ps_parse_percpu_row(g_filebuf, "/proc/interrupts", "CAL", g_ncpu, s->cal, NULL);
    ps_parse_percpu_row(g_filebuf, "/proc/interrupts", "RES", g_ncpu, s->res, NULL);
    ps_parse_percpu_row(g_filebuf, "/proc/interrupts", "LOC", g_ncpu, s->loc, NULL);
    for (unsigned c = 0; c < g_ncpu; c++) {
        char path[64], text[256];
        struct ps_schedstat st = {0};
        snprintf(path, sizeof path, "/proc/%d/schedstat", (int)g_ksoftirqd[c]);
        if (g_ksoftirqd[c] > 0 && ps_read_file(path, text, sizeof text, NULL) > 0)
            ps_parse_schedstat(text, path, &st, NULL);
        s->ksoftirqd_ns[c] = st.run_ns;
    }
    task_schedstat(snd, &s->snd_task);
    task_schedstat(rcv, &s->rcv_task);
    for (unsigned n = 0; n < NSI_N; n++) {
        int fd = netns_open(k_ns_names[n]);
        if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
            if (fd >= 0)
                close(fd);
            return sim_error(err, SIM_EIO, "cannot enter namespace %s: %s", k_ns_names[n],
                             strerror(errno));
        }
        close(fd);
        char name[64];
        snprintf(name, sizeof name, "%s:/proc/net/snmp", k_ns_names[n]);
        rc = read_into("/proc/thread-self/net/snmp", err);
        for (unsigned f = 0; rc == 0 && f < UDP_N; f++)
            rc = ps_parse_snmp(g_filebuf, name, "Udp", k_udp_fields[f], &s->udp[n][f], err);
        if (rc == 0)
            rc = read_into("/proc/thread-self/net/dev", err);
        snprintf(name, sizeof name, "%s:/proc/net/dev", k_ns_names[n]);
        for (unsigned d = 0; rc == 0 && d < DEV_N; d++)
            if (k_devs[d].ns == n)
                rc = ps_parse_netdev(g_filebuf, name, k_devs[d].dev, &s->dev[d], err);
        setns(g_netns_self, CLONE_NEWNET);
        if (rc != 0)
            return rc;
    }
    s->end_ns = now_ns();
    return 0;
}

/* }===== Snapshots ===== */

/* {===== One run ===== */

/* What a helper printed: "key\tvalue" lines. */
struct kv {
    char text[16384];
};

static double kv_get(const struct kv *kv, const char *key)
{
    size_t k = strlen(key);
    for (const char *s = kv->text; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
        if (strncmp(s, key, k) == 0 && s[k] == '\t')
            return strtod(s + k + 1, NULL);
    return (double)NAN;
}

/* The helper, its stderr on ours (its errors reach the user as they are). */
static pid_t spawn_loadgen(const char *const argv[], int *out_fd)
{
    return spawn(g_loadgen, argv, out_fd, NULL);
}

/* Reads fd until EOF or the deadline; reaps pid (killing it at the
 * deadline). Returns true if it exited with status 0. */
static bool collect(pid_t pid, int fd, int64_t deadline, struct kv *kv, size_t *len)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    while (fd >= 0) {
        int64_t left_ms = (deadline - now_ns()) / 1000000;
        if (left_ms <= 0 || (g_signal && left_ms > 100))
            break;
        int r = poll(&pf, 1, (int)(left_ms > 100 ? 100 : left_ms));
        if (r <= 0)
            continue;
        ssize_t n = read(fd, kv->text + *len, sizeof kv->text - 1 - *len);
        if (n <= 0)
            break;
        *len += (size_t)n;
        kv->text[*len] = '\0';
        if (*len + 1 >= sizeof kv->text)
            break;
    }
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            break;
        if (now_ns() >= deadline || g_signal) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return false;
        }
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Runs one falconsim-loadgen probe to its end (t1, and 3 s of grace) and
 * reads its key-value lines into kv: 0, -1 on a signal, EX_SOFTWARE if the
 * helper failed. */
static int probe_run(const char *const argv[], int64_t t1, struct kv *kv)
{
    int fd = -1;
    size_t len = 0;
    pid_t pid = spawn_loadgen(argv, &fd);
    bool ok = pid > 0 && collect(pid, fd, t1 + 3000000000, kv, &len);
    if (pid > 0)
        close(fd);
    return ok ? 0 : g_signal ? -1 : EX_SOFTWARE;
}

/* A row: column names and formatted values, in order. */
struct row {
    unsigned n;
    char name[MS_MAX_COLS][48];
    char value[MS_MAX_COLS][64];
};

static void col(struct row *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void col(struct row *r, const char *name, const char *fmt, ...)
{
    SIM_ASSERT(r->n < MS_MAX_COLS);
    snprintf(r->name[r->n], sizeof r->name[0], "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->value[r->n], sizeof r->value[0], fmt, ap);
    va_end(ap);
    r->n++;
}

/* Per-CPU time in seconds between two /proc/stat snapshots. */
static double ticks_s(const struct snapshot *a, const struct snapshot *b, unsigned c,
                      enum ps_stat_field f)
{
    return (double)(b->stat[c][f] - a->stat[c][f]) / (double)sysconf(_SC_CLK_TCK);
}

/* Busy time of CPU c: the window's wall time less idle, iowait and steal.
 * Idle time in /proc/stat is exact on a NO_HZ kernel (it comes from the
 * idle-entry timestamps, get_cpu_idle_time_us), while user, system and
 * softirq are sampled at each tick and lag, so their sum is not the wall
 * time; the busy fraction is therefore taken against the wall time. */
static double busy_s(const struct snapshot *a, const struct snapshot *b, unsigned c)
{
    double wall = (double)(b->t_ns - a->t_ns) / 1e9;
    double busy = wall - ticks_s(a, b, c, PS_IDLE) - ticks_s(a, b, c, PS_IOWAIT) -
                  ticks_s(a, b, c, PS_STEAL);
    return busy > 0 ? busy : 0;
}

struct run_result {
    double rate_pps;
    double p50_us, p99_us;
    bool ok;
};

static double per(double x, double n) { return n > 0 ? x / n : 0; }

static void fill_row(struct row *r, const struct opts *o, const struct run_spec *rs,
                     unsigned case_id, double target_pps, double sat_median, const char *masks,
                     const struct kv *snd, const struct kv *rcv, const struct snapshot *a,
                     const struct snapshot *b, int64_t t0, int64_t t1, const double probe[5],
                     struct run_result *res)
{
    double win = (double)(t1 - t0) / 1e9, swin = (double)(b->t_ns - a->t_ns) / 1e9;
    unsigned app_ns = rs->topo == TOPO_OVERLAY ? NSI_POD : NSI_RCV;
    double rcvd = kv_get(rcv, "rcvd"), sent = kv_get(snd, "sent");
    double in_pk = (double)(b->dev[DEV_U1].rx_packets - a->dev[DEV_U1].rx_packets);
    double gaps = kv_get(rcv, "gaps"), reord = kv_get(rcv, "reorders");
    double snd_err = kv_get(snd, "snd_errors");
    char buf[4096];
    r->n = 0;
    col(r, "case_id", "%u", case_id);
    col(r, "topology", "%s", k_topo_names[rs->topo]);
    col(r, "placement", "%s", k_place_names[rs->place]);
    col(r, "brnf", "%s", o->brnf ? "on" : "off");
    col(r, "payload", "%u", rs->payload);
    col(r, "flows", "%u", rs->flows);
    if (rs->load)
        col(r, "load", "%u", rs->load);
    else
        col(r, "load", "sat");
    col(r, "target_pps", "%.0f", target_pps);
    col(r, "rep", "%u", rs->rep);
    col(r, "sat_median_pps", "%.0f", sat_median);
    double steal = 0, all_busy = 0;
    for (unsigned c = 0; c < g_ncpu; c++) {
        steal += ticks_s(a, b, c, PS_STEAL);
        all_busy += busy_s(a, b, c);
    }
    const char *flag = "ok";
    if (!(rcvd > 0))
        flag = "no_packets";
    else if (snd_err > 0)
        flag = "send_errors";
    else if (100 * steal / swin / g_ncpu > MS_STEAL_FLAG_PCT)
        flag = "steal";
    else if (fabs(swin - win) > 0.05 * win)
        flag = "short_window";
    col(r, "flags", "%s", flag);
    cpu_list_text(&o->sender, buf, sizeof buf);
    col(r, "sender_cpus", "%s", buf);
    cpu_list_text(&o->reader, buf, sizeof buf);
    col(r, "reader_cpus", "%s", buf);
    cpu_list_text(&o->irq, buf, sizeof buf);
    col(r, "irq_cpus", "%s", buf[0] ? buf : "-");
    cpu_list_text(&o->rps, buf, sizeof buf);
    col(r, "rps_cpus", "%s", buf);
    col(r, "rps_masks", "%s", masks);
    col(r, "batch", "%u", rs->load ? o->paced_batch : o->batch);
    col(r, "max_batch", "%u", o->batch); /* a paced sender's catch-up (loadgen --max-batch) */
    col(r, "rcvbuf", "%.0f", kv_get(rcv, "rcvbuf"));
    col(r, "duration_s", "%g", o->duration_s);
    col(r, "win_s", "%.4f", swin);
    /* Two counters read at different moments of the two snapshots span
     * windows that differ by at most the longer snapshot's reading time. */
    col(r, "snap_ms", "%.3f", (double)(a->end_ns - a->t_ns > b->end_ns - b->t_ns
                                           ? a->end_ns - a->t_ns : b->end_ns - b->t_ns) / 1e6);
    col(r, "cpu_speed_ns", "%.4f", probe[0]);
    col(r, "mem_latency_ns", "%.2f", probe[1]);
    col(r, "syscall_ns", "%.2f", probe[2]);
    col(r, "line_rt_ns", "%.1f", probe[3]);
    col(r, "line_rt_after_ns", "%.1f", probe[4]);
    col(r, "rate_pps", "%.0f", rcvd / win);
    col(r, "send_pps", "%.0f", sent / win);
    col(r, "in_pps", "%.0f", in_pk / swin);
    col(r, "gbps", "%.4f", kv_get(rcv, "bytes") * 8 / win / 1e9);
    col(r, "rcvd", "%.0f", rcvd);
    col(r, "sent", "%.0f", sent);
    col(r, "loss_frac", "%.5f", sent > 0 ? (sent - rcvd) / sent : 0);
    col(r, "drops", "%.0f", gaps - reord);
    col(r, "reorders", "%.0f", reord);
    col(r, "sock_drops", "%" PRIu64, b->udp[app_ns][UDP_RCVBUF] - a->udp[app_ns][UDP_RCVBUF]);
    uint64_t bl = 0;
    for (unsigned c = 0; c < g_ncpu; c++)
        bl += b->softnet[c][PS_SN_DROPPED] - a->softnet[c][PS_SN_DROPPED];
    col(r, "backlog_drops", "%" PRIu64, bl);
    col(r, "gro_cell_drops", "%" PRIu64, b->dev[DEV_VX0].rx_drop - a->dev[DEV_VX0].rx_drop);
    col(r, "veth_drops", "%" PRIu64,
        (b->dev[DEV_VP0].tx_drop - a->dev[DEV_VP0].tx_drop) +
            (b->dev[DEV_ETH0].rx_drop - a->dev[DEV_ETH0].rx_drop) +
            (b->dev[DEV_U0].tx_drop - a->dev[DEV_U0].tx_drop));
    col(r, "snd_errors", "%.0f", snd_err);
    static const char *const lat[] = {"p50", "p90", "p99", "p999", "mean", "max"};
    for (unsigned i = 0; i < SIM_ARRAY_LEN(lat); i++) {
        char k[32], n[32];
        snprintf(k, sizeof k, "lat_%s_ns", lat[i]);
        snprintf(n, sizeof n, "lat_%s_us", lat[i]);
        col(r, n, "%.2f", kv_get(rcv, k) / 1000);
    }
    uint64_t netrx = 0, cal = 0, res_ipi = 0, proc = 0;
    double sirq = 0, snd_sys = 0, snd_usr = 0, rcv_busy = 0, ksirq = 0;
    for (unsigned c = 0; c < g_ncpu; c++) {
        netrx += b->netrx[c] - a->netrx[c];
        cal += b->cal[c] - a->cal[c];
        res_ipi += b->res[c] - a->res[c];
        proc += b->softnet[c][PS_SN_PROCESSED] - a->softnet[c][PS_SN_PROCESSED];
        sirq += ticks_s(a, b, c, PS_SOFTIRQ);
        ksirq += (double)(b->ksoftirqd_ns[c] - a->ksoftirqd_ns[c]) / 1e9;
        if (in_list(&o->sender, c)) {
            snd_sys += ticks_s(a, b, c, PS_SYSTEM);
            snd_usr += ticks_s(a, b, c, PS_USER) + ticks_s(a, b, c, PS_NICE);
        }
        if (in_list(&o->reader, c))
            rcv_busy += busy_s(a, b, c);
    }
    col(r, "netrx_per_s", "%.0f", (double)netrx / swin);
    col(r, "ipi_cal_per_s", "%.0f", (double)cal / swin);
    col(r, "ipi_res_per_s", "%.0f", (double)res_ipi / swin);
    col(r, "rx_passes_pp", "%.4f", per((double)proc, in_pk));
    col(r, "netrx_pp", "%.4f", per((double)netrx, in_pk));
    col(r, "sirq_us_pp", "%.4f", per(sirq * 1e6, in_pk));
    col(r, "path_us_pp", "%.4f", per((all_busy - snd_usr) * 1e6, in_pk));
    col(r, "ksoftirqd_us_pp", "%.4f", per(ksirq * 1e6, in_pk));
    col(r, "snd_sys_us_pp", "%.4f", per(snd_sys * 1e6, sent * swin / win));
    col(r, "rcv_cpu_us_pp", "%.4f", per(rcv_busy * 1e6, rcvd * swin / win));
    double rd = rcvd * swin / win;
    col(r, "rcv_task_us_pp", "%.4f",
        per((double)(b->rcv_task.run_ns - a->rcv_task.run_ns) / 1e3, rd));
    col(r, "rcv_task_wait_us_pp", "%.4f",
        per((double)(b->rcv_task.wait_ns - a->rcv_task.wait_ns) / 1e3, rd));
    col(r, "rcv_wakeups_pp", "%.4f", per((double)(b->rcv_task.slices - a->rcv_task.slices), rd));
    col(r, "snd_task_us_pp", "%.4f",
        per((double)(b->snd_task.run_ns - a->snd_task.run_ns) / 1e3, sent * swin / win));
    /* the sender's calls in the window: datagrams a call, and the share that
     * caught up with a paced schedule (more than one burst due at once) */
    double calls = kv_get(snd, "calls"), behind = kv_get(snd, "calls_behind");
    col(r, "snd_call_size", "%.3f", calls > 0 ? sent / calls : 0.0);
    col(r, "snd_behind_frac", "%.4f", calls > 0 && isfinite(behind) ? behind / calls : 0.0);
    /* the reader's: datagrams a recvmmsg returned (the model's app_calls_per_s) */
    double rcalls = kv_get(rcv, "calls");
    col(r, "rcv_call_size", "%.3f", rcalls > 0 ? rcvd / rcalls : 0.0);
    /* a paced sender's busy-wait, a noise probe in place (falconsim-loadgen) */
    double spin_s = kv_get(snd, "spin_s");
    col(r, "snd_spin_s", "%.4f", isfinite(spin_s) ? spin_s : 0.0);
    col(r, "snd_spin_gaps_per_s", "%.1f", spin_s > 0 ? kv_get(snd, "spin_gaps_per_s") : 0.0);
    col(r, "snd_spin_lost_frac", "%.6f", spin_s > 0 ? kv_get(snd, "spin_lost_frac") : 0.0);
    col(r, "snd_spin_gap_p99_us", "%.2f", spin_s > 0 ? kv_get(snd, "spin_gap_p99_ns") / 1e3 : 0.0);
    col(r, "snd_spin_gap_p999_us", "%.2f", spin_s > 0 ? kv_get(snd, "spin_gap_p999_ns") / 1e3 : 0.0);
    for (unsigned c = 0; c < g_ncpu; c++) {
        char n[48];
#define PCT(name, v)                                                                       \
    do {                                                                                   \
        snprintf(n, sizeof n, "cpu%u_%s", c, name);                                        \
        col(r, n, "%.2f", 100 * (v) / swin);                                               \
    } while (0)
        PCT("busy_pct", busy_s(a, b, c));
        PCT("usr_pct", ticks_s(a, b, c, PS_USER) + ticks_s(a, b, c, PS_NICE));
        PCT("sys_pct", ticks_s(a, b, c, PS_SYSTEM));
        PCT("irq_pct", ticks_s(a, b, c, PS_IRQ));
        PCT("sirq_pct", ticks_s(a, b, c, PS_SOFTIRQ));
        PCT("idle_pct", ticks_s(a, b, c, PS_IDLE) + ticks_s(a, b, c, PS_IOWAIT));
        PCT("steal_pct", ticks_s(a, b, c, PS_STEAL));
#undef PCT
#define CNT(name, v)                                                                       \
    do {                                                                                   \
        snprintf(n, sizeof n, "cpu%u_%s", c, name);                                        \
        col(r, n, "%" PRIu64, (uint64_t)(v));                                              \
    } while (0)
        CNT("netrx", b->netrx[c] - a->netrx[c]);
        CNT("ipi_cal", b->cal[c] - a->cal[c]);
        CNT("ipi_res", b->res[c] - a->res[c]);
        CNT("loc", b->loc[c] - a->loc[c]);
        CNT("sn_processed", b->softnet[c][PS_SN_PROCESSED] - a->softnet[c][PS_SN_PROCESSED]);
        CNT("sn_dropped", b->softnet[c][PS_SN_DROPPED] - a->softnet[c][PS_SN_DROPPED]);
        CNT("sn_squeeze", b->softnet[c][PS_SN_SQUEEZE] - a->softnet[c][PS_SN_SQUEEZE]);
        CNT("sn_rps", b->softnet[c][PS_SN_RPS] - a->softnet[c][PS_SN_RPS]);
#undef CNT
        snprintf(n, sizeof n, "cpu%u_ksoftirqd_ms", c);
        col(r, n, "%.2f", (double)(b->ksoftirqd_ns[c] - a->ksoftirqd_ns[c]) / 1e6);
    }
    res->rate_pps = rcvd / win;
    res->p50_us = kv_get(rcv, "lat_p50_ns") / 1000;
    res->p99_us = kv_get(rcv, "lat_p99_ns") / 1000;
    res->ok = rcvd > 0;
}

static int write_row(FILE *f, const struct row *r, bool header)
{
    for (unsigned i = 0; header && i < r->n; i++)
        fprintf(f, "%s%s", i ? "\t" : "", r->name[i]);
    if (header)
        fputc('\n', f);
    for (unsigned i = 0; i < r->n; i++)
        fprintf(f, "%s%s", i ? "\t" : "", r->value[i]);
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}

/* The CPUs of every role, each once. */
static void role_cpus(const struct opts *o, struct role_list *all)
{
    all->n = 0;
    const struct role_list *roles[] = {&o->sender, &o->reader, &o->rps, &o->irq};
    for (unsigned i = 0; i < SIM_ARRAY_LEN(roles); i++)
        for (unsigned k = 0; k < roles[i]->n; k++)
            if (!in_list(all, roles[i]->id[k]))
                all->id[all->n++] = roles[i]->id[k];
}

/* Runs the speed probe (loadgen.c) on every role CPU at once for
 * MS_SPEED_S; sets the means over CPUs of ns per ALU step and per memory
 * load (NAN where no probe answered). */
#define MS_SPEED_S 0.06
static void speed_probe(const struct opts *o, double *alu_ns, double *mem_ns, double *sys_ns)
{
    struct role_list all;
    role_cpus(o, &all);
    /* 60 ms for the helpers to start and build their 8 MiB chase cycle. */
    int64_t t0 = now_ns() + 60000000, t1 = t0 + (int64_t)(MS_SPEED_S * 1e9);
    char win[64], stop[32], cpu[MS_MAX_CPUS][12];
    snprintf(win, sizeof win, "%" PRId64 ",%" PRId64, t0, t1);
    snprintf(stop, sizeof stop, "%" PRId64, t1);
    pid_t pids[MS_MAX_CPUS];
    int fds[MS_MAX_CPUS];
    for (unsigned i = 0; i < all.n; i++) {
        snprintf(cpu[i], sizeof cpu[i], "%u", all.id[i]);
        const char *argv[] = {"falconsim-loadgen", "speed", "--cpus", cpu[i], "--window", win,
                              "--stop", stop, NULL};
        pids[i] = spawn_loadgen(argv, &fds[i]);
    }
    double sum = 0, msum = 0, ssum = 0;
    unsigned n = 0;
    struct kv *kv = xcalloc(1, sizeof *kv);
    for (unsigned i = 0; i < all.n; i++) {
        size_t len = 0;
        kv->text[0] = '\0';
        if (pids[i] > 0 && collect(pids[i], fds[i], t1 + 2000000000, kv, &len)) {
            double v = kv_get(kv, "speed_ns_per_op"), m = kv_get(kv, "mem_ns_per_load"),
                   sc = kv_get(kv, "syscall_ns");
            if (v > 0 && m > 0 && sc > 0) {
                sum += v;
                msum += m;
                ssum += sc;
                n++;
            }
        }
        if (pids[i] > 0)
            close(fds[i]);
    }
    free(kv);
    *alu_ns = n ? sum / n : (double)NAN;
    *mem_ns = n ? msum / n : (double)NAN;
    *sys_ns = n ? ssum / n : (double)NAN;
}

/* Runs the line probe (loadgen.c) between the first sender CPU and the
 * first reader CPU for MS_LINE_S: the round trip of one cache line between
 * them, in ns (NAN where the two are one CPU or the probe did not answer).
 * The hypervisor's placement of the two vCPUs sets it, and it can change
 * within a run: the harness takes it before and after each. */
#define MS_LINE_S 0.02
#define MS_LINE_LEAD_S 0.03 /* for the helper to start and pin its threads */
static double line_probe(const struct opts *o)
{
    if (o->sender.id[0] == o->reader.id[0])
        return (double)NAN;
    int64_t t0 = now_ns() + (int64_t)(MS_LINE_LEAD_S * 1e9), t1 = t0 + (int64_t)(MS_LINE_S * 1e9);
    char win[64], stop[32], cpus[32];
    snprintf(win, sizeof win, "%" PRId64 ",%" PRId64, t0, t1);
    snprintf(stop, sizeof stop, "%" PRId64, t1);
    snprintf(cpus, sizeof cpus, "%u,%u", o->sender.id[0], o->reader.id[0]);
    const char *argv[] = {"falconsim-loadgen", "line", "--cpus", cpus, "--window", win,
                          "--stop", stop, NULL};
    double rt = (double)NAN;
    struct kv *kv = xcalloc(1, sizeof *kv);
    if (probe_run(argv, t1, kv) == 0 && kv_get(kv, "line_rt_ns") > 0)
        rt = kv_get(kv, "line_rt_ns");
    free(kv);
    return rt;
}

/* One run, start to finish. Returns 0, an EX_* code, or -1 when interrupted. */
static int one_run(const struct opts *o, const struct run_spec *rs, unsigned case_id,
                   double target_pps, double sat_median, struct row *row,
                   struct run_result *res)
{
    char masks[1024];
    if (!set_placement(o, rs->place, masks, sizeof masks))
        return EX_OSERR;
    /* speed, memory, system call; the line before and after the run */
    double probe[5];
    speed_probe(o, &probe[0], &probe[1], &probe[2]);
    probe[3] = line_probe(o);
    if (g_signal)
        return -1;
    bool overlay = rs->topo == TOPO_OVERLAY;
    int64_t t_start = now_ns() + (int64_t)(MS_START_S * 1e9);
    int64_t t0 = t_start + (int64_t)(o->warmup_s * 1e9);
    int64_t t1 = t0 + (int64_t)(o->duration_s * 1e9);
    int64_t snd_stop = t1 + (int64_t)(MS_SEND_TAIL_S * 1e9);
    int64_t rcv_stop = t1 + (int64_t)(MS_RECV_TAIL_S * 1e9);
    char win[64], sstop[32], rstop[32], flows[16], payload[16], rate[32], batch[16], port[16],
        rcvbuf[32], scpus[4096], rcpus[4096], maxbatch[16];
    snprintf(maxbatch, sizeof maxbatch, "%u", o->batch);
    snprintf(win, sizeof win, "%" PRId64 ",%" PRId64, t0, t1);
    snprintf(sstop, sizeof sstop, "%" PRId64, snd_stop);
    snprintf(rstop, sizeof rstop, "%" PRId64, rcv_stop);
    snprintf(flows, sizeof flows, "%u", rs->flows);
    snprintf(payload, sizeof payload, "%u", rs->payload);
    snprintf(rate, sizeof rate, "%.0f", target_pps);
    snprintf(batch, sizeof batch, "%u", rs->load ? o->paced_batch : o->batch);
    snprintf(port, sizeof port, "%u", MS_PORT);
    snprintf(rcvbuf, sizeof rcvbuf, "%u", o->rcvbuf);
    cpu_list_text(&o->sender, scpus, sizeof scpus);
    cpu_list_text(&o->reader, rcpus, sizeof rcpus);
    const char *dst = overlay ? "10.232.0.2" : "10.231.0.2";
    const char *rargv[] = {"falconsim-loadgen", "recv", "--netns", overlay ? NS_POD : NS_RCV,
                     "--cpus", rcpus, "--bind", (char *)dst, "--port", port, "--flows", flows,
                     "--payload", payload,
                     "--rcvbuf", rcvbuf, "--window", win, "--stop", rstop, NULL};
    const char *sargv[] = {"falconsim-loadgen", "send", "--netns", NS_SND, "--cpus", scpus,
                     "--dst", (char *)dst, "--port", port, "--flows", flows, "--payload",
                     payload, "--rate", rate, "--batch", batch, "--max-batch", maxbatch,
                     "--window", win, "--stop",
                     sstop, NULL};
    int rfd = -1, sfd = -1;
    struct kv *rkv = xcalloc(1, sizeof *rkv), *skv = xcalloc(1, sizeof *skv);
    size_t rlen = 0, slen = 0;
    int rc = 0;
    struct snapshot a, b;
    snap_init(&a);
    snap_init(&b);
    struct sim_err err = {{0}};
    g_children[0] = spawn_loadgen(rargv, &rfd);
    if (g_children[0] < 0) {
        msg("error: cannot start %s", g_loadgen);
        rc = EX_OSERR;
        goto out;
    }
    /* Wait for "ready" (the sockets are bound) before sending. */
    {
        struct pollfd pf = {.fd = rfd, .events = POLLIN};
        while (strstr(rkv->text, "ready") == NULL) {
            if (poll(&pf, 1, 2000) <= 0 || g_signal) {
                msg("error: the receiver did not start (%s)", g_signal ? "interrupted" : "timeout");
                rc = g_signal ? -1 : EX_SOFTWARE;
                goto out;
            }
            ssize_t n = read(rfd, rkv->text + rlen, sizeof rkv->text - 1 - rlen);
            if (n <= 0) {
                msg("error: the receiver exited before it was ready (see its message above)");
                rc = EX_SOFTWARE;
                goto out;
            }
            rlen += (size_t)n;
            rkv->text[rlen] = '\0';
        }
    }
    g_children[1] = spawn_loadgen(sargv, &sfd);
    if (g_children[1] < 0) {
        rc = EX_OSERR;
        goto out;
    }
    if (!sleep_until(t0) || snapshot(&a, g_children[1], g_children[0], &err) != 0 ||
        !sleep_until(t1) || snapshot(&b, g_children[1], g_children[0], &err) != 0) {
        if (!g_signal)
            msg("error: %s", err.msg);
        rc = g_signal ? -1 : EX_OSERR;
        goto out;
    }
    int64_t deadline = rcv_stop + (int64_t)(MS_REAP_S * 1e9);
    bool sok = collect(g_children[1], sfd, deadline, skv, &slen);
    g_children[1] = 0;
    sfd = -1;
    bool rok = collect(g_children[0], rfd, deadline, rkv, &rlen);
    g_children[0] = 0;
    rfd = -1;
    if (g_signal) {
        rc = -1;
        goto out;
    }
    if (!sok || !rok) {
        msg("error: the %s failed or did not stop in time", !sok ? "sender" : "receiver");
        rc = EX_SOFTWARE;
        goto out;
    }
    probe[4] = line_probe(o);
    if (g_signal) {
        rc = -1;
        goto out;
    }
    fill_row(row, o, rs, case_id, target_pps, sat_median, masks, skv, rkv, &a, &b, t0, t1, probe,
             res);
out:
    for (unsigned i = 0; i < 2; i++)
        if (g_children[i] > 0) {
            kill(g_children[i], SIGKILL);
            waitpid(g_children[i], NULL, 0);
            g_children[i] = 0;
        }
    if (rfd >= 0)
        close(rfd);
    if (sfd >= 0)
        close(sfd);
    snap_fini(&a);
    snap_fini(&b);
    free(rkv);
    free(skv);
    return rc;
}

/* }===== One run ===== */

/* {===== Noise and environment ===== */

/* Runs the noise probe on every CPU in a role at once; writes noise.tsv and
 * adds per-CPU summaries and the HZ estimate to the environment file. */
static int noise_probe(const struct opts *o, const char *dir, FILE *env)
{
    struct role_list all;
    role_cpus(o, &all);
    int64_t t0 = now_ns() + 100000000, t1 = t0 + (int64_t)(o->noise_s * 1e9);
    char win[64], stop[32];
    snprintf(win, sizeof win, "%" PRId64 ",%" PRId64, t0, t1);
    snprintf(stop, sizeof stop, "%" PRId64, t1);
    pid_t *pids = xcalloc(all.n, sizeof(pid_t));
    int *fds = xcalloc(all.n, sizeof(int));
    struct kv *kv = xcalloc(all.n, sizeof *kv);
    char cpu[MS_MAX_CPUS][12];
    struct snapshot a, b;
    snap_init(&a);
    snap_init(&b);
    struct sim_err err;
    int rc = 0;
    for (unsigned i = 0; i < all.n; i++) {
        snprintf(cpu[i], sizeof cpu[i], "%u", all.id[i]);
        const char *argv[] = {"falconsim-loadgen", "noise", "--cpus", cpu[i], "--window", win,
                        "--stop", stop, NULL};
        pids[i] = spawn_loadgen(argv, &fds[i]);
    }
    if (!sleep_until(t0) || snapshot(&a, 0, 0, &err) != 0 || !sleep_until(t1) ||
        snapshot(&b, 0, 0, &err) != 0)
        rc = g_signal ? -1 : EX_OSERR;
    for (unsigned i = 0; i < all.n; i++) {
        size_t len = 0;
        if (pids[i] > 0 && !collect(pids[i], fds[i], t1 + 3000000000, &kv[i], &len) && rc == 0)
            rc = g_signal ? -1 : EX_SOFTWARE;
    }
    if (rc == 0) {
        char path[4400];
        snprintf(path, sizeof path, "%s/noise.tsv", dir);
        FILE *f = fopen(path, "w");
        if (f == NULL)
            rc = EX_CANTCREAT;
        else {
            fprintf(f, "cpu\tquantile\tgap_ns\tspacing_ns\n");
            for (unsigned i = 0; i < all.n; i++) {
                for (const char *s = kv[i].text; s && *s;
                     s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
                    if (strncmp(s, "q\t", 2) == 0) {
                        const char *e = strchr(s, '\n');
                        fprintf(f, "%u\t%.*s\n", all.id[i], (int)(e ? e - s - 2 : (long)strlen(s + 2)),
                                s + 2);
                    }
                fprintf(env, "noise_cpu%u_gaps_per_s\t%.1f\nnoise_cpu%u_lost_frac\t%.6f\n",
                        all.id[i], kv_get(&kv[i], "gaps_per_s"), all.id[i],
                        kv_get(&kv[i], "lost_frac"));
            }
            if (fclose(f) != 0)
                rc = EX_IOERR;
            /* A CPU that never idles takes every tick: LOC per second is HZ. */
            double loc = 0, win_s = (double)(b.t_ns - a.t_ns) / 1e9;
            for (unsigned i = 0; i < all.n; i++)
                loc += (double)(b.loc[all.id[i]] - a.loc[all.id[i]]);
            fprintf(env, "hz_estimate\t%.0f\n", loc / win_s / all.n);
            fprintf(env, "noise_s\t%g\nnoise_threshold_ns\t1000\n", o->noise_s);
        }
    }
    for (unsigned i = 0; i < all.n; i++)
        if (fds[i] > 0)
            close(fds[i]);
    snap_fini(&a);
    snap_fini(&b);
    free(pids);
    free(fds);
    free(kv);
    return rc;
}

/* With two CPUs or more in the roles: the shared-noise probe on all of them
 * at once, for as long as the noise probe; adds the share of their gaps that
 * overlap another CPU's (noise.shared) to the environment file. */
static int noise_shared_probe(const struct opts *o, FILE *env)
{
    struct role_list all;
    role_cpus(o, &all);
    if (all.n < 2)
        return 0;
    if (!o->quiet)
        msg("shared-noise probe: %.1f s", o->noise_s);
    int64_t t0 = now_ns() + 100000000, t1 = t0 + (int64_t)(o->noise_s * 1e9);
    char win[64], stop[32], cpus[4096];
    snprintf(win, sizeof win, "%" PRId64 ",%" PRId64, t0, t1);
    snprintf(stop, sizeof stop, "%" PRId64, t1);
    cpu_list_text(&all, cpus, sizeof cpus);
    const char *argv[] = {"falconsim-loadgen", "shared", "--cpus", cpus, "--window", win,
                          "--stop", stop, NULL};
    struct kv *kv = xcalloc(1, sizeof *kv);
    int rc = probe_run(argv, t1, kv);
    if (rc == 0) {
        /* loadgen's key, then env.tsv's: each spelled out so that a grep finds both */
        static const char *const keys[][2] = {
            {"shared_frac", "noise_shared_frac"},
            {"shared_time_frac", "noise_shared_time_frac"},
            {"shared_frac_upto20us", "noise_shared_frac_upto20us"},
            {"shared_frac_20to100us", "noise_shared_frac_20to100us"},
            {"shared_frac_over100us", "noise_shared_frac_over100us"},
            {"covered_frac_upto20us", "noise_shared_covered_frac_upto20us"},
            {"covered_frac_20to100us", "noise_shared_covered_frac_20to100us"},
            {"covered_frac_over100us", "noise_shared_covered_frac_over100us"},
            {"chance_frac", "noise_shared_chance_frac"},
            {"host_wide_upto100us", "noise_shared_host_wide_upto100us"},
            {"host_wide_over100us", "noise_shared_host_wide_over100us"}};
        for (unsigned k = 0; k < SIM_ARRAY_LEN(keys); k++)
            fprintf(env, "%s\t%.4f\n", keys[k][1], kv_get(kv, keys[k][0]));
    }
    free(kv);
    return rc;
}

static void env_file_line(FILE *env, const char *key, const char *path)
{
    char buf[4096];
    if (ps_read_file(path, buf, sizeof buf, NULL) < 0)
        return;
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = '\0';
    for (char *s = buf; *s; s++)
        if (*s == '\t')
            *s = ' ';
    fprintf(env, "%s\t%s\n", key, buf);
}

static void write_env_header(const struct opts *o, FILE *env)
{
    struct utsname u;
    uname(&u);
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(env, "key\tvalue\n");
    fprintf(env, "date_utc\t%s\nkernel\t%s\nkernel_version\t%s\nmachine\t%s\n", date, u.release,
            u.version, u.machine);
    char cpuinfo[1 << 16], model[256] = "unknown";
    if (ps_read_file("/proc/cpuinfo", cpuinfo, sizeof cpuinfo, NULL) > 0) {
        char *m = strstr(cpuinfo, "model name");
        if (m && (m = strchr(m, ':')) != NULL) {
            m += 2;
            size_t k = strcspn(m, "\n");
            snprintf(model, sizeof model, "%.*s", (int)k, m);
        }
        fprintf(env, "hypervisor\t%s\n", strstr(cpuinfo, " hypervisor") ? "yes" : "no");
    }
    fprintf(env, "cpu_model\t%s\ncpus_online\t%u\nuser_hz\t%ld\n", model, g_ncpu,
            sysconf(_SC_CLK_TCK));
    static const char *const sysctls[] = {
        "net/core/netdev_max_backlog", "net/core/netdev_budget", "net/core/netdev_budget_usecs",
        "net/core/dev_weight", "net/core/gro_normal_batch", "net/core/rmem_default",
        "net/core/rmem_max", "net/core/wmem_default", "net/core/skb_defer_max",
        "net/core/rps_sock_flow_entries", "net/core/flow_limit_cpu_bitmap",
        "kernel/sched_autogroup_enabled"};
    for (unsigned i = 0; i < SIM_ARRAY_LEN(sysctls); i++) {
        char path[128], key[128];
        snprintf(path, sizeof path, "/proc/sys/%s", sysctls[i]);
        snprintf(key, sizeof key, "%s", sysctls[i]);
        for (char *s = key; *s; s++)
            if (*s == '/')
                *s = '.';
        env_file_line(env, key, path);
    }
    env_file_line(env, "preempt", "/sys/kernel/debug/sched/preempt");
    env_file_line(env, "clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
    /* how long an idle vCPU polls before it halts (cpu.idle_poll_us) */
    env_file_line(env, "guest_halt_poll_ns", "/sys/module/haltpoll/parameters/guest_halt_poll_ns");
    env_file_line(env, "cpuidle_driver", "/sys/devices/system/cpu/cpuidle/current_driver");
    fprintf(env, "brnf\t%s\n", o->brnf ? "on" : "off");
    fprintf(env, "falconsim_version\t%s (%s)\n", FALCONSIM_VERSION, FALCONSIM_GIT);
    fprintf(env, "command\t%s\n", o->cmdline);
}

/* The wake-up probe (loadgen.c): a reader on the first reader CPU woken from
 * the first sender CPU after idles of S to 2 S, for a short S (the CPU still
 * polls) and a long one (it has halted). Writes wake.tsv (idle_from_ns,
 * quantile, and three times: from the write call, from its return, and the
 * call itself) and each run's medians to the environment file. */
#define MS_WAKE_SHORT_NS 20000
#define MS_WAKE_LONG_NS 500000
#define MS_WAKE_QUANTILES 103 /* loadgen's 0, 0.01 ... 1, 0.999, 0.9999 */

/* The loadgen's lines "TAG\tQUANTILE\tNS" for one tag, in order. */
static unsigned probe_table(const char *text, const char *tag, char q[][16], double *ns)
{
    size_t len = strlen(tag);
    unsigned n = 0;
    for (const char *s = text; s && *s && n < MS_WAKE_QUANTILES;
         s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
        char qs[16];
        double v;
        if (strncmp(s, tag, len) != 0 || s[len] != '\t' ||
            sscanf(s + len + 1, "%15s %lf", qs, &v) != 2)
            continue;
        snprintf(q[n], sizeof q[n], "%s", qs);
        ns[n++] = v;
    }
    return n;
}

static int wake_probe(const struct opts *o, const char *dir, FILE *env)
{
    if (o->sender.id[0] == o->reader.id[0])
        return 0; /* a reader on the sender's CPU is never woken from another one */
    char path[4400];
    snprintf(path, sizeof path, "%s/wake.tsv", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return EX_CANTCREAT;
    fprintf(f, "idle_from_ns\tquantile\tns\tns_from_return\twaker_ns\n");
    static const int64_t spacing[] = {MS_WAKE_SHORT_NS, MS_WAKE_LONG_NS};
    static const char *const env_names[] = {"wake_p50_ns", "wake_from_return_p50_ns",
                                            "waker_p50_ns"};
    int rc = 0;
    for (unsigned i = 0; i < 2 && rc == 0; i++) {
        char cpus[32], win[64], stop[32], thr[32];
        int64_t t0 = now_ns() + 50000000, t1 = t0 + (int64_t)(o->noise_s * 1e9);
        snprintf(cpus, sizeof cpus, "%u,%u", o->sender.id[0], o->reader.id[0]);
        snprintf(win, sizeof win, "%" PRId64 ",%" PRId64, t0, t1);
        snprintf(stop, sizeof stop, "%" PRId64, t1);
        snprintf(thr, sizeof thr, "%" PRId64, spacing[i]);
        const char *argv[] = {"falconsim-loadgen", "wake", "--cpus", cpus, "--window", win,
                              "--stop", stop, "--threshold-ns", thr, NULL};
        struct kv *kv = xcalloc(1, sizeof *kv);
        rc = probe_run(argv, t1, kv);
        static char q[3][MS_WAKE_QUANTILES][16];
        static double ns[3][MS_WAKE_QUANTILES];
        unsigned n[3] = {0, 0, 0};
        static const char *const tags[3] = {"q", "r", "w"};
        for (unsigned t = 0; rc == 0 && t < 3; t++)
            n[t] = probe_table(kv->text, tags[t], q[t], ns[t]);
        if (rc == 0 && (n[0] != MS_WAKE_QUANTILES || n[1] != n[0] || n[2] != n[0])) {
            msg("error: falconsim-loadgen wake printed %u/%u/%u quantiles, want %d each", n[0],
                n[1], n[2], MS_WAKE_QUANTILES);
            rc = EX_SOFTWARE;
        }
        for (unsigned k = 0; rc == 0 && k < n[0]; k++) {
            fprintf(f, "%" PRId64 "\t%s\t%.0f\t%.0f\t%.0f\n", spacing[i], q[0][k], ns[0][k],
                    ns[1][k], ns[2][k]);
            if (strcmp(q[0][k], "0.5000") == 0)
                for (unsigned t = 0; t < 3; t++)
                    fprintf(env, "%s_idle_%" PRId64 "ns\t%.0f\n", env_names[t], spacing[i],
                            ns[t][k]);
        }
        free(kv);
    }
    if (fclose(f) != 0 && rc == 0)
        rc = EX_IOERR;
    return rc;
}

/* The IPI send probe (loadgen.c, kick): the first sender CPU kicks a thread
 * that runs on the first reader CPU, in user space and in kernel code, and
 * times its calls against calls whose signal the thread blocks (no IPI).
 * Writes kick.tsv (quantile, and the calls of the four kinds of block) and
 * the two medians' differences to the environment file: what one IPI to a
 * running CPU costs its sender (cpu.ipi_send_ns; --ipi-cfg). */
static int kick_probe(const struct opts *o, const char *dir, FILE *env)
{
    if (o->sender.id[0] == o->reader.id[0])
        return 0; /* one CPU: no IPI between the roles to time */
    char path[4400];
    snprintf(path, sizeof path, "%s/kick.tsv", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return EX_CANTCREAT;
    char cpus[32], win[64], stop[32];
    int64_t t0 = now_ns() + 50000000, t1 = t0 + (int64_t)(o->noise_s * 1e9);
    snprintf(cpus, sizeof cpus, "%u,%u", o->sender.id[0], o->reader.id[0]);
    snprintf(win, sizeof win, "%" PRId64 ",%" PRId64, t0, t1);
    snprintf(stop, sizeof stop, "%" PRId64, t1);
    const char *argv[] = {"falconsim-loadgen", "kick", "--cpus", cpus, "--window", win,
                          "--stop", stop, NULL};
    struct kv *kv = xcalloc(1, sizeof *kv);
    int rc = probe_run(argv, t1, kv);
    /* loadgen's block kinds: user space blocking and taking, kernel blocking and taking */
    static const char *const tags[4] = {"bu", "ku", "bk", "kk"};
    static char q[4][MS_WAKE_QUANTILES][16];
    static double ns[4][MS_WAKE_QUANTILES];
    unsigned n[4] = {0, 0, 0, 0};
    for (unsigned t = 0; rc == 0 && t < 4; t++)
        n[t] = probe_table(kv->text, tags[t], q[t], ns[t]);
    if (rc == 0 && (n[0] != MS_WAKE_QUANTILES || n[1] != n[0] || n[2] != n[0] || n[3] != n[0])) {
        msg("error: falconsim-loadgen kick printed %u/%u/%u/%u quantiles, want %d each", n[0],
            n[1], n[2], n[3], MS_WAKE_QUANTILES);
        rc = EX_SOFTWARE;
    }
    if (rc == 0)
        fprintf(f, "quantile\tblocked_user_ns\tkick_user_ns\tblocked_kernel_ns\tkick_kernel_ns\n");
    for (unsigned k = 0; rc == 0 && k < n[0]; k++) {
        fprintf(f, "%s\t%.0f\t%.0f\t%.0f\t%.0f\n", q[0][k], ns[0][k], ns[1][k], ns[2][k],
                ns[3][k]);
        if (strcmp(q[0][k], "0.5000") == 0)
            fprintf(env, "ipi_send_user_ns\t%.0f\nipi_send_kernel_ns\t%.0f\n",
                    ns[1][k] - ns[0][k], ns[3][k] - ns[2][k]);
    }
    free(kv);
    if (fclose(f) != 0 && rc == 0)
        rc = EX_IOERR;
    return rc;
}

/* }===== Noise and environment ===== */

/* {===== The plan ===== */



static unsigned plan_groups(const struct opts *o, struct run_spec *groups)
{
    unsigned n = 0;
    for (unsigned t = 0; t < TOPO_N; t++)
        for (unsigned p = 0; p < PLACE_N; p++)
            for (unsigned s = 0; s < o->npayloads; s++)
                for (unsigned f = 0; f < o->nflows; f++) {
                    if (!o->topo[t] || !o->place[p])
                        continue;
                    if (groups)
                        groups[n] = (struct run_spec){.topo = (enum topology)t,
                                                      .place = (enum placement)p,
                                                      .payload = o->payloads[s],
                                                      .flows = o->flows[f]};
                    n++;
                }
    return n;
}

static double run_seconds(const struct opts *o)
{
    return 0.15 + MS_SPEED_S + 2 * (MS_LINE_LEAD_S + MS_LINE_S) + MS_START_S + o->warmup_s +
           o->duration_s + MS_RECV_TAIL_S + 0.15;
}

static void print_plan(const struct opts *o, FILE *f)
{
    unsigned ng = plan_groups(o, NULL);
    struct run_spec *g = xcalloc(ng ? ng : 1, sizeof *g);
    plan_groups(o, g);
    unsigned runs = ng * (o->sat_reps + o->nloads * o->load_reps * (o->interleave ? 2 : 1));
    char s[4096], rd[4096], rp[4096], iq[4096];
    cpu_list_text(&o->sender, s, sizeof s);
    cpu_list_text(&o->reader, rd, sizeof rd);
    cpu_list_text(&o->rps, rp, sizeof rp);
    cpu_list_text(&o->irq, iq, sizeof iq);
    fprintf(f, "plan: %u cases, %u runs; sender CPUs %s, reader CPUs %s, RPS CPUs %s, IRQ CPUs %s\n",
            ng, runs, s, rd, rp, iq[0] ? iq : "none (the sender's)");
    for (unsigned i = 0; i < ng; i++) {
        fprintf(f, "  %-8s %-9s %5u B %3u flow%s: saturation x%u", k_topo_names[g[i].topo],
                k_place_names[g[i].place], g[i].payload, g[i].flows, g[i].flows > 1 ? "s" : " ",
                o->sat_reps);
        if (o->nloads) {
            fprintf(f, ", then");
            for (unsigned l = 0; l < o->nloads; l++)
                fprintf(f, " %u", o->loads[l]);
            fprintf(f, " %% x%u", o->load_reps);
            if (o->interleave)
                fprintf(f, ", each followed by a flat-out run");
        }
        fputc('\n', f);
    }
    struct role_list all;
    role_cpus(o, &all);
    /* the noise probe; between a sender and a reader CPU, the wake-up probe's
     * two runs and the IPI send probe; on two role CPUs or more, the
     * shared-noise probe */
    unsigned nprobes = 1 + (o->sender.id[0] != o->reader.id[0] ? 3 : 0) + (all.n >= 2 ? 1 : 0);
    double probes = o->noise_s > 0 ? nprobes * o->noise_s + 0.5 : 0;
    double est = runs * run_seconds(o) + probes + 1.0;
    fprintf(f, "estimate: %.0f s (%.1f min): %.2f s a run, %.1f s of probes, setup\n", est,
            est / 60, run_seconds(o), probes);
    free(g);
}

/* }===== The plan ===== */


static void usage(FILE *f)
{
    fprintf(f,
            "usage: falconsim measure [-o DIR] [--quick] [--dry-run] [--cleanup] [options]\n"
            "       falconsim measure --summary DIR|RUNS.tsv\n"
            "\n"
            "Measures this machine's overlay receive path (needs root; builds and removes its\n"
            "own network namespaces fsm-snd, fsm-rcv, fsm-pod; traffic stays inside them).\n"
            "Writes DIR/runs.tsv (one row per run), DIR/env.tsv and the probes' noise.tsv,\n"
            "wake.tsv and kick.tsv (docs/measure.md).\n"
            "\n"
            "  -o, --out DIR          result directory, must not exist (default measure-DATE)\n"
            "      --sender-cpus L    CPUs of the sender threads (default 0)\n"
            "      --reader-cpus L    CPUs of the receiver threads (default: the last CPU)\n"
            "      --rps-cpus L       rps_cpus for the rps placements (default: the reader CPUs)\n"
            "      --irq-cpus L       emulated IRQ CPUs: rps_cpus of the first device (default\n"
            "                         none: the first stage runs on the sender's CPU)\n"
            "      --topologies L     underlay,overlay (default both)\n"
            "      --placements L     vanilla,rps,rps_first (default vanilla,rps)\n"
            "      --payloads L       UDP payload bytes, 16..1422 (default 16,1400)\n"
            "      --flows L          flows per run (default 1)\n"
            "      --loads L          fixed-rate loads in %% of saturation (default 25,50,75,90;\n"
            "                         none: flat-out runs only)\n"
            "      --sat-reps N       saturation runs per case (default 3)\n"
            "      --load-reps N      runs per fixed-rate load (default 1)\n"
            "      --interleave       after each fixed-rate run, a flat-out run of its case\n"
            "                         (a further saturation repetition: its neighbour in\n"
            "                         time; the loads' rates still come from --sat-reps)\n"
            "      --duration S       measurement window (default 3)\n"
            "      --warmup S         warm-up before the window (default 0.5)\n"
            "      --batch N          sendmmsg batch when flat out (default 32)\n"
            "      --paced-batch N    datagrams released per interval when paced (default 1)\n"
            "      --rcvbuf BYTES     receive socket buffer (default 0: the kernel's)\n"
            "      --brnf on|off      br_netfilter hooks on the bridge (default off)\n"
            "      --noise-s S        CPU-noise probe length, and of each wake-up and IPI\n"
            "                         send probe run; 0 skips them all (default 2)\n"
            "      --quick            16 B only, 2 saturation runs, loads 50,90, 1 s windows\n"
            "      --dry-run          print the plan and a time estimate, change nothing\n"
            "      --cleanup          remove namespaces and helpers a killed run left behind\n"
            "      --noise-cfg DIR    print a scenario block (noise.gap, noise.spacing as\n"
            "                         empirical distributions) from DIR/noise.tsv; with\n"
            "                         DIR/env.tsv and wake.tsv also noise.shared,\n"
            "                         noise.stall_shared and noise.idle_*\n"
            "      --noise-cpu N      the measured CPU it takes (default: the first)\n"
            "      --wake-cfg DIR     print app.wakeup_latency, cpu.idle_poll_us and\n"
            "                         cpu.idle_exit from DIR/wake.tsv and env.tsv\n"
            "      --ipi-cfg DIR      print cpu.ipi_send_ns from DIR/kick.tsv\n"
            "      --summary F        one line per case of a measured DIR or runs.tsv: the\n"
            "                         saturation median and range, the line probe, the\n"
            "                         sender's time against the reader's wake-ups (a wake-up's\n"
            "                         cost in place), and per load the medians (and ranges)\n"
            "                         of rate, p50 and p99 (no root needed; docs/measure.md)\n"
            "  -q, --quiet            no progress lines\n"
            "\n"
            "Exit status: 0 ok, 64 usage, 65 bad measured file, 66 no such file,\n"
            "69 a needed tool is missing, 71 system error,\n"
            "73 output or namespaces exist, 74 write error, 77 not root,\n"
            "129/130/143 interrupted (nothing is written, everything is removed).\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    size_t off = 0;
    for (int i = 0; i < argc && off < sizeof o->cmdline; i++)
        off += (size_t)snprintf(o->cmdline + off, sizeof o->cmdline - off, "%s%s", i ? " " : "",
                                argv[i]);
    o->sender.n = 1;
    o->sender.id[0] = 0;
    o->reader.n = 1;
    o->reader.id[0] = g_ncpu - 1;
    o->topo[TOPO_UNDERLAY] = o->topo[TOPO_OVERLAY] = true;
    o->place[PLACE_VANILLA] = o->place[PLACE_RPS] = true;
    o->payloads[0] = 16;
    o->payloads[1] = 1400;
    o->npayloads = 2;
    o->flows[0] = 1;
    o->nflows = 1;
    static const unsigned loads[] = {25, 50, 75, 90};
    memcpy(o->loads, loads, sizeof loads);
    o->nloads = 4;
    o->sat_reps = 3;
    o->load_reps = 1;
    o->duration_s = 3;
    o->warmup_s = 0.5;
    o->noise_s = 2;
    o->batch = 32;
    o->paced_batch = 1;
    o->noise_cpu = -1;
    bool rps_set = false, quick = false;
    enum {
        O_SENDER = 256, O_READER, O_RPS, O_IRQ, O_TOPO, O_PLACE, O_PAYLOAD, O_FLOWS, O_LOADS,
        O_SATREPS, O_LOADREPS, O_DURATION, O_WARMUP, O_BATCH, O_PACED, O_RCVBUF, O_BRNF,
        O_NOISE, O_QUICK, O_DRY, O_CLEANUP, O_SUMMARY, O_NOISE_CFG, O_NOISE_CPU, O_WAKE_CFG,
        O_IPI_CFG, O_INTERLEAVE,
        O_END
    };
    bool given[O_END] = {false}; /* what --quick must not override */
    static const struct option lo[] = {
        {"out", required_argument, NULL, 'o'},
        {"sender-cpus", required_argument, NULL, O_SENDER},
        {"reader-cpus", required_argument, NULL, O_READER},
        {"rps-cpus", required_argument, NULL, O_RPS},
        {"irq-cpus", required_argument, NULL, O_IRQ},
        {"topologies", required_argument, NULL, O_TOPO},
        {"placements", required_argument, NULL, O_PLACE},
        {"payloads", required_argument, NULL, O_PAYLOAD},
        {"flows", required_argument, NULL, O_FLOWS},
        {"loads", required_argument, NULL, O_LOADS},
        {"sat-reps", required_argument, NULL, O_SATREPS},
        {"load-reps", required_argument, NULL, O_LOADREPS},
        {"interleave", no_argument, NULL, O_INTERLEAVE},
        {"duration", required_argument, NULL, O_DURATION},
        {"warmup", required_argument, NULL, O_WARMUP},
        {"batch", required_argument, NULL, O_BATCH},
        {"paced-batch", required_argument, NULL, O_PACED},
        {"rcvbuf", required_argument, NULL, O_RCVBUF},
        {"brnf", required_argument, NULL, O_BRNF},
        {"noise-s", required_argument, NULL, O_NOISE},
        {"quick", no_argument, NULL, O_QUICK},
        {"dry-run", no_argument, NULL, O_DRY},
        {"cleanup", no_argument, NULL, O_CLEANUP},
        {"summary", required_argument, NULL, O_SUMMARY},
        {"noise-cfg", required_argument, NULL, O_NOISE_CFG},
        {"noise-cpu", required_argument, NULL, O_NOISE_CPU},
        {"wake-cfg", required_argument, NULL, O_WAKE_CFG},
        {"ipi-cfg", required_argument, NULL, O_IPI_CFG},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    optind = 1;
    opterr = 0;
    int c, rc = 0;
    unsigned tmp[MS_MAX_LIST], ntmp;
    while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
        if (c >= 256 && c < O_END)
            given[c] = true;
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': usage(stdout); return -1;
        case O_SENDER: rc = parse_cpu_list("--sender-cpus", optarg, &o->sender); break;
        case O_READER: rc = parse_cpu_list("--reader-cpus", optarg, &o->reader); break;
        case O_RPS: rc = parse_cpu_list("--rps-cpus", optarg, &o->rps); rps_set = true; break;
        case O_IRQ: rc = parse_cpu_list("--irq-cpus", optarg, &o->irq); break;
        case O_TOPO: rc = parse_names("--topologies", optarg, k_topo_names, TOPO_N, o->topo); break;
        case O_PLACE: rc = parse_names("--placements", optarg, k_place_names, PLACE_N, o->place); break;
        case O_PAYLOAD: rc = parse_uint_list("--payloads", optarg, o->payloads, &o->npayloads, 16, 1422); break;
        case O_FLOWS: rc = parse_uint_list("--flows", optarg, o->flows, &o->nflows, 1, 4096); break;
        case O_LOADS:
            /* none: flat-out runs only (a fit's training rows, a batch sweep) */
            if (strcmp(optarg, "none") == 0)
                o->nloads = 0;
            else
                rc = parse_uint_list("--loads", optarg, o->loads, &o->nloads, 1, 100);
            break;
        case O_SATREPS: rc = parse_uint_list("--sat-reps", optarg, tmp, &ntmp, 1, 100); o->sat_reps = tmp[0]; break;
        case O_LOADREPS: rc = parse_uint_list("--load-reps", optarg, tmp, &ntmp, 1, 100); o->load_reps = tmp[0]; break;
        case O_INTERLEAVE: o->interleave = true; break;
        case O_DURATION: rc = parse_seconds("--duration", optarg, 0.1, 600, &o->duration_s); break;
        case O_WARMUP: rc = parse_seconds("--warmup", optarg, 0, 60, &o->warmup_s); break;
        case O_NOISE: rc = parse_seconds("--noise-s", optarg, 0, 600, &o->noise_s); break;
        case O_BATCH: rc = parse_uint_list("--batch", optarg, tmp, &ntmp, 1, 1024); o->batch = tmp[0]; break;
        case O_PACED: rc = parse_uint_list("--paced-batch", optarg, tmp, &ntmp, 1, 1024); o->paced_batch = tmp[0]; break;
        case O_RCVBUF: rc = parse_uint_list("--rcvbuf", optarg, tmp, &ntmp, 0, 1u << 30); o->rcvbuf = tmp[0]; break;
        case O_BRNF:
            if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0) {
                msg("error: --brnf: '%s' must be on or off", optarg);
                rc = EX_USAGE;
            }
            o->brnf = strcmp(optarg, "on") == 0;
            break;
        case O_QUICK: quick = true; break;
        case O_DRY: o->dry_run = true; break;
        case O_CLEANUP: o->cleanup = true; break;
        case O_SUMMARY: o->summary = optarg; break;
        case O_NOISE_CFG: o->noise_cfg = optarg; break;
        case O_WAKE_CFG: o->wake_cfg = optarg; break;
        case O_IPI_CFG: o->ipi_cfg = optarg; break;
        case O_NOISE_CPU:
            rc = parse_uint_list("--noise-cpu", optarg, tmp, &ntmp, 0, MS_MAX_CPUS - 1);
            o->noise_cpu = (long)tmp[0];
            break;
        default:
            msg("error: unknown option or missing value: %s (see falconsim measure --help)",
                argv[optind - 1]);
            rc = EX_USAGE;
        }
        if (rc)
            return rc;
    }
    if (optind < argc) {
        msg("error: unexpected argument '%s' (see falconsim measure --help)", argv[optind]);
        return EX_USAGE;
    }
    if (quick) {
        /* --quick sets what was not given explicitly. */
        if (!given[O_PAYLOAD]) {
            o->payloads[0] = 16;
            o->npayloads = 1;
        }
        if (!given[O_SATREPS])
            o->sat_reps = 2;
        if (!given[O_LOADS]) {
            o->loads[0] = 50;
            o->loads[1] = 90;
            o->nloads = 2;
        }
        if (!given[O_DURATION])
            o->duration_s = 1;
        if (!given[O_WARMUP])
            o->warmup_s = 0.3;
        if (!given[O_NOISE])
            o->noise_s = 1;
    }
    if (!rps_set)
        o->rps = o->reader;
    if (o->sender.n == 0 || o->reader.n == 0 || o->rps.n == 0) {
        msg("error: --sender-cpus, --reader-cpus and --rps-cpus need at least one CPU");
        return EX_USAGE;
    }
    return 0;
}

static char g_partial[4200];

static void remove_partial(void)
{
    if (g_partial[0] == '\0')
        return;
    static const char *const files[] = {"runs.tsv", "env.tsv", "noise.tsv", "wake.tsv",
                                        "kick.tsv"};
    for (unsigned i = 0; i < SIM_ARRAY_LEN(files); i++) {
        char p[4300];
        snprintf(p, sizeof p, "%s/%s", g_partial, files[i]);
        unlink(p);
    }
    rmdir(g_partial);
    g_partial[0] = '\0';
}

/* Removes OUT.partial.PID directories of processes that no longer exist
 * (a measurement killed by SIGKILL could not remove its own). */
static void remove_dead_partials(const char *out)
{
    char dir[3072], base[1024];
    const char *slash = strrchr(out, '/');
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
        snprintf(base, sizeof base, "%s.partial.", slash + 1);
    } else {
        snprintf(dir, sizeof dir, ".");
        snprintf(base, sizeof base, "%s.partial.", out);
    }
    DIR *d = opendir(dir[0] ? dir : "/");
    if (d == NULL)
        return;
    struct dirent *e;
    size_t blen = strlen(base);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, base, blen) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + blen, &end, 10);
        /* Alive (or not ours to signal): leave it. */
        if (*end != '\0' || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        snprintf(g_partial, sizeof g_partial, "%s/%s", dir[0] ? dir : "", e->d_name);
        remove_partial();
    }
    closedir(d);
}

static int finish(int rc)
{
    teardown();
    remove_partial();
    if (g_signal) {
        msg("interrupted: nothing written, namespaces removed");
        return 128 + g_signal;
    }
    return rc;
}

struct progress {
    unsigned done, total;
    int64_t started;
};

/* One run, its row written, its progress line printed; the delivered rate
 * in *rate. Returns 0, an EX_* code, or -1 when interrupted. */
static int run_and_write(const struct opts *o, const struct run_spec *rs, unsigned case_id,
                         double target, double median, struct row *row, FILE *runs, bool *header,
                         struct progress *pr, double *rate)
{
    struct run_result res;
    int rc = one_run(o, rs, case_id, target, median, row, &res);
    if (rc != 0)
        return rc;
    *rate = res.rate_pps;
    if (write_row(runs, row, *header) != 0) {
        msg("error: writing runs.tsv: %s", strerror(errno));
        return EX_IOERR;
    }
    *header = false;
    pr->done++;
    if (!o->quiet) {
        double el = (double)(now_ns() - pr->started) / 1e9;
        double eta = el / pr->done * (pr->total - pr->done);
        char load[16];
        snprintf(load, sizeof load, "%u %%", rs->load);
        msg("[%u/%u] %s %s %u B %u flow%s %s #%u: %.0f pps delivered, p50 %.0f us, p99 %.0f us; "
            "ETA %.0f s",
            pr->done, pr->total, k_topo_names[rs->topo], k_place_names[rs->place], rs->payload,
            rs->flows, rs->flows > 1 ? "s" : "", rs->load ? load : "sat", rs->rep, res.rate_pps,
            res.p50_us, res.p99_us, eta);
    }
    return 0;
}

int measure_main(int argc, char **argv)
{
    long n = sysconf(_SC_NPROCESSORS_CONF);
    g_ncpu = n > 0 && n <= (long)MS_MAX_CPUS ? (unsigned)n : 1;
    struct opts *o = xcalloc(1, sizeof *o);
    int rc = parse_opts(argc, argv, o);
    if (rc != 0) {
        free(o);
        return rc < 0 ? 0 : rc;
    }
    if (o->wake_cfg) {
        rc = runs_report_wake_cfg(o->wake_cfg);
        free(o);
        return rc;
    }
    if (o->ipi_cfg) {
        rc = runs_report_ipi_cfg(o->ipi_cfg);
        free(o);
        return rc;
    }
    if (o->noise_cfg) {
        rc = runs_report_noise_cfg(o->noise_cfg, o->noise_cpu);
        free(o);
        return rc;
    }
    if (o->summary) {
        rc = runs_report_summary(o->summary);
        free(o);
        return rc;
    }
    if (o->dry_run) {
        print_plan(o, stdout);
        free(o);
        return 0;
    }
    if (geteuid() != 0) {
        msg("error: needs root (it creates network namespaces and sets rps_cpus)");
        free(o);
        return EX_NOPERM;
    }
    char probe_err[256] = "";
    const char *ipv[] = {"ip", "-V", NULL}, *brv[] = {"bridge", "-V", NULL};
    if (run_cmd(ipv, NULL, 0, probe_err, sizeof probe_err) != 0 ||
        run_cmd(brv, NULL, 0, probe_err, sizeof probe_err) != 0) {
        msg("error: needs the ip and bridge commands (Debian package iproute2)");
        free(o);
        return EX_UNAVAILABLE;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (o->cleanup) {
        bool any = netns_exists(NS_SND) || netns_exists(NS_RCV) || netns_exists(NS_POD);
        teardown();
        msg("%s", any ? "removed leftover namespaces" : "nothing to clean up");
        free(o);
        return 0;
    }
    if (netns_exists(NS_SND) || netns_exists(NS_RCV) || netns_exists(NS_POD)) {
        msg("error: namespace %s already exists (another measurement running, or a killed "
            "one's leftovers: falconsim measure --cleanup removes them)",
            netns_exists(NS_SND) ? NS_SND : netns_exists(NS_RCV) ? NS_RCV : NS_POD);
        free(o);
        return EX_CANTCREAT;
    }
    /* The helper lives beside this binary. */
    ssize_t len = readlink("/proc/self/exe", g_loadgen, sizeof g_loadgen - 32);
    if (len <= 0) {
        msg("error: cannot find my own binary");
        free(o);
        return EX_OSERR;
    }
    g_loadgen[len] = '\0';
    char *slash = strrchr(g_loadgen, '/');
    snprintf(slash + 1, sizeof g_loadgen - (size_t)(slash + 1 - g_loadgen), "falconsim-loadgen");
    if (access(g_loadgen, X_OK) != 0) {
        msg("error: %s is missing (it is built and installed with falconsim)", g_loadgen);
        free(o);
        return EX_UNAVAILABLE;
    }
    char defout[64];
    if (o->out == NULL) {
        time_t now = time(NULL);
        strftime(defout, sizeof defout, "measure-%Y%m%d-%H%M%S", localtime(&now));
        o->out = defout;
    }
    struct stat st;
    if (lstat(o->out, &st) == 0) {
        msg("error: %s exists; choose a new -o DIR", o->out);
        free(o);
        return EX_CANTCREAT;
    }
    remove_dead_partials(o->out);
    snprintf(g_partial, sizeof g_partial, "%s.partial.%d", o->out, (int)getpid());
    if (mkdir(g_partial, 0755) != 0) {
        msg("error: cannot create %s: %s", g_partial, strerror(errno));
        g_partial[0] = '\0';
        free(o);
        return EX_CANTCREAT;
    }
    g_netns_self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    g_filebuf = xmalloc(MS_FILEBUF);
    find_ksoftirqd();

    char path[4300];
    snprintf(path, sizeof path, "%s/env.tsv", g_partial);
    FILE *env = fopen(path, "w");
    snprintf(path, sizeof path, "%s/runs.tsv", g_partial);
    FILE *runs = fopen(path, "w");
    struct row *row = xcalloc(1, sizeof *row);
    struct run_spec *groups = NULL;
    if (env == NULL || runs == NULL) {
        msg("error: cannot write into %s: %s", g_partial, strerror(errno));
        rc = EX_CANTCREAT;
        goto done;
    }
    if (!o->quiet)
        print_plan(o, stderr);
    write_env_header(o, env);
    if (!build(o->brnf)) {
        rc = g_signal ? 0 : EX_OSERR;
        goto done;
    }
    if (o->noise_s > 0) {
        if (!o->quiet)
            msg("noise probe: %.1f s", o->noise_s);
        rc = noise_probe(o, g_partial, env);
        if (rc == 0) {
            if (!o->quiet)
                msg("wake-up probe: 2 x %.1f s", o->noise_s);
            rc = wake_probe(o, g_partial, env);
        }
        if (rc == 0 && o->sender.id[0] != o->reader.id[0]) {
            if (!o->quiet)
                msg("IPI send probe: %.1f s", o->noise_s);
            rc = kick_probe(o, g_partial, env);
        }
        if (rc == 0)
            rc = noise_shared_probe(o, env); /* with two role CPUs or more */
        if (rc != 0)
            goto done;
    }
    unsigned ng = plan_groups(o, NULL);
    groups = xcalloc(ng, sizeof *groups);
    plan_groups(o, groups);
    unsigned total = ng * (o->sat_reps + o->nloads * o->load_reps * (o->interleave ? 2 : 1));
    unsigned case_id = 0, *next_sat_rep = xcalloc(ng, sizeof *next_sat_rep);
    bool header = true;
    /* Blocked against the host's drift (docs/measure.md): the saturation
     * runs go round the cases one repetition at a time, and so do the loads,
     * so a slow minute of the host falls on every case alike. */
    struct progress pr = {.total = total, .started = now_ns()};
    double *sats = xcalloc((size_t)ng * o->sat_reps, sizeof *sats);
    double *medians = xcalloc(ng, sizeof *medians);
    for (unsigned r = 0; r < o->sat_reps && rc == 0 && !g_signal; r++)
        for (unsigned g = 0; g < ng && rc == 0 && !g_signal; g++) {
            struct run_spec rs = groups[g];
            rs.load = 0;
            rs.rep = r + 1;
            rc = run_and_write(o, &rs, ++case_id, 0, 0, row, runs, &header, &pr,
                               &sats[(size_t)g * o->sat_reps + r]);
        }
    for (unsigned g = 0; g < ng && rc == 0; g++) {
        double st3[3];
        runs_report_stats3(&sats[(size_t)g * o->sat_reps], o->sat_reps, st3);
        medians[g] = st3[0];
    }
    for (unsigned r = 0; r < o->load_reps && rc == 0 && !g_signal; r++)
        for (unsigned l = 0; l < o->nloads && rc == 0 && !g_signal; l++)
            for (unsigned g = 0; g < ng && rc == 0 && !g_signal; g++) {
                struct run_spec rs = groups[g];
                rs.load = o->loads[l];
                rs.rep = r + 1;
                double rate;
                rc = run_and_write(o, &rs, ++case_id, medians[g] * rs.load / 100.0, medians[g],
                                   row, runs, &header, &pr, &rate);
                if (o->interleave && rc == 0 && !g_signal) {
                    rs.load = 0;
                    rs.rep = o->sat_reps + ++next_sat_rep[g];
                    rc = run_and_write(o, &rs, ++case_id, 0, 0, row, runs, &header, &pr, &rate);
                }
            }
    free(next_sat_rep);
    free(sats);
    free(medians);
    if (rc == 0 && g_signal)
        rc = -1;
done:
    if (env && fclose(env) != 0 && rc == 0) {
        msg("error: writing env.tsv: %s", strerror(errno));
        rc = EX_IOERR;
    }
    if (runs && fclose(runs) != 0 && rc == 0) {
        msg("error: writing runs.tsv: %s", strerror(errno));
        rc = EX_IOERR;
    }
    free(row);
    free(groups);
    if (rc == 0 && !g_signal) {
        teardown();
        if (rename(g_partial, o->out) != 0) {
            msg("error: cannot rename %s to %s: %s", g_partial, o->out, strerror(errno));
            rc = EX_CANTCREAT;
        } else {
            g_partial[0] = '\0';
            if (!o->quiet)
                msg("wrote %s: runs.tsv, env.tsv and the probes' files", o->out);
        }
    }
    rc = finish(rc);
    free(g_filebuf);
    free(g_ksoftirqd);
    if (g_netns_self >= 0)
        close(g_netns_self);
    free(o);
    return rc;
}
