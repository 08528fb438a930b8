/*
 * parallel.h: a loop over independent runs spread over threads.
 *
 * The fit's evaluations (calibrate.c) and the stalls' scan (measure/host_rows.c)
 * each run many simulations that share nothing: every run has its own seed
 * and writes its own slots, so the result does not depend on which thread
 * takes which run, nor on their order. Threads take the next index from an
 * atomic counter; the first failure is kept, with its message, and the
 * others stop at their next index.
 */
#ifndef FALCONSIM_PARALLEL_H
#define FALCONSIM_PARALLEL_H

#include "sim_base.h"

/* One index of the loop: SIM_OK, or a status with its message in err. */
typedef int (*parallel_body)(void *ctx, size_t i, struct sim_err *err);

/* Runs body(ctx, i, err) for every i in 0..n-1 on up to `jobs` threads, the
 * caller's among them (fewer where a thread cannot start). Returns SIM_OK,
 * or the first failure's status with its message in err. */
int parallel_for(size_t n, unsigned jobs, parallel_body body, void *ctx, struct sim_err *err);

#endif
