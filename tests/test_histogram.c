/*
 * test_histogram.c: quantiles within the documented 1 % of exact ones.
 */
#include "check.h"
#include "histogram.h"
#include "rng.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>

static void test_against_exact(void)
{
    struct histogram h;
    hist_init(&h);
    enum { N = 200000 };
    double *v = malloc(N * sizeof *v);
    struct rng *r = rng_create(3, RNG_STREAM_TEST);
    struct dist d = {.kind = DIST_LOGNORMAL, .mean_ns = 20000, .cv = 2.0};
    for (int i = 0; i < N; i++) {
        sim_ns x = dist_draw_ns(&d, r);
        v[i] = (double)x;
        hist_record(&h, x);
    }
    gsl_sort(v, 1, N);
    const double qs[] = {0.5, 0.9, 0.99, 0.999, 0.9999};
    double got[5];
    hist_quantiles_ns(&h, qs, 5, got);
    for (int i = 0; i < 5; i++) {
        /* nearest rank, as the histogram defines it */
        double exact = v[(size_t)ceil(qs[i] * N) - 1];
        CHECK_REL(hist_quantile_ns(&h, qs[i]), exact, 0.01);
        CHECK_REL(got[i], exact, 0.01);
    }
    CHECK_REL(hist_mean_ns(&h), gsl_stats_mean(v, 1, N), 1e-9);
    CHECK_EQ_I64(h.total, N);
    free(v);
    rng_destroy(r);
    hist_fini(&h);
}

static void test_small_values_exact(void)
{
    struct histogram h;
    hist_init(&h);
    for (int i = 0; i < 100; i++)
        hist_record(&h, i);
    CHECK_NEAR(hist_quantile_ns(&h, 0.5), 49, 0);
    CHECK_NEAR(hist_quantile_ns(&h, 1.0), 99, 0);
    hist_reset(&h);
    CHECK_EQ_I64(h.total, 0);
    CHECK_NEAR(hist_quantile_ns(&h, 0.5), 0, 0);
    hist_fini(&h);
}

static void test_bucket_ranges(void)
{
    /* Every bucket's range contains the values that map to it. */
    const sim_ns probes[] = {0, 1, 127, 128, 129, 255, 256, 1000, 65535, 1000000, 123456789};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        double lo, w;
        hist_bucket_range(hist_index(probes[i]), &lo, &w);
        CHECK_TRUE((double)probes[i] >= lo && (double)probes[i] < lo + w);
        CHECK_TRUE(w <= 1 || w / lo <= 1.0 / 128 + 1e-12);
    }
}

/* Sparse mode answers exactly as dense mode, below and above its list size. */
static void test_sparse_matches_dense(void)
{
    struct rng *r = rng_create(5, RNG_STREAM_TEST);
    struct dist d = {.kind = DIST_EXP, .mean_ns = 5000};
    const double qs[] = {0.5, 0.99, 0.999};
    for (int n = 1; n <= 4000; n *= 4) {
        struct histogram a, b;
        hist_init(&a);
        hist_init_sparse(&b);
        for (int round = 0; round < 2; round++) { /* the second round follows a reset */
            for (int i = 0; i < n; i++) {
                sim_ns x = dist_draw_ns(&d, r);
                hist_record(&a, x);
                hist_record(&b, x);
            }
            double va[3], vb[3];
            hist_quantiles_ns(&a, qs, 3, va);
            hist_quantiles_ns(&b, qs, 3, vb);
            for (int k = 0; k < 3; k++)
                CHECK_NEAR(va[k], vb[k], 0);
            if (n <= 16)
                CHECK_TRUE(!b.dense); /* few samples: the list holds every bucket */
            if (n >= 1024)
                CHECK_TRUE(b.dense);  /* exponential samples fill far more than 64 buckets */
            hist_reset(&a);
            hist_reset(&b);
            for (unsigned i = 0; i < HIST_BUCKETS; i++)
                if (b.counts[i] != 0) {
                    CHECK_TRUE(false && "reset left a count");
                    break;
                }
        }
        hist_fini(&a);
        hist_fini(&b);
    }
    rng_destroy(r);
}

int main(void)
{
    test_sparse_matches_dense();
    test_against_exact();
    test_small_values_exact();
    test_bucket_ranges();
    return check_report("test_histogram");
}
