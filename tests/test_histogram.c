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

int main(void)
{
    test_against_exact();
    test_small_values_exact();
    test_bucket_ranges();
    return check_report("test_histogram");
}
