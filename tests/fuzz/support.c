#include "support.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "dns/dns.h"

extern char **environ;

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "\n==fuzz== invariant broken at %s:%d: %s\n==fuzz== ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    fflush(stderr);
    abort();
}

void fuzz_fields_split(fuzz_fields_t *f, const uint8_t *data, size_t size, char sep, size_t max)
{
    static char empty[1];
    if (max > FUZZ_MAX_FIELDS) {
        max = FUZZ_MAX_FIELDS;
    }
    f->buf = malloc(size + 1);
    FUZZ_CHECK(f->buf != NULL, "out of memory for %zu bytes", size);
    memcpy(f->buf, data, size);
    f->buf[size] = '\0';
    f->n = 0;
    char *p = f->buf, *end = f->buf + size;
    while (f->n < max) {
        f->field[f->n++] = p;
        char *s = f->n < max ? memchr(p, sep, (size_t)(end - p)) : NULL;
        if (s == NULL) {
            break;
        }
        *s = '\0';
        p = s + 1;
    }
    for (size_t i = f->n; i < FUZZ_MAX_FIELDS; i++) {
        f->field[i] = empty;
    }
}

void fuzz_fields_clear(fuzz_fields_t *f)
{
    free(f->buf);
    f->buf = NULL;
}

/* FNV-1a: cheap, and the same input always gives the same answer. */
bool fuzz_sampled(const uint8_t *data, size_t size)
{
    static long every = -1;
    if (every < 0) {
        const char *v = getenv("DNSAPI_FUZZ_CHECK_EVERY");
        every = v != NULL && *v != '\0' ? strtol(v, NULL, 10) : 256;
        if (every < 0) {
            every = 0;
        }
    }
    if (every == 0) {
        return false;
    }
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < size; i++) {
        h = (h ^ data[i]) * 1099511628211ULL;
    }
    return h % (uint64_t)every == 0;
}

static char tmpdir[256];

static void tmpdir_remove(void)
{
    char path[320];
    static const char *const files[] = {"zone", "out"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

const char *fuzz_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof(tmpdir), "%s/dnsapi-fuzz-XXXXXX",
                 base != NULL && *base != '\0' ? base : "/tmp");
        FUZZ_CHECK(mkdtemp(tmpdir) != NULL, "mkdtemp %s: %s", tmpdir, strerror(errno));
        atexit(tmpdir_remove);
    }
    return tmpdir;
}

char *fuzz_source_file(const char *rel)
{
    const char *dir = getenv("DNSAPI_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s",
             dir != NULL && *dir != '\0' ? dir : DNSAPI_FUZZ_SOURCE_DIR, rel);
    FILE *fp = fopen(path, "r");
    FUZZ_CHECK(fp != NULL, "open %s: %s", path, strerror(errno));
    FUZZ_CHECK(fseek(fp, 0, SEEK_END) == 0, "seek %s", path);
    long len = ftell(fp);
    FUZZ_CHECK(len >= 0 && fseek(fp, 0, SEEK_SET) == 0, "size of %s", path);
    char *buf = malloc((size_t)len + 1);
    FUZZ_CHECK(buf != NULL && fread(buf, 1, (size_t)len, fp) == (size_t)len, "read %s", path);
    buf[len] = '\0';
    fclose(fp);
    return buf;
}

static void file_write(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "w");
    FUZZ_CHECK(fp != NULL, "open %s: %s", path, strerror(errno));
    FUZZ_CHECK(fwrite(text, 1, len, fp) == len && fclose(fp) == 0, "write %s", path);
}

static void file_read(const char *path, char *out, size_t outlen)
{
    out[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        return;
    }
    size_t n = fread(out, 1, outlen - 1, fp);
    out[n] = '\0';
    fclose(fp);
}

/* Runs argv with stdout and stderr in outpath; returns the exit status, or
 * -1 when it died of a signal. */
static int run(const char *const argv[], const char *outpath)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    FUZZ_CHECK(rc == 0, "cannot run %s: %s (install the name servers' tools)", argv[0],
               strerror(rc));
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        FUZZ_CHECK(errno == EINTR, "waitpid: %s", strerror(errno));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The zone checker called name, found once in /usr/sbin or /usr/bin. */
static const char *tool(const char *name)
{
    static struct {
        const char *name;
        char path[64];
    } found[4];
    size_t i = 0;
    while (i < 4 && found[i].name != NULL && strcmp(found[i].name, name) != 0) {
        i++;
    }
    FUZZ_CHECK(i < 4, "too many tools");
    if (found[i].name == NULL) {
        static const char *const dirs[] = {"/usr/sbin", "/usr/bin"};
        for (size_t d = 0; d < 2 && found[i].name == NULL; d++) {
            snprintf(found[i].path, sizeof(found[i].path), "%s/%s", dirs[d], name);
            if (access(found[i].path, X_OK) == 0) {
                found[i].name = name;
            }
        }
        FUZZ_CHECK(found[i].name != NULL,
                   "%s not found: apt-get install -y nsd knot-dnssecutils "
                   "bind9utils",
                   name);
    }
    return found[i].path;
}

const char *fuzz_zone_check(const char *zone, const char *text, size_t len, char *report,
                            size_t reportlen)
{
    char path[320], outpath[320];
    snprintf(path, sizeof(path), "%s/zone", fuzz_tmpdir());
    snprintf(outpath, sizeof(outpath), "%s/out", fuzz_tmpdir());
    file_write(path, text, len);
    /* As tests/integration/test_render_checkzone.c runs them; "-i local"
     * keeps named-checkzone from looking up out-of-zone names, "-k warn" is
     * the check-names zonegen configures BIND with (zonegen/nsconf.c). */
    const char *const nsd[] = {tool("nsd-checkzone"), zone, path, NULL};
    const char *const knot[] = {tool("kzonecheck"), "-o", zone, path, NULL};
    const char *const bind[] = {
        tool("named-checkzone"), "-k", "warn", "-i", "local", zone, path, NULL};
    const char *const *const checkers[] = {nsd, knot, bind};
    static const char *const names[] = {"nsd-checkzone", "kzonecheck", "named-checkzone"};
    for (size_t i = 0; i < 3; i++) {
        if (run(checkers[i], outpath) != 0) {
            file_read(outpath, report, reportlen);
            return names[i];
        }
    }
    report[0] = '\0';
    return NULL;
}

char *fuzz_render_line(const char *name, const char *type, uint32_t ttl, int prio,
                       const char *content)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    FUZZ_CHECK(fp != NULL, "open_memstream");
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = dns_render_record(fp, name, type, ttl, prio, content, &err);
    fclose(fp);
    FUZZ_CHECK(rc == DNSAPI_OK, "%s %s '%s' (priority %d) accepted but not rendered: %s", name,
               type, content, prio, err.message);
    FUZZ_CHECK(len > 0 && buf[len - 1] == '\n' && strlen(buf) == len, "%s '%s': rendered '%s'",
               type, content, buf);
    for (size_t i = 0; i + 1 < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        FUZZ_CHECK(c >= 0x20 && c != 0x7f, "%s '%s': byte 0x%02x in line '%s'", type, content, c,
                   buf);
    }
    return buf;
}

void fuzz_line_reads_back(const char *zone, const char *line, const char *name, const char *type,
                          uint32_t ttl)
{
    ldns_rdf *origin = ldns_dname_new_frm_str(zone);
    ldns_rr *rr = NULL;
    char *text = strdup(line);
    FUZZ_CHECK(origin != NULL && text != NULL, "out of memory");
    text[strlen(text) - 1] = '\0';
    ldns_status st = ldns_rr_new_frm_str(&rr, text, 3600, origin, NULL);
    FUZZ_CHECK(st == LDNS_STATUS_OK, "ldns refuses the rendered line '%s': %s", text,
               ldns_get_errorstr_by_id(st));
    /* as names, not text: ldns writes "\?" as "?" */
    char *owner = ldns_rdf2str(ldns_rr_owner(rr));
    ldns_rdf *want = ldns_dname_new_frm_str(name);
    char *t = ldns_rr_type2str(ldns_rr_get_type(rr));
    FUZZ_CHECK(owner != NULL && want != NULL && ldns_dname_compare(ldns_rr_owner(rr), want) == 0,
               "'%s': owner %s, not %s", text, owner, name);
    ldns_rdf_deep_free(want);
    FUZZ_CHECK(t != NULL && strcmp(t, type) == 0, "'%s': type %s", text, t);
    FUZZ_CHECK(ldns_rr_ttl(rr) == ttl, "'%s': ttl %u", text, ldns_rr_ttl(rr));
    free(owner);
    free(t);
    free(text);
    ldns_rr_free(rr);
    ldns_rdf_deep_free(origin);
}
