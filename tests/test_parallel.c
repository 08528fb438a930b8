/*
 * test_parallel.c: parallel_for takes every index exactly once, on one
 * thread or many, and a failure stops the loop with the first failure's
 * status and message.
 */
#include "check.h"
#include "parallel.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 100000 };

struct counts {
    atomic_uint seen[N];
    atomic_size_t calls;
    size_t fail_at; /* the index that fails, or N */
};

static int count_body(void *ctx, size_t i, struct sim_err *err)
{
    struct counts *c = ctx;
    atomic_fetch_add(&c->calls, 1);
    atomic_fetch_add(&c->seen[i], 1);
    if (i == c->fail_at)
        return sim_error(err, SIM_EINVAL, "index %zu failed", i);
    return SIM_OK;
}

static void test_every_index_once(void)
{
    const unsigned jobs[] = {1, 2, 7, 300};
    for (unsigned j = 0; j < SIM_ARRAY_LEN(jobs); j++) {
        struct counts *c = calloc(1, sizeof *c);
        c->fail_at = N;
        struct sim_err err = {{0}};
        CHECK_EQ_I64(parallel_for(N, jobs[j], count_body, c, &err), SIM_OK);
        unsigned bad = 0;
        for (size_t i = 0; i < N; i++)
            bad += atomic_load(&c->seen[i]) != 1;
        CHECK_EQ_I64(bad, 0);
        CHECK_EQ_I64((int64_t)atomic_load(&c->calls), N);
        free(c);
    }
    struct sim_err err = {{0}};
    CHECK_EQ_I64(parallel_for(0, 4, count_body, NULL, &err), SIM_OK);
}

/* A failure at index 10: its status and message come back, no index runs
 * twice, and the loop stops well short of the end (each thread finishes at
 * most the index it holds). */
static void test_failure_stops(void)
{
    const unsigned jobs[] = {1, 4};
    for (unsigned j = 0; j < SIM_ARRAY_LEN(jobs); j++) {
        struct counts *c = calloc(1, sizeof *c);
        c->fail_at = 10;
        struct sim_err err = {{0}};
        CHECK_EQ_I64(parallel_for(N, jobs[j], count_body, c, &err), SIM_EINVAL);
        CHECK_STR_CONTAINS(err.msg, "index 10 failed");
        CHECK_EQ_I64(atomic_load(&c->seen[10]), 1);
        size_t calls = atomic_load(&c->calls);
        CHECK_TRUE(calls >= 11 && calls < N / 2);
        if (jobs[j] == 1)
            CHECK_EQ_I64((int64_t)calls, 11);
        free(c);
    }
}

int main(void)
{
    test_every_index_once();
    test_failure_stops();
    return check_report("test_parallel");
}
