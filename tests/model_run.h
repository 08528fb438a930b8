/*
 * model_run.h: loading and running a scenario in a white-box model test
 * (tests/test_model.c, tests/test_mflow_prism.c). Header-only: each test
 * binary is one .c file.
 */
#ifndef FALCONSIM_TESTS_MODEL_RUN_H
#define FALCONSIM_TESTS_MODEL_RUN_H

#include "check.h"
#include "model_internal.h"
#include "scenario.h"

#include <stdlib.h>

struct run {
    struct sim_params p;
    struct model *m;
    const struct model_results *r;
};

/* Loads a scenario (path, or inline text when path is NULL) with --set
 * overrides and builds its model, ready to run. */
static inline void run_prepare(struct run *run, const char *path, const char *text,
                               const char *const *sets, size_t n)
{
    struct sim_err err = {{0}};
    struct scenario_text t;
    int rc = scenario_load(path, text, sets, n, &run->p, &t, &err);
    if (rc != SIM_OK)
        fprintf(stderr, "scenario: %s\n", err.msg);
    CHECK_EQ_I64(rc, SIM_OK);
    scenario_text_free(&t);
    run->m = model_create(&run->p, &err);
    if (run->m == NULL)
        fprintf(stderr, "model: %s\n", err.msg);
    CHECK_TRUE(run->m != NULL);
}

/* Runs a prepared model to its end; conservation is asserted. */
static inline void run_finish(struct run *run)
{
    model_run_until(run->m, model_duration(run->m));
    run->r = model_finish(run->m); /* asserts conservation */
    CHECK_TRUE(model_check(run->m));
}

static inline void run_text(struct run *run, const char *path, const char *text,
                            const char *const *sets, size_t n)
{
    run_prepare(run, path, text, sets, n);
    run_finish(run);
}

/* n runs on the heap: a struct run holds a whole sim_params (53 KB), and a
 * test's stack under ASan holds few of them; runs_free destroys their
 * models (run or not: model_destroy takes NULL) and frees them. */
static inline struct run *runs_alloc(size_t n)
{
    struct run *r = calloc(n, sizeof *r);
    if (r == NULL)
        abort();
    return r;
}

static inline void runs_free(struct run *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        model_destroy(r[i].m);
    free(r);
}

#endif
