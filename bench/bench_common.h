/*
 * bench_common.h: what every hold benchmark shares, so that they measure
 * their event sets and nothing else: the same xorshift64* exponential draws
 * (bench/ns3_hold.cc carries a C++ copy), a monotonic clock and the median.
 */
#ifndef FALCONSIM_BENCH_COMMON_H
#define FALCONSIM_BENCH_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static uint64_t bench_rs = 88172645463325252ULL;

static inline double bench_exp_draw(double mean)
{
    bench_rs ^= bench_rs >> 12;
    bench_rs ^= bench_rs << 25;
    bench_rs ^= bench_rs >> 27;
    double u = (double)((bench_rs * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
    return -mean * log(1 - u);
}

static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of n (odd) values; sorts them. */
static inline double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, bench_cmp_double);
    return v[n / 2];
}

#endif
