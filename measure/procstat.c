/*
 * procstat.c: parsers for /proc counters (the file formats are described in
 * procstat.h). Plain string scanning: the files are a few KB, read twice per
 * measurement window, so clarity beats speed here.
 */
#include "procstat.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The next line of *p (without its newline) into line; false at the end. */
static bool next_line(const char **p, char *line, size_t cap)
{
    const char *s = *p;
    if (*s == '\0')
        return false;
    const char *e = strchr(s, '\n');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(line, s, k);
    line[k] = '\0';
    *p = e ? e + 1 : s + n;
    return true;
}

static bool parse_u64(const char **s, uint64_t *v, int base)
{
    char *end;
    while (isspace((unsigned char)**s))
        (*s)++;
    if (!isxdigit((unsigned char)**s))
        return false;
    errno = 0;
    unsigned long long x = strtoull(*s, &end, base);
    if (end == *s || errno != 0)
        return false;
    *v = (uint64_t)x;
    *s = end;
    return true;
}

int ps_parse_stat(const char *text, const char *name, unsigned ncpu,
                  uint64_t (*out)[PS_STAT_FIELDS], struct sim_err *err)
{
    char line[1024];
    memset(out, 0, sizeof(*out) * ncpu);
    unsigned seen = 0;
    while (next_line(&text, line, sizeof line)) {
        if (strncmp(line, "cpu", 3) != 0 || !isdigit((unsigned char)line[3]))
            continue;
        const char *s = line + 3;
        uint64_t cpu;
        if (!parse_u64(&s, &cpu, 10))
            return sim_error(err, SIM_EINVAL, "%s: bad line '%s'", name, line);
        uint64_t v[PS_STAT_FIELDS] = {0};
        /* Kernels before 2.6.11 lack steal; every field present is read. */
        unsigned k = 0;
        while (k < PS_STAT_FIELDS && parse_u64(&s, &v[k], 10))
            k++;
        if (k < PS_IDLE + 1)
            return sim_error(err, SIM_EINVAL, "%s: too few columns in '%s'", name, line);
        if (cpu < ncpu) {
            memcpy(out[cpu], v, sizeof v);
            seen++;
        }
    }
    if (seen == 0)
        return sim_error(err, SIM_EINVAL, "%s: no per-CPU lines", name);
    return SIM_OK;
}

/* Maps the "CPU<n>" header of /proc/softirqs or /proc/interrupts into
 * col_cpu[] (column index -> CPU id); returns the column count or -1. */
static int header_columns(const char *header, unsigned *col_cpu, unsigned cap)
{
    int n = 0;
    const char *s = header;
    while ((s = strstr(s, "CPU")) != NULL) {
        s += 3;
        uint64_t id;
        if (!parse_u64(&s, &id, 10))
            return -1;
        if ((unsigned)n == cap)
            return -1;
        col_cpu[n++] = (unsigned)id;
    }
    return n;
}

int ps_parse_percpu_row(const char *text, const char *name, const char *row, unsigned ncpu,
                        uint64_t *out, struct sim_err *err)
{
    static _Thread_local unsigned col_cpu[8192];
    /* /proc/interrupts lines on big machines run to 11 characters a CPU. */
    static _Thread_local char line[8192 * 12];
    memset(out, 0, sizeof(*out) * ncpu);
    if (!next_line(&text, line, sizeof line))
        return sim_error(err, SIM_EINVAL, "%s: empty", name);
    int ncol = header_columns(line, col_cpu, SIM_ARRAY_LEN(col_cpu));
    if (ncol <= 0)
        return sim_error(err, SIM_EINVAL, "%s: no CPU header line", name);
    size_t rlen = strlen(row);
    while (next_line(&text, line, sizeof line)) {
        const char *s = line;
        while (*s == ' ')
            s++;
        if (strncmp(s, row, rlen) != 0 || s[rlen] != ':')
            continue;
        s += rlen + 1;
        for (int c = 0; c < ncol; c++) {
            uint64_t v;
            if (!parse_u64(&s, &v, 10))
                return sim_error(err, SIM_EINVAL, "%s: row %s has %d of %d CPU columns", name,
                                 row, c, ncol);
            if (col_cpu[c] < ncpu)
                out[col_cpu[c]] = v;
        }
        return SIM_OK;
    }
    return sim_error(err, SIM_EINVAL, "%s: no row %s", name, row);
}

int ps_parse_softnet(const char *text, const char *name, unsigned ncpu,
                     uint64_t (*out)[PS_SOFTNET_FIELDS], struct sim_err *err)
{
    char line[1024];
    memset(out, 0, sizeof(*out) * ncpu);
    unsigned index = 0;
    while (next_line(&text, line, sizeof line)) {
        uint64_t col[16];
        unsigned n = 0;
        const char *s = line;
        while (n < SIM_ARRAY_LEN(col) && parse_u64(&s, &col[n], 16))
            n++;
        if (n == 0)
            continue;
        if (n < 11)
            return sim_error(err, SIM_EINVAL, "%s: line %u has %u columns, expected >= 11",
                             name, index + 1, n);
        uint64_t cpu = n >= 13 ? col[12] : index;
        index++;
        if (cpu >= ncpu)
            continue;
        out[cpu][PS_SN_PROCESSED] = col[0];
        out[cpu][PS_SN_DROPPED] = col[1];
        out[cpu][PS_SN_SQUEEZE] = col[2];
        out[cpu][PS_SN_RPS] = col[9];
        out[cpu][PS_SN_FLOWLIMIT] = col[10];
    }
    if (index == 0)
        return sim_error(err, SIM_EINVAL, "%s: no lines", name);
    return SIM_OK;
}

int ps_parse_snmp(const char *text, const char *name, const char *proto, const char *field,
                  uint64_t *out, struct sim_err *err)
{
    char header[2048], values[2048];
    size_t plen = strlen(proto);
    while (next_line(&text, header, sizeof header)) {
        if (strncmp(header, proto, plen) != 0 || header[plen] != ':')
            continue;
        if (!next_line(&text, values, sizeof values) || strncmp(values, header, plen + 1) != 0)
            return sim_error(err, SIM_EINVAL, "%s: %s header without a values line", name,
                             proto);
        /* Walk the names and the values in step. */
        char *hsave, *vsave;
        char *h = strtok_r(header + plen + 1, " \t", &hsave);
        char *v = strtok_r(values + plen + 1, " \t", &vsave);
        while (h && v) {
            if (strcmp(h, field) == 0) {
                const char *s = v;
                int64_t x;
                char *end;
                errno = 0;
                x = strtoll(s, &end, 10);
                if (end == s || errno != 0)
                    return sim_error(err, SIM_EINVAL, "%s: %s %s is not a number", name,
                                     proto, field);
                *out = (uint64_t)x;
                return SIM_OK;
            }
            h = strtok_r(NULL, " \t", &hsave);
            v = strtok_r(NULL, " \t", &vsave);
        }
        return sim_error(err, SIM_EINVAL, "%s: no field %s in %s", name, field, proto);
    }
    return sim_error(err, SIM_EINVAL, "%s: no %s section", name, proto);
}

int ps_parse_netdev(const char *text, const char *name, const char *dev, struct ps_netdev *out,
                    struct sim_err *err)
{
    char line[1024];
    size_t dlen = strlen(dev);
    while (next_line(&text, line, sizeof line)) {
        const char *s = line;
        while (*s == ' ')
            s++;
        if (strncmp(s, dev, dlen) != 0 || s[dlen] != ':')
            continue;
        s += dlen + 1;
        uint64_t c[16];
        unsigned n = 0;
        while (n < 16 && parse_u64(&s, &c[n], 10))
            n++;
        if (n < 16)
            return sim_error(err, SIM_EINVAL, "%s: device %s has %u of 16 columns", name, dev,
                             n);
        /* receive: bytes packets errs drop fifo frame compressed multicast;
         * transmit: bytes packets errs drop ... */
        out->rx_packets = c[1];
        out->rx_drop = c[3];
        out->tx_packets = c[9];
        out->tx_drop = c[11];
        return SIM_OK;
    }
    return sim_error(err, SIM_EINVAL, "%s: no device %s", name, dev);
}

int ps_parse_schedstat(const char *text, const char *name, struct ps_schedstat *out,
                       struct sim_err *err)
{
    const char *s = text;
    if (!parse_u64(&s, &out->run_ns, 10) || !parse_u64(&s, &out->wait_ns, 10) ||
        !parse_u64(&s, &out->slices, 10))
        return sim_error(err, SIM_EINVAL, "%s: expected three numbers", name);
    return SIM_OK;
}

long ps_read_file(const char *path, char *buf, size_t cap, struct sim_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sim_error(err, errno == ENOENT ? SIM_ENOENT : SIM_EIO, "%s: %s", path,
                         strerror(errno));
    size_t len = 0;
    for (;;) {
        if (len + 1 >= cap) {
            close(fd);
            return sim_error(err, SIM_EIO, "%s: larger than %zu bytes", path, cap - 1);
        }
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return sim_error(err, SIM_EIO, "%s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    return (long)len;
}
