/*
 * calibrate.c: fit free cost parameters to measured targets.
 *
 *   falconsim calibrate TARGETS.tsv [-o OUT.cfg] [--set KEY=VALUE]...
 *
 * TARGETS.tsv holds tab-separated rows ('#' starts a comment):
 *   free    KEY       MIN       MAX
 *   target  SCENARIO  OVERRIDES METRIC  VALUE  [WEIGHT]
 *   ratio   SCENARIO  OVERRIDES OVERRIDES_DEN METRIC VALUE [WEIGHT]
 * SCENARIO is relative to the TSV's directory unless absolute; OVERRIDES is
 * "-" or a comma-separated list of KEY=VALUE. A ratio row targets METRIC of
 * the run with OVERRIDES over the same METRIC of the run with OVERRIDES_DEN
 * (a figure normalised to another system, as the paper's Fig. 2b is). METRIC
 * is a /summary attribute (throughput_pps, latency_p99_us, ...) or busy:C,
 * softirq:C, hardirq:C, system:C, user:C (fractions of CPU C's time; C = *
 * sums all CPUs, in cores), stage:C:A+B (the fraction of CPU C's time
 * spent in stages A and B), stageshare:A+B (stages A and B
 * over the busy time of all CPUs, as a system-wide profile counts it) or
 * stageratio:A+B/C+D (stages A and B over stages C and D, all CPUs: shares
 * among the functions a flame graph names).
 *
 * Each free parameter lives on (MIN, MAX) through a logistic map of an
 * unbounded variable, so the fit cannot leave the bounds. The residual of a
 * target is WEIGHT x (model - VALUE) / VALUE (relative; absolute when VALUE
 * is 0). GSL's trust-region Levenberg-Marquardt (gsl_multifit_nlinear)
 * minimises the sum of squares, with forward-difference Jacobians whose
 * step moves each parameter by 3 % of its value (at least 0.5 % of its
 * range): the simulator is piecewise constant in integer ns, so GSL's
 * default sqrt(eps) step would see no slope. Every evaluation runs
 * each distinct (scenario, overrides) once, with the run's own seed: the fit
 * is deterministic.
 *
 * Starts (--starts N, default 1). The model's error surface has more than
 * one valley where several costs share one CPU (a host's sender and its
 * receive path, or the stages of one core: only their sum is pinned by a
 * rate), and from one start the fit stays in the nearest. Start 1 is the
 * scenario's own values; start k > 1 is point k - 1 of a Halton sequence
 * (gsl_qrng_halton) over the free keys' box, log-uniform where MIN > 0. The
 * fit with the smallest sum of squares wins (the earliest on a tie), so the
 * result stays deterministic. A start whose fit fails is left out (said on
 * stderr and in the table's header); the fit fails only if every start does.
 *
 * Seed spread (--seed-spread K, default 0). The fit is deterministic, but
 * its sum of squares is one draw of the model's traffic and noise: at the
 * fitted point the runs go again with run.seed + 1 .. K (the flow hashes,
 * run.hash_seed, stay), and the table's header gives the sums' range. Two
 * fits (two bases) whose sums differ by less than that are not told apart
 * by the targets.
 *
 * Output: OUT.cfg, a libconfig file of the fitted keys, for use as (part
 * of) a `defaults` file; and, on stdout, a table of targets, the model
 * before and after, and the relative error.
 */
#include "calibrate.h"

#include "policy.h"

#include "model.h"
#include "parallel.h"
#include "params.h"
#include "scenario.h"

#include <errno.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_MAX_FREE 64
#define CAL_MAX_TARGETS 512
#define CAL_MAX_SETS 64  /* overrides of one row */
#define CAL_MAX_EXTRA 64 /* --set keys on the command line */
#define CAL_MAX_JOBS 256

struct cal_free {
    char key[128];
    double lo, hi;
    int line; /* in the targets file */
};

struct cal_run {
    char scenario[5200];
    char *sets[CAL_MAX_SETS];
    size_t nsets;
    int line; /* the first row that names it */
};

struct cal_target {
    unsigned run;
    int den_run; /* a ratio row's denominator run; -1 for a plain target */
    int line;    /* in the targets file, for messages */
    char metric[160];
    double value, weight;
    double before, after;
};

struct cal {
    struct cal_free fr[CAL_MAX_FREE];
    size_t nfree;
    struct cal_run runs[2 * CAL_MAX_TARGETS]; /* a ratio row may add two */
    size_t nruns;
    struct cal_target tg[CAL_MAX_TARGETS];
    size_t ntg;
    const char *const *extra_sets;
    size_t nextra;
    unsigned evals;
    bool quiet;
    unsigned jobs;    /* threads that share an evaluation's runs */
    const char *path; /* the targets file */
    struct sim_err *err;
    int failed; /* a run failed inside the fit: its status */
    int64_t seed_offset; /* added to each run's run.seed (the seed spread) */
};

/* {===== Parsing ===== */

static char *next_field(char **cursor)
{
    char *s = *cursor;
    if (s == NULL)
        return NULL;
    char *tab = strchr(s, '\t');
    if (tab) {
        *tab = '\0';
        *cursor = tab + 1;
    } else {
        *cursor = NULL;
    }
    return s;
}

/* Loads run r's scenario with the command line's --set keys, then the free
 * keys at p (none if p is NULL), then the row's overrides. */
static int load_run(const struct cal *cal, size_t r, const double *p, struct sim_params *params,
                    struct sim_err *err)
{
    char setbuf[CAL_MAX_FREE][192];
    const char *sets[CAL_MAX_EXTRA + CAL_MAX_FREE + CAL_MAX_SETS];
    size_t n = 0;
    for (size_t k = 0; k < cal->nextra; k++)
        sets[n++] = cal->extra_sets[k];
    for (size_t k = 0; p != NULL && k < cal->nfree; k++) {
        snprintf(setbuf[k], sizeof setbuf[k], "%s=%.6f", cal->fr[k].key, p[k]);
        sets[n++] = setbuf[k];
    }
    for (size_t k = 0; k < cal->runs[r].nsets; k++)
        sets[n++] = cal->runs[r].sets[k];
    struct scenario_text text;
    int rc = scenario_load(cal->runs[r].scenario, NULL, sets, n, params, &text, err);
    if (rc == SIM_OK) {
        scenario_text_free(&text);
        params->run.seed += cal->seed_offset;
    }
    return rc;
}

/* The index of the run of (SCENARIO, OVERRIDES), added if new: each
 * distinct pair runs once per evaluation, whatever number of targets read it. */
static unsigned run_of(struct cal *cal, const char *scen_path, char *ovr, int line)
{
    const char *want = strcmp(ovr, "-") == 0 ? "" : ovr;
    for (unsigned r = 0; r < cal->nruns; r++) {
        char joined[4096] = "";
        for (size_t k = 0; k < cal->runs[r].nsets; k++) {
            strcat(joined, k ? "," : "");
            strcat(joined, cal->runs[r].sets[k]);
        }
        if (strcmp(cal->runs[r].scenario, scen_path) == 0 && strcmp(joined, want) == 0)
            return r;
    }
    struct cal_run *run = &cal->runs[cal->nruns];
    snprintf(run->scenario, sizeof run->scenario, "%s", scen_path);
    run->line = line;
    if (*want != '\0') {
        char *save = NULL;
        for (char *t = strtok_r(ovr, ",", &save); t && run->nsets < CAL_MAX_SETS;
             t = strtok_r(NULL, ",", &save))
            run->sets[run->nsets++] = xstrdup(t);
    }
    return (unsigned)cal->nruns++;
}

static int parse_targets(struct cal *cal, const char *path, struct sim_err *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return sim_error(err, SIM_ENOENT, "%s: error: cannot read targets: %s", path,
                         strerror(errno));
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    char line[4096];
    int lineno = 0, rc = SIM_OK;
    while (rc == SIM_OK && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *cur = line;
        char *kind = next_field(&cur);
        if (kind == NULL || strspn(kind, " ") == strlen(kind))
            continue;
        if (strcmp(kind, "free") == 0) {
            char *key = next_field(&cur), *lo = next_field(&cur), *hi = next_field(&cur);
            if (!key || !lo || !hi || cal->nfree == CAL_MAX_FREE) {
                rc = sim_error(err, SIM_EINVAL, "%s:%d: error: expected free<TAB>KEY<TAB>MIN<TAB>MAX",
                               path, lineno);
                break;
            }
            struct cal_free *fr = &cal->fr[cal->nfree];
            snprintf(fr->key, sizeof fr->key, "%s", key);
            fr->lo = strtod(lo, NULL);
            fr->hi = strtod(hi, NULL);
            fr->line = lineno;
            if (!(fr->hi > fr->lo)) {
                rc = sim_error(err, SIM_EINVAL, "%s:%d: error: '%s' needs MIN < MAX", path, lineno,
                               key);
                break;
            }
            cal->nfree++;
        } else if (strcmp(kind, "target") == 0 || strcmp(kind, "ratio") == 0) {
            bool ratio = kind[0] == 'r';
            char *scen = next_field(&cur), *ovr = next_field(&cur),
                 *den = ratio ? next_field(&cur) : NULL, *metric = next_field(&cur),
                 *value = next_field(&cur), *weight = next_field(&cur);
            if (!scen || !ovr || (ratio && !den) || !metric || !value ||
                cal->ntg == CAL_MAX_TARGETS) {
                rc = sim_error(err, SIM_EINVAL,
                               ratio ? "%s:%d: error: expected ratio<TAB>SCENARIO<TAB>OVERRIDES<TAB>"
                                       "OVERRIDES_DEN<TAB>METRIC<TAB>VALUE[<TAB>WEIGHT]"
                                     : "%s:%d: error: expected target<TAB>SCENARIO<TAB>OVERRIDES<TAB>"
                                       "METRIC<TAB>VALUE[<TAB>WEIGHT]",
                               path, lineno);
                break;
            }
            if (strlen(metric) >= sizeof cal->tg[0].metric) {
                rc = sim_error(err, SIM_EINVAL, "%s:%d: error: metric '%.40s...' is longer than %zu characters",
                               path, lineno, metric, sizeof cal->tg[0].metric - 1);
                break;
            }
            char scen_path[5200];
            if (scen[0] == '/')
                snprintf(scen_path, sizeof scen_path, "%s", scen);
            else
                snprintf(scen_path, sizeof scen_path, "%s/%s", dir, scen);
            struct cal_target *t = &cal->tg[cal->ntg++];
            t->run = run_of(cal, scen_path, ovr, lineno);
            t->den_run = ratio ? (int)run_of(cal, scen_path, den, lineno) : -1;
            t->line = lineno;
            snprintf(t->metric, sizeof t->metric, "%s", metric);
            t->value = strtod(value, NULL);
            t->weight = weight ? strtod(weight, NULL) : 1.0;
        } else {
            rc = sim_error(err, SIM_EINVAL, "%s:%d: error: a row starts with 'free', 'target' or 'ratio' (got '%s')",
                           path, lineno, kind);
        }
    }
    fclose(f);
    /* Every run's scenario and overrides load (with the command line's
     * --set keys), so that a bad one is named by its row before any fit. */
    for (size_t r = 0; rc == SIM_OK && r < cal->nruns; r++) {
        struct sim_params params;
        struct sim_err e = {{0}};
        int st = load_run(cal, r, NULL, &params, &e);
        if (st != SIM_OK)
            rc = sim_error(err, st, "%s:%d: %s", path, cal->runs[r].line, e.msg);
    }
    if (rc == SIM_OK && (cal->nfree == 0 || cal->ntg < cal->nfree))
        rc = sim_error(err, SIM_EINVAL,
                       "%s: error: need at least one free parameter and as many targets (got %zu "
                       "free, %zu targets)",
                       path, cal->nfree, cal->ntg);
    return rc;
}

/* }===== */

/* {===== Evaluation ===== */

static double to_param(const struct cal_free *fr, double u)
{
    return fr->lo + (fr->hi - fr->lo) / (1 + exp(-u));
}

/* The start is kept 1 % of the range inside the bounds: at a bound the
 * logistic map is flat and the fit could not move the parameter. */
static double to_free(const struct cal_free *fr, double v)
{
    double y = (v - fr->lo) / (fr->hi - fr->lo);
    if (y < 0.01)
        y = 0.01;
    if (y > 0.99)
        y = 0.99;
    return log(y / (1 - y));
}

/* Time in the '+'-separated stages LIST on CPUs c0..c1-1, in fractions of
 * a CPU; -1 for an unknown stage name. */
static int stage_sum(const struct model_results *r, const char *list, unsigned c0, unsigned c1,
                     double *out)
{
    char tmp[256], *save = NULL;
    snprintf(tmp, sizeof tmp, "%s", list);
    *out = 0;
    for (char *t = strtok_r(tmp, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
        int k = -1;
        for (int i = 0; k_stage_names[i]; i++)
            if (strcmp(k_stage_names[i], t) == 0)
                k = i;
        if (k < 0)
            return -1;
        for (unsigned c = c0; c < c1; c++)
            *out += r->stage_frac[c * MODEL_STAGES + (unsigned)k];
    }
    return 0;
}

static int metric_of(const struct model_results *r, const char *metric, double *out)
{
    const struct model_summary *s = &r->sum;
    const struct {
        const char *name;
        double v;
    } sum[] = {
        {"throughput_pps", s->throughput_pps}, {"throughput_gbps", s->throughput_gbps},
        {"latency_mean_us", s->latency_mean_us}, {"latency_p50_us", s->latency_p50_us},
        {"latency_p90_us", s->latency_p90_us},   {"latency_p99_us", s->latency_p99_us},
        {"rtt_mean_us", s->rtt_mean_us},         {"rtt_p99_us", s->rtt_p99_us},
        {"send_latency_p50_us", s->send_latency_p50_us},
        {"send_latency_p99_us", s->send_latency_p99_us},
        {"netrx_per_s", s->netrx_per_s},         {"cpu_busy_cores", s->cpu_busy_cores},
        /* the threads' run time in cores: bounded, where a per-message
         * time grows without bound as delivery collapses */
        {"app_task_cores", s->app_task_us_per_msg * s->throughput_pps / 1e6},
        {"sender_task_cores", s->sender_task_us_per_msg * s->offered_pps / 1e6},
        {"app_wakeups_per_s", s->app_wakeups_per_s},
        {"app_calls_per_s", s->app_calls_per_s},
        {"sender_calls_per_s", s->sender_calls_per_s},
        {"sender_call_size", s->sender_call_size},
    };
    for (size_t i = 0; i < SIM_ARRAY_LEN(sum); i++)
        if (strcmp(metric, sum[i].name) == 0) {
            *out = sum[i].v;
            return 0;
        }
    /* stageratio:A+B/C+D - stages A, B over stages C, D, summed over all
     * CPUs (a flame graph's shares among the functions it names). */
    if (strncmp(metric, "stageratio:", 11) == 0) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", metric + 11);
        char *slash = strchr(buf, '/');
        if (slash == NULL)
            return -1;
        *slash = '\0';
        double num, den;
        if (stage_sum(r, buf, 0, r->ncpu, &num) != 0 || stage_sum(r, slash + 1, 0, r->ncpu, &den) != 0)
            return -1;
        *out = den > 0 ? num / den : 0;
        return 0;
    }
    /* stage:C:A+B - fraction of CPU C's time in stages A, B;
     * stageshare:A+B - stages A, B over all busy time of all CPUs. */
    if (strncmp(metric, "stage:", 6) == 0 || strncmp(metric, "stageshare:", 11) == 0) {
        bool share = metric[5] == 's';
        const char *names = strchr(metric, ':') + 1;
        unsigned c0 = 0, c1 = r->ncpu;
        if (!share) {
            char *end;
            long c = strtol(names, &end, 10);
            if (*end != ':' || c < 0 || (unsigned)c >= r->ncpu)
                return -1;
            c0 = (unsigned)c;
            c1 = c0 + 1;
            names = end + 1;
        }
        double num, den = 0;
        if (stage_sum(r, names, c0, c1, &num) != 0)
            return -1;
        if (!share) {
            *out = num;
            return 0;
        }
        for (unsigned c = 0; c < r->ncpu; c++)
            den += 1 - r->busy_frac[c * MODEL_CATS + MODEL_CATS - 1];
        *out = den > 0 ? num / den : 0;
        return 0;
    }
    /* busy:C, hardirq:C, softirq:C, system:C, user:C - fractions of CPU C's
     * time; C = '*' sums them over all CPUs (in cores), for figures whose
     * per-core order depends on where flows hash. */
    const char *colon = strchr(metric, ':');
    if (colon == NULL)
        return -1;
    unsigned c0, c1;
    if (strcmp(colon + 1, "*") == 0) {
        c0 = 0;
        c1 = r->ncpu;
    } else {
        char *end;
        long c = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end != '\0' || c < 0 || (unsigned)c >= r->ncpu)
            return -1;
        c0 = (unsigned)c;
        c1 = c0 + 1;
    }
    /* a category of /cpu/busy_frac except idle, or busy = 1 - idle; with
     * "_seen" (softirq_seen:C), the share /proc/stat's tick sampling shows
     * on a kernel without CONFIG_IRQ_TIME_ACCOUNTING: the time noise and
     * hardirqs took is counted to whatever they interrupted (the tick, a
     * hardirq itself, never samples another), so it is spread over the
     * other busy categories in proportion */
    size_t n = (size_t)(colon - metric);
    bool seen = n > 5 && strncmp(colon - 5, "_seen", 5) == 0;
    if (seen)
        n -= 5;
    /* k_cpu_cat_names: hardirq first, ..., noise, idle last */
    enum { CAT_IDX_HARDIRQ = 0, CAT_IDX_NOISE = MODEL_CATS - 2, CAT_IDX_IDLE = MODEL_CATS - 1 };
    int cat = -1;
    for (int k = 0; k < CAT_IDX_IDLE; k++)
        if (strlen(k_cpu_cat_names[k]) == n && strncmp(metric, k_cpu_cat_names[k], n) == 0)
            cat = k;
    bool busy = n == 4 && strncmp(metric, "busy", 4) == 0;
    if ((cat < 0 && !busy) || (seen && (busy || cat == CAT_IDX_NOISE || cat == CAT_IDX_HARDIRQ)))
        return -1;
    *out = 0;
    for (unsigned c = c0; c < c1; c++) {
        const double *b = &r->busy_frac[c * MODEL_CATS];
        double all = 1 - b[CAT_IDX_IDLE], unseen = b[CAT_IDX_NOISE] + b[CAT_IDX_HARDIRQ];
        if (busy)
            *out += all;
        else if (!seen)
            *out += b[cat];
        else if (all - unseen > 0)
            *out += b[cat] * all / (all - unseen);
    }
    return 0;
}

/* Runs run r at parameters p; fills model[t] for the targets it is the run
 * of and den[t] for the ratio targets it is the denominator of (no two
 * runs write the same element, so runs may go in parallel). */
static int evaluate_run(const struct cal *cal, size_t r, const double *p, double *model,
                        double *den, struct sim_err *err)
{
    struct sim_params params;
    int rc = load_run(cal, r, p, &params, err);
    if (rc != SIM_OK)
        return rc;
    struct model *m = model_create(&params, err);
    if (m == NULL)
        return SIM_EINVAL;
    model_run_until(m, model_duration(m));
    const struct model_results *res = model_finish(m);
    for (size_t t = 0; t < cal->ntg && rc == SIM_OK; t++) {
        const struct cal_target *g = &cal->tg[t];
        int bad = 0;
        if (g->run == r)
            bad |= metric_of(res, g->metric, &model[t]);
        if (g->den_run == (int)r)
            bad |= metric_of(res, g->metric, &den[t]);
        if (bad != 0)
            rc = sim_error(err, SIM_EINVAL,
                           "%s:%d: error: unknown metric '%s' (a /summary attribute or "
                           "busy:C, softirq:C, hardirq:C, system:C, user:C (C a CPU or *), "
                           "the same with _seen (softirq_seen:C), app_task_cores, "
                           "sender_task_cores, app_wakeups_per_s, "
                           "stage:C:A+B, stageshare:A+B, stageratio:A+B/C+D)",
                           cal->path, g->line, g->metric);
    }
    model_destroy(m);
    return rc;
}

struct eval_job {
    const struct cal *cal;
    const double *p;
    double *model, *den;
};

static int eval_run(void *ctx, size_t r, struct sim_err *err)
{
    const struct eval_job *job = ctx;
    return evaluate_run(job->cal, r, job->p, job->model, job->den, err);
}

/* Runs every distinct run at parameters p, on cal->jobs threads, and fills
 * model[target]. Every run has its own seed, so the result does not depend
 * on the order the runs go in. */
static int evaluate(struct cal *cal, const double *p, double *model)
{
    double den[CAL_MAX_TARGETS];
    cal->evals++;
    struct eval_job job = {.cal = cal, .p = p, .model = model, .den = den};
    int rc = parallel_for(cal->nruns, cal->jobs, eval_run, &job, cal->err);
    if (rc != SIM_OK)
        return rc;
    for (size_t t = 0; t < cal->ntg; t++)
        if (cal->tg[t].den_run >= 0)
            model[t] = den[t] != 0 ? model[t] / den[t] : 0;
    return SIM_OK;
}

/* Appends " KEY=VALUE,KEY=VALUE" (a run's overrides) to buf. */
static void overrides_text(const struct cal_run *run, char *buf, size_t size)
{
    for (size_t k = 0; k < run->nsets; k++) {
        strncat(buf, k ? "," : " ", size - strlen(buf) - 1);
        strncat(buf, run->sets[k], size - strlen(buf) - 1);
    }
}

static double residual(const struct cal_target *t, double model)
{
    double scale = t->value != 0 ? fabs(t->value) : 1.0;
    return t->weight * (model - t->value) / scale;
}

static int fit_f(const gsl_vector *u, void *data, gsl_vector *f)
{
    struct cal *cal = data;
    double p[CAL_MAX_FREE], model[CAL_MAX_TARGETS];
    for (size_t k = 0; k < cal->nfree; k++)
        p[k] = to_param(&cal->fr[k], gsl_vector_get(u, k));
    int rc = evaluate(cal, p, model);
    if (rc != SIM_OK) {
        cal->failed = rc;
        return GSL_EBADFUNC;
    }
    for (size_t t = 0; t < cal->ntg; t++)
        gsl_vector_set(f, t, residual(&cal->tg[t], model[t]));
    return GSL_SUCCESS;
}

/* Forward differences, stepping each parameter by a few percent. */
static int fit_df(const gsl_vector *u, void *data, gsl_matrix *J)
{
    struct cal *cal = data;
    size_t n = cal->ntg, np = cal->nfree;
    gsl_vector *f0 = gsl_vector_alloc(n), *f1 = gsl_vector_alloc(n), *u1 = gsl_vector_alloc(np);
    int rc = fit_f(u, data, f0);
    for (size_t j = 0; j < np && rc == GSL_SUCCESS; j++) {
        const struct cal_free *fr = &cal->fr[j];
        double uj = gsl_vector_get(u, j), pj = to_param(fr, uj);
        double sig = (pj - fr->lo) / (fr->hi - fr->lo);
        double dp = fmax(0.03 * fabs(pj), 0.005 * (fr->hi - fr->lo));
        double du = dp / ((fr->hi - fr->lo) * fmax(sig * (1 - sig), 1e-6));
        gsl_vector_memcpy(u1, u);
        gsl_vector_set(u1, j, uj + du);
        rc = fit_f(u1, data, f1);
        for (size_t i = 0; i < n && rc == GSL_SUCCESS; i++)
            gsl_matrix_set(J, i, j, (gsl_vector_get(f1, i) - gsl_vector_get(f0, i)) / du);
    }
    gsl_vector_free(f0);
    gsl_vector_free(f1);
    gsl_vector_free(u1);
    return rc;
}

static void fit_progress(const size_t iter, void *data, const gsl_multifit_nlinear_workspace *w)
{
    struct cal *cal = data;
    if (cal->quiet)
        return;
    gsl_vector *f = gsl_multifit_nlinear_residual(w);
    double chisq;
    gsl_blas_ddot(f, f, &chisq);
    fprintf(stderr,
            "calibrate: iteration %zu, sum of squared relative errors %.5f (%u evaluations)\n",
            iter, chisq, cal->evals);
}

/* }===== */

/* One Levenberg-Marquardt fit from p0; its end point in p, its sum of
 * squares, status and iterations. */
struct fit_end {
    double p[CAL_MAX_FREE];
    double chisq;
    int status;
    size_t niter;
    bool stuck; /* no step from the start lowered the sum: the end is the start */
};

/* Why a fit ended, for its report: GSL's driver returns GSL_EMAXITER, with
 * info GSL_ENOPROG, when its first iteration finds no step that lowers the
 * sum of squares (a response flat or rough at the finite-difference step),
 * which is no iteration limit. */
static const char *fit_end_reason(const struct fit_end *e)
{
    if (e->stuck)
        return "no step from the start lowered the sum of squares (the fit is its start; "
               "another start, --starts, may move)";
    return e->status == GSL_SUCCESS ? "converged" : gsl_strerror(e->status);
}

static int fit_from(struct cal *cal, const double *p0, struct fit_end *end)
{
    const gsl_multifit_nlinear_type *T = gsl_multifit_nlinear_trust;
    gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
    fp.trs = gsl_multifit_nlinear_trs_lm;
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(T, &fp, cal->ntg, cal->nfree);
    gsl_vector *u = gsl_vector_alloc(cal->nfree);
    for (size_t k = 0; k < cal->nfree; k++)
        gsl_vector_set(u, k, to_free(&cal->fr[k], p0[k]));
    gsl_multifit_nlinear_fdf fdf = {.f = fit_f, .df = fit_df, .fvv = NULL, .n = cal->ntg,
                                    .p = cal->nfree, .params = cal};
    int info = 0;
    int status = gsl_multifit_nlinear_init(u, &fdf, w);
    if (status == GSL_SUCCESS)
        status = gsl_multifit_nlinear_driver(40, 1e-4, 1e-6, 1e-6, fit_progress, cal, &info, w);
    int rc = SIM_OK;
    if (cal->failed != SIM_OK) {
        rc = cal->failed;
    } else if (status != GSL_SUCCESS && status != GSL_EMAXITER && status != GSL_ENOPROG) {
        rc = sim_error(cal->err, SIM_EINVAL, "%s: error: the fit failed: %s", cal->path,
                       gsl_strerror(status));
    } else {
        const gsl_vector *x = gsl_multifit_nlinear_position(w);
        for (size_t k = 0; k < cal->nfree; k++)
            end->p[k] = to_param(&cal->fr[k], gsl_vector_get(x, k));
        gsl_blas_ddot(gsl_multifit_nlinear_residual(w), gsl_multifit_nlinear_residual(w),
                      &end->chisq);
        end->status = status;
        end->niter = gsl_multifit_nlinear_niter(w);
        end->stuck = status == GSL_EMAXITER && info == GSL_ENOPROG;
    }
    gsl_vector_free(u);
    gsl_multifit_nlinear_free(w);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The sums of squares at p with run.seed + 1 .. k, sorted into sums[]. */
static int seed_spread(struct cal *cal, const double *p, unsigned k, double *sums)
{
    double model[CAL_MAX_TARGETS];
    int rc = SIM_OK;
    for (unsigned s = 0; s < k && rc == SIM_OK; s++) {
        cal->seed_offset = (int64_t)s + 1;
        rc = evaluate(cal, p, model);
        sums[s] = 0;
        for (size_t t = 0; t < cal->ntg && rc == SIM_OK; t++) {
            double f = residual(&cal->tg[t], model[t]);
            sums[s] += f * f;
        }
    }
    cal->seed_offset = 0;
    qsort(sums, k, sizeof *sums, cmp_double);
    return rc;
}

/* Start k (k >= 1) of the multi-start: a Halton point of the box. */
static void halton_start(const struct cal *cal, gsl_qrng *q, double *p)
{
    double y[CAL_MAX_FREE];
    gsl_qrng_get(q, y);
    for (size_t k = 0; k < cal->nfree; k++) {
        const struct cal_free *fr = &cal->fr[k];
        p[k] = fr->lo > 0 ? fr->lo * pow(fr->hi / fr->lo, y[k]) : fr->lo + (fr->hi - fr->lo) * y[k];
    }
}

int calibrate_run(const char *targets, const char *out_path, const char *const *sets,
                  size_t nsets, unsigned jobs, unsigned starts, unsigned seeds, bool quiet,
                  struct sim_err *err)
{
    if (nsets > CAL_MAX_EXTRA)
        return sim_error(err, SIM_EINVAL, "error: calibrate takes at most %d --set keys (got %zu)",
                         CAL_MAX_EXTRA, nsets);
    if (starts < 1)
        starts = 1;
    if (seeds > CAL_MAX_SEEDS)
        return sim_error(err, SIM_EINVAL, "error: --seed-spread takes at most %d seeds (got %u)",
                         CAL_MAX_SEEDS, seeds);
    struct cal *cal = xcalloc(1, sizeof *cal);
    cal->jobs = jobs < 1 ? 1 : jobs > CAL_MAX_JOBS ? CAL_MAX_JOBS : jobs;
    cal->extra_sets = sets;
    cal->nextra = nsets;
    cal->quiet = quiet;
    cal->err = err;
    cal->path = targets;
    gsl_qrng *halton = NULL;
    struct fit_end best = {.chisq = HUGE_VAL}, end;
    int rc = parse_targets(cal, targets, err);
    if (rc != SIM_OK)
        goto out;

    /* Start from the scenario's own values of the free keys. */
    double p0[CAL_MAX_FREE];
    {
        struct sim_params params;
        struct scenario_text text;
        rc = scenario_load(cal->runs[0].scenario, NULL, sets, nsets, &params, &text, err);
        if (rc != SIM_OK)
            goto out;
        scenario_text_free(&text);
        for (size_t k = 0; k < cal->nfree; k++) {
            const struct param_spec *spec = params_run_find(&params, cal->fr[k].key);
            if (spec == NULL || !(spec->type == P_REAL || spec->type == P_DIST)) {
                rc = sim_error(err, SIM_EINVAL,
                               "%s: error: free key '%s' is not a real or distribution key of "
                               "this run (policy.name = \"%s\")",
                               targets, cal->fr[k].key, policy_of(&params)->name);
                goto out;
            }
            /* every point a start or a step may try must be a valid value */
            if (cal->fr[k].lo < spec->min || cal->fr[k].hi > spec->max) {
                rc = sim_error(err, SIM_EINVAL,
                               "%s:%d: error: free key '%s': bounds [%g, %g] leave the key's "
                               "range [%g, %g]",
                               targets, cal->fr[k].line, cal->fr[k].key, cal->fr[k].lo,
                               cal->fr[k].hi, spec->min, spec->max);
                goto out;
            }
            const char *base = (const char *)&params + spec->offset;
            p0[k] = spec->type == P_REAL ? *(const double *)(const void *)base
                                         : ((const struct dist *)(const void *)base)->mean_ns;
        }
    }
    double before[CAL_MAX_TARGETS];
    if ((rc = evaluate(cal, p0, before)) != SIM_OK)
        goto out;
    for (size_t t = 0; t < cal->ntg; t++)
        cal->tg[t].before = before[t];

    if (starts > 1)
        halton = gsl_qrng_alloc(gsl_qrng_halton, (unsigned)cal->nfree);
    /* A start whose fit fails (a point where a run is refused, say a free
     * key that passes another key's limit there, or GSL gives up) is left
     * out, said on stderr, and the others' work is kept; only when every
     * start fails does the fit, with the first start's error. */
    unsigned failed = 0;
    int first_rc = SIM_OK;
    struct sim_err first_err = {""};
    for (unsigned s = 0; s < starts; s++) {
        double start[CAL_MAX_FREE];
        if (s == 0)
            memcpy(start, p0, sizeof start);
        else
            halton_start(cal, halton, start);
        if (!quiet && starts > 1)
            fprintf(stderr, "calibrate: start %u of %u\n", s + 1, starts);
        cal->failed = SIM_OK;
        if ((rc = fit_from(cal, start, &end)) != SIM_OK) {
            if (failed++ == 0) {
                first_rc = rc;
                first_err = *err;
            }
            if (starts > 1)
                fprintf(stderr, "calibrate: start %u of %u failed and is left out: %s\n", s + 1,
                        starts, err->msg);
            continue;
        }
        if (!quiet && starts > 1)
            fprintf(stderr, "calibrate: start %u ends at %.5f\n", s + 1, end.chisq);
        if (!quiet && end.stuck)
            fprintf(stderr, "calibrate: start %u: no step from it lowered the sum of squares; "
                            "it ends where it began\n", s + 1);
        if (end.chisq < best.chisq)
            best = end;
    }
    if (failed == starts) {
        rc = first_rc;
        *err = first_err;
        goto out;
    }

    double after[CAL_MAX_TARGETS];
    rc = evaluate(cal, best.p, after);
    unsigned fit_evals = cal->evals;
    double sums[CAL_MAX_SEEDS];
    if (rc == SIM_OK && seeds > 0)
        rc = seed_spread(cal, best.p, seeds, sums);
    if (rc == SIM_OK) {
        for (size_t t = 0; t < cal->ntg; t++)
            cal->tg[t].after = after[t];
        printf("# fit: %s after %zu iterations, %u model evaluations%s\n", fit_end_reason(&best),
               best.niter, fit_evals, starts > 1 ? " (all starts)" : "");
        if (starts > 1)
            printf("# %u starts (%u failed, left out); the best's sum of squared relative "
                   "errors %.5f\n",
                   starts, failed, best.chisq);
        if (seeds > 0)
            printf("# seed spread: the sum of squared relative errors at the fitted point is "
                   "%.5f; with run.seed + 1..%u, %.5f to %.5f (median %.5f)\n",
                   best.chisq, seeds, sums[0], sums[seeds - 1],
                   seeds % 2 ? sums[seeds / 2] : (sums[seeds / 2 - 1] + sums[seeds / 2]) / 2);
        printf("key\tfitted\tmin\tmax\n");
        const char *keys[CAL_MAX_FREE];
        for (size_t k = 0; k < cal->nfree; k++) {
            printf("%s\t%.1f\t%g\t%g\n", cal->fr[k].key, best.p[k], cal->fr[k].lo, cal->fr[k].hi);
            keys[k] = cal->fr[k].key;
        }
        printf("\nrun\tmetric\ttarget\tbefore\tafter\terror_pct\n");
        for (size_t t = 0; t < cal->ntg; t++) {
            const struct cal_target *g = &cal->tg[t];
            const char *scen = strrchr(cal->runs[g->run].scenario, '/');
            char ovr[1024] = "";
            overrides_text(&cal->runs[g->run], ovr, sizeof ovr);
            if (g->den_run >= 0) {
                strncat(ovr, " /", sizeof ovr - strlen(ovr) - 1);
                overrides_text(&cal->runs[g->den_run], ovr, sizeof ovr);
                if (cal->runs[g->den_run].nsets == 0)
                    strncat(ovr, " -", sizeof ovr - strlen(ovr) - 1);
            }
            printf("%s%s\t%s\t%g\t%.4g\t%.4g\t%+.1f\n", scen ? scen + 1 : "", ovr, g->metric,
                   g->value, g->before, g->after,
                   g->value != 0 ? 100 * (g->after - g->value) / fabs(g->value) : 0.0);
        }
        if (out_path != NULL) {
            char header[1024];
            snprintf(header, sizeof header,
                     "# Fitted by `falconsim calibrate %s`: %zu free costs, %zu targets%s.\n"
                     "# Use as (part of) a defaults file; see docs/calibration.md.\n",
                     targets, cal->nfree, cal->ntg, starts > 1 ? ", best of several starts" : "");
            rc = scenario_write_keys(out_path, header, keys, best.p, cal->nfree, err);
        }
    }
out:
    if (halton != NULL)
        gsl_qrng_free(halton);
    for (size_t r = 0; r < cal->nruns; r++)
        for (size_t k = 0; k < cal->runs[r].nsets; k++)
            free(cal->runs[r].sets[k]);
    free(cal);
    return rc;
}
