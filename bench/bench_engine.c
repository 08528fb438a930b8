/*
 * bench_engine.c: hold-model benchmark of the event set. N events pending;
 * each step pops the earliest and pushes one at now + Exp(mean). Prints
 * TSV: name, pending, events per second (median of 5 runs).
 *   bench_engine [N ...]     default N = 1000 100000 1000000
 * Issue 5 compares this against ns-3's schedulers (bench/compare-ns3).
 */
#include "bench_common.h"
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct hold {
    struct engine *e;
    uint64_t left;
};

static void on_event(void *ctx, uint32_t obj, uint64_t arg)
{
    struct hold *h = ctx;
    (void)obj;
    (void)arg;
    if (h->left == 0) {
        engine_stop(h->e);
        return;
    }
    h->left--;
    engine_schedule(h->e, engine_now(h->e) + (sim_ns)(bench_exp_draw(1000.0) + 1), 0, 0, 0);
}

int main(int argc, char **argv)
{
    long sizes[16] = {1000, 100000, 1000000};
    int nsizes = 3;
    if (argc > 1) {
        nsizes = 0;
        for (int i = 1; i < argc && nsizes < 16; i++)
            sizes[nsizes++] = atol(argv[i]);
    }
    printf("name\tpending\tevents_per_s\n");
    for (int s = 0; s < nsizes; s++) {
        double rates[5];
        for (int rep = 0; rep < 5; rep++) {
            struct sim_err err;
            struct hold h = {engine_create((size_t)sizes[s] + 16, "bench", &err), 0};
            engine_register(h.e, 0, 0, on_event, &h);
            for (long i = 0; i < sizes[s]; i++)
                engine_schedule(h.e, (sim_ns)bench_exp_draw(1000.0), 0, 0, 0);
            uint64_t steps = 5000000;
            h.left = steps;
            double t0 = bench_now_s();
            engine_run(h.e, SIM_NS_MAX - 1);
            double t1 = bench_now_s();
            rates[rep] = (double)steps / (t1 - t0);
            engine_destroy(h.e);
        }
        printf("falconsim\t%ld\t%.0f\n", sizes[s], bench_median(rates, 5));
        fflush(stdout);
    }
    return 0;
}
