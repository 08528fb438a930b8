/*
 * h5out.c: the HDF5 result writer (and the reader behind `falconsim
 * export`). The only module that includes <hdf5.h>.
 *
 * Conventions (h5py and pandas read them as they are): strings are variable-length
 * UTF-8 (h5py reads them as str); long texts (the scenario) are scalar
 * string datasets, not attributes (64 KiB attribute limit); numeric
 * datasets are little-endian with a `units` attribute, 2-D ones also with
 * `columns` (names of the second dimension, an array of strings) and `rows` (the dataset that
 * labels the first); object times are not recorded (the root group's included), so the
 * same run writes the same bytes. Files use the HDF5 1.8 format (any
 * reader since 2008): its dense attribute storage holds a `columns` list
 * of thousands of per-flow names past the 64 KiB object-header limit, and
 * attributes keep the order they were written in. HDF5's automatic error
 * printing is off; every failure becomes a tier-1 error naming the path
 * and HDF5's innermost reason.
 */
#include "h5out.h"

#include "params.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRY(expr)                                                                          \
    do {                                                                                   \
        if ((expr) < 0)                                                                    \
            goto fail;                                                                     \
    } while (0)

/* Column lists longer than this (bytes of their comma-joined text) go to
 * dense attribute storage; shorter ones hold at most 512 names, whose
 * 16-byte variable-length references fill 8 of the header's 64 KiB. */
static const size_t k_compact_attr_bytes = 1024;

/* The 1.8 format's object headers iterate attributes in hash order, not in
 * the order written: tracking creation order keeps /params and /summary in
 * the table's order for readers (export, summarize, h5py's attrs). */
static const unsigned k_attr_order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

static hid_t g_gcpl = H5I_INVALID_HID;
static hid_t g_dcpl_small = H5I_INVALID_HID;
/* Writes stage type conversions in a 64 KiB buffer: HDF5's default is
 * 1 MiB, zeroed twice for every variable-length string written, which
 * took 30 ms of a run's 60 ms of setup and output (perf, 2026-12-02).
 * Conversion is done in strips of the buffer's size, so the bytes written
 * do not change. */
static const size_t k_conversion_buffer = 65536;
static hid_t g_dxpl = H5I_INVALID_HID;

static hid_t group(hid_t loc, const char *name)
{
    return H5Gcreate2(loc, name, H5P_DEFAULT, g_gcpl, H5P_DEFAULT);
}

static hid_t str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Creates attribute name on loc with the given type and space, writes
 * data (in memory type mtype), and closes the type and the space. */
static herr_t attr_write(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t sp,
                         const void *data, bool close_type)
{
    herr_t rc = -1;
    hid_t a = H5I_INVALID_HID;
    if (ftype >= 0 && sp >= 0)
        a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0)
        rc = H5Awrite(a, mtype, data);
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    if (close_type && ftype >= 0)
        H5Tclose(ftype);
    return rc;
}

static herr_t attr_str(hid_t loc, const char *name, const char *val)
{
    hid_t t = str_type();
    return attr_write(loc, name, t, t, H5Screate(H5S_SCALAR), &val, true);
}

/* A 1-D array of strings from a comma-separated list (column names): h5py
 * gives a list, pandas takes it as its columns as it is. */
static herr_t attr_str_list(hid_t loc, const char *name, const char *csv)
{
    char *copy = xstrdup(csv);
    size_t n = 1;
    for (const char *c = csv; *c; c++)
        n += *c == ',';
    const char **items = xcalloc(n, sizeof *items);
    size_t k = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL && k < n; tok = strtok_r(NULL, ",", &save))
        items[k++] = tok;
    hsize_t dims[1] = {k};
    hid_t t = str_type();
    herr_t rc = attr_write(loc, name, t, t, H5Screate_simple(1, dims, NULL), items, true);
    free(items);
    free(copy);
    return rc;
}

static herr_t attr_num(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *v)
{
    return attr_write(loc, name, ftype, mtype, H5Screate(H5S_SCALAR), v, false);
}

static herr_t attr_f64(hid_t loc, const char *name, double v)
{
    return attr_num(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v);
}

static herr_t attr_u64(hid_t loc, const char *name, uint64_t v)
{
    return attr_num(loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &v);
}

/* Creates string dataset name on loc over space sp (which it closes) and
 * writes data unless empty. */
static herr_t str_write(hid_t loc, const char *name, hid_t sp, const void *data, bool empty)
{
    herr_t rc = -1;
    hid_t t = str_type(), d = H5I_INVALID_HID;
    if (t >= 0 && sp >= 0)
        d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, g_dcpl_small, H5P_DEFAULT);
    if (d >= 0)
        rc = empty ? 0 : H5Dwrite(d, t, H5S_ALL, H5S_ALL, g_dxpl, data);
    if (d >= 0)
        H5Dclose(d);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

static herr_t ds_text(hid_t loc, const char *name, const char *text)
{
    return str_write(loc, name, H5Screate(H5S_SCALAR), &text, false);
}

/* A 1-D dataset of n strings. */
static herr_t str_1d(hid_t loc, const char *name, size_t n, const char *const *v)
{
    hsize_t dims[1] = {n};
    return str_write(loc, name, H5Screate_simple(1, dims, NULL), v, n == 0);
}

/* A 1-D or 2-D numeric dataset; chunked and compressed when large. */
static herr_t ds_num(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t rows,
                     hsize_t cols, const void *data, const char *units, const char *columns,
                     const char *rows_ds)
{
    herr_t rc = -1;
    int rank = cols > 0 ? 2 : 1;
    hsize_t dims[2] = {rows, cols};
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcopy(g_dcpl_small);
    hid_t d = H5I_INVALID_HID;
    if (sp < 0 || dcpl < 0)
        goto out;
    hsize_t n = rows * (cols ? cols : 1);
    if (n > 4096 && rows > 0) {
        hsize_t chunk[2] = {rows, cols};
        hsize_t row_elems = cols ? cols : 1;
        hsize_t max_rows = 65536 / row_elems;
        if (max_rows < 1)
            max_rows = 1;
        if (chunk[0] > max_rows)
            chunk[0] = max_rows;
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
            H5Pset_deflate(dcpl, 4) < 0)
            goto out;
    }
    /* An attribute lives in the object header, whose messages are at most
     * 64 KiB: a `columns` list of more than about 4000 names (a web run's
     * per-flow traces) only fits in dense (fractal-heap) attribute storage. */
    if (columns != NULL && strlen(columns) > k_compact_attr_bytes &&
        H5Pset_attr_phase_change(dcpl, 0, 0) < 0)
        goto out;
    d = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0)
        goto out;
    if (n > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, g_dxpl, data) < 0)
        goto out;
    if (attr_str(d, "units", units) < 0)
        goto out;
    if (columns && attr_str_list(d, "columns", columns) < 0)
        goto out;
    if (rows_ds && attr_str(d, "rows", rows_ds) < 0)
        goto out;
    rc = 0;
out:
    if (d >= 0)
        H5Dclose(d);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

static herr_t f64_1d(hid_t g, const char *name, size_t n, const double *v, const char *units)
{
    return ds_num(g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, 0, v, units, NULL, NULL);
}

static herr_t u64_1d(hid_t g, const char *name, size_t n, const uint64_t *v, const char *units)
{
    return ds_num(g, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, n, 0, v, units, NULL, NULL);
}

static char *join_prefixed(const char *prefix, unsigned n)
{
    size_t cap = (size_t)n * (strlen(prefix) + 12) + 1;
    char *s = xmalloc(cap);
    size_t o = 0;
    s[0] = '\0';
    for (unsigned i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s%s%u", i ? "," : "", prefix, i);
    return s;
}

/* PATH.partial.PID of a process that is gone (SIGKILL, a crash, a lost
 * machine) can never be finished: remove it. A live PID may be another
 * run writing the same path; its file is left alone. */
static void remove_dead_partials(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    size_t blen = strlen(base);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, base, blen) != 0 || strncmp(e->d_name + blen, ".partial.", 9) != 0)
            continue;
        const char *num = e->d_name + blen + 9;
        char *end;
        long pid = strtol(num, &end, 10);
        if (*num == '\0' || *end != '\0' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char victim[8300];
        snprintf(victim, sizeof victim, "%s/%s", dir, e->d_name);
        remove(victim);
    }
    closedir(d);
}

int h5out_probe(const char *path, struct sim_err *err)
{
    /* The finished file is renamed onto path, which would replace a device,
     * a FIFO, a symbolic link or fail on a directory only after the run:
     * only a regular file or a new name will do. */
    int rc = sim_output_path_check(path, err);
    if (rc != SIM_OK)
        return rc;
    remove_dead_partials(path);
    char probe[4096];
    snprintf(probe, sizeof probe, "%s.partial.%ld", path, (long)getpid());
    FILE *f = fopen(probe, "wb");
    if (f == NULL)
        return sim_error(err, SIM_ECANTCREAT, "%s: error: cannot create output file: %s", path,
                         strerror(errno));
    fclose(f);
    remove(probe);
    return SIM_OK;
}

static herr_t write_meta(hid_t file, const struct h5out_run *run)
{
    const struct sim_params *p = run->p;
    char buf[64];
    unsigned maj, min, rel;
    TRY(attr_str(file, "falconsim_version", FALCONSIM_VERSION));
    TRY(attr_str(file, "git_describe", FALCONSIM_GIT));
    TRY(H5get_libversion(&maj, &min, &rel));
    snprintf(buf, sizeof buf, "%u.%u.%u", maj, min, rel);
    TRY(attr_str(file, "hdf5_version", buf));
    TRY(attr_str(file, "gsl_version", GSL_VERSION));
    snprintf(buf, sizeof buf, "%d.%d", LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR);
    TRY(attr_str(file, "libconfig_version", buf));
    TRY(attr_str(file, "command_line", run->command_line ? run->command_line : ""));
    TRY(attr_str(file, "scenario_path", run->text->path));
    int64_t seed = p->run.seed;
    TRY(attr_num(file, "seed", H5T_STD_I64LE, H5T_NATIVE_INT64, &seed));
    TRY(attr_str(file, "policy", k_policy_names[p->policy.name]));
    TRY(attr_str(file, "network_mode", p->network.mode == NET_OVERLAY ? "overlay" : "host"));

    hid_t g = group(file, "config");
    TRY(g);
    herr_t rc = ds_text(g, "raw_text", run->text->raw);
    if (rc >= 0)
        rc = ds_text(g, "effective_text", run->text->effective);
    if (rc >= 0)
        rc = ds_text(g, "resolved_text", run->text->resolved);
    H5Gclose(g);
    TRY(rc);

    /* /params: one attribute per key, the resolved value: integers as
     * int64, reals as float64 (h5py and pandas read them as numbers), the
     * rest (booleans, names, CPU lists, distributions) as the scenario
     * syntax's text. */
    g = group(file, "params");
    TRY(g);
    rc = 0;
    const struct param_spec *spec;
    for (size_t i = 0; (spec = params_run_key(p, i)) != NULL && rc >= 0; i++) {
        const char *base = (const char *)p + spec->offset;
        if (spec->type == P_INT) {
            rc = attr_num(g, spec->key, H5T_STD_I64LE, H5T_NATIVE_INT64, base);
        } else if (spec->type == P_REAL) {
            rc = attr_num(g, spec->key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, base);
        } else {
            char v[8192];
            params_format_value(spec, p, v, sizeof v);
            rc = attr_str(g, spec->key, v);
        }
    }
    H5Gclose(g);
    return rc;
fail:
    return -1;
}

static herr_t write_summary(hid_t file, const struct model_results *r)
{
    const struct model_summary *s = &r->sum;
    hid_t g = group(file, "summary");
    if (g < 0)
        return -1;
    struct {
        const char *name;
        double v;
    } f[] = {
        {"measured_s", s->measured_s},
        {"throughput_pps", s->throughput_pps},
        {"throughput_gbps", s->throughput_gbps},
        {"offered_pps", s->offered_pps},
        {"latency_mean_us", s->latency_mean_us},
        {"latency_p50_us", s->latency_p50_us},
        {"latency_p90_us", s->latency_p90_us},
        {"latency_p99_us", s->latency_p99_us},
        {"latency_p999_us", s->latency_p999_us},
        {"latency_p9999_us", s->latency_p9999_us},
        {"send_latency_mean_us", s->send_latency_mean_us},
        {"send_latency_p50_us", s->send_latency_p50_us},
        {"send_latency_p90_us", s->send_latency_p90_us},
        {"send_latency_p99_us", s->send_latency_p99_us},
        {"send_latency_p999_us", s->send_latency_p999_us},
        {"send_latency_p9999_us", s->send_latency_p9999_us},
        {"rtt_mean_us", s->rtt_mean_us},
        {"rtt_p50_us", s->rtt_p50_us},
        {"rtt_p90_us", s->rtt_p90_us},
        {"rtt_p99_us", s->rtt_p99_us},
        {"rtt_p999_us", s->rtt_p999_us},
        {"rtt_p9999_us", s->rtt_p9999_us},
        {"netrx_per_s", s->netrx_per_s},
        {"ipis_per_s", s->ipis_per_s},
        {"ipi_trap_frac", s->ipi_trap_frac},
        {"wake_ipis_per_s", s->wake_ipis_per_s},
        {"app_wakeups_per_s", s->app_wakeups_per_s},
        {"app_calls_per_s", s->app_calls_per_s},
        {"sender_calls_per_s", s->sender_calls_per_s},
        {"sender_call_size", s->sender_call_size},
        {"app_task_us_per_msg", s->app_task_us_per_msg},
        {"sender_task_us_per_msg", s->sender_task_us_per_msg},
        {"cpu_busy_cores", s->cpu_busy_cores},
        {"rr_per_s", s->rr_per_s},
        {"rr_ok_per_s", s->rr_ok_per_s},
        {"probe_throughput_pps", s->probe_throughput_pps},
        {"probe_latency_mean_us", s->probe_latency_mean_us},
        {"probe_latency_p50_us", s->probe_latency_p50_us},
        {"probe_latency_p90_us", s->probe_latency_p90_us},
        {"probe_latency_p99_us", s->probe_latency_p99_us},
        {"probe_latency_p999_us", s->probe_latency_p999_us},
        {"bulk_throughput_pps", s->bulk_throughput_pps},
        {"bulk_latency_p50_us", s->bulk_latency_p50_us},
        {"bulk_latency_p99_us", s->bulk_latency_p99_us},
    };
    herr_t rc = 0;
    for (size_t i = 0; i < SIM_ARRAY_LEN(f) && rc >= 0; i++)
        rc = attr_f64(g, f[i].name, f[i].v);
    struct {
        const char *name;
        uint64_t v;
    } u[] = {
        {"drops", s->drops},
        {"reorders", s->reorders},
        {"reorders_premerge", s->reorders_premerge},
        {"high_priority_frames", s->high_priority_frames},
        {"generated_frames", s->gen_frames},
        {"delivered_frames", s->deliv_frames},
        {"dropped_frames", s->dropped_frames},
        {"inflight_frames", s->inflight_frames},
        {"events", s->events},
        {"peak_packets", s->peak_pkts},
    };
    for (size_t i = 0; i < SIM_ARRAY_LEN(u) && rc >= 0; i++)
        rc = attr_u64(g, u[i].name, u[i].v);
    for (int d = 0; d < MODEL_DROP_PLACES && rc >= 0; d++) {
        char name[64];
        snprintf(name, sizeof name, "drops_%s", k_drop_place_names[d]);
        rc = attr_u64(g, name, s->drops_by[d]);
    }
    H5Gclose(g);
    return rc;
}

static herr_t write_cpu(hid_t file, const struct model_results *r)
{
    hid_t g = group(file, "cpu");
    if (g < 0)
        return -1;
    char cats[128] = "";
    for (int k = 0; k < MODEL_CATS; k++) {
        strcat(cats, k ? "," : "");
        strcat(cats, k_cpu_cat_names[k]);
    }
    herr_t rc = ds_num(g, "busy_frac", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->ncpu, MODEL_CATS,
                       r->busy_frac, "fraction of time", cats, NULL);
    if (rc >= 0)
        rc = attr_str(g, "categories", cats);
    if (rc >= 0)
        rc = u64_1d(g, "netrx", r->ncpu, r->netrx, "net_rx_action invocations");
    if (rc >= 0)
        rc = u64_1d(g, "ipis_sent", r->ncpu, r->ipis_sent, "IPIs");
    if (rc >= 0)
        rc = u64_1d(g, "ipis_recv", r->ncpu, r->ipis_recv, "IPIs");
    if (rc >= 0)
        rc = u64_1d(g, "time_squeeze", r->ncpu, r->time_squeeze, "net_rx_action exits");
    if (rc >= 0)
        rc = u64_1d(g, "ksoftirqd_wakeups", r->ncpu, r->ksoftirqd_wakeups, "wake-ups");
    if (rc >= 0)
        rc = u64_1d(g, "backlog_drops", r->ncpu, r->backlog_drops, "frames");
    if (rc >= 0)
        rc = f64_1d(g, "ksoftirqd_frac", r->ncpu, r->ksoftirqd_frac,
                    "fraction of time (softirqs run inside ksoftirqd)");
    if (rc >= 0) {
        char stages[256] = "";
        for (int s = 0; s < ST_COUNT; s++) {
            strcat(stages, s ? "," : "");
            strcat(stages, k_stage_names[s]);
        }
        rc = ds_num(g, "stage_busy_frac", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->ncpu, ST_COUNT,
                    r->stage_frac, "fraction of time", stages, NULL);
    }
    H5Gclose(g);
    return rc;
}

static herr_t write_flows(hid_t file, const struct model_results *r)
{
    hid_t g = group(file, "flows");
    if (g < 0)
        return -1;
    size_t n = r->nflows;
    double *d = xcalloc(n ? n : 1, sizeof *d);
    uint64_t *u = xcalloc(n ? n : 1, sizeof *u);
    herr_t rc = 0;
#define FLOW_U(field, name, units)                                                         \
    if (rc >= 0) {                                                                         \
        for (size_t i = 0; i < n; i++)                                                     \
            u[i] = (uint64_t)r->flows[i].field;                                            \
        rc = u64_1d(g, name, n, u, units);                                                 \
    }
#define FLOW_D(field, name, units)                                                         \
    if (rc >= 0) {                                                                         \
        for (size_t i = 0; i < n; i++)                                                     \
            d[i] = r->flows[i].field;                                                      \
        rc = f64_1d(g, name, n, d, units);                                                 \
    }
    FLOW_U(hash, "hash", "32-bit hash value");
    FLOW_U(rx_queue, "rx_queue", "queue id");
    FLOW_U(app_cpu, "app_cpu", "cpu id");
    FLOW_D(pps, "throughput_pps", "messages/s");
    FLOW_D(gbps, "throughput_gbps", "Gbit/s");
    FLOW_D(p50_us, "latency_p50_us", "us");
    FLOW_D(p99_us, "latency_p99_us", "us");
    FLOW_D(p999_us, "latency_p999_us", "us");
    FLOW_U(reorders, "reorders", "skbs");
    FLOW_U(reorders_premerge, "reorders_premerge", "skbs");
    FLOW_U(dst_port, "dst_port", "port");
    FLOW_U(probe, "probe", "1: a probe flow");
#undef FLOW_U
#undef FLOW_D
    free(d);
    free(u);
    H5Gclose(g);
    return rc;
}

static herr_t attach_cb(hid_t g, const char *name, const H5L_info_t *info, void *time)
{
    (void)info;
    if (strcmp(name, "t_ms") == 0)
        return 0;
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    herr_t rc = d < 0 ? -1 : H5DSattach_scale(d, *(hid_t *)time, 0);
    if (d >= 0)
        H5Dclose(d);
    return rc;
}

/* /trace/t_ms is the time axis of every trace: a dimension scale attached
 * to dimension 0 of each other dataset, so netCDF-aware readers (xarray,
 * HDFView) label the axis without being told. */
static herr_t attach_time_scale(hid_t g)
{
    hid_t t = H5Dopen2(g, "t_ms", H5P_DEFAULT);
    if (t < 0)
        return -1;
    herr_t rc = H5DSset_scale(t, "time (ms, window end)");
    hsize_t idx = 0;
    if (rc >= 0)
        rc = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, attach_cb, &t);
    H5Dclose(t);
    return rc;
}

static herr_t write_trace(hid_t file, const struct model_results *r)
{
    hid_t g = group(file, "trace");
    if (g < 0)
        return -1;
    size_t w = r->nwin;
    herr_t rc = f64_1d(g, "t_ms", w, r->t_ms, "ms (window end)");
    if (rc >= 0)
        rc = f64_1d(g, "throughput_pps", w, r->pps, "messages/s");
    if (rc >= 0)
        rc = f64_1d(g, "throughput_gbps", w, r->gbps, "Gbit/s");
    if (rc >= 0)
        rc = f64_1d(g, "latency_p50_us", w, r->p50_us, "us");
    if (rc >= 0)
        rc = f64_1d(g, "latency_p99_us", w, r->p99_us, "us");
    if (rc >= 0)
        rc = f64_1d(g, "latency_p999_us", w, r->p999_us, "us");
    if (rc >= 0)
        rc = f64_1d(g, "rtt_p99_us", w, r->rtt_p99_us, "us");
    if (rc >= 0)
        rc = f64_1d(g, "probe_latency_p50_us", w, r->probe_p50_us, "us");
    if (rc >= 0)
        rc = f64_1d(g, "probe_latency_p99_us", w, r->probe_p99_us, "us");
    if (rc >= 0)
        rc = f64_1d(g, "drops", w, r->drops, "frames per window");
    char *cpus = join_prefixed("cpu", r->ncpu);
    char *flows = join_prefixed("flow", r->nflows);
    if (rc >= 0)
        rc = ds_num(g, "cpu_busy_frac", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, w, r->ncpu, r->cpu_busy,
                    "fraction of time", cpus, "/trace/t_ms");
    const struct {
        const char *name;
        const float *v;
        const char *units;
    } per_flow[] = {{"flow_throughput_pps", r->flow_pps, "messages/s"},
                    {"flow_latency_p50_us", r->flow_p50_us, "us"},
                    {"flow_latency_p99_us", r->flow_p99_us, "us"},
                    {"flow_latency_p999_us", r->flow_p999_us, "us"}};
    for (size_t i = 0; i < SIM_ARRAY_LEN(per_flow) && rc >= 0; i++)
        rc = ds_num(g, per_flow[i].name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, w, r->nflows,
                    per_flow[i].v, per_flow[i].units, flows, "/trace/t_ms");
    if (rc >= 0)
        rc = attach_time_scale(g);
    free(cpus);
    free(flows);
    H5Gclose(g);
    return rc;
}

static herr_t write_latency(hid_t file, const struct model_results *r)
{
    hid_t g = group(file, "latency");
    if (g < 0)
        return -1;
    herr_t rc = f64_1d(g, "bucket_lo_ns", r->nbuckets, r->bucket_lo_ns, "ns");
    if (rc >= 0)
        rc = f64_1d(g, "bucket_width_ns", r->nbuckets, r->bucket_width_ns, "ns");
    if (rc >= 0)
        rc = u64_1d(g, "count", r->nbuckets, r->bucket_count, "messages");
    if (rc >= 0)
        rc = u64_1d(g, "probe_count", r->nbuckets, r->bucket_probe_count,
                    "messages of the probe flows");
    H5Gclose(g);
    return rc;
}

static herr_t write_samples(hid_t file, const struct model_results *r)
{
    if (r->nsamples == 0)
        return 0;
    hid_t g = group(file, "samples");
    if (g < 0)
        return -1;
    size_t n = r->nsamples;
    double *d = xcalloc(n, sizeof *d);
    uint64_t *u = xcalloc(n, sizeof *u);
    herr_t rc = 0;
    for (size_t i = 0; i < n; i++)
        d[i] = r->samples[i].t_nic_us;
    rc = f64_1d(g, "t_nic_us", n, d, "us");
    for (int s = 0; s < ST_COUNT && rc >= 0; s++) {
        char name[64];
        for (size_t i = 0; i < n; i++)
            d[i] = r->samples[i].t_stage_us[s];
        snprintf(name, sizeof name, "t_%s_us", k_stage_names[s]);
        rc = f64_1d(g, name, n, d, "us (-1: stage not run)");
        for (size_t i = 0; i < n && rc >= 0; i++)
            d[i] = r->samples[i].cpu[s];
        snprintf(name, sizeof name, "cpu_%s", k_stage_names[s]);
        if (rc >= 0)
            rc = f64_1d(g, name, n, d, "cpu id (-1: stage not run)");
    }
    if (rc >= 0) {
        for (size_t i = 0; i < n; i++)
            d[i] = r->samples[i].t_socket_us;
        rc = f64_1d(g, "t_socket_us", n, d, "us (-1: not reached)");
    }
    if (rc >= 0) {
        for (size_t i = 0; i < n; i++)
            d[i] = r->samples[i].t_app_us;
        rc = f64_1d(g, "t_app_us", n, d, "us (-1: not delivered)");
    }
    if (rc >= 0) {
        for (size_t i = 0; i < n; i++)
            d[i] = r->samples[i].app_cpu;
        rc = f64_1d(g, "app_cpu", n, d, "cpu id (-1: not delivered)");
    }
    if (rc >= 0) {
        for (size_t i = 0; i < n; i++)
            u[i] = r->samples[i].flow;
        rc = u64_1d(g, "flow", n, u, "flow id");
    }
    if (rc >= 0) {
        for (size_t i = 0; i < n; i++)
            u[i] = r->samples[i].msg;
        rc = u64_1d(g, "msg", n, u, "message index");
    }
    if (rc >= 0) {
        for (size_t i = 0; i < n; i++)
            u[i] = r->samples[i].merged;
        rc = u64_1d(g, "merged", n, u, "1: merged into an earlier skb by GRO");
    }
    free(d);
    free(u);
    H5Gclose(g);
    return rc;
}

enum { k_reason_len = 120 };

/* H5Ewalk2 callback: keeps the first entry of an upward walk, the most
 * specific failure ("object header message is too large").  A system-call
 * failure's entry is a long "file write failed: time = ..., errno = 27,
 * error message = 'File too large', ..." record: only the quoted message is
 * kept, so the one-line error stays readable. */
static herr_t innermost_error(unsigned n, const H5E_error2_t *e, void *reason_out)
{
    char *reason = reason_out;
    if (n != 0 || e->desc == NULL)
        return 0;
    const char *msg = strstr(e->desc, "error message = '");
    if (msg != NULL) {
        msg += strlen("error message = '");
        size_t len = strcspn(msg, "'");
        snprintf(reason, k_reason_len, "%.*s", (int)len, msg);
    } else {
        snprintf(reason, k_reason_len, "%s", e->desc);
    }
    return 0;
}

/* A file written atomically: under PATH.partial.<pid>, renamed into place
 * once closed. writer_open sets up the property lists (the 1.8 format for
 * dense attribute storage, which HDF5 1.8 and later and fifteen years of
 * h5py read; creation-ordered attributes; no timestamps, so a rerun gives
 * the same bytes) and creates the file. */
struct writer {
    char tmp[4096];
    hid_t fcpl, fapl, file;
};

static int writer_open(struct writer *w, const char *path)
{
    snprintf(w->tmp, sizeof w->tmp, "%s.partial.%ld", path, (long)getpid());
    /* After a failed H5Fclose (a full disk) the library still holds the
     * file, and its own cleanup at exit crashed flushing it again: this
     * process ends soon after writing, so the operating system cleans up. */
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    g_gcpl = H5Pcreate(H5P_GROUP_CREATE);
    g_dcpl_small = H5Pcreate(H5P_DATASET_CREATE);
    g_dxpl = H5Pcreate(H5P_DATASET_XFER);
    w->fcpl = H5Pcreate(H5P_FILE_CREATE);
    w->fapl = H5Pcreate(H5P_FILE_ACCESS);
    w->file = H5I_INVALID_HID;
    if (g_gcpl < 0 || g_dcpl_small < 0 || g_dxpl < 0 || w->fcpl < 0 || w->fapl < 0 ||
        H5Pset_buffer(g_dxpl, k_conversion_buffer, NULL, NULL) < 0 ||
        H5Pset_obj_track_times(g_gcpl, 0) < 0 || H5Pset_obj_track_times(g_dcpl_small, 0) < 0 ||
        H5Pset_obj_track_times(w->fcpl, 0) < 0 ||
        H5Pset_attr_creation_order(w->fcpl, k_attr_order) < 0 ||
        H5Pset_attr_creation_order(g_gcpl, k_attr_order) < 0 ||
        H5Pset_attr_creation_order(g_dcpl_small, k_attr_order) < 0 ||
        H5Pset_libver_bounds(w->fapl, H5F_LIBVER_V18, H5F_LIBVER_V18) < 0)
        return -1;
    w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, w->fcpl, w->fapl);
    return w->file < 0 ? -1 : 0;
}

static void writer_release(struct writer *w)
{
    hid_t *ids[] = {&w->fcpl, &w->fapl, &g_gcpl, &g_dcpl_small, &g_dxpl};
    for (size_t i = 0; i < SIM_ARRAY_LEN(ids); i++)
        if (*ids[i] >= 0) {
            H5Pclose(*ids[i]);
            *ids[i] = H5I_INVALID_HID;
        }
}

/* After a failure: HDF5's innermost reason, read before the clean-up
 * clears the stack; nothing is left under either name. */
static int writer_fail(struct writer *w, const char *path, const char *what, struct sim_err *err)
{
    char reason[k_reason_len] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, reason);
    if (w->file >= 0)
        H5Fclose(w->file);
    writer_release(w);
    remove(w->tmp);
    return sim_error(err, SIM_EIO, "%s: error: writing the %s failed (%s); no file was left behind", path,
                     what, reason[0] ? reason : "HDF5 gave no reason");
}

/* Closes and renames into place, unless *interrupted (then SIM_EINTR). */
static int writer_close(struct writer *w, const char *path, const char *what,
                        const volatile sig_atomic_t *interrupted, struct sim_err *err)
{
    herr_t closed = H5Fclose(w->file);
    w->file = H5I_INVALID_HID;
    if (closed < 0)
        return writer_fail(w, path, what, err);
    writer_release(w);
    /* The CLI tests' way to send a signal into the write phase at a known
     * point, after the close and before the rename (tests/cli_test.sh): the
     * signal number in FALCONSIM_TEST_SIGNAL. HDF5 is linked statically, so
     * a preloaded wrapper of H5Fclose cannot do it. */
    const char *test_signal = getenv("FALCONSIM_TEST_SIGNAL");
    if (test_signal != NULL && atoi(test_signal) > 0)
        raise(atoi(test_signal));
    if (interrupted != NULL && *interrupted) {
        remove(w->tmp);
        return sim_error(err, SIM_EINTR, "%s: interrupted while writing; no result written", path);
    }
    if (rename(w->tmp, path) != 0) {
        int e = errno;
        remove(w->tmp);
        return sim_error(err, SIM_EIO, "%s: error: cannot rename the finished %s into place: %s",
                         path, what, strerror(e));
    }
    return SIM_OK;
}

int h5out_write_index(const char *path, const struct h5out_index *idx, struct sim_err *err)
{
    static const char what[] = "campaign index";
    struct writer w;
    hid_t runs = H5I_INVALID_HID, table = H5I_INVALID_HID;
    if (writer_open(&w, path) < 0 ||
        H5Pset_link_creation_order(g_gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        (runs = group(w.file, "runs")) < 0 || (table = group(w.file, "table")) < 0)
        goto fail;
    for (size_t i = 0; i < idx->nruns; i++)
        if (H5Lcreate_external(idx->file[i], "/", runs, idx->link_name[i], H5P_DEFAULT,
                               H5P_DEFAULT) < 0)
            goto fail;
    if (str_1d(table, "file", idx->nruns, idx->file) < 0 ||
        attr_u64(w.file, "run_count", idx->nruns) < 0)
        goto fail;
    for (size_t c = 0; c < idx->ntext; c++)
        if (str_1d(table, idx->text_name[c], idx->nruns, idx->text_value[c]) < 0)
            goto fail;
    for (size_t c = 0; c < idx->nnum; c++)
        if (f64_1d(table, idx->num_name[c], idx->nruns, idx->num_value[c], "") < 0)
            goto fail;
    H5Gclose(runs);
    H5Gclose(table);
    return writer_close(&w, path, what, NULL, err);
fail:
    if (runs >= 0)
        H5Gclose(runs);
    if (table >= 0)
        H5Gclose(table);
    return writer_fail(&w, path, what, err);
}

int h5out_write(const char *path, const struct h5out_run *run, struct sim_err *err)
{
    static const char what[] = "HDF5 result";
    struct writer w;
    if (writer_open(&w, path) < 0 || write_meta(w.file, run) < 0 ||
        write_summary(w.file, run->r) < 0 || write_cpu(w.file, run->r) < 0 ||
        write_flows(w.file, run->r) < 0 || write_trace(w.file, run->r) < 0 ||
        write_latency(w.file, run->r) < 0 || write_samples(w.file, run->r) < 0)
        return writer_fail(&w, path, what, err);
    return writer_close(&w, path, what, run->interrupted, err);
}
