/*
 * summarize.c: `falconsim summarize DIR` - one TSV row per sweep point.
 *
 * Reads every .h5 file in DIR (result files are written atomically, so a file
 * with that name is complete; *.partial.* files are skipped), groups the
 * runs whose resolved parameters agree on everything but run.seed (and
 * run.hash_seed where it moved in step with run.seed: scripts/sweep draws
 * the hashes anew with each replication unless the hash seed is set or
 * swept, and a swept hash seed does not keep step), and prints, per group:
 * the swept keys (those with two values among the groups that have them:
 * a policy's own keys exist only in its runs), then for every /summary metric its mean and the half-width of
 * its 95 % confidence interval (Student t with n - 1 degrees of freedom,
 * GSL), then n. Rows are ordered by the swept keys, numerically where the
 * values are numbers. With one replication the half-width is "nan".
 */
#include "summarize.h"

#include "h5out.h"

#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double summarize_ci95(const double *x, size_t n, double *mean)
{
    *mean = n ? gsl_stats_mean(x, 1, n) : (double)NAN;
    if (n < 2)
        return (double)NAN;
    double sd = gsl_stats_sd_m(x, 1, n, *mean);
    return gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *param_of(const struct h5out_run_info *r, const char *key)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (strcmp(r->param_key[i], key) == 0)
            return r->param_value[i];
    return "";
}

static bool summary_of(const struct h5out_run_info *r, const char *key, double *v)
{
    for (size_t i = 0; i < r->nsummary; i++)
        if (strcmp(r->summary_key[i], key) == 0) {
            *v = r->summary_value[i];
            return true;
        }
    return false;
}

/* The keys that tell replications apart rather than points. */
static bool replication_key(const char *key, bool hash_in_step)
{
    return strcmp(key, "run.seed") == 0 || (hash_in_step && strcmp(key, "run.hash_seed") == 0);
}

/* True when run.hash_seed - run.seed is the same in every run (seeds go to
 * 9.2e18, past a double's exact integers: unsigned 64-bit arithmetic). */
static bool hash_seed_in_step(const struct h5out_run_info *runs, size_t n)
{
    uint64_t d0 = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = (uint64_t)strtoull(param_of(&runs[i], "run.hash_seed"), NULL, 10) -
                     (uint64_t)strtoull(param_of(&runs[i], "run.seed"), NULL, 10);
        if (i == 0)
            d0 = d;
        else if (d != d0)
            return false;
    }
    return true;
}

/* Two runs are the same point when all their parameters but the
 * replication keys agree. */
static bool same_point(const struct h5out_run_info *a, const struct h5out_run_info *b,
                       bool hash_in_step)
{
    for (size_t i = 0; i < a->nparams; i++) {
        if (replication_key(a->param_key[i], hash_in_step))
            continue;
        if (strcmp(a->param_value[i], param_of(b, a->param_key[i])) != 0)
            return false;
    }
    return a->nparams == b->nparams;
}

struct point {
    size_t first; /* index of its first run */
    size_t *runs;
    size_t n;
};

static const char *const *g_swept;
static size_t g_nswept;
static const struct h5out_run_info *g_runs;

static int cmp_value(const char *a, const char *b)
{
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (*a && *b && *ea == '\0' && *eb == '\0')
        return (x > y) - (x < y);
    return strcmp(a, b);
}

static int cmp_point(const void *pa, const void *pb)
{
    const struct point *a = pa, *b = pb;
    for (size_t k = 0; k < g_nswept; k++) {
        int c = cmp_value(param_of(&g_runs[a->first], g_swept[k]),
                          param_of(&g_runs[b->first], g_swept[k]));
        if (c != 0)
            return c;
    }
    return 0;
}

int summarize_dir(const char *dir, FILE *out, struct sim_err *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return sim_error(err, errno == ENOENT ? SIM_ENOENT : SIM_EINVAL,
                         "%s: error: cannot open directory: %s", dir, strerror(errno));
    size_t nfiles = 0, cap = 0;
    char **files = NULL;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".h5") != 0 || strstr(e->d_name, ".partial"))
            continue;
        xgrow(&files, &cap, nfiles, sizeof *files, 64);
        size_t n = strlen(dir) + len + 2;
        files[nfiles] = xmalloc(n);
        snprintf(files[nfiles], n, "%s/%s", dir, e->d_name);
        nfiles++;
    }
    closedir(d);
    int rc = SIM_OK;
    if (nfiles == 0) {
        free(files);
        return sim_error(err, SIM_EINVAL, "%s: error: no result files (*.h5) to summarize", dir);
    }
    qsort(files, nfiles, sizeof *files, cmp_str);

    struct h5out_run_info *runs = xcalloc(nfiles, sizeof *runs);
    size_t nruns = 0;
    for (size_t i = 0; i < nfiles && rc == SIM_OK; i++)
        if ((rc = h5out_read_run(files[i], &runs[nruns], err)) == SIM_OK)
            nruns++;

    struct point *pts = xcalloc(nruns ? nruns : 1, sizeof *pts);
    size_t npts = 0;
    size_t nkeys_max = 1;
    for (size_t i = 0; i < nruns; i++)
        nkeys_max += runs[i].nparams;
    const char **swept = xcalloc(nkeys_max, sizeof *swept);
    size_t nswept = 0;
    bool hash_in_step = rc == SIM_OK && hash_seed_in_step(runs, nruns);
    if (rc == SIM_OK) {
        for (size_t i = 0; i < nruns; i++) {
            size_t p = 0;
            while (p < npts && !same_point(&runs[pts[p].first], &runs[i], hash_in_step))
                p++;
            if (p == npts) {
                pts[npts].first = i;
                pts[npts].runs = xcalloc(nruns, sizeof(size_t));
                npts++;
            }
            pts[p].runs[pts[p].n++] = i;
        }
        /* Swept: a key with two values among the points that have it. A
         * policy's own key is absent from runs of other policies; that
         * alone sweeps nothing (policy.name tells those points apart). */
        const char **keys = xcalloc(nkeys_max, sizeof *keys); /* every run's keys, once */
        size_t nkeys = 0;
        for (size_t i = 0; i < nruns; i++)
            for (size_t k = 0; k < runs[i].nparams; k++) {
                const char *key = runs[i].param_key[k];
                bool seen = false;
                for (size_t j = 0; j < nkeys && !seen; j++)
                    seen = strcmp(keys[j], key) == 0;
                if (!seen)
                    keys[nkeys++] = key;
            }
        for (size_t k = 0; k < nkeys; k++) {
            const char *key = keys[k];
            if (replication_key(key, hash_in_step))
                continue;
            const char *first = NULL;
            for (size_t p = 0; p < npts; p++) {
                const char *v = param_of(&runs[pts[p].first], key);
                if (*v == '\0')
                    continue;
                if (first == NULL) {
                    first = v;
                } else if (strcmp(v, first) != 0) {
                    swept[nswept++] = key;
                    break;
                }
            }
        }
        free(keys);
        g_swept = swept;
        g_nswept = nswept;
        g_runs = runs;
        qsort(pts, npts, sizeof *pts, cmp_point);

        const struct h5out_run_info *r0 = &runs[0];
        for (size_t k = 0; k < nswept; k++)
            fprintf(out, "%s\t", swept[k]);
        for (size_t m = 0; m < r0->nsummary; m++)
            fprintf(out, "%s_mean\t%s_ci95\t", r0->summary_key[m], r0->summary_key[m]);
        fprintf(out, "n\n");
        double *x = xcalloc(nruns, sizeof *x);
        for (size_t p = 0; p < npts; p++) {
            for (size_t k = 0; k < nswept; k++) {
                const char *v = param_of(&runs[pts[p].first], swept[k]);
                size_t len = strlen(v);
                if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
                    fprintf(out, "%.*s\t", (int)(len - 2), v + 1); /* enum names, unquoted */
                else
                    fprintf(out, "%s\t", v);
            }
            for (size_t m = 0; m < r0->nsummary; m++) {
                size_t n = 0;
                for (size_t j = 0; j < pts[p].n; j++)
                    if (summary_of(&runs[pts[p].runs[j]], r0->summary_key[m], &x[n]))
                        n++;
                double mean, hw = summarize_ci95(x, n, &mean);
                fprintf(out, "%.10g\t%.10g\t", mean, hw);
            }
            fprintf(out, "%zu\n", pts[p].n);
        }
        free(x);
    }
    for (size_t p = 0; p < npts; p++)
        free(pts[p].runs);
    free(pts);
    free(swept);
    for (size_t i = 0; i < nruns; i++)
        h5out_run_info_free(&runs[i]);
    free(runs);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    return rc;
}
