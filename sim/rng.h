/*
 * rng.h: random streams and cost distributions (GSL).
 *
 * Every entity that draws random numbers (each flow's sender, each CPU's
 * stage costs, each application thread) owns its own gsl_rng stream, seeded
 * from the master seed and the stream's index through splitmix64. A stream's
 * draws therefore depend only on its own history: changing the placement
 * policy changes which CPU draws a stage cost, but never a flow's traffic.
 *
 * Constant distributions draw nothing, so a scenario with constant costs
 * consumes randomness only in its traffic.
 */
#ifndef FALCONSIM_RNG_H
#define FALCONSIM_RNG_H

#include "params.h"

struct rng; /* wraps gsl_rng */

/* Stream index ranges, so that streams of different entities never share a seed. */
enum {
    RNG_STREAM_FLOW = 0,           /* + flow index */
    RNG_STREAM_CPU = 1 << 24,      /* + cpu index */
    RNG_STREAM_THREAD = 2 << 24,   /* + thread index */
    RNG_STREAM_TEST = 3 << 24,
    RNG_STREAM_NOISE = 4 << 24,    /* + cpu index: noise draws never move cost draws */
    RNG_STREAM_NOISE_SHARED = 5 << 24, /* noise.shared: the host-wide interruptions */
};

struct rng *rng_create(uint64_t master_seed, uint64_t stream_index);
void rng_destroy(struct rng *r);

double rng_uniform(struct rng *r);               /* [0, 1) */
double rng_exponential(struct rng *r, double mean);

/* A draw in ns, rounded to the nearest integer and never negative. */
sim_ns dist_draw_ns(const struct dist *d, struct rng *r);
double dist_mean_ns(const struct dist *d);
/* E[X; X > x] in ns, the part of the mean that draws longer than x ns make
 * (0 where none can be): what thinning those draws takes from the mean. */
double dist_mean_above_ns(const struct dist *d, double x);

uint64_t rng_mix64(uint64_t x); /* splitmix64 finaliser, also used for flow hashes */

#endif
