/*
 * summarize.c: `falconsim summarize DIR...` - one TSV row per sweep point.
 *
 * Reads every .h5 file in each DIR (result files are written atomically, so
 * a file with that name is complete; *.partial.* files are skipped); a
 * campaign gathered from several hosts is several directories, and a result
 * name found in more than one counts once (the same run gives the same
 * file on every host). Groups the
 * runs whose resolved parameters agree on everything but run.seed (and
 * run.hash_seed where it moved in step with run.seed: scripts/sweep draws
 * the hashes anew with each replication unless the hash seed is set or
 * swept, and a swept hash seed does not keep step), and prints, per group:
 * the swept keys (those with two values among the groups that have them:
 * a policy's own keys exist only in its runs), then for every /summary metric its mean and the half-width of
 * its 95 % confidence interval (Student t with n - 1 degrees of freedom,
 * GSL), then n. Rows are ordered by the swept keys, numerically where the
 * values are numbers. With one replication the half-width is "nan".
 *
 * Speed: a run's point is the text of its parameters but the replication
 * keys; runs are sorted by it, so grouping is O(runs log runs), and 10 000
 * files take seconds (bench/summarize). --index FILE also writes a campaign
 * index (h5out_write_index): external links to every run and a table of
 * its swept keys and summary metrics, one file to open a whole study.
 */
/* realpath() is X/Open (the build defines POSIX 2008 only). */
#define _XOPEN_SOURCE 700
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

struct point {
    size_t first; /* index of its first run */
    size_t *runs;
    size_t n;
};

static const struct h5out_run_info *g_sig_run;

static int cmp_key_index(const void *a, const void *b)
{
    return strcmp(g_sig_run->param_key[*(const size_t *)a], g_sig_run->param_key[*(const size_t *)b]);
}

/* Two runs are the same point when all their parameters but the
 * replication keys agree: their signature, the key-value entries of those
 * parameters in key order (whatever order the file has them in), is then
 * the same text. */
static char *point_signature(const struct h5out_run_info *r, bool hash_in_step)
{
    size_t *idx = xcalloc(r->nparams + 1, sizeof *idx);
    size_t n = 0, len = 1;
    for (size_t i = 0; i < r->nparams; i++) {
        if (replication_key(r->param_key[i], hash_in_step))
            continue;
        idx[n++] = i;
        len += strlen(r->param_key[i]) + strlen(r->param_value[i]) + 2;
    }
    g_sig_run = r;
    qsort(idx, n, sizeof *idx, cmp_key_index);
    char *sig = xmalloc(len), *w = sig;
    *w = '\0';
    for (size_t k = 0; k < n; k++)
        w += sprintf(w, "%s\x1f%s\x1e", r->param_key[idx[k]], r->param_value[idx[k]]);
    free(idx);
    return sig;
}

static char **g_sig;

static int cmp_by_sig(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(g_sig[x], g_sig[y]);
    return c != 0 ? c : (x > y) - (x < y);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* By result name, then by path (which copy of a duplicate is kept does not
 * matter: the same run gives the same file; the order is deterministic). */
static int cmp_base(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int c = strcmp(base_name(x), base_name(y));
    return c != 0 ? c : strcmp(x, y);
}

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

/* The path of file as seen from directory from (both resolved). */
static char *relative_to(const char *from, const char *file)
{
    char *a = realpath(from, NULL), *b = realpath(file, NULL);
    if (a == NULL || b == NULL) {
        free(a);
        free(b);
        return xstrdup(file);
    }
    char *rel;
    if (strcmp(a, "/") == 0) {
        rel = xstrdup(b + 1);
    } else {
        size_t i = 0;
        while (a[i] != '\0' && a[i] == b[i])
            i++;
        size_t common = i; /* where the shared directories end: a '/' of a, or its end */
        if (!(a[i] == '\0' && b[i] == '/'))
            while (common > 0 && a[common] != '/')
                common--;
        size_t ups = 0;
        for (size_t j = common; a[j] != '\0'; j++)
            ups += a[j] == '/';
        rel = xmalloc(3 * ups + strlen(b) + 1);
        char *w = rel;
        for (size_t k = 0; k < ups; k++)
            w += sprintf(w, "../");
        sprintf(w, "%s", b + common + 1);
    }
    free(a);
    free(b);
    return rel;
}

/* The campaign index: an external link and a table row per run. */
static int write_index(const char *path, char *const *files, const struct h5out_run_info *runs,
                       size_t nruns, const char *const *swept, size_t nswept, struct sim_err *err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    const char **link = xcalloc(nruns + 1, sizeof *link), **rel = xcalloc(nruns + 1, sizeof *rel);
    const char ***text = xcalloc(nswept + 1, sizeof *text);
    const struct h5out_run_info *r0 = &runs[0];
    double **num = xcalloc(r0->nsummary + 1, sizeof *num);
    for (size_t i = 0; i < nruns; i++) {
        const char *b = base_name(files[i]);
        char *l = xstrdup(b);
        l[strlen(l) - 3] = '\0'; /* .h5 */
        link[i] = l;
        rel[i] = relative_to(dir, files[i]);
    }
    for (size_t k = 0; k < nswept; k++) {
        text[k] = xcalloc(nruns + 1, sizeof **text);
        for (size_t i = 0; i < nruns; i++) {
            const char *v = param_of(&runs[i], swept[k]);
            size_t len = strlen(v);
            char *t = len >= 2 && v[0] == '"' && v[len - 1] == '"' ? xstrdup(v + 1) : xstrdup(v);
            if (t[0] != '\0' && v[0] == '"')
                t[len - 2] = '\0';
            text[k][i] = t;
        }
    }
    const char **num_name = xcalloc(r0->nsummary + 1, sizeof *num_name);
    for (size_t m = 0; m < r0->nsummary; m++) {
        num_name[m] = r0->summary_key[m];
        num[m] = xcalloc(nruns + 1, sizeof **num);
        for (size_t i = 0; i < nruns; i++)
            if (!summary_of(&runs[i], r0->summary_key[m], &num[m][i]))
                num[m][i] = (double)NAN;
    }
    struct h5out_index idx = {nruns, link, rel, nswept, (const char *const *)swept,
                              (const char *const *const *)text, r0->nsummary, num_name,
                              (const double *const *)num};
    int rc = h5out_write_index(path, &idx, err);
    for (size_t i = 0; i < nruns; i++) {
        free((void *)link[i]);
        free((void *)rel[i]);
    }
    for (size_t k = 0; k < nswept; k++) {
        for (size_t i = 0; i < nruns; i++)
            free((void *)text[k][i]);
        free(text[k]);
    }
    for (size_t m = 0; m < r0->nsummary; m++)
        free(num[m]);
    free(link);
    free(rel);
    free(text);
    free(num);
    free(num_name);
    free(dir);
    return rc;
}

int summarize_dir(const char *dir, FILE *out, struct sim_err *err)
{
    return summarize_dirs(&dir, 1, NULL, out, err);
}

int summarize_dirs(const char *const *dirs, size_t ndirs, const char *index_path, FILE *out,
                   struct sim_err *err)
{
    size_t nfiles = 0, cap = 0;
    char **files = NULL;
    for (size_t k = 0; k < ndirs; k++) {
        const char *dir = dirs[k];
        DIR *d = opendir(dir);
        if (d == NULL) {
            int e = errno;
            for (size_t i = 0; i < nfiles; i++)
                free(files[i]);
            free(files);
            return sim_error(err, e == ENOENT ? SIM_ENOENT : SIM_EINVAL,
                             "%s: error: cannot open directory: %s", dir, strerror(e));
        }
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
    }
    int rc = SIM_OK;
    if (nfiles == 0) {
        free(files);
        return sim_error(err, SIM_EINVAL, "%s%s: error: no result files (*.h5) to summarize",
                         dirs[0], ndirs > 1 ? " and the other directories" : "");
    }
    /* one file per result name (the same run from several hosts) */
    qsort(files, nfiles, sizeof *files, cmp_base);
    size_t kept = 0, dups = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if (kept > 0 && strcmp(base_name(files[kept - 1]), base_name(files[i])) == 0) {
            free(files[i]);
            dups++;
            continue;
        }
        files[kept++] = files[i];
    }
    nfiles = kept;
    if (dups > 0)
        fprintf(stderr, "falconsim: summarize: %zu result file(s) found in more than one directory, "
                        "counted once\n", dups);

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
    size_t *order = xcalloc(nruns ? nruns : 1, sizeof *order);
    size_t *members = xcalloc(nruns ? nruns : 1, sizeof *members);
    g_sig = xcalloc(nruns ? nruns : 1, sizeof *g_sig);
    if (rc == SIM_OK) {
        /* group: runs sorted by their point's signature */
        for (size_t i = 0; i < nruns; i++) {
            g_sig[i] = point_signature(&runs[i], hash_in_step);
            order[i] = i;
        }
        qsort(order, nruns, sizeof *order, cmp_by_sig);
        for (size_t k = 0; k < nruns; k++) {
            size_t i = order[k];
            if (npts == 0 || strcmp(g_sig[pts[npts - 1].first], g_sig[i]) != 0) {
                pts[npts].first = i;
                pts[npts].runs = members + k;
                npts++;
            }
            pts[npts - 1].runs[pts[npts - 1].n++] = i;
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
        if (index_path != NULL)
            rc = write_index(index_path, files, runs, nruns, swept, nswept, err);
    }
    free(pts);
    free(members);
    free(order);
    for (size_t i = 0; i < nruns && g_sig != NULL; i++)
        free(g_sig[i]);
    free(g_sig);
    g_sig = NULL;
    free(swept);
    for (size_t i = 0; i < nruns; i++)
        h5out_run_info_free(&runs[i]);
    free(runs);
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    return rc;
}
