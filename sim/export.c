/*
 * export.c: `falconsim export RUN.h5 [PATH]`, HDF5 -> TSV for gnuplot.
 *
 * gnuplot cannot read HDF5, so results reach plots
 * as tab-separated text with one header row:
 *   no PATH          every dataset: path, shape, units;
 *   a group of       one column per 1-D dataset (t_ms first when present),
 *   datasets         and per column of a 2-D one, named DATASET.COLUMN
 *                    (/trace, /cpu, /flows, /samples, /latency)
 *   a group with     one row of values under a header of attribute names
 *   attributes only  (/summary, /params);
 *   a 1-D dataset    one column;
 *   a 2-D dataset    its `rows` dataset as the first column, then one column
 *                    per entry of its `columns` attribute;
 *   a string dataset its text (/config/raw_text).
 * Numbers are printed in the fewest digits that read back to the same
 * stored value: a float64 dataset in at most 17, a float32 one (the
 * per-CPU and per-flow traces) in at most 9, so 0.0253 stored as float32
 * prints 0.0253, not the float64 widening 0.025299999862909317. Nothing is
 * lost on the way.
 * Together with h5out.c, the only code that includes <hdf5.h>.
 */
#include "h5out.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

static char *read_str_attr(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return NULL;
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *v = NULL, *out = NULL;
    if (H5Aread(a, t, &v) >= 0 && v != NULL) {
        out = xstrdup(v);
        H5free_memory(v);
    }
    H5Tclose(t);
    H5Aclose(a);
    return out;
}

static int ds_shape(hid_t d, hsize_t dims[2])
{
    hid_t sp = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(sp);
    dims[0] = dims[1] = 0;
    if (rank >= 1 && rank <= 2)
        H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    return rank;
}

/* A dataset's column names, comma-joined: the attribute is an array of
 * strings (files from before it was one hold the joined string). */
static char *read_columns(hid_t d)
{
    hid_t a = H5Aopen(d, "columns", H5P_DEFAULT);
    if (a < 0)
        return NULL;
    hid_t sp = H5Aget_space(a);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    hsize_t n = 0;
    if (rank == 1)
        H5Sget_simple_extent_dims(sp, &n, NULL);
    if (sp >= 0)
        H5Sclose(sp);
    if (rank != 1) {
        H5Aclose(a);
        return read_str_attr(d, "columns");
    }
    char **items = xcalloc(n ? n : 1, sizeof *items);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *out = NULL;
    if (H5Aread(a, t, items) >= 0) {
        size_t len = 1;
        for (hsize_t k = 0; k < n; k++)
            len += (items[k] ? strlen(items[k]) : 0) + 1;
        out = xcalloc(len, 1);
        for (hsize_t k = 0; k < n; k++) {
            if (k)
                strcat(out, ",");
            strcat(out, items[k] ? items[k] : "");
            H5free_memory(items[k]);
        }
    }
    H5Tclose(t);
    H5Aclose(a);
    free(items);
    return out;
}

static void print_num(FILE *out, const char *sep, double v, bool single)
{
    char buf[40];
    sim_format_number(buf, sizeof buf, v, single);
    fprintf(out, "%s%s", sep, buf);
}

/* A scalar attribute as text: strings as they are, integers in full
 * (%lld: 64-bit seeds survive), reals in the fewest digits that read back
 * the same. NULL if unreadable. */
static char *read_attr_text(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return NULL;
    hid_t t = H5Aget_type(a);
    H5T_class_t cls = H5Tget_class(t);
    H5Tclose(t);
    char buf[64];
    char *out = NULL;
    if (cls == H5T_INTEGER) {
        long long v = 0;
        if (H5Aread(a, H5T_NATIVE_LLONG, &v) >= 0) {
            snprintf(buf, sizeof buf, "%lld", v);
            out = xstrdup(buf);
        }
    } else if (cls == H5T_FLOAT) {
        double v = 0;
        if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0) {
            sim_format_number(buf, sizeof buf, v, false);
            out = xstrdup(buf);
        }
    }
    H5Aclose(a);
    return cls == H5T_STRING ? read_str_attr(obj, name) : out;
}

/* A float32 dataset (its values are printed at float32 precision). */
static bool is_single(hid_t d)
{
    hid_t t = H5Dget_type(d);
    bool single = H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 4;
    H5Tclose(t);
    return single;
}

static double *read_doubles(hid_t d, size_t n)
{
    double *v = xcalloc(n ? n : 1, sizeof *v);
    if (n > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        free(v);
        return NULL;
    }
    return v;
}

static bool is_string(hid_t d)
{
    hid_t t = H5Dget_type(d);
    bool s = H5Tget_class(t) == H5T_STRING;
    H5Tclose(t);
    return s;
}

struct listing {
    FILE *out;
    hid_t file;
};

static herr_t list_cb(hid_t loc, const char *name, const H5L_info_t *info, void *data)
{
    struct listing *l = data;
    (void)info;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return 0; /* a group */
    hsize_t dims[2];
    int rank = is_string(d) ? 0 : ds_shape(d, dims);
    char *units = read_str_attr(d, "units");
    if (rank == 0)
        fprintf(l->out, "/%s\ttext\t\n", name);
    else if (rank == 1)
        fprintf(l->out, "/%s\t%llu\t%s\n", name, (unsigned long long)dims[0], units ? units : "");
    else
        fprintf(l->out, "/%s\t%llux%llu\t%s\n", name, (unsigned long long)dims[0],
                (unsigned long long)dims[1], units ? units : "");
    free(units);
    H5Dclose(d);
    return 0;
}

struct attr_list {
    hid_t obj;
    int pass; /* 0: names, 1: values */
    int n;
    FILE *out;
};

static herr_t attr_cb(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
    struct attr_list *l = data;
    (void)info;
    if (l->pass == 0) {
        fprintf(l->out, "%s%s", l->n ? "\t" : "", name);
    } else {
        char *v = read_attr_text(obj, name);
        fprintf(l->out, "%s%s", l->n ? "\t" : "", v ? v : "");
        free(v);
    }
    l->n++;
    return 0;
}

/* A group's columns: its 1-D datasets, and each 2-D dataset as one column
 * per entry of its second dimension, named DATASET.COLUMN (from its
 * `columns` attribute; DATASET.cJ without one). */
struct col {
    char *name;
    hsize_t width; /* 1 for a 1-D dataset, the second dimension for a 2-D one */
    bool two_d;
    bool single; /* float32 */
};

struct col_list {
    struct col *c;
    size_t n, cap;
};

static herr_t col_cb(hid_t loc, const char *name, const H5L_info_t *info, void *data)
{
    struct col_list *c = data;
    (void)info;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return 0;
    hsize_t dims[2];
    int rank = is_string(d) ? 0 : ds_shape(d, dims);
    if (rank == 1 || (rank == 2 && dims[1] > 0)) {
        xgrow(&c->c, &c->cap, c->n, sizeof *c->c, 16);
        c->c[c->n++] = (struct col){xstrdup(name), rank == 1 ? 1 : dims[1], rank == 2,
                                    is_single(d)};
    }
    H5Dclose(d);
    return 0;
}

static void print_col_header(hid_t g, const struct col *c, bool first, FILE *out)
{
    const char *sep = first ? "" : "\t";
    if (!c->two_d) {
        fprintf(out, "%s%s", sep, c->name);
        return;
    }
    hid_t d = H5Dopen2(g, c->name, H5P_DEFAULT);
    char *columns = d >= 0 ? read_columns(d) : NULL;
    if (d >= 0)
        H5Dclose(d);
    char *save = NULL;
    char *tok = columns ? strtok_r(columns, ",", &save) : NULL;
    for (hsize_t j = 0; j < c->width; j++) {
        if (tok != NULL) {
            fprintf(out, "%s%s.%s", j ? "\t" : sep, c->name, tok);
            tok = strtok_r(NULL, ",", &save);
        } else {
            fprintf(out, "%s%s.c%llu", j ? "\t" : sep, c->name, (unsigned long long)j);
        }
    }
    free(columns);
}

/* Attributes in the order they were written: the writer tracks creation
 * order; files from before that tracking hold them in that order natively. */
static herr_t attrs_in_written_order(hid_t obj, hsize_t *n, H5A_operator2_t op, void *data)
{
    hid_t cpl = H5Iget_type(obj) == H5I_DATASET ? H5Dget_create_plist(obj) : H5Gget_create_plist(obj);
    unsigned order_flags = 0;
    if (cpl >= 0) {
        if (H5Pget_attr_creation_order(cpl, &order_flags) < 0)
            order_flags = 0;
        H5Pclose(cpl);
    }
    H5_index_t index = (order_flags & H5P_CRT_ORDER_TRACKED) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
    H5_iter_order_t order = (order_flags & H5P_CRT_ORDER_TRACKED) ? H5_ITER_INC : H5_ITER_NATIVE;
    return H5Aiterate2(obj, index, order, n, op, data);
}

static int export_group(hid_t g, const char *path, FILE *out, struct sim_err *err)
{
    struct col_list cols = {NULL, 0, 0};
    hsize_t idx = 0;
    H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, col_cb, &cols);
    int rc = SIM_OK;
    if (cols.n == 0) {
        struct attr_list l = {g, 0, 0, out};
        hsize_t n = 0;
        attrs_in_written_order(g, &n, attr_cb, &l);
        if (l.n == 0)
            return sim_error(err, SIM_EINVAL, "%s: error: group has no columns or attributes to export",
                             path);
        fputc('\n', out);
        l.pass = 1;
        l.n = 0;
        n = 0;
        attrs_in_written_order(g, &n, attr_cb, &l);
        fputc('\n', out);
        return SIM_OK;
    }
    /* t_ms first: it is the x axis of every trace. */
    for (size_t i = 1; i < cols.n; i++)
        if (strcmp(cols.c[i].name, "t_ms") == 0 && !cols.c[i].two_d) {
            struct col t = cols.c[0];
            cols.c[0] = cols.c[i];
            cols.c[i] = t;
        }
    double **v = xcalloc(cols.n, sizeof *v);
    hsize_t rows = 0;
    for (size_t i = 0; i < cols.n && rc == SIM_OK; i++) {
        hid_t d = H5Dopen2(g, cols.c[i].name, H5P_DEFAULT);
        hsize_t dims[2];
        ds_shape(d, dims);
        if (i == 0)
            rows = dims[0];
        if (dims[0] != rows)
            rc = sim_error(err, SIM_EINVAL, "%s: error: columns differ in length (%s)", path,
                           cols.c[i].name);
        else if ((v[i] = read_doubles(d, (size_t)(rows * cols.c[i].width))) == NULL)
            rc = sim_error(err, SIM_EIO, "%s/%s: error: cannot read dataset", path, cols.c[i].name);
        H5Dclose(d);
    }
    if (rc == SIM_OK) {
        for (size_t i = 0; i < cols.n; i++)
            print_col_header(g, &cols.c[i], i == 0, out);
        fputc('\n', out);
        for (hsize_t r = 0; r < rows; r++) {
            for (size_t i = 0; i < cols.n; i++)
                for (hsize_t j = 0; j < cols.c[i].width; j++)
                    print_num(out, i || j ? "\t" : "", v[i][r * cols.c[i].width + j],
                              cols.c[i].single);
            fputc('\n', out);
        }
    }
    for (size_t i = 0; i < cols.n; i++) {
        free(v[i]);
        free(cols.c[i].name);
    }
    free(v);
    free(cols.c);
    return rc;
}

static int export_dataset(hid_t file, hid_t d, const char *path, FILE *out, struct sim_err *err)
{
    if (is_string(d)) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        H5Tset_cset(t, H5T_CSET_UTF8);
        char *s = NULL;
        int rc = SIM_OK;
        if (H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) < 0 || s == NULL)
            rc = sim_error(err, SIM_EIO, "%s: error: cannot read text dataset", path);
        else {
            fputs(s, out);
            H5free_memory(s);
        }
        H5Tclose(t);
        return rc;
    }
    hsize_t dims[2];
    int rank = ds_shape(d, dims);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (rank == 1) {
        double *v = read_doubles(d, dims[0]);
        if (v == NULL)
            return sim_error(err, SIM_EIO, "%s: error: cannot read dataset", path);
        fprintf(out, "%s\n", base);
        bool single = is_single(d);
        for (hsize_t i = 0; i < dims[0]; i++) {
            print_num(out, "", v[i], single);
            fputc('\n', out);
        }
        free(v);
        return SIM_OK;
    }
    if (rank != 2)
        return sim_error(err, SIM_EINVAL, "%s: error: only 1-D and 2-D datasets export", path);
    double *v = read_doubles(d, dims[0] * dims[1]);
    if (v == NULL)
        return sim_error(err, SIM_EIO, "%s: error: cannot read dataset", path);
    char *rows_ds = read_str_attr(d, "rows");
    char *columns = read_columns(d);
    double *rowv = NULL;
    const char *rowname = "row";
    if (rows_ds != NULL) {
        hid_t rd = H5Dopen2(file, rows_ds, H5P_DEFAULT);
        hsize_t rdims[2];
        if (rd >= 0 && ds_shape(rd, rdims) == 1 && rdims[0] == dims[0])
            rowv = read_doubles(rd, dims[0]);
        if (rd >= 0)
            H5Dclose(rd);
        const char *b = strrchr(rows_ds, '/');
        if (rowv != NULL)
            rowname = b ? b + 1 : rows_ds;
    }
    fprintf(out, "%s", rowname);
    char *save = NULL;
    char *tok = columns ? strtok_r(columns, ",", &save) : NULL;
    for (hsize_t j = 0; j < dims[1]; j++) {
        if (tok) {
            fprintf(out, "\t%s", tok);
            tok = strtok_r(NULL, ",", &save);
        } else {
            fprintf(out, "\tc%llu", (unsigned long long)j);
        }
    }
    fputc('\n', out);
    bool single = is_single(d);
    for (hsize_t i = 0; i < dims[0]; i++) {
        if (rowv)
            print_num(out, "", rowv[i], false);
        else
            fprintf(out, "%llu", (unsigned long long)i);
        for (hsize_t j = 0; j < dims[1]; j++)
            print_num(out, "\t", v[i * dims[1] + j], single);
        fputc('\n', out);
    }
    free(v);
    free(rowv);
    free(rows_ds);
    free(columns);
    return SIM_OK;
}

int h5out_export(const char *file, const char *object, FILE *out, struct sim_err *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    FILE *probe = fopen(file, "rb");
    if (probe == NULL)
        return sim_error(err, SIM_ENOENT, "%s: error: cannot open result file", file);
    fclose(probe);
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return sim_error(err, SIM_EINVAL, "%s: error: not an HDF5 result file", file);
    int rc = SIM_OK;
    if (object == NULL) {
        struct listing l = {out, f};
        fprintf(out, "path\tshape\tunits\n");
        H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, list_cb, &l);
    } else if (H5Lexists(f, object, H5P_DEFAULT) <= 0 && strcmp(object, "/") != 0) {
        rc = sim_error(err, SIM_EINVAL,
                       "%s: error: no object '%s' (run 'falconsim export %s' to list them)", file,
                       object, file);
    } else {
        hid_t d = H5Dopen2(f, object, H5P_DEFAULT);
        if (d >= 0) {
            rc = export_dataset(f, d, object, out, err);
            H5Dclose(d);
        } else {
            hid_t g = H5Gopen2(f, object, H5P_DEFAULT);
            if (g < 0) {
                rc = sim_error(err, SIM_EINVAL, "%s: error: cannot open '%s'", file, object);
            } else {
                rc = export_group(g, object, out, err);
                H5Gclose(g);
            }
        }
    }
    H5Fclose(f);
    return rc;
}

/* {===== Reading a run for summarize ===== */

struct attr_collect {
    struct h5out_run_info *info;
    bool params; /* strings into param_*, else numbers into summary_* */
    size_t key_cap, value_cap;
};

static herr_t collect_cb(hid_t obj, const char *name, const H5A_info_t *ainfo, void *data)
{
    struct attr_collect *c = data;
    struct h5out_run_info *in = c->info;
    (void)ainfo;
    if (c->params) {
        /* numbers back to the text params_format_value gives them, so a
         * point's keys compare and print as the scenario's */
        char *v = read_attr_text(obj, name);
        if (v == NULL)
            return 0;
        xgrow(&in->param_key, &c->key_cap, in->nparams, sizeof *in->param_key, 64);
        xgrow(&in->param_value, &c->value_cap, in->nparams, sizeof *in->param_value, 64);
        in->param_key[in->nparams] = xstrdup(name);
        in->param_value[in->nparams++] = v;
        return 0;
    }
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return 0;
    hid_t t = H5Aget_type(a);
    bool numeric = H5Tget_class(t) == H5T_FLOAT || H5Tget_class(t) == H5T_INTEGER;
    H5Tclose(t);
    double v = 0;
    if (numeric && H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0) {
        xgrow(&in->summary_key, &c->key_cap, in->nsummary, sizeof *in->summary_key, 32);
        xgrow(&in->summary_value, &c->value_cap, in->nsummary, sizeof *in->summary_value, 32);
        in->summary_key[in->nsummary] = xstrdup(name);
        in->summary_value[in->nsummary++] = v;
    }
    H5Aclose(a);
    return 0;
}

int h5out_read_run(const char *file, struct h5out_run_info *info, struct sim_err *err)
{
    memset(info, 0, sizeof *info);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return sim_error(err, SIM_EINVAL, "%s: error: not an HDF5 result file", file);
    int rc = SIM_OK;
    const char *groups[2] = {"params", "summary"};
    for (int i = 0; i < 2 && rc == SIM_OK; i++) {
        hid_t g = H5Gopen2(f, groups[i], H5P_DEFAULT);
        if (g < 0) {
            rc = sim_error(err, SIM_EINVAL, "%s: error: no /%s group (not a falconsim result?)",
                           file, groups[i]);
            break;
        }
        struct attr_collect c = {info, i == 0, 0, 0};
        hsize_t n = 0;
        attrs_in_written_order(g, &n, collect_cb, &c);
        H5Gclose(g);
    }
    H5Fclose(f);
    if (rc != SIM_OK)
        h5out_run_info_free(info);
    return rc;
}

void h5out_run_info_free(struct h5out_run_info *info)
{
    for (size_t i = 0; i < info->nparams; i++) {
        free(info->param_key[i]);
        free(info->param_value[i]);
    }
    for (size_t i = 0; i < info->nsummary; i++)
        free(info->summary_key[i]);
    free(info->param_key);
    free(info->param_value);
    free(info->summary_key);
    free(info->summary_value);
    memset(info, 0, sizeof *info);
}

/* }===== */
