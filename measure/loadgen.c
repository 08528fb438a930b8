/*
 * loadgen.c: falconsim-loadgen, the UDP load generator, sink and CPU-noise
 * probe of `falconsim measure`. The harness (measure.c) starts it; it is not
 * meant to be run by hand, but can be:
 *
 *   falconsim-loadgen send  --netns NS --cpus LIST --dst IP --port P --flows N
 *                           --payload BYTES --rate PPS --batch B [--max-batch M]
 *                           --window T0,T1 --stop T
 *   falconsim-loadgen recv  --netns NS --cpus LIST --bind IP --port P --flows N
 *                           --payload BYTES [--rcvbuf BYTES] --window T0,T1 --stop T
 *   falconsim-loadgen noise --cpu C --window T0,T1 [--threshold-ns NS]
 *                           [--duty BUSY_NS,IDLE_NS]
 *   falconsim-loadgen shared --cpus LIST --window T0,T1 [--threshold-ns NS]
 *   falconsim-loadgen speed --cpu C --window T0,T1
 *   falconsim-loadgen wake  --cpus A,B --window T0,T1
 *   falconsim-loadgen ipi   --cpus A,B --window T0,T1 [--threshold-ns S]
 *                           [--land user|kernel]
 *   falconsim-loadgen kick  --cpus A,B --window T0,T1 [--threshold-ns S]
 *   falconsim-loadgen remote --cpus A,B --window T0,T1 --stop T [--payload N]
 *                           [--producer quiet|live] [--ask N] [--threshold-ns S]
 *   falconsim-loadgen ticks --cpus C --window T0,T1 --stop T
 *   falconsim-loadgen line  --cpus A,B --window T0,T1
 *
 * Times T0, T1, T are absolute CLOCK_MONOTONIC nanoseconds, the one clock
 * every namespace shares, so the harness, the sender and the receiver agree
 * on the measurement window without signals. Each process ends by itself at
 * --stop and, as a backstop, is killed by SIGALRM two seconds later and by
 * its parent's death (PR_SET_PDEATHSIG). Results go to stdout as "key<TAB>
 * value" lines, read by the harness.
 *
 * The datagram (payload >= 16 bytes; the rest is zero):
 *   u64 send time (CLOCK_MONOTONIC ns, taken just before sendmmsg)
 *   u32 sequence number (per flow, from 0)
 *   u16 flow, u16 magic 0xFA1C
 *
 * Sender: one thread per CPU in --cpus; flow i is sent by thread i mod
 * threads from its own socket bound to source port port+1+i (distinct source
 * ports give distinct flow hashes). A thread sends `batch` datagrams of one
 * flow per sendmmsg, then the next flow's. Flat out (--rate 0) it sends
 * back to back; paced, burst k of a thread is due at start + k * batch *
 * threads / rate: gaps up to 200 us are busy-waited (no timer wake-up on a
 * CPU that may also run the receive path), longer ones sleep until 100 us
 * before, then spin. So --batch 1 gives constant-rate arrivals and --batch B
 * a burst of B per interval (sockperf-style pacing). A paced sender that
 * fell behind sends all that is due in one call, up to --max-batch (a token
 * bucket), so a rate the CPU can carry in batches is met even where one
 * syscall per datagram would be too slow.
 *
 * Receiver: one thread per CPU in --cpus, each with its own SO_REUSEPORT
 * socket on the port (the kernel hashes each flow to one of them), reading
 * with recvmmsg. For a datagram received inside the window it records the
 * one-way latency (receive return minus send time) in a log-linear
 * histogram (histogram.h: <= 0.4 % bucket error) and tracks, per flow, the
 * highest sequence number: a jump adds to `gaps`, an arrival below the
 * highest is a `reorder` (late). drops = gaps - reorders.
 *
 * Noise probe: pinned to one CPU, a loop reads the clock; a gap between two
 * reads longer than --threshold-ns (default 1000) is time the loop did not
 * run (a timer tick, a hypervisor exit or steal, another task, an
 * interrupt). It reports the count, the time lost, and the quantiles of the
 * gaps' lengths and of the spacing between gap starts (whole percents, and
 * the tail from 0.995 to 0.99999). With --duty B,I it alternates B ns of
 * that loop with I ns asleep (clock_nanosleep, timer slack 1 ns): the gaps
 * and their rates then count busy time only, and each sleep's overshoot is
 * what a timer wake-up of the idle CPU waited (idle exit and any stall of
 * the idle vCPU). Its rates per second of sleep tell whether the long
 * stalls come with busy time or with all time (noise.idle_share, docs/model.md).
 *
 * Shared-noise probe: the noise probe's loop on every CPU of --cpus at once,
 * one thread each, recording each gap's start and length. A gap is shared
 * when it overlaps a gap of another probed CPU (the same clock on every
 * CPU). It reports, over all CPUs, the share of the gaps (shared_frac) and
 * of their lost time (shared_time_frac) that are shared, and the first by
 * length: up to 20 us, 20-100 us (the body of a KVM guest's table: timer
 * and host interrupts) and over 100 us (stalls). By length too, the share of
 * the gaps' time that another CPU's gaps cover (covered_frac_*), and the
 * host-wide share of the body's time and of the stalls' beyond chance
 * (host_wide_upto100us, host_wide_over100us). On a KVM guest 98-99 % of the
 * body's gaps overlap, and 84-90 % of its time is host-wide: the host's tick
 * and its work stop every vCPU together (noise.shared, docs/model.md); a
 * stall overlaps a gap of the other vCPU as often, by chance, but 3-9 % of
 * its time is host-wide: the hypervisor preempts one vCPU (noise.stall_shared).
 * Gaps past LG_SHARED_PER_S a second of window per CPU are not recorded
 * (`unrecorded`).
 *
 * Wake-up probe: a thread on CPU A writes into a pipe every 200-600 us (a
 * random spacing, sleeping in between; --threshold-ns S: S to 2 S) to a
 * thread on CPU B that blocks in read(): a wake-up of a reader whose CPU
 * went idle, with the wake-up IPI and the idle exit (HLT, on a virtual
 * machine an exit to the hypervisor). It reports three quantile tables as
 * the noise probe does: q, from A's write call to B's read return; r, from
 * A's write return to B's read return; w, A's write call. Where the waker
 * pays for the wake-up inside its call (a trapped IPI or interrupt enable),
 * r is what the reader waits once the waker's cost is paid.
 *
 * IPI probe: a thread on CPU B runs the noise probe's loop (gaps over
 * 300 ns) while a thread on CPU A, in alternate 50 ms blocks, either waits or
 * calls membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) every S to 2 S ns
 * (default 50-100 us; a random spacing, busy-waited), which sends CPU B,
 * running a thread of this process, one function-call IPI (the vector RPS's
 * smp_call_function_single_async uses) whose handler does a memory barrier
 * and nothing else. The time CPU B's loop loses in the IPI blocks beyond
 * the quiet ones, over the IPIs sent, is what one IPI costs a CPU that is
 * running when it lands: its entry, handler and exit, and on a virtual
 * machine the hypervisor's work to inject it into a running vCPU. It
 * reports both blocks' lost fractions, the IPIs, that cost, and quantile
 * tables of the gap lengths in each block (g1 with IPIs, g0 without), of
 * the membarrier call (c: the sender's side, which waits for the handler),
 * and of when the IPI lands (l: from the call's start to the start of the
 * first gap CPU B sees after it, the moment the IPI stopped B's loop; a
 * noise gap that comes first is timed instead, which at the probe's few
 * thousand gaps a second touches a few percent of the calls). On a virtual
 * machine the sender's ICR write traps to the hypervisor, which injects the
 * IPI from inside that trap: l against the trap's length says where in the
 * sender's cost the IPI leaves.
 * With --land kernel, CPU B's thread calls getppid() in a loop instead, so
 * that most IPIs land while it runs kernel code (entry, the call, exit), as
 * an RPS IPI that finds its CPU in a softirq or in the reader's receive call
 * does. B's loss is then counted in calls: one IPI costs (1 - the IPI
 * blocks' calls a second over the quiet blocks') / the IPIs a second; the
 * gap tables g1, g0 are the calls' lengths and l is not timed.
 *
 * IPI send probe (kick): what sending one IPI to a running CPU costs the
 * sender, the IPI sent and not waited for, as RPS sends its own
 * (smp_call_function_single_async). A thread on CPU B runs a loop in user
 * space (the noise probe's clock reads) or in kernel code (getppid()) with a
 * handler for SIGRTMIN; a thread on CPU A calls tgkill(B, SIGRTMIN) every S
 * to 2 S ns (default 50-100 us; busy-waited) and times each call. Blocks of
 * 50 ms take turns: B in user space with the signal blocked, then taking
 * it, then the same in kernel code. A real-time signal is always queued; one
 * that B takes also makes the kernel kick B's CPU (signal_wake_up ->
 * kick_process -> smp_send_reschedule: one reschedule IPI, the same ICR
 * write as RPS's function-call IPI), one that B blocks does nothing more.
 * So a call's median in the taking blocks less its median in the blocking
 * blocks is one IPI's cost to its sender when its target runs, in user space
 * (send_ns_user) or in the kernel (send_ns_kernel): on a virtual machine the
 * trapped ICR write and the hypervisor's work to reach a running vCPU
 * (cpu.ipi_send_ns). B acknowledges each block's mask before A sends. It
 * prints the counts and quantile tables of the calls (ku, bu: user space,
 * taking and blocking; kk, bk: kernel).
 *
 * Remote-queue probe: what a UDP read pays when another CPU filled the
 * socket, as when the receive path runs on one CPU and the reader on
 * another. On loopback, B sends k datagrams (k in 1, 2, 3, 4, 6, 8, drawn at
 * random each trial, trials S to 2 S apart, default 20-40 us) either to the
 * measured socket itself (local: B's own softirq queues them, as loopback
 * transmits inline) or to a socket A drains, while A then sends k to the
 * measured socket (remote); B makes the same send call either way so its
 * path is as warm. Then B times one recvmmsg of k. Per placement, the
 * least-squares line of the median call against k gives what a call pays
 * once (call_*_ns) and what each datagram pays (datagram_*_ns); remote less
 * local is the producer CPU's share: per datagram the skb and its data in
 * A's cache (app.remote_enqueue_ns), per call the receive queue's lock and
 * sk_rmem_alloc A last wrote, touched once when the reader's private queue
 * is refilled (__skb_recv_udp, app.remote_splice_ns). With --producer live,
 * A instead sends one datagram a call back to back, the queue always full,
 * and B's calls are timed against that contention (call_live_ns,
 * datagram_live_ns). With --ask N each timed call asks for k + N datagrams:
 * with the quiet producer it gets k and ends, as a reader with a larger
 * vector and MSG_WAITFORONE does, with one more dequeue that finds both
 * queues empty (-EAGAIN after the receive queue's lock). short_calls counts
 * the timed calls that got fewer datagrams than they should, left out. Rows:
 * placement, k, calls, quartiles of the call.
 *
 * Ticks probe: how /proc/stat's tick sampling splits a system call between
 * user and system time. Pinned to one CPU, it makes system calls back to
 * back that do nothing in user space, in LG_TICKS_NPHASES equal parts of the
 * window: getppid (an entry and an exit), then read() of /dev/zero of 4 KiB,
 * 64 KiB and 256 KiB (the same entry and exit around longer kernel work).
 * Per part it prints bytes, calls, and ns per call in all, as user time and
 * as system time (getrusage(RUSAGE_THREAD): the thread's exact run time,
 * split as its ticks found it in user or kernel mode, as /proc/stat's are).
 * User space runs a few ns a call, so the user time is what the kernel's
 * accounting puts there: where it stays put as the call grows, it is the
 * entry or exit, not the work (cpu.syscall_return_user_ns).
 *
 * Speed probe: pinned to one CPU, it times a fixed chain of dependent
 * integer multiply-adds (a linear congruential generator: each step waits
 * for the previous one, so the time per step is the multiplier's latency
 * over the clock rate, and nothing else) in slices of LG_SPEED_OPS steps
 * between T0 and T1, and reports the median slice's ns per step; then it
 * chases pointers through a random cycle over LG_CHASE_BYTES (larger than a
 * core's L2, so each step is a last-level-cache or memory access, as much of
 * the kernel's per-packet work is) and reports ns per dependent load; then
 * it times a system call that does no work (getppid, which the vDSO does not
 * serve: an entry to the kernel and back, the part of every send and receive
 * that no user-space loop sees) and reports ns per call. On a
 * virtual machine the same code runs at different speeds at different times
 * (the host's frequency, a sibling hyperthread's load, neighbours sharing
 * the cache and memory); the harness runs it on every role CPU just before
 * each measurement, so each row says how fast its CPUs were.
 *
 * Line probe: how long one cache line takes to go from CPU A to CPU B and
 * back. A thread on A writes a counter into one line and spins until a
 * thread on B, spinning on it, answers in a second line; LG_LINE_TRIPS such
 * round trips make a slice, and the median slice's ns per trip is reported.
 * Every hand-off of the receive path between two CPUs (the socket's queue
 * and its lock, an skb and its data, its free and the sender's wmem) pays
 * line transfers of this kind. On a virtual machine the hypervisor places
 * the two vCPUs on physical cores that change over minutes: on this machine
 * kind one round trip is about 100-120 ns on some placements and 550-650
 * ns on others, while the speed probe, which runs on one CPU, stays put. The
 * harness runs it on the first sender and first reader CPU before and after
 * each run (line_rt_ns, line_rt_after_ns).
 */
#define _GNU_SOURCE
#include "histogram.h"
#include "measure.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_fit.h>
#include <linux/membarrier.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LG_MAGIC 0xFA1Cu
#define LG_MIN_PAYLOAD 16
#define LG_MAX_PAYLOAD 65507
#define LG_MAX_THREADS 256
#define LG_MAX_FLOWS 4096
#define LG_MAX_BATCH 1024
#define LG_RECV_BATCH MEASURE_RECV_BATCH
/* Gaps a paced sender spins through rather than sleeps (see the essay). */
#define LG_SPIN_MAX_NS ((int64_t)MEASURE_SPIN_MAX_NS)
#define LG_SLEEP_EARLY_NS INT64_C(100000)
/* A process still alive this long after --stop is killed by SIGALRM. */
#define LG_BACKSTOP_S 2u

struct lg_header {
    uint64_t send_ns;
    uint32_t seq;
    uint16_t flow;
    uint16_t magic;
};
_Static_assert(sizeof(struct lg_header) == LG_MIN_PAYLOAD, "datagram header is 16 bytes");

struct lg_opts {
    const char *netns;
    unsigned cpus[LG_MAX_THREADS];
    unsigned ncpus;
    const char *dst;
    const char *bind;
    unsigned port;
    unsigned flows;
    unsigned payload;
    double rate;
    unsigned batch, max_batch;
    long rcvbuf;
    int64_t t0, t1, stop;
    int64_t threshold_ns;
    int64_t duty_busy_ns, duty_idle_ns; /* noise --duty: 0 = always busy */
    bool ipi_land_kernel; /* ipi --land kernel: B loops on getppid() */
    bool remote_live;     /* remote --producer live: A sends all the time */
    unsigned remote_ask;  /* remote --ask: datagrams a timed call asks for beyond k */
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
    struct timespec ts = {.tv_sec = t / 1000000000, .tv_nsec = t % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "falconsim-loadgen: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static void pin_self(unsigned cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        die("cannot run on CPU %u", cpu);
    }
}

static void enter_netns(const char *name)
{
    if (name == NULL)
        return;
    char path[256];
    snprintf(path, sizeof path, "/var/run/netns/%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("no network namespace %s", name);
    if (setns(fd, CLONE_NEWNET) != 0)
        die("cannot enter network namespace %s", name);
    close(fd);
}

static unsigned parse_uint(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v > UINT32_MAX)
        die("bad %s", what);
    return (unsigned)v;
}

static int64_t parse_i64(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || (*end != '\0' && *end != ',') || errno != 0)
        die("bad %s", what);
    return (int64_t)v;
}

/* OPTION's value "A,B": two integers. */
static void parse_i64_pair(const char *option, const char *v, const char *form, int64_t *a,
                           int64_t *b)
{
    const char *comma = strchr(v, ',');
    if (comma == NULL)
        die("%s needs %s, got %s", option, form, v);
    *a = parse_i64(v, option);
    *b = parse_i64(comma + 1, option);
}

static void parse_args(int argc, char **argv, struct lg_opts *o)
{
    memset(o, 0, sizeof *o);
    o->flows = 1;
    o->payload = LG_MIN_PAYLOAD;
    o->batch = 32;
    o->threshold_ns = 1000;
    for (int i = 2; i < argc; i++) {
        const char *k = argv[i];
        if (i + 1 >= argc)
            die("option %s needs a value", k);
        const char *v = argv[++i];
        if (strcmp(k, "--netns") == 0)
            o->netns = v;
        else if (strcmp(k, "--cpus") == 0 || strcmp(k, "--cpu") == 0) {
            char buf[1024];
            snprintf(buf, sizeof buf, "%s", v);
            char *save;
            for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (o->ncpus == LG_MAX_THREADS)
                    die("too many CPUs in %s", v);
                o->cpus[o->ncpus++] = parse_uint(t, "CPU");
            }
        } else if (strcmp(k, "--dst") == 0)
            o->dst = v;
        else if (strcmp(k, "--bind") == 0)
            o->bind = v;
        else if (strcmp(k, "--port") == 0)
            o->port = parse_uint(v, "port");
        else if (strcmp(k, "--flows") == 0)
            o->flows = parse_uint(v, "flows");
        else if (strcmp(k, "--payload") == 0)
            o->payload = parse_uint(v, "payload");
        else if (strcmp(k, "--rate") == 0)
            o->rate = strtod(v, NULL);
        else if (strcmp(k, "--batch") == 0)
            o->batch = parse_uint(v, "batch");
        else if (strcmp(k, "--max-batch") == 0)
            o->max_batch = parse_uint(v, "max-batch");
        else if (strcmp(k, "--rcvbuf") == 0)
            o->rcvbuf = (long)parse_uint(v, "rcvbuf");
        else if (strcmp(k, "--threshold-ns") == 0)
            o->threshold_ns = parse_i64(v, "threshold");
        else if (strcmp(k, "--land") == 0) {
            if (strcmp(v, "user") != 0 && strcmp(v, "kernel") != 0)
                die("--land must be user or kernel, got %s", v);
            o->ipi_land_kernel = strcmp(v, "kernel") == 0;
        } else if (strcmp(k, "--producer") == 0) {
            if (strcmp(v, "quiet") != 0 && strcmp(v, "live") != 0)
                die("--producer must be quiet or live, got %s", v);
            o->remote_live = strcmp(v, "live") == 0;
        } else if (strcmp(k, "--ask") == 0) {
            o->remote_ask = parse_uint(v, "--ask");
        } else if (strcmp(k, "--duty") == 0) {
            parse_i64_pair(k, v, "BUSY_NS,IDLE_NS", &o->duty_busy_ns, &o->duty_idle_ns);
            if (o->duty_busy_ns < 1000 || o->duty_idle_ns < 1000)
                die("--duty times must be at least 1000 ns, got %s", v);
        } else if (strcmp(k, "--window") == 0)
            parse_i64_pair(k, v, "T0,T1", &o->t0, &o->t1);
        else if (strcmp(k, "--stop") == 0)
            o->stop = parse_i64(v, "stop time");
        else
            die("unknown option %s", k);
    }
    if (o->ncpus == 0)
        die("%s needs --cpus", argv[1]);
    if (o->flows == 0 || o->flows > LG_MAX_FLOWS)
        die("--flows must be 1..4096");
    if (o->payload < LG_MIN_PAYLOAD || o->payload > LG_MAX_PAYLOAD)
        die("--payload must be 16..65507");
    if (o->batch == 0 || o->batch > LG_MAX_BATCH)
        die("--batch must be 1..1024");
    if (o->max_batch < o->batch)
        o->max_batch = o->batch;
    if (o->max_batch > LG_MAX_BATCH)
        die("--max-batch must be 1..1024");
    if (o->t1 <= o->t0 || o->stop < o->t1)
        die("need --window T0,T1 and --stop T with T0 < T1 <= T");
}

/* {===== Sender ===== */

struct send_thread {
    const struct lg_opts *o;
    unsigned index, nthreads;
    pthread_t tid;
    uint64_t sent_window, sent_total, errors;
    /* send calls begun inside the window, and those that caught up (sent
     * more than one burst: the sender had fallen behind its schedule) */
    uint64_t calls_window, calls_behind;
    /* a paced sender's busy-wait as a noise probe in place: the time it
     * spun inside the window, the gaps over --threshold-ns it saw there (as
     * the noise probe counts them) and their total: what its CPU lost while
     * running the kit's own load */
    int64_t spin_ns, spin_lost_ns;
    struct histogram spin_gap;
};

static void *send_main(void *arg)
{
    struct send_thread *t = arg;
    const struct lg_opts *o = t->o;
    pin_self(o->cpus[t->index]);
    unsigned myflows[LG_MAX_FLOWS], nmy = 0;
    int fds[LG_MAX_FLOWS];
    for (unsigned f = t->index; f < o->flows; f += t->nthreads) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            die("socket: %s", strerror(errno));
        struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(o->port + 1 + f))};
        struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
        if (inet_pton(AF_INET, o->dst, &dst.sin_addr) != 1)
            die("bad --dst %s", o->dst);
        if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0)
            die("bind source port: %s", strerror(errno));
        if (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0)
            die("connect: %s", strerror(errno));
        fds[nmy] = fd;
        myflows[nmy++] = f;
    }
    if (nmy == 0)
        return NULL;
    unsigned cap = o->max_batch;
    unsigned char *payload = calloc((size_t)cap, o->payload);
    struct mmsghdr *msgs = calloc(cap, sizeof *msgs);
    struct iovec *iov = calloc(cap, sizeof *iov);
    uint32_t *seq = calloc(nmy, sizeof *seq);
    if (!payload || !msgs || !iov || !seq)
        die("out of memory");
    for (unsigned b = 0; b < cap; b++) {
        iov[b].iov_base = payload + (size_t)b * o->payload;
        iov[b].iov_len = o->payload;
        msgs[b].msg_hdr.msg_iov = &iov[b];
        msgs[b].msg_hdr.msg_iovlen = 1;
    }
    /* Paced: a token bucket. This thread carries rate / threads; burst k of
     * `batch` datagrams is due at start + k * batch * msg_gap. A sender that
     * fell behind (a send call took longer than the gap, or the CPU was
     * taken away) sends what is due in one call, up to max_batch, as a
     * rate limiter does; on schedule it sends one burst per interval. */
    double msg_gap_ns = o->rate > 0 ? 1e9 * t->nthreads / o->rate : 0;
    double burst_gap_ns = msg_gap_ns * o->batch;
    int64_t start = now_ns();
    uint64_t sent_msgs = 0; /* datagrams handed to sendmmsg, for the schedule */
    unsigned cur = 0;
    for (;;) {
        int64_t now = now_ns();
        if (now >= o->stop)
            break;
        unsigned n = o->batch;
        if (msg_gap_ns > 0) {
            uint64_t next_burst = sent_msgs / o->batch;
            int64_t due = start + (int64_t)(burst_gap_ns * (double)next_burst);
            if (due >= o->stop)
                break;
            if (due - now > LG_SPIN_MAX_NS) {
                sleep_until(due - LG_SLEEP_EARLY_NS);
                now = now_ns();
            }
            /* the step that ends past `due` counts too: a gap that
             * delays the send usually ends there */
            for (int64_t prev = now; now < due; prev = now) {
                now = now_ns();
                if (prev < o->t0 || now > o->t1)
                    continue;
                t->spin_ns += now - prev;
                if (now - prev > o->threshold_ns) {
                    t->spin_lost_ns += now - prev;
                    hist_record(&t->spin_gap, now - prev);
                }
            }
            /* burst next_burst is due (now >= due); the quotient can fall
             * short of it by a rounding, as `due` was truncated to whole ns,
             * which until 2026-12-03 made about 3 % of the paced calls
             * empty (sendmmsg of 0: snd_call_size 0.97 at 25 % load) */
            uint64_t due_bursts = (uint64_t)((double)(now - start) / burst_gap_ns) + 1;
            if (due_bursts <= next_burst)
                due_bursts = next_burst + 1;
            uint64_t owed = due_bursts * o->batch - sent_msgs;
            n = owed > cap ? cap : (unsigned)owed;
        }
        unsigned f = myflows[cur];
        for (unsigned b = 0; b < n; b++) {
            struct lg_header h = {.send_ns = (uint64_t)now, .seq = seq[cur]++,
                                  .flow = (uint16_t)f, .magic = LG_MAGIC};
            memcpy(payload + (size_t)b * o->payload, &h, sizeof h);
        }
        int r = sendmmsg(fds[cur], msgs, n, 0);
        sent_msgs += n;
        if (r < 0) {
            t->errors++;
            seq[cur] -= n;
        } else {
            if ((unsigned)r < n)
                seq[cur] -= n - (unsigned)r;
            t->sent_total += (unsigned)r;
            if (now >= o->t0 && now < o->t1) {
                t->sent_window += (unsigned)r;
                t->calls_window++;
                t->calls_behind += msg_gap_ns > 0 && n > o->batch;
            }
        }
        cur = (cur + 1) % nmy;
    }
    for (unsigned i = 0; i < nmy; i++)
        close(fds[i]);
    free(payload);
    free(msgs);
    free(iov);
    free(seq);
    return NULL;
}

static int run_send(const struct lg_opts *o)
{
    if (o->dst == NULL || o->port == 0 || o->port + o->flows > 65535)
        die("send needs --dst and a --port with room for the flows' source ports");
    unsigned n = o->ncpus < o->flows ? o->ncpus : o->flows;
    struct send_thread *t = calloc(n, sizeof *t);
    if (t == NULL)
        die("out of memory");
    for (unsigned i = 0; i < n; i++) {
        t[i] = (struct send_thread){.o = o, .index = i, .nthreads = n};
        hist_init(&t[i].spin_gap);
        if (pthread_create(&t[i].tid, NULL, send_main, &t[i]) != 0)
            die("cannot start a sender thread");
    }
    uint64_t win = 0, total = 0, errors = 0, calls = 0, behind = 0;
    int64_t spin_ns = 0, spin_lost = 0;
    struct histogram gaps;
    hist_init(&gaps);
    for (unsigned i = 0; i < n; i++) {
        pthread_join(t[i].tid, NULL);
        win += t[i].sent_window;
        total += t[i].sent_total;
        errors += t[i].errors;
        calls += t[i].calls_window;
        behind += t[i].calls_behind;
        spin_ns += t[i].spin_ns;
        spin_lost += t[i].spin_lost_ns;
        hist_merge(&gaps, &t[i].spin_gap);
        hist_fini(&t[i].spin_gap);
    }
    printf("sent\t%" PRIu64 "\nsent_total\t%" PRIu64 "\nsnd_errors\t%" PRIu64 "\nthreads\t%u\n",
           win, total, errors, n);
    printf("calls\t%" PRIu64 "\ncalls_behind\t%" PRIu64 "\n", calls, behind);
    /* the busy-wait as a noise probe: gaps a spinning second, the share of
     * the spinning time they took, their p99 and p99.9 (ns; 0 without) */
    uint64_t spin_gaps = gaps.total;
    printf("spin_s\t%.4f\nspin_gaps_per_s\t%.1f\nspin_lost_frac\t%.6f\n", (double)spin_ns / 1e9,
           spin_ns > 0 ? (double)spin_gaps / ((double)spin_ns / 1e9) : 0.0,
           spin_ns > 0 ? (double)spin_lost / (double)spin_ns : 0.0);
    printf("spin_gap_p99_ns\t%.0f\nspin_gap_p999_ns\t%.0f\n",
           spin_gaps > 0 ? hist_quantile_ns(&gaps, 0.99) : 0.0,
           spin_gaps > 0 ? hist_quantile_ns(&gaps, 0.999) : 0.0);
    hist_fini(&gaps);
    free(t);
    return 0;
}

/* }===== Sender ===== */

/* {===== Receiver ===== */

struct flow_track {
    uint32_t highest;
    bool seen;
};

struct recv_thread {
    const struct lg_opts *o;
    unsigned index;
    pthread_t tid;
    int fd;
    struct histogram lat;
    struct flow_track *flows;
    uint64_t rcvd, bytes, gaps, reorders, rcvd_total, bad;
    uint64_t calls; /* recvmmsg calls that returned datagrams inside the window */
};

static void *recv_main(void *arg)
{
    struct recv_thread *t = arg;
    const struct lg_opts *o = t->o;
    pin_self(o->cpus[t->index]);
    /* Slots a little larger than the payload: a datagram that does not fit
     * is reported truncated (MSG_TRUNC) and counted bad. Small slots keep the
     * receiver's cache and TLB footprint that of a real application. */
    size_t slot = ((size_t)o->payload + 64 + 63) & ~(size_t)63;
    unsigned char *bufs = malloc((size_t)LG_RECV_BATCH * slot);
    struct mmsghdr msgs[LG_RECV_BATCH];
    struct iovec iov[LG_RECV_BATCH];
    if (bufs == NULL)
        die("out of memory");
    for (unsigned b = 0; b < LG_RECV_BATCH; b++) {
        iov[b].iov_base = bufs + (size_t)b * slot;
        iov[b].iov_len = slot;
        memset(&msgs[b], 0, sizeof msgs[b]);
        msgs[b].msg_hdr.msg_iov = &iov[b];
        msgs[b].msg_hdr.msg_iovlen = 1;
    }
    while (now_ns() < o->stop) {
        int r = recvmmsg(t->fd, msgs, LG_RECV_BATCH, MSG_WAITFORONE, NULL);
        int64_t now = now_ns();
        if (r <= 0)
            continue; /* the 50 ms receive timeout: look at the clock again */
        bool in_window = now >= o->t0 && now < o->t1;
        t->calls += in_window;
        for (int i = 0; i < r; i++) {
            struct lg_header h;
            if (msgs[i].msg_len < sizeof h || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) {
                t->bad++;
                continue;
            }
            memcpy(&h, iov[i].iov_base, sizeof h);
            if (h.magic != LG_MAGIC || h.flow >= o->flows) {
                t->bad++;
                continue;
            }
            t->rcvd_total++;
            if (!in_window)
                continue;
            t->rcvd++;
            t->bytes += msgs[i].msg_len;
            hist_record(&t->lat, now - (int64_t)h.send_ns);
            struct flow_track *ft = &t->flows[h.flow];
            if (!ft->seen) {
                ft->seen = true;
                ft->highest = h.seq;
            } else if (h.seq > ft->highest) {
                t->gaps += h.seq - ft->highest - 1;
                ft->highest = h.seq;
            } else
                t->reorders++;
        }
    }
    free(bufs);
    return NULL;
}

static int run_recv(const struct lg_opts *o)
{
    if (o->bind == NULL || o->port == 0)
        die("recv needs --bind and --port");
    struct recv_thread *t = calloc(o->ncpus, sizeof *t);
    if (t == NULL)
        die("out of memory");
    for (unsigned i = 0; i < o->ncpus; i++) {
        t[i].o = o;
        t[i].index = i;
        hist_init(&t[i].lat);
        t[i].flows = calloc(o->flows, sizeof *t[i].flows);
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
            die("socket: %s", strerror(errno));
        if (o->rcvbuf > 0) {
            int v = (int)o->rcvbuf;
            /* SO_RCVBUFFORCE passes net.core.rmem_max (we are root). */
            if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) != 0)
                die("SO_RCVBUFFORCE: %s", strerror(errno));
        }
        struct timeval tv = {.tv_sec = 0, .tv_usec = 50000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
        if (inet_pton(AF_INET, o->bind, &a.sin_addr) != 1)
            die("bad --bind %s", o->bind);
        if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
            die("bind: %s", strerror(errno));
        t[i].fd = fd;
    }
    int rcvbuf = 0;
    socklen_t len = sizeof rcvbuf;
    getsockopt(t[0].fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len);
    /* Sockets are bound: the harness may start the sender. */
    printf("ready\t1\n");
    fflush(stdout);
    for (unsigned i = 0; i < o->ncpus; i++)
        if (pthread_create(&t[i].tid, NULL, recv_main, &t[i]) != 0)
            die("cannot start a receiver thread");
    struct histogram lat;
    hist_init(&lat);
    uint64_t rcvd = 0, bytes = 0, gaps = 0, reorders = 0, total = 0, bad = 0, calls = 0;
    for (unsigned i = 0; i < o->ncpus; i++) {
        pthread_join(t[i].tid, NULL);
        hist_merge(&lat, &t[i].lat);
        rcvd += t[i].rcvd;
        bytes += t[i].bytes;
        gaps += t[i].gaps;
        reorders += t[i].reorders;
        total += t[i].rcvd_total;
        bad += t[i].bad;
        calls += t[i].calls;
        close(t[i].fd);
        hist_fini(&t[i].lat);
        free(t[i].flows);
    }
    static const double q[] = {0.5, 0.9, 0.99, 0.999};
    double v[4];
    hist_quantiles_ns(&lat, q, 4, v);
    printf("rcvd\t%" PRIu64 "\nbytes\t%" PRIu64 "\ngaps\t%" PRIu64 "\nreorders\t%" PRIu64
           "\nrcvd_total\t%" PRIu64 "\nbad\t%" PRIu64 "\nrcvbuf\t%d\n",
           rcvd, bytes, gaps, reorders, total, bad, rcvbuf);
    printf("calls\t%" PRIu64 "\n", calls);
    printf("lat_p50_ns\t%.0f\nlat_p90_ns\t%.0f\nlat_p99_ns\t%.0f\nlat_p999_ns\t%.0f\n"
           "lat_mean_ns\t%.0f\nlat_max_ns\t%" PRId64 "\n",
           v[0], v[1], v[2], v[3], hist_mean_ns(&lat), lat.total ? lat.max_ns : 0);
    hist_fini(&lat);
    free(t);
    return 0;
}

/* }===== Receiver ===== */

/* {===== Noise probe ===== */

/* Gaps of a busy loop over 100 us and over 1 ms, and sleeps overshot by as
 * much: the long stalls, counted apart from the bulk. */
#define LG_LONG_NS 100000
#define LG_VERY_LONG_NS 1000000

static int run_noise(const struct lg_opts *o)
{
    pin_self(o->cpus[0]);
    struct histogram len, spacing, over;
    hist_init(&len);
    hist_init(&spacing);
    hist_init(&over);
    bool duty = o->duty_busy_ns > 0;
    if (duty && prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0) != 0)
        die("prctl(PR_SET_TIMERSLACK): %s", strerror(errno));
    sleep_until(o->t0);
    int64_t prev = now_ns(), last_gap = -1, lost = 0, loops = 0, busy_ns = 0, idle_ns = 0;
    uint64_t long_gaps[2] = {0, 0}, long_over[2] = {0, 0};
    while (prev < o->t1) {
        /* one busy period (the whole window without --duty) */
        int64_t start = prev, end = duty ? prev + o->duty_busy_ns : o->t1;
        if (end > o->t1)
            end = o->t1;
        while (prev < end) {
            int64_t now = now_ns();
            loops++;
            int64_t d = now - prev;
            if (d > o->threshold_ns) {
                hist_record(&len, d);
                lost += d;
                long_gaps[0] += d > LG_LONG_NS;
                long_gaps[1] += d > LG_VERY_LONG_NS;
                if (last_gap >= 0)
                    hist_record(&spacing, busy_ns + (prev - start) - last_gap);
                last_gap = busy_ns + (prev - start);
            }
            prev = now;
        }
        busy_ns += prev - start;
        if (!duty || prev >= o->t1)
            break;
        /* a sleep ends by the window's end, so the probe keeps to --stop */
        int64_t nap = o->duty_idle_ns < o->t1 - prev ? o->duty_idle_ns : o->t1 - prev;
        struct timespec ts = {.tv_sec = nap / 1000000000, .tv_nsec = nap % 1000000000};
        while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) == EINTR) {
        }
        int64_t woke = now_ns(), late = woke - prev - nap;
        hist_record(&over, late > 0 ? late : 0);
        long_over[0] += late > LG_LONG_NS;
        long_over[1] += late > LG_VERY_LONG_NS;
        idle_ns += woke - prev;
        prev = woke;
    }
    /* rates per second of busy loop: without --duty, the window */
    double busy_s = (double)busy_ns / 1e9;
    printf("gaps\t%" PRIu64 "\ngaps_per_s\t%.3f\nlost_frac\t%.6f\nloop_ns\t%.1f\n", len.total,
           (double)len.total / busy_s, (double)lost / (double)busy_ns,
           (double)busy_ns / (double)(loops ? loops : 1));
    printf("busy_s\t%.3f\ngaps_over_100us_per_busy_s\t%.3f\ngaps_over_1ms_per_busy_s\t%.3f\n",
           busy_s, (double)long_gaps[0] / busy_s, (double)long_gaps[1] / busy_s);
    if (duty) {
        double idle_s = idle_ns > 0 ? (double)idle_ns / 1e9 : 1e-9; /* no sleep: rates 0 */
        printf("idle_s\t%.3f\nsleeps\t%" PRIu64 "\noversleep_p50_ns\t%.0f\n"
               "oversleep_p99_ns\t%.0f\noversleep_p999_ns\t%.0f\n"
               "oversleeps_over_100us_per_idle_s\t%.3f\noversleeps_over_1ms_per_idle_s\t%.3f\n",
               idle_s, over.total, hist_quantile_ns(&over, 0.5), hist_quantile_ns(&over, 0.99),
               hist_quantile_ns(&over, 0.999), (double)long_over[0] / idle_s,
               (double)long_over[1] / idle_s);
    }
    /* Quantiles 0, 0.01, ..., 1 of both distributions, then the tail at 1, 2
     * and 5 per decade of 1 - q: the rare long gaps set a latency's p99, and
     * between 0.99 and 1 a table of whole percent knows only the largest. */
    static const double tail[] = {0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999, 0.99995,
                                  0.99998, 0.99999};
    for (unsigned i = 0; i <= 100 + sizeof tail / sizeof tail[0]; i++) {
        double q = i <= 100 ? i / 100.0 : tail[i - 101];
        printf("q\t%.5f\t%.0f\t%.0f\n", q, hist_quantile_ns(&len, q),
               hist_quantile_ns(&spacing, q));
    }
    hist_fini(&len);
    hist_fini(&spacing);
    hist_fini(&over);
    return 0;
}

/* }===== Noise probe ===== */

/* {===== Shared-noise probe ===== */

/* Gaps recorded per CPU: 10 000 a second of window (a KVM guest's busy loop
 * sees about 2 000), at most LG_SHARED_MAX (17 bytes each: 36 MB a CPU). */
#define LG_SHARED_PER_S 10000.0
#define LG_SHARED_MAX (1u << 21)

struct shared_thread {
    const struct lg_opts *o;
    unsigned cpu;
    pthread_t tid;
    int64_t *start, *len;
    uint32_t n, cap;
    uint64_t unrecorded;
    bool *is_shared;
    int64_t *covered; /* ns of each gap that one other CPU's gaps cover, the most of them */
    int64_t lost;     /* ns in gaps over the window */
};

static void *shared_main(void *arg)
{
    struct shared_thread *t = arg;
    pin_self(t->cpu);
    sleep_until(t->o->t0);
    int64_t prev = now_ns();
    while (prev < t->o->t1) {
        int64_t now = now_ns();
        if (now - prev > t->o->threshold_ns) {
            if (t->n < t->cap) {
                t->start[t->n] = prev;
                t->len[t->n++] = now - prev;
            } else {
                t->unrecorded++;
            }
        }
        prev = now;
    }
    return NULL;
}

/* Marks each gap of a that overlaps one of b (both in start order), and
 * keeps in a->covered the most of each gap that b's gaps cover. Overlap
 * alone says little of a long gap: at 2 000 gaps a second on b, a 1 ms stall
 * of a overlaps one by chance 86 % of the time, though they cover 6 % of it;
 * the covered time says whether b stopped for the stall's length. */
static void mark_overlaps(struct shared_thread *a, const struct shared_thread *b)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        int64_t s = a->start[i], e = s + a->len[i];
        while (j < b->n && b->start[j] + b->len[j] <= s)
            j++;
        /* b's gaps do not overlap each other, so the first that ends after
         * s is the only candidate that starts before it */
        if (j < b->n && b->start[j] < e)
            a->is_shared[i] = true;
        int64_t cov = 0;
        for (uint32_t k = j; k < b->n && b->start[k] < e; k++) {
            int64_t bs = b->start[k], be = bs + b->len[k];
            cov += (be < e ? be : e) - (bs > s ? bs : s);
        }
        if (cov > a->covered[i])
            a->covered[i] = cov;
    }
}

static int run_shared(const struct lg_opts *o)
{
    if (o->ncpus < 2)
        die("shared needs --cpus with at least two CPUs");
    struct shared_thread *t = calloc(o->ncpus, sizeof *t);
    if (t == NULL)
        die("out of memory");
    double want = (double)(o->t1 - o->t0) / 1e9 * LG_SHARED_PER_S + 1024;
    uint32_t cap = want < LG_SHARED_MAX ? (uint32_t)want : LG_SHARED_MAX;
    for (unsigned i = 0; i < o->ncpus; i++) {
        t[i].o = o;
        t[i].cpu = o->cpus[i];
        t[i].cap = cap;
        t[i].start = malloc(cap * sizeof(int64_t));
        t[i].len = malloc(cap * sizeof(int64_t));
        t[i].is_shared = calloc(cap, sizeof(bool));
        t[i].covered = calloc(cap, sizeof(int64_t));
        if (!t[i].start || !t[i].len || !t[i].is_shared || !t[i].covered)
            die("out of memory");
    }
    for (unsigned i = 0; i < o->ncpus; i++)
        if (pthread_create(&t[i].tid, NULL, shared_main, &t[i]) != 0)
            die("cannot start a probe thread");
    for (unsigned i = 0; i < o->ncpus; i++)
        pthread_join(t[i].tid, NULL);
    for (unsigned i = 0; i < o->ncpus; i++)
        for (unsigned k = 0; k < o->ncpus; k++)
            if (k != i)
                mark_overlaps(&t[i], &t[k]);
    /* by length: up to 20 us, 20-100 us, over 100 us */
    static const int64_t edge[] = {20000, 100000};
    uint64_t n[3] = {0}, sh[3] = {0}, all = 0, all_sh = 0, unrecorded = 0;
    int64_t lost = 0, lost_sh = 0, len_c[3] = {0}, cov_c[3] = {0};
    double window_s = (double)(o->t1 - o->t0) / 1e9;
    for (unsigned i = 0; i < o->ncpus; i++) {
        unrecorded += t[i].unrecorded;
        for (uint32_t g = 0; g < t[i].n; g++) {
            unsigned c = t[i].len[g] <= edge[0] ? 0 : t[i].len[g] <= edge[1] ? 1 : 2;
            n[c]++;
            all++;
            lost += t[i].len[g];
            t[i].lost += t[i].len[g];
            len_c[c] += t[i].len[g];
            cov_c[c] += t[i].covered[g];
            if (t[i].is_shared[g]) {
                sh[c]++;
                all_sh++;
                lost_sh += t[i].len[g];
            }
        }
        printf("cpu%u_gaps\t%u\ncpu%u_lost_frac\t%.4f\n", t[i].cpu, t[i].n, t[i].cpu,
               (double)t[i].lost / 1e9 / window_s);
    }
    printf("window_s\t%.3f\ngaps\t%" PRIu64 "\nunrecorded\t%" PRIu64 "\n", window_s, all,
           unrecorded);
    printf("shared_frac\t%.4f\nshared_time_frac\t%.4f\n", all ? (double)all_sh / (double)all : 0.0,
           lost ? (double)lost_sh / (double)lost : 0.0);
    static const char *const cls[] = {"upto20us", "20to100us", "over100us"};
    for (unsigned c = 0; c < 3; c++)
        printf("gaps_%s\t%" PRIu64 "\nshared_frac_%s\t%.4f\ncovered_frac_%s\t%.4f\n", cls[c],
               n[c], cls[c], n[c] ? (double)sh[c] / (double)n[c] : 0.0, cls[c],
               len_c[c] ? (double)cov_c[c] / (double)len_c[c] : 0.0);
    /* The host-wide share of the lost time, the body (up to 100 us) and the
     * stalls apart: the time another CPU's gaps cover beyond what they would
     * by chance, its share of its window lost (c - q) / (1 - q), as CPUs
     * with independent gaps would leave it at 0 */
    double q = (double)lost / 1e9 / window_s / o->ncpus;
    int64_t body_len = len_c[0] + len_c[1], body_cov = cov_c[0] + cov_c[1];
    double cov[2] = {body_len ? (double)body_cov / (double)body_len : (double)NAN,
                     len_c[2] ? (double)cov_c[2] / (double)len_c[2] : (double)NAN};
    static const char *const part[] = {"upto100us", "over100us"};
    printf("chance_frac\t%.4f\n", q);
    for (unsigned k = 0; k < 2; k++) {
        double h = q < 1 ? (cov[k] - q) / (1 - q) : (double)NAN;
        printf("host_wide_%s\t%.4f\n", part[k], isnan(h) ? h : h < 0 ? 0 : h > 1 ? 1 : h);
    }
    for (unsigned i = 0; i < o->ncpus; i++) {
        free(t[i].start);
        free(t[i].len);
        free(t[i].is_shared);
        free(t[i].covered);
    }
    free(t);
    return 0;
}

/* }===== Shared-noise probe ===== */

/* {===== Wake-up probe ===== */

struct wake_msg {
    int64_t call_ns; /* the write call's start; -1 ends the probe */
    uint64_t seq;
};

struct wake_ctx {
    const struct lg_opts *o;
    int fd[2];
    uint64_t cap;       /* wake-ups the arrays hold */
    int64_t *call_ns;   /* [cap] the write call's start */
    int64_t *return_ns; /* [cap] the write call's return */
    int64_t *read_ns;   /* [cap] the read's return, 0 if never read */
};

static void *wake_reader(void *arg)
{
    struct wake_ctx *w = arg;
    pin_self(w->o->cpus[1]);
    struct wake_msg m;
    while (read(w->fd[0], &m, sizeof m) == (ssize_t)sizeof m) {
        int64_t now = now_ns();
        if (m.call_ns < 0)
            break;
        w->read_ns[m.seq] = now;
    }
    return NULL;
}

static void wake_print(const char *tag, struct histogram *h)
{
    for (int i = 0; i <= 102; i++) {
        double q = i <= 100 ? i / 100.0 : (i == 101 ? 0.999 : 0.9999);
        printf("%s\t%.4f\t%.0f\n", tag, q, hist_quantile_ns(h, q));
    }
}

static int run_wake(const struct lg_opts *o)
{
    if (o->ncpus != 2)
        die("wake needs --cpus A,B");
    /* idle spacing: --threshold-ns S gives S to 2 S; the default (1000) is
     * read as 200-600 us */
    int64_t lo = o->threshold_ns > 1000 ? o->threshold_ns : 200000;
    int64_t span = o->threshold_ns > 1000 ? o->threshold_ns : 400000;
    struct wake_ctx w = {.o = o};
    int64_t start = now_ns();
    w.cap = (uint64_t)((o->t1 > start ? o->t1 - start : 0) / lo) + 2;
    w.call_ns = calloc(w.cap, sizeof *w.call_ns);
    w.return_ns = calloc(w.cap, sizeof *w.return_ns);
    w.read_ns = calloc(w.cap, sizeof *w.read_ns);
    if (w.call_ns == NULL || w.return_ns == NULL || w.read_ns == NULL)
        die("out of memory for %" PRIu64 " wake-ups", w.cap);
    if (pipe(w.fd) != 0)
        die("pipe: %s", strerror(errno));
    pthread_t tid;
    if (pthread_create(&tid, NULL, wake_reader, &w) != 0)
        die("cannot start the reader");
    pin_self(o->cpus[0]);
    uint64_t x = (uint64_t)o->t0 | 1, n = 0;
    while (now_ns() < o->t1 && n < w.cap) {
        x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        int64_t due = now_ns() + lo + (int64_t)((x >> 33) % (uint64_t)span);
        if (lo < LG_SPIN_MAX_NS)
            while (now_ns() < due) {
            }
        else
            sleep_until(due);
        struct wake_msg m = {.call_ns = now_ns(), .seq = n};
        if (write(w.fd[1], &m, sizeof m) != (ssize_t)sizeof m)
            die("write: %s", strerror(errno));
        w.return_ns[n] = now_ns();
        w.call_ns[n++] = m.call_ns;
    }
    struct wake_msg end = {.call_ns = -1};
    if (write(w.fd[1], &end, sizeof end) != (ssize_t)sizeof end)
        die("write: %s", strerror(errno));
    pthread_join(tid, NULL);
    /* q: write call to read return (everything); r: write return to read
     * return (what the reader waits once the waker's call is over); w: the
     * write call itself (the waker's side, wake-up IPI included) */
    struct histogram from_call, from_return, waker;
    hist_init(&from_call);
    hist_init(&from_return);
    hist_init(&waker);
    for (uint64_t i = 0; i < n; i++) {
        if (w.read_ns[i] == 0 || w.read_ns[i] < o->t0 || w.read_ns[i] >= o->t1)
            continue;
        hist_record(&from_call, w.read_ns[i] - w.call_ns[i]);
        hist_record(&from_return, w.read_ns[i] > w.return_ns[i] ? w.read_ns[i] - w.return_ns[i] : 0);
        hist_record(&waker, w.return_ns[i] - w.call_ns[i]);
    }
    printf("wakeups\t%" PRIu64 "\n", from_call.total);
    wake_print("q", &from_call);
    wake_print("r", &from_return);
    wake_print("w", &waker);
    hist_fini(&from_call);
    hist_fini(&from_return);
    hist_fini(&waker);
    free(w.call_ns);
    free(w.return_ns);
    free(w.read_ns);
    return 0;
}

/* }===== Wake-up probe ===== */

/* {===== IPI probe ===== */

#define LG_IPI_BLOCK_NS INT64_C(50000000)
#define LG_IPI_GAP_NS INT64_C(300)

struct ipi_ctx {
    const struct lg_opts *o;
    int phase; /* 1: the sender is sending IPIs; -1: stop (atomic) */
    struct histogram gaps[2];
    int64_t lost[2], span[2];
    uint64_t calls[2]; /* --land kernel: getppid() calls completed in each kind of block */
    /* the sender's latest membarrier call: its start and a count (atomic);
     * the spinner times the first gap after each call from that start */
    int64_t call_start;
    uint64_t call_seq;
    struct histogram land;
};

static void *ipi_spinner(void *arg)
{
    struct ipi_ctx *x = arg;
    pin_self(x->o->cpus[1]);
    int64_t prev = now_ns();
    uint64_t timed_seq = 0;
    int phase = __atomic_load_n(&x->phase, __ATOMIC_RELAXED);
    bool in_kernel = x->o->ipi_land_kernel;
    while (phase >= 0) {
        if (in_kernel)
            (void)syscall(SYS_getppid);
        int64_t now = now_ns();
        int64_t d = now - prev;
        int cur = __atomic_load_n(&x->phase, __ATOMIC_RELAXED);
        if (in_kernel) {
            if (cur == phase && phase >= 0 && prev >= x->o->t0 && now <= x->o->t1) {
                x->span[phase] += d;
                x->calls[phase]++;
                hist_record(&x->gaps[phase], d);
            }
            phase = cur;
            prev = now;
            continue;
        }
        /* a gap that straddles a block boundary counts in neither */
        if (cur == phase && phase >= 0 && prev >= x->o->t0 && now <= x->o->t1) {
            x->span[phase] += d;
            if (d > LG_IPI_GAP_NS) {
                hist_record(&x->gaps[phase], d);
                x->lost[phase] += d;
                uint64_t seq = __atomic_load_n(&x->call_seq, __ATOMIC_ACQUIRE);
                int64_t c0 = __atomic_load_n(&x->call_start, __ATOMIC_RELAXED);
                if (phase == 1 && seq != timed_seq && prev >= c0) {
                    hist_record(&x->land, prev - c0); /* the IPI stopped this CPU */
                    timed_seq = seq;
                }
            }
        }
        phase = cur;
        prev = now;
    }
    return NULL;
}

/* Busy-waits for the next call of a block that ends at `end`: S to 2 S ns
 * from now (lo = S; r is the probe's random stream). False, without
 * waiting, when that would fall past the end. */
static bool spaced_wait(uint64_t *r, int64_t lo, int64_t end)
{
    *r = *r * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    int64_t due = now_ns() + lo + (int64_t)((*r >> 33) % (uint64_t)lo);
    if (due >= end)
        return false;
    while (now_ns() < due) {
    }
    return true;
}

static int run_ipi(const struct lg_opts *o)
{
    if (o->ncpus != 2 || o->cpus[0] == o->cpus[1])
        die("ipi needs --cpus A,B (two different CPUs)");
    int64_t lo = o->threshold_ns > 1000 ? o->threshold_ns : 50000;
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0)
        die("membarrier(REGISTER_PRIVATE_EXPEDITED): %s (kernel without CONFIG_MEMBARRIER?)",
            strerror(errno));
    struct ipi_ctx x = {.o = o, .phase = 0};
    hist_init(&x.gaps[0]);
    hist_init(&x.gaps[1]);
    hist_init(&x.land);
    struct histogram call;
    hist_init(&call);
    pthread_t tid;
    if (pthread_create(&tid, NULL, ipi_spinner, &x) != 0)
        die("cannot start the spinning thread");
    pin_self(o->cpus[0]);
    sleep_until(o->t0);
    uint64_t r = (uint64_t)o->t0 | 1, ipis = 0;
    for (int64_t block = o->t0; block < o->t1; block += LG_IPI_BLOCK_NS) {
        int phase = (int)(((block - o->t0) / LG_IPI_BLOCK_NS) & 1);
        __atomic_store_n(&x.phase, phase, __ATOMIC_RELAXED);
        int64_t end = block + LG_IPI_BLOCK_NS < o->t1 ? block + LG_IPI_BLOCK_NS : o->t1;
        if (phase == 0) {
            while (now_ns() < end) {
            }
            continue;
        }
        while (spaced_wait(&r, lo, end)) {
            int64_t c0 = now_ns();
            __atomic_store_n(&x.call_start, c0, __ATOMIC_RELAXED);
            __atomic_add_fetch(&x.call_seq, 1, __ATOMIC_RELEASE);
            if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
                die("membarrier(PRIVATE_EXPEDITED): %s", strerror(errno));
            hist_record(&call, now_ns() - c0);
            ipis++;
        }
        while (now_ns() < end) {
        }
    }
    __atomic_store_n(&x.phase, -1, __ATOMIC_RELAXED);
    pthread_join(tid, NULL);
    double f0 = x.span[0] ? (double)x.lost[0] / (double)x.span[0] : 0;
    double f1 = x.span[1] ? (double)x.lost[1] / (double)x.span[1] : 0;
    if (o->ipi_land_kernel && x.span[0] > 0 && x.span[1] > 0 && x.calls[0] > 0) {
        /* lost: the share of the quiet blocks' call rate the IPI blocks miss */
        double r0 = (double)x.calls[0] / (double)x.span[0];
        double r1 = (double)x.calls[1] / (double)x.span[1];
        f0 = 0;
        f1 = 1 - r1 / r0;
        printf("calls_per_s_quiet\t%.1f\ncalls_per_s_ipi\t%.1f\n", r0 * 1e9, r1 * 1e9);
    }
    double ipi_s = x.span[1] ? (double)ipis / ((double)x.span[1] / 1e9) : 0;
    printf("ipis\t%" PRIu64 "\nipis_per_s\t%.1f\nquiet_s\t%.4f\nipi_s\t%.4f\n", ipis, ipi_s,
           (double)x.span[0] / 1e9, (double)x.span[1] / 1e9);
    printf("lost_frac_quiet\t%.6f\nlost_frac_ipi\t%.6f\n", f0, f1);
    printf("recv_ns_per_ipi\t%.1f\n", ipi_s > 0 ? (f1 - f0) / ipi_s * 1e9 : 0.0);
    wake_print("g1", &x.gaps[1]);
    wake_print("g0", &x.gaps[0]);
    wake_print("c", &call);
    wake_print("l", &x.land);
    hist_fini(&x.gaps[0]);
    hist_fini(&x.gaps[1]);
    hist_fini(&x.land);
    hist_fini(&call);
    return 0;
}

/* }===== IPI probe ===== */

/* {===== IPI send probe ===== */

struct kick_ctx {
    const struct lg_opts *o;
    int block;   /* the block kind A asks for (atomic): bit 0 taking, bit 1 kernel; -1 stop */
    int applied; /* the block kind B has set its mask for (atomic) */
    pid_t tid;   /* B's thread id, 0 until it runs (atomic) */
};

static volatile sig_atomic_t g_kick_taken;

static void kick_handler(int sig)
{
    (void)sig;
    g_kick_taken = g_kick_taken + 1;
}

static void *kick_target(void *arg)
{
    struct kick_ctx *x = arg;
    pin_self(x->o->cpus[1]);
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    pthread_sigmask(SIG_BLOCK, &rt, NULL);
    __atomic_store_n(&x->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
    int cur = __atomic_load_n(&x->block, __ATOMIC_ACQUIRE);
    int mask = 0; /* bit 0 set: the signal is open */
    while (cur >= 0) {
        if ((cur & 1) != mask) {
            pthread_sigmask((cur & 1) ? SIG_UNBLOCK : SIG_BLOCK, &rt, NULL);
            mask = cur & 1;
        }
        __atomic_store_n(&x->applied, cur, __ATOMIC_RELEASE);
        if (cur & 2)
            (void)syscall(SYS_getppid);
        else
            (void)now_ns();
        cur = __atomic_load_n(&x->block, __ATOMIC_ACQUIRE);
    }
    return NULL;
}

static int run_kick(const struct lg_opts *o)
{
    if (o->ncpus != 2 || o->cpus[0] == o->cpus[1])
        die("kick needs --cpus A,B (two different CPUs)");
    int64_t lo = o->threshold_ns > 1000 ? o->threshold_ns : 50000;
    struct sigaction sa = {.sa_handler = kick_handler};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGRTMIN, &sa, NULL) != 0)
        die("sigaction: %s", strerror(errno));
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    pthread_sigmask(SIG_BLOCK, &rt, NULL); /* only B ever takes it */
    struct kick_ctx x = {.o = o, .block = 0, .applied = -2};
    struct histogram calls[4]; /* by block kind: bu, ku, bk, kk */
    for (int k = 0; k < 4; k++)
        hist_init(&calls[k]);
    pthread_t tid;
    if (pthread_create(&tid, NULL, kick_target, &x) != 0)
        die("cannot start the target thread");
    pin_self(o->cpus[0]);
    while (__atomic_load_n(&x.tid, __ATOMIC_ACQUIRE) == 0 && now_ns() < o->t1) {
    }
    pid_t pid = getpid(), target = __atomic_load_n(&x.tid, __ATOMIC_ACQUIRE);
    sleep_until(o->t0);
    uint64_t r = (uint64_t)o->t0 | 1, errors = 0;
    for (int64_t b = o->t0; b < o->t1 && target != 0; b += LG_IPI_BLOCK_NS) {
        int kind = (int)(((b - o->t0) / LG_IPI_BLOCK_NS) & 3);
        __atomic_store_n(&x.block, kind, __ATOMIC_RELEASE);
        int64_t end = b + LG_IPI_BLOCK_NS < o->t1 ? b + LG_IPI_BLOCK_NS : o->t1;
        /* B's mask first: a signal sent before it would be of the other kind */
        while (__atomic_load_n(&x.applied, __ATOMIC_ACQUIRE) != kind && now_ns() < end) {
        }
        while (spaced_wait(&r, lo, end)) {
            int64_t c0 = now_ns();
            long rc = syscall(SYS_tgkill, pid, target, SIGRTMIN);
            int64_t d = now_ns() - c0;
            if (rc != 0)
                errors++; /* EAGAIN: RLIMIT_SIGPENDING reached; not a timed send */
            else
                hist_record(&calls[kind], d);
        }
        while (now_ns() < end) {
        }
    }
    __atomic_store_n(&x.block, -1, __ATOMIC_RELEASE);
    pthread_join(tid, NULL);
    if (target == 0)
        die("the target thread did not start before the window's end");
    static const char *const tags[4] = {"bu", "ku", "bk", "kk"};
    double p50[4];
    for (int k = 0; k < 4; k++)
        p50[k] = hist_quantile_ns(&calls[k], 0.5);
    printf("kicks_user\t%" PRIu64 "\nblocked_user\t%" PRIu64 "\n", calls[1].total, calls[0].total);
    printf("kicks_kernel\t%" PRIu64 "\nblocked_kernel\t%" PRIu64 "\n", calls[3].total,
           calls[2].total);
    printf("errors\t%" PRIu64 "\ntaken\t%ld\n", errors, (long)g_kick_taken);
    printf("send_ns_user\t%.0f\nsend_ns_kernel\t%.0f\n", p50[1] - p50[0], p50[3] - p50[2]);
    for (int k = 0; k < 4; k++) {
        wake_print(tags[k], &calls[k]);
        hist_fini(&calls[k]);
    }
    return 0;
}

/* }===== IPI send probe ===== */

/* {===== Remote-queue probe ===== */

/* The receive batches timed, datagrams per call: small enough that the
 * deferred free's kick (one IPI per kernel.skb_defer_max / 2 frees of skbs
 * another CPU allocated) falls in under a quarter of the calls of a cell and
 * leaves its median alone. */
static const unsigned k_remote_batches[] = {1, 2, 3, 4, 6, 8};
#define LG_REMOTE_NBATCH (sizeof k_remote_batches / sizeof k_remote_batches[0])
#define LG_REMOTE_CELLS (2 * LG_REMOTE_NBATCH)

struct remote_ctx {
    int cmd;  /* (atomic) A's order: > 0 send that many to the measured socket, -1 drain, -2 stop */
    int done; /* (atomic) orders A has carried out */
    int send_fd, measured_fd, drain_fd;
    struct sockaddr_in measured;
    unsigned cpu, payload;
    char *buf; /* LG_REMOTE_CHUNK datagrams */
};

/* Datagrams of a call, and one buffer a thread (its content is not read). */
#define LG_REMOTE_CHUNK 64u
#define LG_REMOTE_MAX_PAYLOAD 9000u

static void remote_msgs(struct mmsghdr *m, struct iovec *iov, char *buf, unsigned payload,
                        unsigned k)
{
    memset(m, 0, sizeof m[0] * k);
    for (unsigned i = 0; i < k; i++) {
        iov[i] = (struct iovec){.iov_base = buf + (size_t)i * payload, .iov_len = payload};
        m[i].msg_hdr.msg_iov = &iov[i];
        m[i].msg_hdr.msg_iovlen = 1;
    }
}

static void remote_send(int fd, const struct sockaddr_in *to, char *buf, unsigned payload,
                        unsigned k)
{
    struct mmsghdr m[LG_REMOTE_CHUNK];
    struct iovec iov[LG_REMOTE_CHUNK];
    remote_msgs(m, iov, buf, payload, k);
    for (unsigned i = 0; i < k; i++) {
        m[i].msg_hdr.msg_name = (void *)to;
        m[i].msg_hdr.msg_namelen = sizeof *to;
    }
    if (sendmmsg(fd, m, k, 0) != (int)k)
        die("sendmmsg on loopback: %s", strerror(errno));
}

static int remote_recv(int fd, char *buf, unsigned payload, unsigned k)
{
    struct mmsghdr m[LG_REMOTE_CHUNK];
    struct iovec iov[LG_REMOTE_CHUNK];
    remote_msgs(m, iov, buf, payload, k);
    return recvmmsg(fd, m, k, MSG_DONTWAIT, NULL);
}

/* A's thread: sends what B asks to the measured socket, drains what B sent
 * to the other one. */
static void *remote_producer(void *arg)
{
    struct remote_ctx *x = arg;
    pin_self(x->cpu);
    for (;;) {
        int cmd = __atomic_load_n(&x->cmd, __ATOMIC_ACQUIRE);
        if (cmd == -3) { /* live: one datagram a call, back to back, until told to stop */
            remote_send(x->send_fd, &x->measured, x->buf, x->payload, 1);
            continue;
        }
        if (cmd == 0)
            continue;
        if (cmd == -2)
            break;
        if (cmd > 0)
            remote_send(x->send_fd, &x->measured, x->buf, x->payload, (unsigned)cmd);
        else
            while (remote_recv(x->drain_fd, x->buf, x->payload, LG_REMOTE_CHUNK) > 0) {
            }
        __atomic_store_n(&x->cmd, 0, __ATOMIC_RELAXED);
        __atomic_add_fetch(&x->done, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static int loopback_udp(struct sockaddr_in *bound)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("cannot bind a UDP socket on loopback: %s", strerror(errno));
    if (bound)
        *bound = a;
    return fd;
}

static void remote_order(struct remote_ctx *x, int cmd, int64_t end)
{
    int want = __atomic_load_n(&x->done, __ATOMIC_ACQUIRE) + 1;
    __atomic_store_n(&x->cmd, cmd, __ATOMIC_RELEASE);
    while (__atomic_load_n(&x->done, __ATOMIC_ACQUIRE) != want && now_ns() < end + 1000000000) {
    }
}

static int run_remote(const struct lg_opts *o)
{
    if (o->ncpus != 2 || o->cpus[0] == o->cpus[1])
        die("remote needs --cpus A,B (two different CPUs)");
    int64_t lo = o->threshold_ns > 1000 ? o->threshold_ns : 20000;
    if (o->payload > LG_REMOTE_MAX_PAYLOAD)
        die("remote takes --payload up to %u bytes, got %u", LG_REMOTE_MAX_PAYLOAD, o->payload);
    const unsigned max_ask = LG_REMOTE_CHUNK - k_remote_batches[LG_REMOTE_NBATCH - 1];
    if (o->remote_ask > max_ask)
        die("remote takes --ask up to %u, got %u", max_ask, o->remote_ask);
    struct remote_ctx x = {.cpu = o->cpus[0], .payload = o->payload};
    char *own_buf = calloc(LG_REMOTE_CHUNK, o->payload);
    x.buf = calloc(LG_REMOTE_CHUNK, o->payload);
    if (!own_buf || !x.buf)
        die("out of memory");
    struct sockaddr_in drain;
    x.measured_fd = loopback_udp(&x.measured);
    x.drain_fd = loopback_udp(&drain);
    x.send_fd = loopback_udp(NULL);
    int own_fd = loopback_udp(NULL);
    enum { NK = LG_REMOTE_NBATCH };
    struct histogram calls[2][NK]; /* [remote][batch] */
    uint64_t short_calls = 0;
    for (int m = 0; m < 2; m++)
        for (unsigned i = 0; i < NK; i++)
            hist_init(&calls[m][i]);
    pthread_t tid;
    if (pthread_create(&tid, NULL, remote_producer, &x) != 0)
        die("cannot start the producer thread");
    pin_self(o->cpus[1]);
    sleep_until(o->t0);
    if (o->remote_live)
        __atomic_store_n(&x.cmd, -3, __ATOMIC_RELEASE);
    uint64_t r = (uint64_t)o->t0 | 1;
    while (spaced_wait(&r, lo, o->t1)) {
        unsigned cell = (unsigned)((r >> 40) % LG_REMOTE_CELLS);
        /* live: every call reads what A keeps sending, the queue full (its
         * datagrams beyond the receive buffer dropped) */
        int remote = o->remote_live ? 1 : (int)(cell & 1);
        unsigned bi = cell >> 1, k = k_remote_batches[bi];
        /* B makes the same send call either way, so its kernel path is as
         * warm: to the measured socket itself, or to the one A drains */
        remote_send(own_fd, remote ? &drain : &x.measured, own_buf, o->payload, k);
        if (remote && !o->remote_live)
            remote_order(&x, (int)k, o->t1);
        int64_t c0 = now_ns();
        int got = remote_recv(x.measured_fd, own_buf, o->payload, k + o->remote_ask);
        int64_t d = now_ns() - c0;
        if (got == (int)(k + (o->remote_live ? o->remote_ask : 0)))
            hist_record(&calls[remote][bi], d);
        else
            short_calls++;
        if (o->remote_live)
            continue;
        while (remote_recv(x.measured_fd, own_buf, o->payload, LG_REMOTE_CHUNK) > 0) {
        }
        if (remote)
            remote_order(&x, -1, o->t1);
    }
    __atomic_store_n(&x.cmd, -2, __ATOMIC_RELEASE);
    pthread_join(tid, NULL);
    /* Least squares of the median call against its batch, each placement:
     * the intercept is what a call pays once, the slope what each datagram
     * pays; remote less local is what the producer's CPU adds. */
    double fit[2][2] = {{0, 0}, {0, 0}}, kx[NK], med[NK], cov00, cov01, cov11, sumsq;
    for (unsigned i = 0; i < NK; i++)
        kx[i] = k_remote_batches[i];
    for (int m = o->remote_live ? 1 : 0; m < 2; m++) {
        for (unsigned i = 0; i < NK; i++)
            med[i] = hist_quantile_ns(&calls[m][i], 0.5);
        gsl_fit_linear(kx, 1, med, 1, NK, &fit[m][0], &fit[m][1], &cov00, &cov01, &cov11,
                       &sumsq);
    }
    printf("short_calls\t%" PRIu64 "\n", short_calls);
    if (o->remote_live) {
        printf("call_live_ns\t%.0f\ndatagram_live_ns\t%.0f\n", fit[1][0], fit[1][1]);
    } else {
        printf("call_local_ns\t%.0f\ndatagram_local_ns\t%.0f\n", fit[0][0], fit[0][1]);
        printf("call_remote_ns\t%.0f\ndatagram_remote_ns\t%.0f\n", fit[1][0], fit[1][1]);
        printf("remote_call_ns\t%.0f\nremote_datagram_ns\t%.0f\n", fit[1][0] - fit[0][0],
               fit[1][1] - fit[0][1]);
    }
    static const char *const tags[2][2] = {{"local", "remote"}, {"-", "live"}};
    for (unsigned i = 0; i < NK; i++)
        for (int m = o->remote_live ? 1 : 0; m < 2; m++)
            printf("%s\t%u\t%" PRIu64 "\t%.0f\t%.0f\t%.0f\n", tags[o->remote_live][m],
                   k_remote_batches[i], calls[m][i].total,
                   hist_quantile_ns(&calls[m][i], 0.25), hist_quantile_ns(&calls[m][i], 0.5),
                   hist_quantile_ns(&calls[m][i], 0.75));
    for (int m = 0; m < 2; m++)
        for (unsigned i = 0; i < NK; i++)
            hist_fini(&calls[m][i]);
    close(own_fd);
    close(x.send_fd);
    close(x.drain_fd);
    close(x.measured_fd);
    free(own_buf);
    free(x.buf);
    return 0;
}

/* }===== Remote-queue probe ===== */

/* {===== Ticks probe ===== */

#define LG_TICKS_NPHASES 4u
#define LG_TICKS_BLOCK 256u /* calls between looks at the clock */

static double rusage_ns(struct timeval tv)
{
    return (double)tv.tv_sec * 1e9 + (double)tv.tv_usec * 1e3;
}

static int run_ticks(const struct lg_opts *o)
{
    if (o->ncpus != 1)
        die("ticks needs --cpus C (one CPU)");
    static const size_t bytes[LG_TICKS_NPHASES] = {0, 4096, 65536, 262144};
    static char buf[262144];
    int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    if (zero < 0)
        die("/dev/zero: %s", strerror(errno));
    pin_self(o->cpus[0]);
    int64_t part = (o->t1 - o->t0) / LG_TICKS_NPHASES;
    if (part <= 0)
        die("ticks needs a window");
    sleep_until(o->t0);
    printf("phase_s\t%.3f\n", (double)part / 1e9);
    for (unsigned k = 0; k < LG_TICKS_NPHASES; k++) {
        int64_t end = o->t0 + (int64_t)(k + 1) * part;
        struct rusage a, b;
        uint64_t calls = 0;
        int64_t start = now_ns(), now;
        getrusage(RUSAGE_THREAD, &a);
        do {
            for (unsigned i = 0; i < LG_TICKS_BLOCK; i++) {
                if (bytes[k] == 0)
                    (void)syscall(SYS_getppid);
                else if (read(zero, buf, bytes[k]) != (ssize_t)bytes[k])
                    die("read /dev/zero: %s", strerror(errno));
            }
            calls += LG_TICKS_BLOCK;
            now = now_ns();
        } while (now < end);
        getrusage(RUSAGE_THREAD, &b);
        double user = rusage_ns(b.ru_utime) - rusage_ns(a.ru_utime),
               sys = rusage_ns(b.ru_stime) - rusage_ns(a.ru_stime);
        printf("%zu\t%" PRIu64 "\t%.1f\t%.1f\t%.1f\n", bytes[k], calls,
               (double)(now - start) / (double)calls, user / (double)calls, sys / (double)calls);
    }
    close(zero);
    return 0;
}

/* }===== Ticks probe ===== */

/* {===== Speed probe ===== */

#define LG_SPEED_OPS 20000u
#define LG_CHASE_BYTES (8u << 20)
#define LG_CHASE_STEPS 5000u
#define LG_SYSCALL_OPS 200u

static int run_speed(const struct lg_opts *o)
{
    pin_self(o->cpus[0]);
    /* One random cycle through every slot (Sattolo's shuffle), 64-byte
     * spaced so each step touches its own cache line. */
    size_t n = LG_CHASE_BYTES / 64, stride = 64 / sizeof(uint32_t);
    uint32_t *next = calloc(n * stride, sizeof(uint32_t));
    uint32_t *perm = malloc(n * sizeof(uint32_t));
    if (next == NULL || perm == NULL)
        die("out of memory");
    uint64_t x = (uint64_t)o->t0 | 1;
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    for (size_t i = n - 1; i > 0; i--) {
        x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        size_t j = (size_t)((x >> 33) % i);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        next[(size_t)perm[i] * stride] = perm[(i + 1) % n];
    free(perm);
    struct histogram alu, chase;
    hist_init(&alu);
    hist_init(&chase);
    int64_t mid = o->t0 + (o->t1 - o->t0) / 2;
    sleep_until(o->t0);
    while (now_ns() < mid) {
        int64_t a = now_ns();
        for (unsigned i = 0; i < LG_SPEED_OPS; i++)
            x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        hist_record(&alu, now_ns() - a);
    }
    uint32_t at = 0;
    int64_t third = o->t1 - (o->t1 - mid) / 2;
    while (now_ns() < third) {
        int64_t a = now_ns();
        for (unsigned i = 0; i < LG_CHASE_STEPS; i++)
            at = next[(size_t)at * stride];
        hist_record(&chase, now_ns() - a);
    }
    struct histogram sys;
    hist_init(&sys);
    while (now_ns() < o->t1) {
        int64_t a = now_ns();
        for (unsigned i = 0; i < LG_SYSCALL_OPS; i++)
            syscall(SYS_getppid);
        hist_record(&sys, now_ns() - a);
    }
    /* The results depend on x and at, so neither loop can be optimised away. */
    printf("speed_ns_per_op\t%.4f\nmem_ns_per_load\t%.3f\nsyscall_ns\t%.2f\nsink\t%u\n",
           hist_quantile_ns(&alu, 0.5) / LG_SPEED_OPS,
           hist_quantile_ns(&chase, 0.5) / LG_CHASE_STEPS,
           hist_quantile_ns(&sys, 0.5) / LG_SYSCALL_OPS, (unsigned)((x ^ at) & 1));
    hist_fini(&sys);
    hist_fini(&alu);
    hist_fini(&chase);
    free(next);
    return 0;
}

/* }===== Speed probe ===== */

/* {===== Line probe ===== */

#define LG_LINE_TRIPS 200u

struct line_ctx {
    _Alignas(64) long ping; /* A's line */
    _Alignas(64) long pong; /* B's line */
    _Alignas(64) unsigned cpu;
    int stop;
};

static void *line_echo(void *arg)
{
    struct line_ctx *x = arg;
    pin_self(x->cpu);
    long seen = 0;
    while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
        long v = __atomic_load_n(&x->ping, __ATOMIC_ACQUIRE);
        if (v != seen) {
            seen = v;
            __atomic_store_n(&x->pong, v, __ATOMIC_RELEASE);
        }
    }
    return NULL;
}

static int run_line(const struct lg_opts *o)
{
    if (o->ncpus != 2 || o->cpus[0] == o->cpus[1])
        die("line needs --cpus A,B (two different CPUs)");
    static struct line_ctx x;
    x.cpu = o->cpus[1];
    pthread_t tid;
    if (pthread_create(&tid, NULL, line_echo, &x) != 0)
        die("cannot start the echo thread");
    pin_self(o->cpus[0]);
    struct histogram trips;
    hist_init(&trips);
    sleep_until(o->t0);
    long v = 0;
    while (now_ns() < o->t1) {
        int64_t a = now_ns(), deadline = o->t1 + 1000000;
        for (unsigned i = 0; i < LG_LINE_TRIPS; i++) {
            __atomic_store_n(&x.ping, ++v, __ATOMIC_RELEASE);
            /* a preempted echo thread must not hold A past the window */
            while (__atomic_load_n(&x.pong, __ATOMIC_ACQUIRE) != v && now_ns() < deadline) {
            }
        }
        hist_record(&trips, now_ns() - a);
    }
    __atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
    pthread_join(tid, NULL);
    printf("slices\t%" PRIu64 "\nline_rt_ns\t%.1f\n", trips.total,
           hist_quantile_ns(&trips, 0.5) / LG_LINE_TRIPS);
    hist_fini(&trips);
    return 0;
}

/* }===== Line probe ===== */

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: falconsim-loadgen "
                "send|recv|noise|shared|speed|line|wake|ipi|kick|remote|ticks OPTIONS\n"
                "(started by falconsim measure; see measure/loadgen.c)\n");
        return argc < 2 ? 64 : 0;
    }
    /* Never outlive the harness, never run unbounded. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct lg_opts o;
    parse_args(argc, argv, &o);
    int64_t left = o.stop - now_ns();
    alarm((unsigned)(left > 0 ? left / 1000000000 : 0) + LG_BACKSTOP_S);
    if (strcmp(argv[1], "noise") == 0)
        return run_noise(&o);
    if (strcmp(argv[1], "shared") == 0)
        return run_shared(&o);
    if (strcmp(argv[1], "speed") == 0)
        return run_speed(&o);
    if (strcmp(argv[1], "line") == 0)
        return run_line(&o);
    if (strcmp(argv[1], "wake") == 0)
        return run_wake(&o);
    if (strcmp(argv[1], "ipi") == 0)
        return run_ipi(&o);
    if (strcmp(argv[1], "kick") == 0)
        return run_kick(&o);
    if (strcmp(argv[1], "remote") == 0)
        return run_remote(&o);
    if (strcmp(argv[1], "ticks") == 0)
        return run_ticks(&o);
    enter_netns(o.netns);
    if (strcmp(argv[1], "send") == 0)
        return run_send(&o);
    if (strcmp(argv[1], "recv") == 0)
        return run_recv(&o);
    die("unknown mode %s", argv[1]);
}
