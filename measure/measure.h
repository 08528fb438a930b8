/*
 * measure.h: `falconsim measure`, the real-host measurement kit
 * (docs/measure.md). It builds the overlay of a container host from network
 * namespaces on this machine, drives UDP through it with falconsim-loadgen,
 * samples the kernel's counters over each window, and writes one TSV row per
 * run, an environment file and the CPUs' noise distribution.
 */
#ifndef FALCONSIM_MEASURE_H
#define FALCONSIM_MEASURE_H

/* falconsim-loadgen's reader: one recvmmsg takes up to this many datagrams
 * (MSG_WAITFORONE: it returns when the socket is empty after the first) and
 * stamps them all with the clock read after it returns; a row's scenario
 * sets app.batch to it (host_rows.c). */
#define MEASURE_RECV_BATCH 64

/* falconsim-loadgen's paced sender busy-waits gaps up to this many ns
 * rather than sleeping, so no timer wake-up lands on a CPU that may run the
 * receive path; a row's scenario sets sender.spin_us to it (host_rows.c). */
#define MEASURE_SPIN_MAX_NS 200000

/* Runs the command (argv[0] is "measure"); returns a sysexits(3) code, or
 * 128 + the signal that interrupted it. May be called once per process: it
 * installs signal handlers. */
int measure_main(int argc, char **argv);

/* One line on stderr, "falconsim CMD: ..." (the kit's commands' messages). */
void measure_msg(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
