/*
 * params_table.c: the single source of truth for scenario keys.
 *
 * Each row names a key, its type, its bounds, its default (as scenario text,
 * parsed by the same code as the scenario), its unit and one sentence of
 * help with the source of the default. scenario.c walks this table to parse
 * and validate; main.c prints it for --help-keys; docs/scenarios.md is
 * generated from it (falconsim --help-keys=markdown) and checked by a test;
 * h5out.c stores every resolved row in the result file.
 *
 * Default stage costs are 16 B UDP per-stage costs derived from the FALCON
 * paper's Figs. 5, 6, 10 and 11 (docs/references.md; Xeon
 * Silver 4114 at 2.2 GHz), after subtracting the separately modelled
 * cache-line migration (cpu.migrate_ns) and enqueue costs; docs/validation.md
 * gives the arithmetic.
 */
#include "params.h"
#include "policy.h"

#include <stdio.h>
#include <string.h>

const char *const k_dist_names[] = {"constant", "exponential", "uniform", "lognormal",
                                    "empirical", NULL};
const char *const k_stage_names[] = {"nic_rx",    "gro",      "host_l4",   "gro_tunnel",
                                     "outer_l4",  "gro_cell", "container", NULL};
static const char *const k_mode_names[] = {"host", "overlay", NULL};
static const char *const k_proto_names[] = {"udp", "tcp", NULL};
static const char *const k_wl_names[] = {"stream", "rr", "web", NULL};
static const char *const k_arrival_names[] = {"constant", "poisson", NULL};
static const char *const k_ksoftirqd_names[] = {"5.4", "6.5", NULL};
static const char *const k_netrx_names[] = {"5.4", "6.18", NULL};
static const char *const k_wakeup_to_names[] = {"runnable", "read", NULL};
static const char *const k_waker_ipi_names[] = {"folded", "separate", NULL};

#define OFF(field) offsetof(struct sim_params, field)
#define BIG 1e18
#define ROW(k, t, f, lo, hi, nm, d, u, h) {k, t, OFF(f), lo, hi, nm, d, u, h}
#define P_I(k, f, lo, hi, d, u, h) ROW(k, P_INT, f, lo, hi, NULL, d, u, h)
#define P_R(k, f, lo, hi, d, u, h) ROW(k, P_REAL, f, lo, hi, NULL, d, u, h)
#define P_E(k, f, nm, d, h) ROW(k, P_ENUM, f, 0, 0, nm, d, "", h)
#define P_C(k, f, d, h) ROW(k, P_CPUS, f, 0, 0, NULL, d, "cpu ids", h)
#define P_D(k, f, d, h) ROW(k, P_DIST, f, 0, 1e12, NULL, d, "ns", h)
#define P_STAGE(name, idx, def_cost, help)                                                           \
    P_D("stage." name ".cost", stage[idx].cost, def_cost, help),                                     \
        P_R("stage." name ".per_byte_ns", stage[idx].per_byte_ns, 0, 1e6, "0.0", "ns/byte",     \
            "Extra cost per payload byte of the skb at this stage."),                            \
        P_R("stage." name ".per_batch_ns", stage[idx].per_batch_ns, 0, 1e9, "0.0", "ns",        \
            "Extra cost once per NAPI poll that runs this stage (per-batch overhead)."),         \
        P_R("stage." name ".per_message_ns", stage[idx].per_message_ns, 0, 1e9, "0.0", "ns",    \
            "Extra cost once per datagram: on every TCP skb and on a UDP datagram's last IP "  \
            "fragment (non-final fragments stop in a defragmentation queue: the bridge's "      \
            "netfilter hook, the container's IP)."),                                            \
        P_R("stage." name ".tcp_extra_ns", stage[idx].tcp_extra_ns, 0, 1e9, "0.0", "ns",        \
            "Extra cost per skb of a TCP flow (TCP GRO merging, tcp_v4_rcv instead of udp_rcv).")

const struct param_spec k_params[] = {
    /* run */
    P_R("run.duration_ms", run.duration_ms, 0.001, 1e7, "200.0", "ms",
        "Simulated time, warm-up included."),
    P_R("run.warmup_ms", run.warmup_ms, 0, 1e7, "50.0", "ms",
        "Initial period excluded from every steady-state summary (must be < run.duration_ms)."),
    P_I("run.seed", run.seed, 0, 9.2e18, "1", "",
        "Master seed; every random stream is derived from it and its own index."),
    P_I("run.hash_seed", run.hash_seed, 0, 9.2e18, "1", "",
        "Seed of the flows' hashes alone, which decide the RX queue, the RPS CPU and FALCON's "
        "cores of each flow; apart from run.seed, so replications vary the traffic, not the "
        "placement. Sweep it to see or average over hash draws."),
    P_R("run.trace_window_us", run.trace_window_us, 1, 1e9, "1000.0", "us",
        "Width of one window of the /trace time series."),
    P_I("run.sample_every", run.sample_every, 0, 1e12, "0", "messages",
        "Record per-stage CPU and timestamps of every Nth delivered message (0: off)."),
    P_I("run.sample_max", run.sample_max, 0, 1e8, "10000", "records",
        "Most sampled per-packet records kept (memory is reserved at setup)."),
    P_I("run.max_pending_events", run.max_pending_events, 0, 1e9, "0", "events",
        "Event set capacity; 0 sizes it from the scenario (a smaller value than that bound is "
        "refused, naming it; a larger one only reserves memory)."),
    P_R("run.max_memory_mb", run.max_memory_mb, 0, 1e9, "0.0", "MB",
        "Most memory setup may allocate (packet pool, event set, per-flow state, samples, "
        "trace), estimated before anything is allocated; a bigger scenario is refused naming "
        "the keys that drive it. 0: half of this machine's physical memory."),
    /* host */
    P_I("host.cpus", host.cpus, 1, SIM_MAX_CPUS, "8", "cpus",
        "Logical CPUs of the receiving host (the core budget)."),
    /* network */
    P_E("network.mode", network.mode, k_mode_names, "overlay",
        "host: NIC -> IP -> socket; overlay: NIC -> VXLAN -> bridge/veth -> container stack."),
    P_I("network.mtu", network.mtu, 576, 9216, "1500", "bytes",
        "Physical MTU; the overlay's inner MTU is mtu - vxlan_overhead_bytes."),
    P_I("network.vxlan_overhead_bytes", network.vxlan_overhead_bytes, 0, 256, "50", "bytes",
        "Outer Ethernet+IP+UDP+VXLAN headers (vxlan-setup: MTU 1450 = 1500 - 50)."),
    /* nic */
    P_R("nic.link_gbps", nic.link_gbps, 0.001, 10000, "100.0", "Gbit/s",
        "Line rate; each frame occupies the wire for (bytes + 24) * 8 / rate."),
    P_I("nic.rx_queues", nic.rx_queues, 1, 1024, "1", "queues",
        "RX queues; RSS spreads flows over them through a 128-entry indirection table."),
    P_C("nic.irq_cpus", nic.irq_cpus, "[0]",
        "CPU of each RX queue's interrupt (queue q uses irq_cpus[q mod length])."),
    P_I("nic.ring_size", nic.ring_size, 1, 1 << 20, "1024", "descriptors",
        "RX ring per queue; a frame finding it full is a ring drop (mlx5 default 1024)."),
    P_R("nic.coalesce_usecs", nic.coalesce_usecs, 0, 1e6, "8.0", "us",
        "Interrupt moderation delay after the first unsignalled frame (mlx5 DIM start: 8 us)."),
    P_I("nic.coalesce_frames", nic.coalesce_frames, 1, 1 << 20, "128", "frames",
        "Interrupt fires at once when this many frames are unsignalled (mlx5 DIM: 128)."),
    P_R("nic.irq_ns", nic.irq_ns, 0, 1e6, "500.0", "ns",
        "Hardirq cost per NIC interrupt (Homa perf.txt: 400-580 ns to the first handler)."),
    P_I("nic.wire_buffer_bytes", nic.wire_buffer_bytes, 1500, 1e12, "1048576", "bytes",
        "Switch port buffer ahead of the link; frames beyond it are wire drops."),
    /* kernel */
    P_I("kernel.napi_weight", kernel.napi_weight, 1, 65536, "64", "packets",
        "Driver and gro_cell NAPI weight (NAPI_POLL_WEIGHT)."),
    P_I("kernel.dev_weight", kernel.dev_weight, 1, 65536, "64", "packets",
        "Backlog NAPI quota (net.core.dev_weight x dev_weight_rx_bias)."),
    P_I("kernel.netdev_budget", kernel.netdev_budget, 1, 1e6, "300", "packets",
        "Packets per net_rx_action, checked between polls (net.core.netdev_budget)."),
    P_R("kernel.netdev_budget_usecs", kernel.netdev_budget_usecs, 1, 1e7, "2000.0", "us",
        "Time limit of one net_rx_action (2 jiffies at HZ=1000)."),
    P_I("kernel.netdev_max_backlog", kernel.netdev_max_backlog, 1, 1e7, "1000", "packets",
        "Per-CPU backlog and gro_cell queue limit (effective capacity is this + 1)."),
    P_E("kernel.ksoftirqd", kernel.ksoftirqd, k_ksoftirqd_names, "5.4",
        "5.4: a runnable ksoftirqd takes all NET_RX work (4.9-6.4); 6.5: IRQ exit still runs it."),
    P_E("kernel.net_rx_action", kernel.net_rx_action, k_netrx_names, "5.4",
        "5.4: a NAPI scheduled during net_rx_action raises NET_RX and waits for the next "
        "invocation; 6.18: no raise, picked up in the same invocation (8b43fd3d1d7d)."),
    P_I("kernel.max_softirq_restart", kernel.max_softirq_restart, 1, 1000, "10", "rounds",
        "Softirq restarts at IRQ exit before ksoftirqd is woken (MAX_SOFTIRQ_RESTART)."),
    P_R("kernel.max_softirq_time_us", kernel.max_softirq_time_us, 1, 1e7, "2000.0", "us",
        "Softirq time at IRQ exit before ksoftirqd is woken (MAX_SOFTIRQ_TIME)."),
    P_I("kernel.gro_max_bytes", kernel.gro_max_bytes, 1500, 1 << 20, "65536", "bytes",
        "Largest GRO aggregate (GRO_LEGACY_MAX_SIZE)."),
    P_I("kernel.skb_defer_max", kernel.skb_defer_max, 0, 1000000, "0", "skbs",
        "net.core.skb_defer_max (Linux 5.19 and later, where it is 64): a reader that frees an "
        "skb allocated on another CPU queues it there, and that CPU's next net_rx_action frees "
        "the queue; when the queue passes half this many the reader sends it an IPI "
        "(cpu.ipi_send_ns) that raises NET_RX; past this many the reader frees the skb itself "
        "(net/core/skbuff.c skb_attempt_defer_free). 0: off, as in Linux 5.4, the paper's."),
    P_I("kernel.gro_max_flows", kernel.gro_max_flows, 1, 64, "8", "flows",
        "Flows GRO holds per NAPI; the oldest is flushed when one more arrives."),
    P_R("kernel.sched_latency_us", kernel.sched_latency_us, 1, 1e7, "6000.0", "us",
        "CFS period shared by runnable threads of one CPU (sched_latency)."),
    P_I("kernel.hz", kernel.hz, 100, 1000, "250", "1/s",
        "Timer tick rate (CONFIG_HZ; 250 on Ubuntu): the jiffy of FALCON's load sampling."),
    P_R("kernel.sched_min_granularity_us", kernel.sched_min_granularity_us, 1, 1e7, "750.0", "us",
        "Shortest CFS slice (sched_min_granularity)."),
    /* sender */
    P_C("sender.cpus", sender.cpus, "[]",
        "CPUs of sender threads on this host (one per CPU; flow i sent by thread i mod n), as "
        "in the one-host namespace setup of falconsim measure: each datagram pays its send "
        "path on the thread's CPU and enters the receive path by veth's netif_rx, on that "
        "CPU unless RPS on the first device (the policy's rps_receive choice) moves it; "
        "pending softirqs run when its transmit ends (local_bh_enable). UDP streams only; "
        "the NIC, the link and the workload's sender caps are not used. Empty (the "
        "default): off-host senders."),
    P_R("sender.call_ns", sender.call_ns, 0, 1e9, "0.0", "ns",
        "Sender CPU time per send call beside its datagrams (sendmmsg: the system call's entry "
        "and exit, the socket and the message vector; falconsim fit measures it from a batch "
        "sweep, data/hosts/kvm-2vcpu-epyc/batch-sweep: 2.57 us), paid by the first datagram of "
        "each call."),
    P_R("sender.msg_ns", sender.msg_ns, 0, 1e9, "0.0", "ns",
        "Sender CPU time per datagram: the socket's UDP and IP output (the inner headers on "
        "the overlay)."),
    P_R("sender.encap_ns", sender.encap_ns, 0, 1e9, "0.0", "ns",
        "Sender CPU time per datagram on the overlay only: the VXLAN device's transmit "
        "(drivers/net/vxlan/vxlan_core.c vxlan_xmit_one: FDB and route lookups, the outer "
        "UDP and IP headers, udp_tunnel_xmit_skb and the outer ip_local_out); 0 on the host "
        "path. falconsim measure's rows measure it as the overlay's extra snd_sys_us_pp."),
    P_R("sender.byte_ns", sender.byte_ns, 0, 1e6, "0.0", "ns/byte",
        "Sender CPU time per payload byte of a datagram: the copy from user space and what "
        "grows with the skb's size (its allocation, the fragment's page). falconsim "
        "measure's rows measure it as the growth of snd_sys_us_pp with the payload."),
    P_R("sender.frag_ns", sender.frag_ns, 0, 1e9, "0.0", "ns",
        "Sender CPU time per IP fragment (frame): the device transmit, veth_xmit and the "
        "netif_rx enqueue."),
    P_R("sender.spin_us", sender.spin_us, 0, 1e6, "0.0", "us",
        "A sender with nothing due busy-waits for its next paced send when that is at most "
        "this far ahead, as falconsim-loadgen does for gaps up to 200 us: its CPU stays "
        "running (user time; CPU noise at the busy rate, IPIs at the running cost, no idle "
        "exit) instead of going idle. 0 (the default): the sender sleeps between sends."),
    P_I("sender.batch", sender.batch, 1, 1024, "32", "datagrams",
        "Datagrams per send call of one flow when it is flat out (sendmmsg batch); a paced "
        "flow sends what is due at the call's start, up to this many (what comes due while "
        "the call runs goes in the next call)."),
    P_I("sender.sndbuf_bytes", sender.sndbuf_bytes, 0, 1e12, "0", "bytes",
        "The sender socket's send buffer (SO_SNDBUF: net.core.wmem_default unless the sender "
        "sets it). A datagram's skbs count against it (truesize: bytes + "
        "app.skb_overhead_bytes each) from the send until the receive path's first IP layer "
        "(ip_rcv_core orphans the skb; a veth crossing into another namespace keeps the "
        "reference since Linux 4.19, 9c4c325252c5) or a drop. A send that finds it full "
        "blocks the sender thread (sock_alloc_send_pskb) until it is below half "
        "(sock_def_write_space), woken by the CPU that frees it (app.waker_cost_ns, "
        "app.waker_ipi, app.wakeup_latency, as a reader's wake-up). Senders on this host "
        "only (sender.cpus). 0 (the default): no limit."),
    /* noise */
    P_C("noise.cpus", noise.cpus, "[]",
        "CPUs that lose time to interruptions the receive path does not cause: timer ticks, "
        "hypervisor exits and steal, other tasks (falconsim measure's noise probe measures "
        "them). Empty (the default): none. Each interruption takes the CPU at the next step "
        "boundary, like a hardirq, and counts as busy time of category noise."),
    P_D("noise.gap", noise.gap, "0.0",
        "Length of one interruption (the probe's gap_ns; dist = \"empirical\" takes its "
        "quantile table)."),
    P_D("noise.spacing", noise.spacing, "1000000.0",
        "Time from one interruption's start to the next one's (the probe's spacing_ns); at "
        "least 1000 ns on average where noise.cpus is set."),
    P_R("noise.tick_hz", noise.tick_hz, 0, 10000, "0.0", "1/s",
        "Periodic timer interrupts per second on each noise CPU, at a random phase per CPU; "
        "0: none (the measured gaps already hold the ticks of a busy CPU)."),
    P_D("noise.tick", noise.tick, "0.0",
        "Length of one timer interrupt; pending softirqs run at its exit."),
    P_R("noise.idle_share", noise.idle_share, 0, 1, "1.0", "",
        "The rate at which an idle CPU meets the interruptions, as a share of a busy one's: "
        "noise.spacing and the ticks' period count busy time in full and idle time times "
        "this. 1 (the default): all time alike, the model as it was. The probe measures a "
        "busy loop; falconsim measure --noise-cfg derives this share from the wake-up "
        "probe's tail where the directory has one (docs/measure.md)."),
    P_R("noise.idle_knee_us", noise.idle_knee_us, 0, 1e6, "0.0", "us",
        "An interruption longer than this that begins while the CPU is idle is met with "
        "probability (length / knee)^-noise.idle_slope, on top of noise.idle_share: a halted "
        "vCPU is not runnable, and the hypervisor's long preemptions pass it by more often "
        "than its short interrupts do. 0 (the default): every length at the share. The "
        "wake-up probe's tail measures it: falconsim measure --noise-cfg fits share, knee and "
        "slope to it together (docs/measure.md)."),
    P_R("noise.idle_slope", noise.idle_slope, 0, 10, "0.0", "",
        "The power of noise.idle_knee_us's fall-off with the interruption's length; set "
        "with the knee, both above 0, or neither."),
    P_R("noise.stall_from_us", noise.stall_from_us, 0, 1e6, "100.0", "us",
        "Interruptions longer than this are stalls (the hypervisor's preemptions, whose "
        "rate drifts: docs/model.md, \"Noise\"), to which noise.stall_share applies. The "
        "default, 100 us, is where a KVM guest's probe table turns from its body of timer and "
        "host interrupts (8-60 us) into its tail."),
    P_R("noise.stall_share", noise.stall_share, 0, 1, "1.0", "",
        "The share of noise.gap's stalls (longer than noise.stall_from_us) that a CPU meets, "
        "busy or idle: the campaign's rate of stalls against the noise probe's. A probe of "
        "seconds sees a handful of stalls from a rate that moves tenfold between 10 s "
        "windows, so a host profile may fit this from its training rows' latency tails "
        "(docs/measure.md). 1 (the default): every stall the table holds."),
    P_R("noise.shared", noise.shared, 0, 1, "0.0", "",
        "The share of interruptions that stop every CPU in noise.cpus at the same instant "
        "for the same length (a host-wide event: on a KVM guest the host's timer tick and "
        "its work deschedule all vCPUs together); the rest come to each CPU on its own. Each "
        "CPU still meets noise.gap at noise.spacing, busy or at noise.idle_share when idle. "
        "0 (the default): every CPU on its own, the model as it was. falconsim-loadgen "
        "shared measures it (docs/measure.md)."),
    P_R("noise.stall_shared", noise.stall_shared, -1, 1, "-1.0", "",
        "The host-wide share of the stalls (interruptions longer than noise.stall_from_us), "
        "where it differs from the body's: a hypervisor preempts one vCPU's thread, and the "
        "others run on (falconsim-loadgen shared: on a 2-vCPU KVM guest the other vCPU is "
        "stopped for 6-11 % of a stall's time, 3 % by chance). Below 0 (the default): "
        "noise.shared."),
    /* cpu */
    P_D("cpu.ipi_latency", cpu.ipi_latency, "1700.0",
        "IPI send to remote softirq start (Homa perf.txt: 1.7 us on xl170)."),
    P_R("cpu.ipi_send_ns", cpu.ipi_send_ns, 0, 1e6, "200.0", "ns",
        "Sender CPU cost of one IPI (an assumption: no published bare-metal figure; "
        "docs/references.md). Where the target runs, falconsim measure's IPI send probe "
        "measures it on the host itself (falconsim measure --ipi-cfg; on a virtual machine it "
        "is the trapped ICR write, and it changes from guest to guest: docs/measure.md)."),
    P_R("cpu.skb_free_ns", cpu.skb_free_ns, 0, 1e6, "0.0", "ns",
        "CPU time to free one skb an application has read (skb_release_all and the slab "
        "frees): system time of the reader, or, where kernel.skb_defer_max hands the skb "
        "back to the CPU that allocated it, softirq time of that CPU's next net_rx_action "
        "(net/core/dev.c skb_defer_free_flush). 0 (the default): within app.recv_ns, as "
        "fitted to the paper's testbed."),
    P_R("cpu.ipi_send_idle_ns", cpu.ipi_send_idle_ns, -1, 1e6, "-1.0", "ns",
        "Sender CPU cost of an IPI whose target has been idle for at most cpu.idle_poll_us: "
        "on a virtual machine that vCPU is still polled for and takes the interrupt without "
        "a forced exit or a thread's wake-up, where a running vCPU, or one idle past "
        "the polling window, costs cpu.ipi_send_ns (data/hosts/kvm-2vcpu-epyc/ipi-state: "
        "3.7 us against 29.5 us, traced in RPS's own IPIs). -1 (the default): "
        "cpu.ipi_send_ns whatever the target's state. The result ipi_trap_frac counts the "
        "IPIs that paid cpu.ipi_send_ns."),
    P_R("cpu.ipi_trap_leave_ns", cpu.ipi_trap_leave_ns, -1, 1e6, "-1.0", "ns",
        "How far into the sender's cost of a trapped RPS IPI (cpu.ipi_send_ns: a running or "
        "halted target) the interrupt leaves for its target, landing cpu.ipi_latency later "
        "while the sender pays the rest of its trap: on a virtual machine the hypervisor "
        "delivers it before it returns to the sender (data/hosts/kvm-2vcpu-epyc/rps-chain: "
        "it lands about 7 us into a 26 us trap). -1 (the default), or a value past the "
        "cost: at the trap's end. IPIs that do not trap leave at the end of their cost."),
    P_R("cpu.ipi_recv_ns", cpu.ipi_recv_ns, 0, 1e6, "500.0", "ns",
        "Target CPU hardirq cost of one IPI (an assumption: no published bare-metal figure; "
        "docs/references.md)."),
    P_R("cpu.ipi_recv_running_ns", cpu.ipi_recv_running_ns, 0, 1e6, "0.0", "ns",
        "Extra hardirq cost of an IPI that lands on a CPU that is running (not idle): on a "
        "virtual machine the hypervisor must force a running vCPU out to inject the interrupt, "
        "where an idle one takes it on its way out of halt (falconsim-loadgen ipi measures "
        "it; data/hosts/kvm-2vcpu-epyc/ipi-recv: 13 us). 0: none, as on bare metal."),
    P_R("cpu.syscall_return_ns", cpu.syscall_return_ns, 0, 1e9, "0.0", "ns",
        "Of a system call's cost (sender.call_ns, app.call_ns), the part paid when it returns, "
        "after its work: a send call's datagrams and the softirqs its transmits run, a receive "
        "call's last look at its sockets. A datagram queued while a receive call returns waits "
        "for the next call. On a paravirtualized guest it is the trap when the return to user "
        "space re-enables interrupts (data/hosts/kvm-2vcpu-epyc/reader-cost: 0.75-0.82 us of a "
        "0.97 us call). At most each call's cost where senders run on this host (sender.cpus) "
        "or receive calls are charged (app.call_ns > 0). 0 (the default): the whole cost at "
        "the call's entry."),
    P_R("cpu.syscall_return_user_ns", cpu.syscall_return_user_ns, 0, 1e9, "0.0", "ns",
        "Of cpu.syscall_return_ns, the part the CPU's time accounting (/proc/stat, getrusage) "
        "counts as user time, not system time: changes no cost, only the user and system "
        "shares the model reports. On a paravirtualized guest the tick that falls due in the "
        "trapped return is delivered after it, in user mode (falconsim-loadgen ticks; "
        "data/hosts/kvm-2vcpu-epyc/syscall-ticks: about 0.5 us of every call, however long "
        "its work). At most cpu.syscall_return_ns. 0 (the default): all system time."),
    P_R("cpu.enqueue_local_ns", cpu.enqueue_local_ns, 0, 1e6, "20.0", "ns",
        "Enqueue of an skb to a queue of the same CPU (gro_cells_receive, netif_rx)."),
    P_R("cpu.enqueue_remote_ns", cpu.enqueue_remote_ns, 0, 1e6, "100.0", "ns",
        "Enqueue to another CPU's backlog: remote lock and cache lines (c_backlog_enqueue_remote)."),
    P_R("cpu.migrate_ns", cpu.migrate_ns, 0, 1e6, "100.0", "ns",
        "Cache misses paid by a CPU processing an skb last touched by another CPU (~3 lines x 32 ns)."),
    P_R("cpu.idle_poll_us", cpu.idle_poll_us, 0, 1e9, "0.0", "us",
        "How long an idle CPU polls before it halts (the guest's halt-polling window, "
        "guest_halt_poll_ns, or a deep C-state's target residency). A wake-up or an RPS IPI "
        "reaching a CPU idle for longer also waits cpu.idle_exit."),
    P_D("cpu.idle_exit", cpu.idle_exit, "0.0",
        "Extra delay of a wake-up or an RPS IPI that reaches a halted CPU (idle longer than "
        "cpu.idle_poll_us): the idle exit, on a virtual machine an exit to the hypervisor. "
        "0 (the default): none."),
    P_R("cpu.contention", cpu.contention, 0, 1, "0.0", "per core",
        "Growth of a packet step's or a recvmsg's cost for each other CPU busy with packet or "
        "application work when it starts: contention for the last-level cache, memory "
        "bandwidth and shared locks (a step costs 1 + contention x busy others times its own). "
        "0: none (the paper's fit). Fit it from measured runs with more than one busy core."),
    /* stages, in path order */
    P_STAGE("nic_rx", ST_NIC_RX, "250.0",
            "Driver poll and skb allocation per frame (with GRO: 0.50-0.55 us NIC core, 1.4(g))."),
    P_STAGE("gro", ST_GRO, "150.0", "Host GRO attempt per frame (NIC core share, 1.4(g))."),
    P_STAGE("host_l4", ST_HOST_L4, "400.0",
            "Host IP + UDP/TCP + socket enqueue per skb (0.50 us RPS core, 1.4(g), less migrate)."),
    P_STAGE("gro_tunnel", ST_GRO_TUNNEL, "200.0",
            "Overlay GRO through vxlan_gro_receive per frame (0.55 us NIC core, 1.4(g))."),
    P_STAGE("outer_l4", ST_OUTER_L4, "350.0",
            "Outer IP + UDP + vxlan_rcv decap per skb (0.45 us, 1.4(g), less migrate)."),
    P_STAGE("gro_cell", ST_GRO_CELL, "830.0",
            "gro_cell poll + bridge + veth_xmit per skb (0.85 us, 1.4(g), less enqueue)."),
    P_STAGE("container", ST_CONTAINER, "550.0",
            "Container IP + UDP/TCP + socket enqueue + wake-up per skb (0.57 us, 1.4(g))."),
    /* app */
    P_C("app.cpus", app.cpus, "[2]", "CPUs of the application threads."),
    P_I("app.threads", app.threads, 0, 65536, "0", "threads",
        "Application threads, placed round-robin on app.cpus (0: one per app CPU)."),
    P_R("app.user_ns", app.user_ns, 0, 1e9, "150.0", "ns",
        "User-space work per received message (host Fig. 11: usr 29 % at 2.0 Mpps); with "
        "app.call_ns > 0, paid after the call that returned it, before the next call."),
    P_R("app.recv_ns", app.recv_ns, 0, 1e9, "200.0", "ns",
        "recvmsg system-call cost per message, data local (0.5 us app total, 1.4(g))."),
    P_R("app.call_ns", app.call_ns, 0, 1e9, "0.0", "ns",
        "System time per receive call (recvmsg or recvmmsg: the system call's entry and exit), "
        "paid as the reader enters the call, before it looks at its sockets (less "
        "cpu.syscall_return_ns, paid at its return); 0: folded into app.recv_ns, as for the "
        "paper's readers (one recvfrom per message)."),
    P_I("app.batch", app.batch, 1, 1024, "1", "messages",
        "Most datagrams (UDP) or skbs (TCP) one receive call returns: recvmmsg's vlen with "
        "MSG_WAITFORONE, so a call also returns when its thread's sockets are empty. The send "
        "latency (sender.*) of each is taken when its call returns, as falconsim measure's "
        "reader stamps a batch."),
    P_R("app.per_byte_ns", app.per_byte_ns, 0, 1e6, "0.2", "ns/byte",
        "Copy to user per byte (about 5 GB/s per core; Homa perf.txt)."),
    P_R("app.remote_data_ns", app.remote_data_ns, 0, 1e9, "75.0", "ns",
        "Extra recv cost per CPU the skb moved to on its way to the reading thread (loss of "
        "locality; Host: 2 moves)."),
    P_R("app.remote_enqueue_ns", app.remote_enqueue_ns, 0, 1e9, "0.0", "ns",
        "Extra system time per read of an skb that another CPU queued to the socket (its last "
        "stage ran elsewhere): the skb's lines and the socket queue's, its lock and "
        "sk_rmem_alloc, come from that CPU at every datagram, as when the receive path runs "
        "on the sender's CPU and the reader on its own. 0: none, as fitted to the paper's "
        "testbed."),
    P_R("app.remote_splice_ns", app.remote_splice_ns, 0, 1e9, "0.0", "ns",
        "Extra system time of a UDP read that finds its socket's private reader queue empty "
        "and refills it from the receive queue another CPU filled (__skb_recv_udp: "
        "skb_queue_splice_tail_init under sk_receive_queue's lock; udp_rmem_release returns "
        "sk_rmem_alloc when the reader queue runs dry): the queue's lock and sk_rmem_alloc, "
        "last written by the producer, come from its CPU once a refill, not once a datagram "
        "(falconsim-loadgen remote measures both parts; data/hosts/kvm-2vcpu-epyc/"
        "remote-queue). app.remote_enqueue_ns is then the per-datagram part. TCP reads: "
        "none. 0 (the default): none."),
    P_R("app.wake_cost_ns", app.wake_cost_ns, 0, 1e9, "700.0", "ns",
        "System time to block and be scheduled in again, per wake-up (a context switch; "
        "app.idle_wake_ns adds the idle exit when the CPU was idle)."),
    P_R("app.wake_user_ns", app.wake_user_ns, 0, 1e9, "0.0", "ns",
        "User time added to the first read after a wake-up: the reader's code and data went cold "
        "while it slept (app.idle_wake_user_ns adds more after an idle CPU)."),
    P_R("app.idle_wake_ns", app.idle_wake_ns, 0, 1e9, "0.0", "ns",
        "Extra system time of a wake-up that finds the reader's CPU idle: the idle exit (cpuidle, "
        "tick restart, the reschedule IPI), which a wake-up on a busy CPU skips (Fig. 5's readers on "
        "shared cores against Figs. 5 and 11's on their own)."),
    P_R("app.idle_wake_user_ns", app.idle_wake_user_ns, 0, 1e9, "0.0", "ns",
        "Extra user time of the first read after a wake-up on an idle CPU: a deep C-state (C6) "
        "flushes the core's L1 and L2, so the reader's code and data come from L3 or memory."),
    P_R("app.waker_cost_ns", app.waker_cost_ns, 0, 1e9, "0.0", "ns",
        "Softirq time of a socket enqueue that wakes a sleeping reader (sock_def_readable -> "
        "try_to_wake_up; Homa's perf.txt: 0.3 us), charged to the last stage; 0: folded "
        "into that stage's cost."),
    P_E("app.waker_ipi", app.waker_ipi, k_waker_ipi_names, "folded",
        "The IPI a wake-up of a reader on another CPU sends (ttwu_queue_wakelist). folded: "
        "inside app.waker_cost_ns, whatever the CPUs. separate: app.waker_cost_ns is the "
        "wake-up's own work, and a reader on another CPU costs the waker that IPI too, "
        "cpu.ipi_send_ns or, to a CPU idle within cpu.idle_poll_us, cpu.ipi_send_idle_ns; a "
        "reader on the waker's own CPU, none (data/hosts/kvm-2vcpu-epyc/wake-latency: the "
        "waker's write takes 5.74 us to a short-idle CPU, 31.3 us to a halted one)."),
    P_D("app.wakeup_latency", app.wakeup_latency, "1500.0",
        "Delay from the end of the waking softirq step (its app.waker_cost_ns included) to a "
        "sleeping thread becoming runnable (IPI, C1 exit); the kit's probe times it from the "
        "waker's write return (docs/measure.md)."),
    P_E("app.wakeup_latency_to", app.wakeup_latency_to, k_wakeup_to_names, "runnable",
        "What app.wakeup_latency runs to. runnable: the thread becoming runnable, its first "
        "read's costs come after; read: the first read's return, as the kit's probe times it "
        "(the reader's switch-in and the call's return are inside the measured time), so the "
        "thread waits app.wakeup_latency less app.wake_cost_ns and the call's return "
        "(cpu.syscall_return_ns where app.call_ns > 0), at least 0."),
    P_I("app.rcvbuf_bytes", app.rcvbuf_bytes, 1024, 1e12, "212992", "bytes",
        "Socket receive buffer (net.core.rmem_default); a full socket drops (UDP)."),
    P_I("app.skb_overhead_bytes", app.skb_overhead_bytes, 0, 1e6, "768", "bytes",
        "Truesize overhead charged to the receive buffer per queued skb."),
    P_D("app.service", app.service, "2000.0",
        "Server work per request (request/response workloads), user time."),
    P_R("app.response_tx_ns", app.response_tx_ns, 0, 1e9, "2000.0", "ns",
        "System time to send one response (TX path, not modelled in detail)."),
    P_R("app.migrate_at_ms", app.migrate_at_ms, 0, 1e7, "0.0", "ms",
        "If > 0, every application thread moves to app.migrate_cpus at this time."),
    P_C("app.migrate_cpus", app.migrate_cpus, "[]",
        "Destination CPUs of the migration (thread i goes to migrate_cpus[i mod length])."),
    /* workload */
    P_E("workload.type", workload.type, k_wl_names, "stream",
        "stream: open-loop UDP or window-limited TCP senders; rr: request/response clients; web: "
        "a multi-tier proxy (each request fans out to cache and database containers)."),
    P_E("workload.protocol", workload.protocol, k_proto_names, "udp", "Transport of every flow."),
    P_I("workload.flows", workload.flows, 1, 1e6, "1", "flows",
        "Stream flows (rr: ignored; flows = clients x connections)."),
    P_I("workload.message_bytes", workload.message_bytes, 1, 1 << 26, "16", "bytes",
        "Application message size (sockperf message size)."),
    P_R("workload.rate_pps", workload.rate_pps, 0, 1e10, "0.0", "messages/s",
        "Offered rate per flow; 0 = as fast as the sender (cap or link) allows."),
    P_E("workload.arrival", workload.arrival, k_arrival_names, "constant",
        "Inter-send times of a rate-limited flow."),
    P_I("workload.burst", workload.burst, 1, 1024, "1", "messages",
        "Messages a rate-limited flow releases at once, every burst / rate seconds on average: "
        "a rate limiter that releases a burst per interval, as sockperf-style pacing and "
        "falconsim measure's --paced-batch do. 1: one at a time."),
    P_R("workload.sender_cap_pps", workload.sender_cap_pps, 0, 1e10, "0.0", "messages/s",
        "Fastest a flow's sender can go (sockperf clients); 0 = link rate only."),
    P_R("workload.overlay_sender_cap_pps", workload.overlay_sender_cap_pps, 0, 1e10, "0.0",
        "messages/s",
        "Sender cap when network.mode = overlay (clients in containers pay their own overlay "
        "transmit path); 0 = workload.sender_cap_pps."),
    P_R("workload.overlay_sender_cap_fps", workload.overlay_sender_cap_fps, 0, 1e10, "0.0",
        "frames/s",
        "Frames per second a containerised UDP client's overlay transmit path can send (each IP "
        "fragment crosses it; TCP is segmented after it); 0 = none."),
    P_R("workload.overlay_sender_msg_ns", workload.overlay_sender_msg_ns, 0, 1e9, "0.0", "ns",
        "Time per datagram of that transmit path besides its fragments (system call, UDP, "
        "fragmentation), paid with workload.overlay_sender_cap_fps: a client sends at most "
        "1 / (msg_ns + fragments / cap_fps) datagrams/s; 0 = none."),
    P_R("workload.sender_cap_gbps", workload.sender_cap_gbps, 0, 1e5, "0.0", "Gbit/s",
        "Payload rate a flow's sender can sustain (copy and segmentation cost of large "
        "messages); 0 = none."),
    P_I("workload.hotspot_flow", workload.hotspot_flow, -1, 1e6, "-1", "flow id",
        "Stream flow whose rate changes at workload.hotspot_at_ms (-1: none; Fig. 16)."),
    P_R("workload.hotspot_at_ms", workload.hotspot_at_ms, 0, 1e7, "0.0", "ms",
        "When the hotspot flow switches to workload.hotspot_rate_pps."),
    P_R("workload.hotspot_rate_pps", workload.hotspot_rate_pps, 0, 1e10, "0.0", "messages/s",
        "The hotspot flow's offered rate from then on (its sender caps still apply)."),
    P_I("workload.dst_port", workload.dst_port, 1, 65535, "11111", "port",
        "Destination (container) port of every flow but the probes (sockperf's default server "
        "port); a priority policy may classify by it."),
    P_I("workload.probe_flows", workload.probe_flows, 0, 1000, "0", "flows",
        "Latency-probe stream flows added after workload.flows, with their own rate, size and "
        "port: the latency-critical class (PRISM's high-priority flow). Their throughput and "
        "latency are reported apart (probe_* in /summary, /trace), the rest as bulk_*."),
    P_R("workload.probe_rate_pps", workload.probe_rate_pps, 0, 1e10, "1000.0", "messages/s",
        "Offered rate of each probe flow (PRISM's evaluation: 1000)."),
    P_I("workload.probe_message_bytes", workload.probe_message_bytes, 1, 1 << 26, "16", "bytes",
        "Message size of the probe flows."),
    P_I("workload.probe_dst_port", workload.probe_dst_port, 1, 65535, "11112", "port",
        "Destination port of the probe flows."),
    P_I("workload.tcp_window_bytes", workload.tcp_window_bytes, 1500, 1e10, "4194304", "bytes",
        "TCP: bytes in flight before the sender waits for the receiver to consume."),
    P_R("workload.ack_delay_us", workload.ack_delay_us, 0, 1e7, "20.0", "us",
        "TCP: delay from consumption to the sender seeing the window open (half an RTT)."),
    P_R("workload.rto_us", workload.rto_us, 1, 1e9, "1000.0", "us",
        "TCP: a dropped segment's window credit returns (and the data is resent) after this."),
    P_I("workload.clients", workload.clients, 1, 1e5, "1", "clients",
        "rr: client threads (CloudSuite data-caching clients)."),
    P_I("workload.connections", workload.connections, 1, 1e5, "100", "per client",
        "rr: connections per client; each is a flow with its own hash."),
    P_I("workload.outstanding", workload.outstanding, 1, 1e5, "1", "requests",
        "rr: requests in flight per connection."),
    P_I("workload.request_bytes", workload.request_bytes, 1, 1 << 20, "100", "bytes",
        "rr: request size."),
    P_I("workload.response_bytes", workload.response_bytes, 1, 1 << 26, "550", "bytes",
        "rr: response size (CloudSuite: 550 B values)."),
    P_R("workload.net_delay_us", workload.net_delay_us, 0, 1e7, "10.0", "us",
        "rr: one-way client-side delay (client stack + wire), each direction."),
    P_R("workload.think_us", workload.think_us, 0, 1e9, "0.0", "us",
        "rr: client pause between a response and the next request on a connection."),
    P_R("workload.response_limit_ms", workload.response_limit_ms, 0.001, 1e7, "10.0", "ms",
        "rr/web: an operation succeeds when its round trip is within this limit."),
    P_I("workload.cache_calls", workload.cache_calls, 0, 64, "2", "calls",
        "web: requests to the cache tier per operation, sent in parallel."),
    P_I("workload.db_calls", workload.db_calls, 0, 64, "1", "calls",
        "web: requests to the database tier per operation, sent in parallel."),
    P_I("workload.cache_bytes", workload.cache_bytes, 1, 1 << 26, "550", "bytes",
        "web: size of a cache response arriving over the overlay."),
    P_I("workload.db_bytes", workload.db_bytes, 1, 1 << 26, "2048", "bytes",
        "web: size of a database response arriving over the overlay."),
    P_D("workload.cache_delay", workload.cache_delay, "100000.0",
        "web: from the call to its response reaching the link (network + cache service)."),
    P_D("workload.db_delay", workload.db_delay, "1000000.0",
        "web: from the call to its response reaching the link (network + database query)."),
    /* policy */
    P_E("policy.name", policy.name, (const char *const *)k_policy_names, "rps",
        "Placement policy, a name in the registry (falconsim --help-keys lists each one's keys; "
        "docs/policies.md)."),
};

const size_t k_params_count = SIM_ARRAY_LEN(k_params);

const struct param_spec *params_find(const char *key)
{
    for (size_t i = 0; i < k_params_count; i++)
        if (strcmp(k_params[i].key, key) == 0)
            return &k_params[i];
    for (unsigned id = 0; id < policy_count(); id++) {
        const struct placement_policy_ops *ops = policy_at(id);
        for (size_t k = 0; k < ops->nkeys; k++)
            if (strcmp(ops->keys[k].key, key) == 0)
                return &ops->keys[k];
    }
    return NULL;
}

const struct param_spec *params_run_key(const struct sim_params *p, size_t i)
{
    if (i < k_params_count)
        return &k_params[i];
    const struct placement_policy_ops *ops = policy_of(p);
    i -= k_params_count;
    return i < ops->nkeys ? &ops->keys[i] : NULL;
}

const struct param_spec *params_run_find(const struct sim_params *p, const char *key)
{
    const struct param_spec *spec;
    for (size_t i = 0; (spec = params_run_key(p, i)) != NULL; i++)
        if (strcmp(spec->key, key) == 0)
            return spec;
    return NULL;
}

/* A real as scenario text that reads back to the same double, always with
 * a '.' or an exponent, so libconfig never takes it for an integer (it
 * truncates integers above 2^31 without an L suffix). */
static const char *real_text(char out[40], double v)
{
    sim_format_number(out, 38, v, false);
    if (strpbrk(out, ".eEn") == NULL) /* n: nan, inf */
        strcat(out, ".0");
    return out;
}

void params_format_value(const struct param_spec *spec, const struct sim_params *p, char *buf,
                         size_t len)
{
    const char *base = (const char *)p + spec->offset;
    char r1[40], r2[40];
    switch (spec->type) {
    case P_INT:
        snprintf(buf, len, "%lld", (long long)*(const int64_t *)(const void *)base);
        break;
    case P_REAL:
        snprintf(buf, len, "%s", real_text(r1, *(const double *)(const void *)base));
        break;
    case P_BOOL:
        snprintf(buf, len, "%s", *(const bool *)(const void *)base ? "true" : "false");
        break;
    case P_ENUM:
        snprintf(buf, len, "\"%s\"", spec->names[*(const int *)(const void *)base]);
        break;
    case P_CPUS: {
        const struct cpu_list *l = (const struct cpu_list *)(const void *)base;
        size_t o = (size_t)snprintf(buf, len, "[");
        for (unsigned i = 0; i < l->n && o < len; i++)
            o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? ", " : "", l->cpu[i]);
        if (o < len)
            snprintf(buf + o, len - o, "]");
        break;
    }
    case P_DIST: {
        const struct dist *d = (const struct dist *)(const void *)base;
        switch (d->kind) {
        case DIST_CONST:
            snprintf(buf, len, "%s", real_text(r1, d->mean_ns));
            break;
        case DIST_EXP:
            snprintf(buf, len, "{ dist = \"exponential\"; mean_ns = %s; }", real_text(r1, d->mean_ns));
            break;
        case DIST_UNIFORM:
            snprintf(buf, len, "{ dist = \"uniform\"; min_ns = %s; max_ns = %s; }",
                     real_text(r1, d->min_ns), real_text(r2, d->max_ns));
            break;
        case DIST_LOGNORMAL:
            snprintf(buf, len, "{ dist = \"lognormal\"; mean_ns = %s; cv = %s; }",
                     real_text(r1, d->mean_ns), real_text(r2, d->cv));
            break;
        case DIST_EMPIRICAL: {
            size_t o = (size_t)snprintf(buf, len, "{ dist = \"empirical\"; quantiles = [");
            for (unsigned i = 0; i < d->n && o < len; i++)
                o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
                                      real_text(r1, d->q[i]));
            if (o < len)
                o += (size_t)snprintf(buf + o, len - o, "]; values_ns = [");
            for (unsigned i = 0; i < d->n && o < len; i++)
                o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
                                      real_text(r1, d->v[i]));
            if (o < len)
                snprintf(buf + o, len - o, "]; }");
            break;
        }
        case DIST_COUNT:
            SIM_ASSERT(0);
        }
        break;
    }
    }
}
