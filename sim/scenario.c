/*
 * scenario.c: parse, override, validate.
 *
 * Order of work: read the file (includes resolved against the scenario's
 * own directory, not the CWD, as libconfig 1.5 does), apply --set overrides to
 * the libconfig tree, reject unknown keys by walking the tree against
 * k_params and every policy's keys, then walk the run's keys (the core
 * ones, then the chosen policy's: params_run_key): look each key up, parse
 * it (or its default, through the same parser), check type and bounds.
 * Keys of policies that do not run are checked against their own rows and
 * otherwise ignored. Cross-field checks (CPU ids below host.cpus, warm-up
 * shorter than the run, the policy's validate hook, ...) come last.
 *
 * libconfig traps handled here: an integer literal is not a float (we accept
 * both where a real is wanted); a 64-bit literal needs the L suffix (said in
 * docs/scenarios.md); source lines are unsigned short.
 */
#include "scenario.h"

#include "policy.h"

#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Marks settings created or changed by --set, so errors name "--set". */
static char k_set_mark;

static const char *const k_dist_members[] = {"dist",   "mean_ns",   "cv",        "min_ns",
                                             "max_ns", "quantiles", "values_ns", NULL};

static int find_name(const char *const *names, const char *s)
{
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static void join_names(const char *const *names, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] != NULL && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s\"%s\"", i ? ", " : "", names[i]);
}

/* "file:line" of a setting, "--set" for overrides, "(default)" otherwise. */
static void where(const config_setting_t *s, const char *path, char *buf, size_t len)
{
    if (s == NULL) {
        snprintf(buf, len, "(default)");
        return;
    }
    for (const config_setting_t *t = s; t != NULL; t = config_setting_parent(t)) {
        const void *hook = config_setting_get_hook(t);
        if (hook == &k_set_mark) {
            snprintf(buf, len, "--set");
            return;
        }
        if (hook != NULL) { /* merged from a defaults file: its "file:line" */
            snprintf(buf, len, "%s", (const char *)hook);
            return;
        }
    }
    const char *f = config_setting_source_file(s);
    unsigned line = config_setting_source_line(s);
    if (f == NULL)
        f = path ? path : "(scenario)";
    snprintf(buf, len, "%s:%u", f, line);
}

static bool setting_number(const config_setting_t *s, double *v, bool *is_int)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        *v = config_setting_get_int(s);
        *is_int = true;
        return true;
    case CONFIG_TYPE_INT64:
        *v = (double)config_setting_get_int64(s);
        *is_int = true;
        return true;
    case CONFIG_TYPE_FLOAT:
        *v = config_setting_get_float(s);
        *is_int = false;
        return true;
    default:
        return false;
    }
}

static int bad(struct sim_err *err, const char *loc, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad(struct sim_err *err, const char *loc, const char *key, const char *fmt, ...)
{
    char what[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sim_error(err, SIM_EINVAL, "%s: error: '%s' %s", loc, key, what);
}

/* Reads a list or array of numbers into out[]; returns the count, or -1
 * (not a list of numbers) or -2 (more than cap). */
static int number_list(const config_setting_t *s, double *out, unsigned cap)
{
    if (s == NULL || !(config_setting_is_list(s) || config_setting_is_array(s)))
        return -1;
    int n = config_setting_length(s);
    if (n > (int)cap)
        return -2;
    for (int i = 0; i < n; i++) {
        bool is_int;
        if (!setting_number(config_setting_get_elem(s, (unsigned)i), &out[i], &is_int))
            return -1;
    }
    return n;
}

/* dist = "empirical": quantiles = [0, ..., 1] strictly increasing, values_ns
 * as many, non-negative and non-decreasing (a quantile function). The mean
 * of the piecewise-linear quantile function is the trapezoid sum. */
static int parse_empirical(const config_setting_t *s, const struct param_spec *spec,
                           const char *loc, struct dist *d, struct sim_err *err)
{
    static const char *const unused[] = {"mean_ns", "cv", "min_ns", "max_ns"};
    for (unsigned i = 0; i < SIM_ARRAY_LEN(unused); i++)
        if (config_setting_get_member(s, unused[i]))
            return bad(err, loc, spec->key,
                       "dist \"empirical\" takes quantiles and values_ns, not %s (its mean is "
                       "derived from the table)",
                       unused[i]);
    int nq = number_list(config_setting_get_member(s, "quantiles"), d->q, DIST_EMPIRICAL_MAX);
    int nv = number_list(config_setting_get_member(s, "values_ns"), d->v, DIST_EMPIRICAL_MAX);
    if (nq == -2 || nv == -2)
        return bad(err, loc, spec->key, "has more than %d quantile points", DIST_EMPIRICAL_MAX);
    if (nq < 0 || nv < 0)
        return bad(err, loc, spec->key,
                   "needs quantiles = [...] and values_ns = [...], lists of numbers, for dist "
                   "\"empirical\"");
    if (nq != nv || nq < 2)
        return bad(err, loc, spec->key,
                   "needs as many values_ns as quantiles, at least 2 (got %d and %d)", nq, nv);
    d->n = (unsigned)nq;
    if (d->q[0] != 0 || d->q[d->n - 1] != 1)
        return bad(err, loc, spec->key, "needs quantiles from 0 to 1 (got %g to %g)", d->q[0],
                   d->q[d->n - 1]);
    for (unsigned i = 0; i < d->n; i++) {
        if (i > 0 && !(d->q[i] > d->q[i - 1]))
            return bad(err, loc, spec->key, "needs strictly increasing quantiles (%g after %g)",
                       d->q[i], d->q[i - 1]);
        if (!(d->v[i] >= 0) || (i > 0 && d->v[i] < d->v[i - 1]))
            return bad(err, loc, spec->key,
                       "needs non-negative, non-decreasing values_ns (%g at quantile %g)",
                       d->v[i], d->q[i]);
    }
    double mean = 0;
    for (unsigned i = 0; i + 1 < d->n; i++)
        mean += (d->q[i + 1] - d->q[i]) * (d->v[i] + d->v[i + 1]) / 2;
    d->mean_ns = mean;
    if (!(d->mean_ns >= spec->min && d->mean_ns <= spec->max))
        return bad(err, loc, spec->key, "mean must be in [%g, %g] ns (got %g)", spec->min,
                   spec->max, d->mean_ns);
    return SIM_OK;
}

static int parse_dist(const config_setting_t *s, const struct param_spec *spec, const char *loc,
                      struct dist *d, struct sim_err *err)
{
    double v;
    bool is_int;
    memset(d, 0, sizeof *d);
    if (setting_number(s, &v, &is_int)) {
        d->kind = DIST_CONST;
        d->mean_ns = v;
    } else if (config_setting_is_group(s)) {
        for (int i = 0; i < config_setting_length(s); i++) {
            const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
            if (find_name(k_dist_members, config_setting_name(m)) < 0) {
                char mloc[300];
                where(m, NULL, mloc, sizeof mloc);
                return bad(err, mloc, spec->key,
                           "has no member '%s' (allowed: dist, mean_ns, cv, min_ns, max_ns, "
                           "quantiles, values_ns)",
                           config_setting_name(m));
            }
        }
        const char *name = "constant";
        const config_setting_t *m = config_setting_get_member(s, "dist");
        if (m != NULL) {
            if (config_setting_type(m) != CONFIG_TYPE_STRING)
                return bad(err, loc, spec->key, "member 'dist' must be a string");
            name = config_setting_get_string(m);
        }
        int k = find_name(k_dist_names, name);
        if (k < 0) {
            char names[200];
            join_names(k_dist_names, names, sizeof names);
            return bad(err, loc, spec->key, "has unknown dist \"%s\" (allowed: %s)", name, names);
        }
        d->kind = (enum dist_kind)k;
        if (d->kind == DIST_EMPIRICAL)
            return parse_empirical(s, spec, loc, d, err);
        if (config_setting_get_member(s, "quantiles") || config_setting_get_member(s, "values_ns"))
            return bad(err, loc, spec->key, "has quantiles or values_ns, which only dist "
                                            "\"empirical\" takes");
        static const char *const fields[] = {"mean_ns", "cv", "min_ns", "max_ns"};
        double *dst[] = {&d->mean_ns, &d->cv, &d->min_ns, &d->max_ns};
        bool have[4] = {false, false, false, false};
        for (int f = 0; f < 4; f++) {
            m = config_setting_get_member(s, fields[f]);
            if (m == NULL)
                continue;
            if (!setting_number(m, dst[f], &is_int))
                return bad(err, loc, spec->key, "member '%s' must be a number", fields[f]);
            have[f] = true;
        }
        bool need_mean = d->kind != DIST_UNIFORM;
        if (need_mean && !have[0])
            return bad(err, loc, spec->key, "needs mean_ns for dist \"%s\"", name);
        if (d->kind == DIST_LOGNORMAL && !have[1])
            return bad(err, loc, spec->key, "needs cv for dist \"lognormal\"");
        if (d->kind == DIST_UNIFORM) {
            if (!have[2] || !have[3])
                return bad(err, loc, spec->key, "needs min_ns and max_ns for dist \"uniform\"");
            if (!(d->min_ns >= 0 && d->max_ns >= d->min_ns))
                return bad(err, loc, spec->key, "needs 0 <= min_ns <= max_ns (got %g, %g)",
                           d->min_ns, d->max_ns);
            d->mean_ns = (d->min_ns + d->max_ns) / 2;
        }
        if (d->kind == DIST_LOGNORMAL && !(d->cv > 0 && d->cv <= 100))
            return bad(err, loc, spec->key, "needs cv in (0, 100] (got %g)", d->cv);
    } else {
        return bad(err, loc, spec->key,
                   "must be a number (constant, ns) or a group { dist = ...; mean_ns = ...; }");
    }
    if (!(d->mean_ns >= spec->min && d->mean_ns <= spec->max))
        return bad(err, loc, spec->key, "mean must be in [%g, %g] ns (got %g)", spec->min,
                   spec->max, d->mean_ns);
    return SIM_OK;
}

static int parse_value(const config_setting_t *s, const struct param_spec *spec, const char *loc,
                       struct sim_params *p, struct sim_err *err)
{
    char *base = (char *)p + spec->offset;
    double v;
    bool is_int;
    switch (spec->type) {
    case P_INT:
        if (!setting_number(s, &v, &is_int) || !is_int)
            return bad(err, loc, spec->key, "must be an integer in [%.0f, %.0f]", spec->min,
                       spec->max);
        if (!(v >= spec->min && v <= spec->max))
            return bad(err, loc, spec->key, "must be in [%.0f, %.0f] (got %.0f)", spec->min,
                       spec->max, v);
        *(int64_t *)(void *)base = config_setting_type(s) == CONFIG_TYPE_INT64
                                       ? config_setting_get_int64(s)
                                       : (int64_t)config_setting_get_int(s);
        return SIM_OK;
    case P_REAL:
        if (!setting_number(s, &v, &is_int))
            return bad(err, loc, spec->key, "must be a number in [%g, %g]", spec->min, spec->max);
        if (!(v >= spec->min && v <= spec->max))
            return bad(err, loc, spec->key, "must be in [%g, %g] (got %g)", spec->min, spec->max,
                       v);
        *(double *)(void *)base = v;
        return SIM_OK;
    case P_BOOL:
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
            return bad(err, loc, spec->key, "must be true or false");
        *(bool *)(void *)base = config_setting_get_bool(s) != 0;
        return SIM_OK;
    case P_ENUM: {
        char names[300];
        join_names(spec->names, names, sizeof names);
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            return bad(err, loc, spec->key, "must be a string, one of %s", names);
        int k = find_name(spec->names, config_setting_get_string(s));
        if (k < 0)
            return bad(err, loc, spec->key, "must be one of %s (got \"%s\")", names,
                       config_setting_get_string(s));
        *(int *)(void *)base = k;
        return SIM_OK;
    }
    case P_CPUS: {
        /* a CPU list, or (a row with bounds) a list of integers in them */
        struct cpu_list *l = (struct cpu_list *)(void *)base;
        bool cpus = spec->max <= spec->min;
        double lo = cpus ? 0 : spec->min, hi = cpus ? SIM_MAX_CPUS - 1 : spec->max;
        if (!config_setting_is_array(s) && !config_setting_is_list(s))
            return bad(err, loc, spec->key, cpus ? "must be a list of CPU ids, e.g. [0, 2]"
                                                 : "must be a list of integers, e.g. [%.0f]",
                       lo);
        int n = config_setting_length(s);
        if (n > SIM_MAX_LIST)
            return bad(err, loc, spec->key, "has %d entries (at most %d)", n, SIM_MAX_LIST);
        l->n = 0;
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            if (!setting_number(e, &v, &is_int) || !is_int || v < lo || v > hi)
                return bad(err, loc, spec->key, "entry %d must be %s in [%.0f, %.0f]", i,
                           cpus ? "a CPU id" : "an integer", lo, hi);
            for (unsigned j = 0; j < l->n; j++)
                if (l->cpu[j] == (uint16_t)v)
                    return bad(err, loc, spec->key, "lists %s%.0f twice", cpus ? "CPU " : "", v);
            l->cpu[l->n++] = (uint16_t)v;
        }
        return SIM_OK;
    }
    case P_DIST:
        return parse_dist(s, spec, loc, (struct dist *)(void *)base, err);
    }
    return SIM_EINVAL;
}

/* Parses a table default ("v = <def>;") through the scenario parser. */
static void apply_default(const struct param_spec *spec, struct sim_params *p)
{
    config_t c;
    char text[256];
    struct sim_err err;
    config_init(&c);
    /* Enum defaults are written bare in the table; quote them here. */
    snprintf(text, sizeof text, spec->type == P_ENUM ? "v = \"%s\";" : "v = %s;", spec->def);
    int ok = config_read_string(&c, text);
    if (ok != CONFIG_TRUE)
        fprintf(stderr, "falconsim: bad table default for '%s': %s\n", spec->key, text);
    SIM_ASSERT(ok == CONFIG_TRUE);
    int rc = parse_value(config_lookup(&c, "v"), spec, "(default)", p, &err);
    if (rc != SIM_OK)
        fprintf(stderr, "falconsim: bad table default: %s\n", err.msg);
    SIM_ASSERT(rc == SIM_OK);
    config_destroy(&c);
}

/* The defaults of the keys of p's policy (its own struct, zeroed first). */
static void policy_defaults(struct sim_params *p)
{
    const struct placement_policy_ops *ops = policy_of(p);
    memset(&p->policy.params, 0, sizeof p->policy.params);
    for (size_t k = 0; k < ops->nkeys; k++)
        apply_default(&ops->keys[k], p);
}

void scenario_defaults(struct sim_params *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < k_params_count; i++)
        apply_default(&k_params[i], p);
    policy_defaults(p);
}

/* Every key any policy might run with: the core keys, then each
 * registered policy's (a shared name more than once); NULL past the end. */
static const struct param_spec *any_key(size_t i)
{
    if (i < k_params_count)
        return &k_params[i];
    i -= k_params_count;
    for (unsigned id = 0; id < policy_count(); id++) {
        const struct placement_policy_ops *ops = policy_at(id);
        if (i < ops->nkeys)
            return &ops->keys[i];
        i -= ops->nkeys;
    }
    return NULL;
}

/* True if some key of the table lies under the group path prefix. */
static bool is_group_prefix(const char *prefix)
{
    size_t n = strlen(prefix);
    const struct param_spec *spec;
    for (size_t i = 0; (spec = any_key(i)) != NULL; i++)
        if (strncmp(spec->key, prefix, n) == 0 && spec->key[n] == '.')
            return true;
    return false;
}

/* The known key nearest to an unknown one (edit distance, at most a third
 * of its length), for "did you mean": NULL if none is that close. */
static const char *nearest_key(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 96)
        return NULL;
    const char *best = NULL;
    size_t best_d = n / 3 + 1;
    const struct param_spec *spec;
    for (size_t i = 0; (spec = any_key(i)) != NULL; i++) {
        const char *cand = spec->key;
        size_t m = strlen(cand);
        if (m > 96)
            continue;
        size_t row[97];
        for (size_t j = 0; j <= m; j++)
            row[j] = j;
        for (size_t a = 1; a <= n; a++) {
            size_t diag = row[0];
            row[0] = a;
            for (size_t j = 1; j <= m; j++) {
                size_t up = row[j];
                size_t cost = key[a - 1] == cand[j - 1] ? 0 : 1;
                size_t v = diag + cost;
                if (up + 1 < v)
                    v = up + 1;
                if (row[j - 1] + 1 < v)
                    v = row[j - 1] + 1;
                row[j] = v;
                diag = up;
            }
        }
        if (row[m] < best_d) {
            best_d = row[m];
            best = cand;
        }
    }
    return best;
}

/* Keys that existed and were removed, with what to do instead. */
static const struct {
    const char *key, *instead;
} k_retired_keys[] = {
    {"workload.falcon_sender_cap_pps",
     "the traffic no longer depends on policy.name: put the sender of a FALCON run in its own "
     "scenario with workload.overlay_sender_cap_pps (scenarios/udp_stress_falcon.cfg)"},
};

static int unknown_key(struct sim_err *err, const char *where, const char *key)
{
    for (size_t i = 0; i < SIM_ARRAY_LEN(k_retired_keys); i++)
        if (strcmp(key, k_retired_keys[i].key) == 0)
            return sim_error(err, SIM_EINVAL, "%s: error: '%s' was removed: %s", where, key,
                             k_retired_keys[i].instead);
    const char *near = nearest_key(key);
    if (near != NULL)
        return sim_error(err, SIM_EINVAL, "%s: error: '%s' is not a known key; did you mean '%s'?",
                         where, key, near);
    return sim_error(err, SIM_EINVAL,
                     "%s: error: '%s' is not a known key (falconsim --help-keys lists them)", where,
                     key);
}

static int check_unknown(const config_setting_t *group, const char *prefix, const char *path,
                         struct sim_err *err)
{
    for (int i = 0; i < config_setting_length(group); i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        char key[256], loc[300];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", config_setting_name(s));
        where(s, path, loc, sizeof loc);
        const struct param_spec *spec = params_find(key);
        if (spec != NULL)
            continue; /* its type is checked when parsed */
        if (config_setting_is_group(s) && is_group_prefix(key)) {
            int rc = check_unknown(s, key, path, err);
            if (rc != SIM_OK)
                return rc;
            continue;
        }
        return unknown_key(err, loc, key);
    }
    return SIM_OK;
}

/* {===== --set overrides ===== */

static config_setting_t *ensure_group_path(config_t *c, const char *path_prefix)
{
    config_setting_t *g = config_root_setting(c);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path_prefix);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok != NULL; tok = strtok_r(NULL, ".", &save)) {
        config_setting_t *m = config_setting_get_member(g, tok);
        if (m != NULL && !config_setting_is_group(m)) {
            config_setting_remove(g, tok);
            m = NULL;
        }
        if (m == NULL) {
            m = config_setting_add(g, tok, CONFIG_TYPE_GROUP);
            config_setting_set_hook(m, &k_set_mark);
        }
        g = m;
    }
    return g;
}

static bool parse_full_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *s != '\0' && *end == '\0' && errno == 0;
}

static bool parse_full_ll(const char *s, long long *v)
{
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return *s != '\0' && *end == '\0' && errno == 0;
}

/* Copies src (any type) under parent as name (NULL inside an array or a
 * list), marked as set on the command line. */
static config_setting_t *copy_setting(config_setting_t *parent, const char *name,
                                      const config_setting_t *src)
{
    int type = config_setting_type(src);
    config_setting_t *d = config_setting_add(parent, name, type);
    if (d == NULL)
        return NULL;
    config_setting_set_hook(d, &k_set_mark);
    switch (type) {
    case CONFIG_TYPE_INT:
        config_setting_set_int(d, config_setting_get_int(src));
        break;
    case CONFIG_TYPE_INT64:
        config_setting_set_int64(d, config_setting_get_int64(src));
        break;
    case CONFIG_TYPE_FLOAT:
        config_setting_set_float(d, config_setting_get_float(src));
        break;
    case CONFIG_TYPE_BOOL:
        config_setting_set_bool(d, config_setting_get_bool(src));
        break;
    case CONFIG_TYPE_STRING:
        config_setting_set_string(d, config_setting_get_string(src));
        break;
    default: /* group, array, list */
        for (int i = 0; i < config_setting_length(src); i++) {
            const config_setting_t *e = config_setting_get_elem(src, (unsigned)i);
            if (copy_setting(d, type == CONFIG_TYPE_GROUP ? config_setting_name(e) : NULL, e) ==
                NULL)
                return NULL;
        }
        break;
    }
    return d;
}

/* A --set value written in scenario syntax, as /params and the resolved
 * text print it: a quoted string ("overlay") or a distribution group
 * ({ dist = "exponential"; mean_ns = 500; }). Parsed by libconfig as
 * `v = VALUE;` and copied under g as leaf if its type is want_type;
 * otherwise an error saying the key must be `what`. (An @include inside a
 * value is not scenario syntax here.) */
static int set_from_text(config_setting_t *g, const char *leaf, const char *key, const char *val,
                         int want_type, const char *what, struct sim_err *err)
{
    config_t tmp;
    config_init(&tmp);
    size_t n = strlen(val) + 8;
    char *text = xmalloc(n);
    snprintf(text, n, "v = %s;", val);
    bool parsed = !strstr(val, "@include") && config_read_string(&tmp, text) == CONFIG_TRUE;
    const config_setting_t *v = parsed ? config_lookup(&tmp, "v") : NULL;
    bool ok = v != NULL && config_setting_type(v) == want_type &&
              copy_setting(g, leaf, v) != NULL;
    config_destroy(&tmp);
    free(text);
    return ok ? SIM_OK
              : sim_error(err, SIM_EINVAL, "--set: error: '%s' must be %s (got %s)", key, what, val);
}

static int apply_set(config_t *c, const char *assignment, struct sim_err *err)
{
    const char *eq = strchr(assignment, '=');
    char key[256];
    if (eq == NULL || eq == assignment || (size_t)(eq - assignment) >= sizeof key)
        return sim_error(err, SIM_EINVAL, "--set: error: expected KEY=VALUE (got \"%s\")",
                         assignment);
    memcpy(key, assignment, (size_t)(eq - assignment));
    key[eq - assignment] = '\0';
    const char *val = eq + 1;

    const struct param_spec *spec = params_find(key);
    const char *member = NULL;
    char parent[256];
    if (spec == NULL) {
        /* stage.x.cost.dist=exponential: a member of a distribution key */
        const char *dot = strrchr(key, '.');
        if (dot != NULL) {
            snprintf(parent, sizeof parent, "%.*s", (int)(dot - key), key);
            const struct param_spec *ps = params_find(parent);
            if (ps != NULL && ps->type == P_DIST && find_name(k_dist_members, dot + 1) >= 0) {
                spec = ps;
                member = dot + 1;
            }
        }
        if (spec == NULL)
            return unknown_key(err, "--set", key);
    }
    const char *leaf_path = member ? parent : spec->key;
    const char *last = strrchr(leaf_path, '.');
    char gpath[256];
    snprintf(gpath, sizeof gpath, "%.*s", (int)(last - leaf_path), leaf_path);
    config_setting_t *g = ensure_group_path(c, gpath);
    const char *leaf = last + 1;

    double d;
    long long ll;
    config_setting_t *s = NULL;
    if (member != NULL) {
        config_setting_t *dg = config_setting_get_member(g, leaf);
        if (dg == NULL || !config_setting_is_group(dg)) {
            double old = 0;
            bool old_num = false, is_int;
            if (dg != NULL && setting_number(dg, &old, &is_int))
                old_num = true;
            if (dg != NULL)
                config_setting_remove(g, leaf);
            if (!old_num) { /* not in the file: start from the table default */
                struct sim_params defaults;
                memset(&defaults, 0, sizeof defaults);
                apply_default(spec, &defaults);
                old = ((const struct dist *)(const void *)((const char *)&defaults + spec->offset))
                          ->mean_ns;
            }
            dg = config_setting_add(g, leaf, CONFIG_TYPE_GROUP);
            config_setting_t *mm = config_setting_add(dg, "mean_ns", CONFIG_TYPE_FLOAT);
            config_setting_set_float(mm, old);
        }
        config_setting_set_hook(dg, &k_set_mark);
        config_setting_remove(dg, member);
        if (strcmp(member, "dist") == 0) {
            if (val[0] == '"')
                return set_from_text(dg, member, key, val, CONFIG_TYPE_STRING, "a string", err);
            s = config_setting_add(dg, member, CONFIG_TYPE_STRING);
            config_setting_set_string(s, val);
        } else {
            if (!parse_full_double(val, &d))
                return sim_error(err, SIM_EINVAL, "--set: error: '%s' must be a number (got \"%s\")",
                                 key, val);
            s = config_setting_add(dg, member, CONFIG_TYPE_FLOAT);
            config_setting_set_float(s, d);
        }
        return SIM_OK;
    }

    config_setting_remove(g, leaf);
    switch (spec->type) {
    case P_INT:
        if (!parse_full_ll(val, &ll))
            return sim_error(err, SIM_EINVAL,
                             "--set: error: '%s' must be an integer in [%.0f, %.0f] (got \"%s\")",
                             key, spec->min, spec->max, val);
        s = config_setting_add(g, leaf, CONFIG_TYPE_INT64);
        config_setting_set_int64(s, ll);
        break;
    case P_DIST:
        if (val[0] == '{')
            return set_from_text(g, leaf, key, val, CONFIG_TYPE_GROUP,
                                 "a number or a group { dist = \"...\"; ... }", err);
        /* fall through */
    case P_REAL:
        if (!parse_full_double(val, &d))
            return sim_error(err, SIM_EINVAL, "--set: error: '%s' must be a number (got \"%s\")",
                             key, val);
        s = config_setting_add(g, leaf, CONFIG_TYPE_FLOAT);
        config_setting_set_float(s, d);
        break;
    case P_BOOL:
        if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0)
            return sim_error(err, SIM_EINVAL, "--set: error: '%s' must be true or false", key);
        s = config_setting_add(g, leaf, CONFIG_TYPE_BOOL);
        config_setting_set_bool(s, strcmp(val, "true") == 0);
        break;
    case P_ENUM:
        if (val[0] == '"')
            return set_from_text(g, leaf, key, val, CONFIG_TYPE_STRING, "a string", err);
        s = config_setting_add(g, leaf, CONFIG_TYPE_STRING);
        config_setting_set_string(s, val);
        break;
    case P_CPUS: {
        s = config_setting_add(g, leaf, CONFIG_TYPE_ARRAY);
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", val);
        char *save = NULL;
        for (char *tok = strtok_r(buf, "[], ", &save); tok != NULL;
             tok = strtok_r(NULL, "[], ", &save)) {
            if (!parse_full_ll(tok, &ll) || ll < INT_MIN || ll > INT_MAX)
                return sim_error(err, SIM_EINVAL,
                                 "--set: error: '%s' must be a comma-separated list of %s "
                                 "(got \"%s\")",
                                 key, spec->max > spec->min ? "integers" : "CPU ids", val);
            config_setting_set_int_elem(s, -1, (int)ll);
        }
        break;
    }
    }
    config_setting_set_hook(s, &k_set_mark);
    return SIM_OK;
}

/* }===== */

/* A CPU list that the scenario uses must name CPUs inside the budget (and,
 * unless allow_empty, at least one). Lists of unused features are not
 * checked, so a small host.cpus does not trip over their defaults. */
/* A complaint (a policy's, or a core key's CPU list) as one error line,
 * located where its key was set. */
static int complaint_error(const struct policy_complaint *pc, const config_t *c, const char *path,
                           struct sim_err *err)
{
    char loc[300];
    const config_setting_t *s = config_lookup(c, pc->key);
    where(s, path, loc, sizeof loc);
    return sim_error(err, SIM_EINVAL, "%s: error: '%s' %s%s", loc, pc->key, pc->msg,
                     s == NULL ? " (this is its default: set it in the scenario)" : "");
}

static int cpu_list_check(const struct sim_params *p, const struct cpu_list *l, const char *key,
                          const config_t *c, const char *path, bool allow_empty,
                          struct sim_err *err)
{
    struct policy_complaint pc;
    if (policy_check_cpus(p, l, key, allow_empty, &pc) == SIM_OK)
        return SIM_OK;
    return complaint_error(&pc, c, path, err);
}

/* Appends line (ending in a newline) to *notes. */
static void append_note(char **notes, const char *line)
{
    size_t old = *notes ? strlen(*notes) : 0;
    char *joined = xmalloc(old + strlen(line) + 1);
    memcpy(joined, *notes ? *notes : "", old);
    memcpy(joined + old, line, strlen(line) + 1);
    free(*notes);
    *notes = joined;
}

static int cross_checks(const struct sim_params *p, const config_t *c, const char *path,
                        char **notes, struct sim_err *err)
{
    int rc;
    char loc[300];
    if ((rc = cpu_list_check(p, &p->nic.irq_cpus, "nic.irq_cpus", c, path, false, err)) ||
        (rc = cpu_list_check(p, &p->app.cpus, "app.cpus", c, path, false, err)) ||
        (rc = cpu_list_check(p, &p->app.migrate_cpus, "app.migrate_cpus", c, path, true, err)) ||
        (rc = cpu_list_check(p, &p->noise.cpus, "noise.cpus", c, path, true, err)) ||
        (rc = cpu_list_check(p, &p->sender.cpus, "sender.cpus", c, path, true, err)))
        return rc;
    if (p->sender.cpus.n > 0 &&
        (p->workload.type != WL_STREAM || p->workload.protocol != PROTO_UDP)) {
        where(config_lookup(c, "sender.cpus"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'sender.cpus' (senders on this host) takes a UDP stream "
                         "workload (workload.type = \"stream\", workload.protocol = \"udp\")",
                         loc);
    }
    /* A mean spacing under a microsecond would spend the run in noise
     * events; it is no CPU the probe could have measured either. */
    if (p->noise.cpus.n > 0 && p->noise.spacing.mean_ns < 1000) {
        where(config_lookup(c, "noise.spacing"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'noise.spacing' must average at least 1000 ns where "
                         "noise.cpus is set (got %g)",
                         loc, p->noise.spacing.mean_ns);
    }
    /* The knee and its slope come together: either alone would do nothing. */
    if ((p->noise.idle_knee_us > 0) != (p->noise.idle_slope > 0)) {
        const char *set = p->noise.idle_knee_us > 0 ? "noise.idle_knee_us" : "noise.idle_slope";
        const char *other = p->noise.idle_knee_us > 0 ? "noise.idle_slope" : "noise.idle_knee_us";
        where(config_lookup(c, set), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL, "%s: error: '%s' needs '%s' above 0 as well", loc, set,
                         other);
    }
    /* The return is part of a call's cost, not a cost of its own. */
    const char *call_key = NULL;
    double call_ns = 0;
    if (p->sender.cpus.n > 0 && p->cpu.syscall_return_ns > p->sender.call_ns)
        call_key = "sender.call_ns", call_ns = p->sender.call_ns;
    else if (p->app.call_ns > 0 && p->cpu.syscall_return_ns > p->app.call_ns)
        call_key = "app.call_ns", call_ns = p->app.call_ns;
    if (p->cpu.syscall_return_user_ns > p->cpu.syscall_return_ns) {
        where(config_lookup(c, "cpu.syscall_return_user_ns"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'cpu.syscall_return_user_ns' (%g) exceeds "
                         "'cpu.syscall_return_ns' (%g), the part of the call it is of",
                         loc, p->cpu.syscall_return_user_ns, p->cpu.syscall_return_ns);
    }
    if (call_key != NULL) {
        where(config_lookup(c, "cpu.syscall_return_ns"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'cpu.syscall_return_ns' (%g) exceeds '%s' (%g), the "
                         "call's whole cost",
                         loc, p->cpu.syscall_return_ns, call_key, call_ns);
    }
    const struct placement_policy_ops *ops = policy_of(p);
    struct policy_complaint complaint = {NULL, ""};
    if (ops->validate != NULL && ops->validate(p, &complaint) != SIM_OK) {
        SIM_ASSERT(complaint.key != NULL);
        return complaint_error(&complaint, c, path, err);
    }
    if (complaint.key != NULL) {
        /* accepted with a remark: a warning line, located like an error */
        char line[800];
        where(config_lookup(c, complaint.key), path, loc, sizeof loc);
        snprintf(line, sizeof line, "%s: warning: '%s' %s\n", loc, complaint.key, complaint.msg);
        append_note(notes, line);
    }
    if (p->workload.probe_flows > 0 && p->workload.type != WL_STREAM) {
        where(config_lookup(c, "workload.probe_flows"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'workload.probe_flows' takes a stream workload "
                         "(workload.type = \"stream\")",
                         loc);
    }
    if (p->run.warmup_ms >= p->run.duration_ms) {
        where(config_lookup(c, "run.warmup_ms"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'run.warmup_ms' must be less than run.duration_ms = %g "
                         "(got %g)",
                         loc, p->run.duration_ms, p->run.warmup_ms);
    }
    if (p->app.migrate_at_ms > 0 && p->app.migrate_cpus.n == 0) {
        where(config_lookup(c, "app.migrate_at_ms"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'app.migrate_at_ms' needs app.migrate_cpus to list at least "
                         "one CPU",
                         loc);
    }
    int64_t inner_mtu = p->network.mtu - (p->network.mode == NET_OVERLAY
                                              ? p->network.vxlan_overhead_bytes : 0);
    if (inner_mtu < 576) {
        where(config_lookup(c, "network.vxlan_overhead_bytes"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'network.vxlan_overhead_bytes' leaves an inner MTU of %lld "
                         "(at least 576 needed)",
                         loc, (long long)inner_mtu);
    }
    if (p->workload.type == WL_WEB && p->workload.outstanding != 1) {
        where(config_lookup(c, "workload.outstanding"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'workload.outstanding' must be 1 for workload.type = \"web\" "
                         "(got %lld)",
                         loc, (long long)p->workload.outstanding);
    }
    if (p->workload.hotspot_flow >= 0) {
        where(config_lookup(c, "workload.hotspot_flow"), path, loc, sizeof loc);
        if (p->workload.type != WL_STREAM || p->workload.hotspot_flow >= p->workload.flows)
            return sim_error(err, SIM_EINVAL,
                             "%s: error: 'workload.hotspot_flow' must name a stream flow in "
                             "[0, %lld)",
                             loc, (long long)p->workload.flows);
        if (p->workload.hotspot_rate_pps <= 0 || p->workload.rate_pps <= 0)
            return sim_error(err, SIM_EINVAL,
                             "%s: error: a hotspot needs workload.rate_pps and "
                             "workload.hotspot_rate_pps above 0",
                             loc);
    }
    if (p->workload.protocol == PROTO_TCP &&
        p->workload.tcp_window_bytes < p->network.mtu) {
        where(config_lookup(c, "workload.tcp_window_bytes"), path, loc, sizeof loc);
        return sim_error(err, SIM_EINVAL,
                         "%s: error: 'workload.tcp_window_bytes' must be at least network.mtu",
                         loc);
    }
    return SIM_OK;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0) {
            cap *= 2;
            char *nb = xmalloc(cap);
            memcpy(nb, buf, n);
            free(buf);
            buf = nb;
        }
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static char *config_to_text(const config_t *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return xstrdup("");
    config_write(c, m);
    fclose(m);
    char *out = xstrdup(buf ? buf : "");
    free(buf);
    return out;
}

static char *resolved_text(const struct sim_params *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return xstrdup("");
    const struct param_spec *spec;
    for (size_t i = 0; (spec = params_run_key(p, i)) != NULL; i++) {
        char v[8192];
        params_format_value(spec, p, v, sizeof v);
        fprintf(m, "%s = %s;\n", spec->key, v);
    }
    fclose(m);
    char *out = xstrdup(buf ? buf : "");
    free(buf);
    return out;
}

/* {===== defaults = "FILE": a base scenario ===== */

/*
 * A top-level `defaults = "FILE";` names a scenario whose keys apply unless
 * this file (or --set) sets them: unlike @include, which libconfig cannot
 * merge with a group of the same name, it lets a testbed file (NIC, CPU
 * costs, kernel) and an experiment file both use any group. FILE is
 * relative to the including file; defaults files may chain (depth 8).
 */

#define DEFAULTS_MAX_DEPTH 8

struct origins {
    char **s;
    size_t n, cap;
};

static const char *origin_add(struct origins *o, const char *file, unsigned line)
{
    xgrow(&o->s, &o->cap, o->n, sizeof *o->s, 64);
    size_t n = strlen(file) + 16;
    o->s[o->n] = xmalloc(n);
    snprintf(o->s[o->n], n, "%s:%u", file, line);
    return o->s[o->n++];
}

static void origins_free(struct origins *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->s[i]);
    free(o->s);
}

/* Copies src (a setting of the defaults file) into group dst, recursively
 * for groups; a key already in dst wins. Distributions copy whole. */
static void merge_setting(config_setting_t *dst, const config_setting_t *src, const char *prefix,
                          const char *file, struct origins *o)
{
    const char *name = config_setting_name(src);
    char key[256];
    snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", name);
    config_setting_t *have = config_setting_get_member(dst, name);
    const struct param_spec *spec = params_find(key);
    bool whole = !config_setting_is_group(src) || (spec != NULL && spec->type == P_DIST);
    if (have != NULL && (whole || !config_setting_is_group(have)))
        return;
    if (have == NULL) {
        int type = config_setting_type(src);
        have = config_setting_add(dst, name, whole ? type : CONFIG_TYPE_GROUP);
        config_setting_set_hook(have, (void *)origin_add(o, file, config_setting_source_line(src)));
        if (whole) {
            switch (type) {
            case CONFIG_TYPE_INT: config_setting_set_int(have, config_setting_get_int(src)); break;
            case CONFIG_TYPE_INT64: config_setting_set_int64(have, config_setting_get_int64(src)); break;
            case CONFIG_TYPE_FLOAT: config_setting_set_float(have, config_setting_get_float(src)); break;
            case CONFIG_TYPE_BOOL: config_setting_set_bool(have, config_setting_get_bool(src)); break;
            case CONFIG_TYPE_STRING:
                config_setting_set_string(have, config_setting_get_string(src));
                break;
            case CONFIG_TYPE_ARRAY:
            case CONFIG_TYPE_LIST:
                for (int i = 0; i < config_setting_length(src); i++) {
                    const config_setting_t *e = config_setting_get_elem(src, (unsigned)i);
                    if (config_setting_type(e) == CONFIG_TYPE_FLOAT)
                        config_setting_set_float_elem(have, -1, config_setting_get_float(e));
                    else
                        config_setting_set_int_elem(have, -1, config_setting_get_int(e));
                }
                break;
            case CONFIG_TYPE_GROUP: /* a distribution given as a group */
                for (int i = 0; i < config_setting_length(src); i++)
                    merge_setting(have, config_setting_get_elem(src, (unsigned)i), key, file, o);
                break;
            default:
                break;
            }
            return;
        }
    }
    for (int i = 0; i < config_setting_length(src); i++)
        merge_setting(have, config_setting_get_elem(src, (unsigned)i), key, file, o);
}

static int check_includes(const char *text, const char *file, const char *dir, int depth,
                          struct sim_err *err);

static char *dir_of(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        strcpy(dir, ".");
    return dir;
}

/* Resolves the `defaults` chain of c (read from `path`) into c. */
static int apply_defaults(config_t *c, const char *path, int depth, struct origins *o,
                          struct sim_err *err)
{
    config_setting_t *root = config_root_setting(c);
    config_setting_t *d = config_setting_get_member(root, "defaults");
    if (d == NULL)
        return SIM_OK;
    char loc[300];
    where(d, path, loc, sizeof loc);
    if (config_setting_type(d) != CONFIG_TYPE_STRING)
        return sim_error(err, SIM_EINVAL, "%s: error: 'defaults' must be a file name string", loc);
    if (depth >= DEFAULTS_MAX_DEPTH)
        return sim_error(err, SIM_EINVAL, "%s: error: 'defaults' chain deeper than %d (a loop?)",
                         loc, DEFAULTS_MAX_DEPTH);
    char *dir = dir_of(path ? path : ".");
    const char *name = config_setting_get_string(d);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *base_path = xmalloc(n);
    if (name[0] == '/')
        snprintf(base_path, n, "%s", name);
    else
        snprintf(base_path, n, "%s/%s", dir, name);
    free(dir);
    config_t base;
    config_init(&base);
    char *base_dir = dir_of(base_path);
    config_set_include_dir(&base, base_dir);
    free(base_dir);
    int rc = SIM_OK;
    FILE *probe = fopen(base_path, "rb");
    if (probe == NULL) {
        rc = sim_error(err, SIM_ENOENT, "%s: error: cannot read defaults file '%s': %s", loc,
                       base_path, strerror(errno));
        goto out;
    }
    fclose(probe);
    char *base_text = slurp(base_path);
    char *inc_dir = dir_of(base_path);
    rc = base_text ? check_includes(base_text, base_path, inc_dir, 0, err)
                   : sim_error(err, SIM_ENOENT, "%s: error: cannot read defaults file '%s': %s", loc,
                               base_path, strerror(errno));
    free(base_text);
    free(inc_dir);
    if (rc != SIM_OK)
        goto out;
    if (config_read_file(&base, base_path) != CONFIG_TRUE) {
        rc = sim_error(err, SIM_EINVAL, "%s:%d: error: %s",
                       config_error_file(&base) ? config_error_file(&base) : base_path,
                       config_error_line(&base), config_error_text(&base));
        goto out;
    }
    if ((rc = apply_defaults(&base, base_path, depth + 1, o, err)) != SIM_OK)
        goto out;
    config_setting_remove(root, "defaults");
    config_setting_t *broot = config_root_setting(&base);
    for (int i = 0; i < config_setting_length(broot); i++) {
        const config_setting_t *bs = config_setting_get_elem(broot, (unsigned)i);
        const void *hook = config_setting_get_hook(bs);
        merge_setting(root, bs, "", hook ? (const char *)hook : base_path, o);
    }
out:
    config_destroy(&base);
    free(base_path);
    return rc;
}

/* }===== */

/* libconfig 1.5 reports a missing @include without its name, and an
 * @include of a directory kills the process in its scanner ("input in flex
 * scanner failed", exit 2). So every @include line is checked first, with
 * file and line: the named file, resolved against dir as libconfig does,
 * must be a readable regular file; its own @include lines are checked the
 * same way. */
static int check_includes(const char *text, const char *file, const char *dir, int depth,
                          struct sim_err *err)
{
    int line = 1;
    for (const char *s = text; s != NULL && *s; line++) {
        const char *eol = strchr(s, '\n');
        const char *t = s;
        while (*t == ' ' || *t == '\t')
            t++;
        if (strncmp(t, "@include", 8) == 0) {
            const char *q = strchr(t + 8, '"');
            const char *q2 = q && (!eol || q < eol) ? strchr(q + 1, '"') : NULL;
            if (q2 != NULL && (!eol || q2 < eol)) {
                char name[4096], full[8200];
                snprintf(name, sizeof name, "%.*s", (int)(q2 - q - 1), q + 1);
                if (name[0] == '/' || dir == NULL)
                    snprintf(full, sizeof full, "%s", name);
                else
                    snprintf(full, sizeof full, "%s/%s", dir, name);
                struct stat st;
                if (stat(full, &st) == 0 && !S_ISREG(st.st_mode))
                    return sim_error(err, SIM_EINVAL,
                                     "%s:%d: error: @include \"%s\": %s is not a regular file", file,
                                     line, name, full);
                if (depth >= 10)
                    return sim_error(err, SIM_EINVAL, "%s:%d: error: @include nested too deep",
                                     file, line);
                char *inner = slurp(full);
                if (inner == NULL)
                    return sim_error(err, SIM_EINVAL, "%s:%d: error: @include \"%s\": cannot read %s: %s",
                                     file, line, name, full, strerror(errno));
                int rc = check_includes(inner, full, dir, depth + 1, err);
                free(inner);
                if (rc != SIM_OK)
                    return rc;
            }
        }
        s = eol ? eol + 1 : NULL;
    }
    return SIM_OK;
}

/* Keys of policies other than the running one: a scenario may carry the
 * settings of every policy it is compared under (--set policy.name picks
 * one). They are checked against their owner's row, so a typo or a bad
 * value is still an error, and otherwise have no effect; one set by --set
 * was meant for this run, so it earns a warning line in *notes. */
static int dormant_keys(const config_t *c, const char *path, const struct sim_params *p,
                        char **notes, struct sim_err *err)
{
    const struct placement_policy_ops *running = policy_of(p);
    struct sim_params *scratch = NULL;
    const struct param_spec *spec;
    int rc = SIM_OK;
    for (size_t i = k_params_count; (spec = any_key(i)) != NULL && rc == SIM_OK; i++) {
        const config_setting_t *s = config_lookup(c, spec->key);
        bool runs_it = false;
        for (size_t k = 0; k < running->nkeys; k++)
            runs_it |= strcmp(running->keys[k].key, spec->key) == 0;
        bool earlier = false; /* a shared name (or a shared table) is checked once */
        for (size_t j = k_params_count; j < i && !earlier; j++)
            earlier = strcmp(any_key(j)->key, spec->key) == 0;
        if (s == NULL || runs_it || earlier)
            continue;
        char loc[300];
        where(s, path, loc, sizeof loc);
        if (scratch == NULL)
            scratch = xcalloc(1, sizeof *scratch);
        if ((rc = parse_value(s, spec, loc, scratch, err)) != SIM_OK)
            break;
        if (strcmp(loc, "--set") == 0) {
            char owners[300] = "";
            size_t o = 0;
            for (unsigned id = 0; id < policy_count(); id++)
                for (size_t k = 0; k < policy_at(id)->nkeys; k++)
                    if (strcmp(policy_at(id)->keys[k].key, spec->key) == 0 && o < sizeof owners)
                        o += (size_t)snprintf(owners + o, sizeof owners - o, "%s%s",
                                              o ? ", " : "", policy_at(id)->name);
            char line[800];
            snprintf(line, sizeof line,
                     "--set: warning: '%s' is a key of policy %s; it has no effect under "
                     "policy.name = \"%s\"\n",
                     spec->key, owners, running->name);
            append_note(notes, line);
        }
    }
    free(scratch);
    return rc;
}

int scenario_load(const char *path, const char *inline_text, const char *const *sets,
                  size_t nsets, struct sim_params *out, struct scenario_text *text,
                  struct sim_err *err)
{
    config_t c;
    int rc = SIM_OK;
    char *raw = NULL;
    struct origins origins = {NULL, 0, 0};
    char *notes = NULL;
    memset(text, 0, sizeof *text);
    config_init(&c);

    if (path != NULL) {
        raw = slurp(path);
        if (raw == NULL) {
            rc = sim_error(err, SIM_ENOENT, "%s: error: cannot read scenario file: %s", path,
                           strerror(errno));
            goto done;
        }
        char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        if (slash != NULL) {
            *slash = '\0';
            config_set_include_dir(&c, *dir ? dir : "/");
        }
        rc = check_includes(raw, path, slash ? (*dir ? dir : "/") : NULL, 0, err);
        if (rc != SIM_OK) {
            free(dir);
            goto done;
        }
        int ok = config_read_string(&c, raw);
        free(dir);
        if (ok != CONFIG_TRUE) {
            const char *what = config_error_text(&c);
            bool dup = what != NULL && strstr(what, "duplicate setting") != NULL;
            rc = sim_error(err, SIM_EINVAL, "%s:%d: error: %s%s",
                           config_error_file(&c) ? config_error_file(&c) : path,
                           config_error_line(&c), what,
                           dup ? " (libconfig cannot merge a group defined twice, e.g. in an "
                                 "@include and in the file: set each key once, or use --set)"
                               : "");
            goto done;
        }
    } else {
        raw = xstrdup(inline_text ? inline_text : "");
        if ((rc = check_includes(raw, "(scenario)", NULL, 0, err)) != SIM_OK)
            goto done;
        if (config_read_string(&c, raw) != CONFIG_TRUE) {
            rc = sim_error(err, SIM_EINVAL, "(scenario):%d: error: %s", config_error_line(&c),
                           config_error_text(&c));
            goto done;
        }
    }

    if ((rc = apply_defaults(&c, path, 0, &origins, err)) != SIM_OK)
        goto done;
    for (size_t i = 0; i < nsets; i++)
        if ((rc = apply_set(&c, sets[i], err)) != SIM_OK)
            goto done;

    if ((rc = check_unknown(config_root_setting(&c), "", path, err)) != SIM_OK)
        goto done;

    /* The core keys (policy.name among them), then the running policy's
     * defaults and keys, then the keys only other policies have. */
    scenario_defaults(out);
    const struct param_spec *spec;
    for (size_t i = 0; (spec = params_run_key(out, i)) != NULL; i++) {
        if (i == k_params_count)
            policy_defaults(out);
        const config_setting_t *s = config_lookup(&c, spec->key);
        if (s == NULL)
            continue;
        char loc[300];
        where(s, path, loc, sizeof loc);
        if ((rc = parse_value(s, spec, loc, out, err)) != SIM_OK)
            goto done;
    }
    if ((rc = dormant_keys(&c, path, out, &notes, err)) != SIM_OK)
        goto done;
    if ((rc = cross_checks(out, &c, path, &notes, err)) != SIM_OK)
        goto done;

    text->path = xstrdup(path ? path : "(inline)");
    text->raw = raw;
    raw = NULL;
    text->effective = config_to_text(&c);
    text->resolved = resolved_text(out);
    text->notes = notes;
    notes = NULL;
done:
    free(notes);
    free(raw);
    config_destroy(&c);
    origins_free(&origins);
    return rc;
}

void scenario_text_free(struct scenario_text *text)
{
    if (text == NULL)
        return;
    free(text->path);
    free(text->notes);
    free(text->raw);
    free(text->effective);
    free(text->resolved);
    memset(text, 0, sizeof *text);
}

int scenario_write_keys(const char *path, const char *header, const char *const *keys,
                        const double *values, size_t n, struct sim_err *err)
{
    config_t c;
    config_init(&c);
    int rc = SIM_OK;
    for (size_t i = 0; i < n && rc == SIM_OK; i++) {
        const struct param_spec *spec = params_find(keys[i]);
        if (spec == NULL || (spec->type != P_REAL && spec->type != P_INT && spec->type != P_DIST)) {
            rc = sim_error(err, SIM_EINVAL, "error: '%s' is not a numeric scenario key", keys[i]);
            break;
        }
        const char *last = strrchr(keys[i], '.');
        char gpath[256];
        snprintf(gpath, sizeof gpath, "%.*s", (int)(last - keys[i]), keys[i]);
        config_setting_t *g = ensure_group_path(&c, gpath);
        config_setting_t *s = config_setting_add(g, last + 1, spec->type == P_INT
                                                                 ? CONFIG_TYPE_INT64
                                                                 : CONFIG_TYPE_FLOAT);
        if (spec->type == P_INT)
            config_setting_set_int64(s, (long long)llround(values[i]));
        else
            config_setting_set_float(s, values[i]);
    }
    if (rc == SIM_OK) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.partial", path);
        FILE *f = fopen(tmp, "w");
        if (f == NULL) {
            rc = sim_error(err, SIM_ECANTCREAT, "%s: error: cannot create: %s", path,
                           strerror(errno));
        } else {
            fputs(header, f);
            config_write(&c, f);
            if (fclose(f) != 0 || rename(tmp, path) != 0) {
                remove(tmp);
                rc = sim_error(err, SIM_EIO, "%s: error: cannot write: %s", path, strerror(errno));
            }
        }
    }
    config_destroy(&c);
    return rc;
}
