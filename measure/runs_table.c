/*
 * runs_table.c: a TSV file with a header row, in memory (runs_table.h).
 * One read, one pass cutting fields in place; O(bytes).
 */
#include "runs_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int runs_table_load(const char *path, struct runs_table *t, struct sim_err *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return sim_error(err, errno == ENOENT ? SIM_ENOENT : SIM_EIO, "%s: cannot read: %s",
                         path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *text = xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            char *bigger = realloc(text, cap);
            if (bigger == NULL) {
                free(text);
                fclose(f);
                return sim_error(err, SIM_EIO, "%s: too large to read", path);
            }
            text = bigger;
        }
        size_t r = fread(text + len, 1, cap - 1 - len, f);
        len += r;
        if (r == 0)
            break;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(text);
        return sim_error(err, SIM_EIO, "%s: read error", path);
    }
    text[len] = '\0';
    t->path = xstrdup(path);
    t->text = text;

    /* Header. */
    char *s = text, *nl = strchr(s, '\n');
    if (len == 0 || nl == s) {
        runs_table_free(t);
        return sim_error(err, SIM_EINVAL, "%s:1: no header row", path);
    }
    size_t ncap = 0;
    for (;;) {
        char *end = s + strcspn(s, "\t\n\r");
        char c = *end;
        *end = '\0';
        xgrow(&t->names, &ncap, t->ncols, sizeof *t->names, 64);
        t->names[t->ncols++] = s;
        if (c == '\r' && end[1] == '\n')
            end++, c = '\n';
        s = end + 1;
        if (c != '\t')
            break;
    }
    for (unsigned i = 0; i < t->ncols; i++)
        for (unsigned k = 0; k < i; k++)
            if (strcmp(t->names[i], t->names[k]) == 0) {
                int rc = sim_error(err, SIM_EINVAL, "%s:1: column '%s' appears twice", path,
                                   t->names[i]);
                runs_table_free(t);
                return rc;
            }

    /* Rows. */
    size_t ccap = 0, lcap = 0;
    unsigned line = 1;
    while (s < text + len) {
        line++;
        if (*s == '\n' || (*s == '\r' && s[1] == '\n')) {
            s += *s == '\r' ? 2 : 1;
            continue; /* an empty line */
        }
        unsigned n = 0;
        for (;;) {
            char *end = s + strcspn(s, "\t\n\r");
            char c = *end;
            *end = '\0';
            if (n < t->ncols) {
                xgrow(&t->cells, &ccap, (size_t)t->nrows * t->ncols + n, sizeof *t->cells,
                      1024);
                t->cells[(size_t)t->nrows * t->ncols + n] = s;
            }
            n++;
            if (c == '\r' && end[1] == '\n')
                end++, c = '\n';
            s = c == '\0' ? end : end + 1;
            if (c != '\t')
                break;
        }
        if (n != t->ncols) {
            int rc = sim_error(err, SIM_EINVAL, "%s:%u: %u fields where the header has %u", path,
                               line, n, t->ncols);
            runs_table_free(t);
            return rc;
        }
        xgrow(&t->line, &lcap, t->nrows, sizeof *t->line, 64);
        t->line[t->nrows++] = line;
    }
    return SIM_OK;
}

int runs_table_load_in(const char *arg, const char *name, struct runs_table *t,
                       struct sim_err *err)
{
    char path[4200];
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(path, sizeof path, "%s/%s", arg, name);
    else
        snprintf(path, sizeof path, "%s", arg);
    return runs_table_load(path, t, err);
}

void runs_table_free(struct runs_table *t)
{
    free(t->path);
    free(t->text);
    free(t->names);
    free(t->cells);
    free(t->line);
    memset(t, 0, sizeof *t);
}

int runs_table_col(const struct runs_table *t, const char *name)
{
    for (unsigned i = 0; i < t->ncols; i++)
        if (strcmp(t->names[i], name) == 0)
            return (int)i;
    return -1;
}

int runs_table_require(const struct runs_table *t, const char *const *names, int *idx,
                       struct sim_err *err)
{
    for (unsigned i = 0; names[i] != NULL; i++) {
        idx[i] = runs_table_col(t, names[i]);
        if (idx[i] < 0)
            return sim_error(err, SIM_EINVAL, "%s: no column '%s'", t->path, names[i]);
    }
    return SIM_OK;
}

int runs_table_number(const struct runs_table *t, unsigned row, int col, double *out,
                      struct sim_err *err)
{
    const char *c = runs_table_cell(t, row, col);
    char *end;
    errno = 0;
    double v = strtod(c, &end);
    if (*c == '\0' || *end != '\0' || errno == ERANGE)
        return sim_error(err, SIM_EINVAL, "%s:%u: column '%s' is '%s', not a number", t->path,
                         t->line[row], t->names[col], c);
    *out = v;
    return SIM_OK;
}
