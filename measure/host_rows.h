/*
 * host_rows.h: a measured row as a simulator scenario, and the commands that
 * use it: `falconsim predict` (every row simulated from its own columns
 * under a host profile, predicted against measured) and `falconsim fit`
 * (a host profile fitted to selected rows through falconsim calibrate).
 * docs/measure.md, "Fit and predict".
 *
 * A row of falconsim measure's runs.tsv carries its whole set-up: topology,
 * placement, CPU lists of each role, flows, payload, offered rate, send
 * batch and socket buffer. The scenario generated from it puts the sender
 * threads on their CPUs (sender.*), the readers on theirs, the placement's
 * RPS CPUs in the policy, and takes every cost from the profile; nothing is
 * written by hand per row. Rows the model cannot express yet (RPS on the
 * first device only, emulated IRQ CPUs: they need per-device RPS maps) are
 * refused with the file, line and column.
 */
#ifndef FALCONSIM_HOST_ROWS_H
#define FALCONSIM_HOST_ROWS_H

/* Both return a sysexits(3) code; argv[0] is the command's name. */
int host_rows_predict_main(int argc, char **argv);
int host_rows_fit_main(int argc, char **argv);

#endif
