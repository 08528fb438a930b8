/*
 * rng.c: GSL-backed random streams.
 *
 * Generator: gsl_rng_mt19937 (GSL's default and well studied), seeded with
 * a 32-bit value derived from (master seed, stream index) by splitmix64, so
 * neighbouring indices get unrelated seeds. gsl_rng_env_setup() is never
 * called: environment variables must not change a run silently.
 *
 * Lognormal parameters from mean m and coefficient of variation c:
 * sigma^2 = ln(1 + c^2), mu = ln(m) - sigma^2 / 2, so E[X] = m exactly.
 */
#include "rng.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

struct rng {
    gsl_rng *g;
};

uint64_t rng_mix64(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

struct rng *rng_create(uint64_t master_seed, uint64_t stream_index)
{
    struct rng *r = xmalloc(sizeof *r);
    r->g = gsl_rng_alloc(gsl_rng_mt19937);
    if (r->g == NULL) {
        free(r);
        SIM_ASSERT(false && "gsl_rng_alloc failed (out of memory)");
    }
    uint64_t s = rng_mix64(rng_mix64(master_seed) ^ rng_mix64(stream_index + 1));
    unsigned long seed = (unsigned long)(s & 0xffffffffu);
    gsl_rng_set(r->g, seed ? seed : 4357); /* 0 would select mt19937's default seed */
    return r;
}

void rng_destroy(struct rng *r)
{
    if (r == NULL)
        return;
    gsl_rng_free(r->g);
    free(r);
}

double rng_uniform(struct rng *r) { return gsl_rng_uniform(r->g); }

double rng_exponential(struct rng *r, double mean) { return gsl_ran_exponential(r->g, mean); }

double dist_mean_ns(const struct dist *d) { return d->mean_ns; }

double dist_mean_above_ns(const struct dist *d, double x)
{
    double m = d->mean_ns;
    switch (d->kind) {
    case DIST_CONST:
        return m > x ? m : 0;
    case DIST_EXP: /* the integral of t e^(-t/m) / m from x on */
        return m <= 0 ? 0 : x <= 0 ? m : (x + m) * exp(-x / m);
    case DIST_UNIFORM: {
        double lo = fmax(x, d->min_ns), hi = d->max_ns, w = d->max_ns - d->min_ns;
        if (w <= 0)
            return d->min_ns > x ? d->min_ns : 0;
        return hi > lo ? (hi * hi - lo * lo) / (2 * w) : 0;
    }
    case DIST_LOGNORMAL: { /* e^(mu + s^2/2) Phi((mu + s^2 - ln x) / s) */
        if (m <= 0)
            return 0;
        if (x <= 0)
            return m;
        double s2 = log1p(d->cv * d->cv), mu = log(m) - s2 / 2;
        return s2 > 0 ? m * gsl_cdf_ugaussian_P((mu + s2 - log(x)) / sqrt(s2)) : (m > x ? m : 0);
    }
    case DIST_EMPIRICAL: {
        /* the quantile function is linear on each segment: integrate it
         * over the part of each segment whose values pass x */
        double sum = 0;
        for (unsigned i = 0; i + 1 < d->n; i++) {
            double q0 = d->q[i], q1 = d->q[i + 1], v0 = d->v[i], v1 = d->v[i + 1];
            if (q1 <= q0 || v1 <= x)
                continue;
            if (v0 < x) { /* the segment crosses x: start where it does */
                q0 += (q1 - q0) * (x - v0) / (v1 - v0);
                v0 = x;
            }
            sum += (q1 - q0) * (v0 + v1) / 2;
        }
        return sum;
    }
    case DIST_COUNT:
    default:
        SIM_ASSERT(false && "bad distribution kind");
    }
    return 0;
}

/* Inverse transform: u in [0, 1), the segment [q[i], q[i+1]) holding it
 * (binary search, O(log n)), and the value interpolated linearly. Each
 * table point is a quantile of the draws, exactly in the limit. */
static double empirical_draw(const struct dist *d, double u)
{
    unsigned lo = 0, hi = d->n - 1; /* q[lo] <= u < q[hi] */
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (d->q[mid] <= u)
            lo = mid;
        else
            hi = mid;
    }
    double w = d->q[hi] - d->q[lo];
    return w > 0 ? d->v[lo] + (u - d->q[lo]) / w * (d->v[hi] - d->v[lo]) : d->v[lo];
}

sim_ns dist_draw_ns(const struct dist *d, struct rng *r)
{
    double v;
    switch (d->kind) {
    case DIST_CONST:
        return d->mean_ns <= 0 ? 0 : (sim_ns)(d->mean_ns + 0.5);
    case DIST_EXP:
        v = gsl_ran_exponential(r->g, d->mean_ns);
        break;
    case DIST_UNIFORM:
        v = gsl_ran_flat(r->g, d->min_ns, d->max_ns);
        break;
    case DIST_LOGNORMAL: {
        if (d->mean_ns <= 0) {
            v = 0;
            break;
        }
        double s2 = log1p(d->cv * d->cv);
        v = gsl_ran_lognormal(r->g, log(d->mean_ns) - s2 / 2, sqrt(s2));
        break;
    }
    case DIST_EMPIRICAL:
        v = empirical_draw(d, gsl_rng_uniform(r->g));
        break;
    case DIST_COUNT:
    default:
        SIM_ASSERT(false && "bad distribution kind");
    }
    /* v >= 0 here, so adding a half and truncating rounds it (llround is a
     * libm call, measurable on the per-packet path). */
    return v <= 0 ? 0 : (sim_ns)(v + 0.5);
}
