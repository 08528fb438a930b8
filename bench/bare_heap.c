/*
 * bare_heap.c: the data structure's own limit for the hold benchmark. A
 * plain binary min-heap of (time, seq) keys with no handlers, classes or
 * payloads, written only for bench/compare-ns3: falconsim's event set must
 * stay within 1.5x of it (issue 5).
 *   bare_heap N...     prints TSV: name, pending, events per second
 */
#define _POSIX_C_SOURCE 200809L
#include "bench_common.h"

#include <stdio.h>

struct key {
    int64_t t;
    uint64_t seq;
};

static inline int less(const struct key *a, const struct key *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static struct key *h;
static size_t n;

static void push(struct key k)
{
    size_t i = n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(&k, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = k;
}

static struct key pop(void)
{
    struct key top = h[0], last = h[--n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && less(&h[c + 1], &h[c]))
            c++;
        if (!less(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = last;
    return top;
}

int main(int argc, char **argv)
{
    for (int a = 1; a < argc; a++) {
        size_t pending = (size_t)atol(argv[a]);
        double rates[5];
        for (int rep = 0; rep < 5; rep++) {
            h = malloc((pending + 1) * sizeof *h);
            n = 0;
            uint64_t seq = 0;
            for (size_t i = 0; i < pending; i++)
                push((struct key){(int64_t)bench_exp_draw(1000.0), seq++});
            const uint64_t steps = 5000000;
            double t0 = bench_now_s();
            for (uint64_t s = 0; s < steps; s++) {
                struct key k = pop();
                push((struct key){k.t + (int64_t)(bench_exp_draw(1000.0) + 1), seq++});
            }
            rates[rep] = (double)steps / (bench_now_s() - t0);
            free(h);
        }
        printf("bare-binary-heap\t%zu\t%.0f\n", pending, bench_median(rates, 5));
    }
    return 0;
}
