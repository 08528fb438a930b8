/*
 * histogram.c: see histogram.h for the bucketing and its error bound.
 */
#include "histogram.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hist_init(struct histogram *h)
{
    memset(h, 0, sizeof *h);
    h->counts = xcalloc(HIST_BUCKETS, sizeof *h->counts);
    h->min_ns = SIM_NS_MAX;
}

void hist_init_sparse(struct histogram *h)
{
    hist_init(h);
    h->used = xcalloc(HIST_SPARSE_MAX, sizeof *h->used);
}

void hist_fini(struct histogram *h)
{
    if (h == NULL)
        return;
    free(h->counts);
    free(h->used);
    h->counts = NULL;
    h->used = NULL;
}

void hist_reset(struct histogram *h)
{
    if (h->used != NULL && !h->dense) {
        for (uint32_t k = 0; k < h->nused; k++)
            h->counts[h->used[k]] = 0;
    } else {
        memset(h->counts, 0, HIST_BUCKETS * sizeof *h->counts);
    }
    h->nused = 0;
    h->dense = false;
    h->total = h->overflow = 0;
    h->sum_ns = 0;
    h->min_ns = SIM_NS_MAX;
    h->max_ns = 0;
}

void hist_merge(struct histogram *dst, const struct histogram *src)
{
    for (unsigned i = 0; i < HIST_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
    dst->total += src->total;
    dst->overflow += src->overflow;
    dst->sum_ns += src->sum_ns;
    if (src->min_ns < dst->min_ns)
        dst->min_ns = src->min_ns;
    if (src->max_ns > dst->max_ns)
        dst->max_ns = src->max_ns;
}

void hist_bucket_range(unsigned i, double *lo, double *width)
{
    if (i < HIST_SUB) {
        *lo = i;
        *width = 1;
        return;
    }
    unsigned e = i / HIST_SUB - 1 + HIST_SUB_BITS;
    unsigned sub = i % HIST_SUB;
    double w = ldexp(1.0, (int)(e - HIST_SUB_BITS));
    *lo = ldexp(1.0, (int)e) + sub * w;
    *width = w;
}

double hist_quantile_ns(const struct histogram *h, double q)
{
    if (h->total == 0)
        return 0;
    if (q <= 0)
        return (double)h->min_ns;
    if (q >= 1)
        return (double)h->max_ns;
    uint64_t rank = (uint64_t)ceil(q * (double)h->total);
    if (rank == 0)
        rank = 1;
    uint64_t cum = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        cum += h->counts[i];
        if (cum >= rank) {
            double lo, w;
            hist_bucket_range(i, &lo, &w);
            if (w == 1)
                return lo;
            double mid = lo + w / 2;
            /* Never report outside the observed range. */
            if (mid < (double)h->min_ns)
                mid = (double)h->min_ns;
            if (mid > (double)h->max_ns)
                mid = (double)h->max_ns;
            return mid;
        }
    }
    return (double)h->max_ns;
}

double hist_mean_ns(const struct histogram *h)
{
    return h->total ? h->sum_ns / (double)h->total : 0;
}

static void sort_u16(uint16_t *a, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint16_t v = a[i];
        uint32_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* O(buckets), or O(used^2) with a short used-bucket list (sparse mode). */
void hist_quantiles_ns(const struct histogram *h, const double *q, unsigned n, double *out)
{
    unsigned k = 0;
    if (h->total == 0) {
        for (unsigned j = 0; j < n; j++)
            out[j] = 0;
        return;
    }
    bool sparse = h->used != NULL && !h->dense;
    uint32_t nb = sparse ? h->nused : HIST_BUCKETS;
    if (sparse)
        sort_u16(h->used, h->nused); /* order only; the set is unchanged */
    uint64_t cum = 0;
    for (unsigned j = 0; j < nb && k < n; j++) {
        unsigned i = sparse ? h->used[j] : j;
        cum += h->counts[i];
        while (k < n) {
            uint64_t rank = (uint64_t)ceil(q[k] * (double)h->total);
            if (rank == 0)
                rank = 1;
            if (cum < rank)
                break;
            double lo, w;
            hist_bucket_range(i, &lo, &w);
            double v = w == 1 ? lo : lo + w / 2;
            if (v < (double)h->min_ns)
                v = (double)h->min_ns;
            if (v > (double)h->max_ns)
                v = (double)h->max_ns;
            out[k++] = v;
        }
    }
    for (; k < n; k++)
        out[k] = (double)h->max_ns;
}
