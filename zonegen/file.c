#include "zonegen/file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

/* 256 KiB of stdio buffer: big writes, few system calls, bounded memory. */
#define FILE_BUFSIZE (256 * 1024)

static int dir_of(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        return snprintf(out, outlen, ".") < (int)outlen ? 0 : -1;
    }
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    if (len >= outlen) {
        return -1;
    }
    memcpy(out, path, len);
    out[len] = '\0';
    return 0;
}

static int dir_sync(const char *dir, char *errbuf, size_t errlen)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, errlen, "open %s: %s", dir, strerror(errno));
        return DNSAPI_EIO;
    }
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    if (rc != 0) {
        snprintf(errbuf, errlen, "fsync %s: %s", dir, strerror(saved));
        return DNSAPI_EIO;
    }
    return DNSAPI_OK;
}

int zonegen_file_replace(const char *path, zonegen_file_fill_fn fill, void *ctx, char *errbuf,
                         size_t errlen)
{
    return zonegen_file_replace_mode(path, 0644, fill, ctx, errbuf, errlen);
}

/* Writes what fill writes into a new temporary file beside path, named
 * into tmp; fsyncs it when durable. On failure nothing is left behind. */
static int temp_write(const char *path, int mode, int durable, zonegen_file_fill_fn fill, void *ctx,
                      char *tmp, size_t tmplen, char *errbuf, size_t errlen)
{
    char dir[1024];
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    if (dir_of(path, dir, sizeof(dir)) != 0 ||
        snprintf(tmp, tmplen, "%s/.%s.tmp.%ld", dir, base, (long)getpid()) >= (int)tmplen) {
        snprintf(errbuf, errlen, "path too long: %s", path);
        return DNSAPI_EIO;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
    if (fd < 0) {
        snprintf(errbuf, errlen, "create %s: %s", tmp, strerror(errno));
        return DNSAPI_EIO;
    }
    /* The mode asked for, whatever the umask: a secret stays 0640. */
    fchmod(fd, (mode_t)mode);
    int rc = DNSAPI_EIO;
    char *buf = NULL;
    FILE *fp = fdopen(fd, "w");
    if (fp == NULL) {
        snprintf(errbuf, errlen, "fdopen %s: %s", tmp, strerror(errno));
        close(fd);
        goto fail;
    }
    if ((buf = malloc(FILE_BUFSIZE)) != NULL) {
        setvbuf(fp, buf, _IOFBF, FILE_BUFSIZE);
    }
    rc = fill(fp, ctx, errbuf, errlen);
    if (rc != DNSAPI_OK) {
        fclose(fp);
        goto fail;
    }
    rc = DNSAPI_EIO;
    if (fflush(fp) != 0 || ferror(fp) || (durable && fsync(fileno(fp)) != 0)) {
        snprintf(errbuf, errlen, "write %s: %s", tmp, strerror(errno));
        fclose(fp);
        goto fail;
    }
    if (fclose(fp) != 0) {
        snprintf(errbuf, errlen, "close %s: %s", tmp, strerror(errno));
        goto fail;
    }
    free(buf);
    return DNSAPI_OK;
fail:
    unlink(tmp);
    free(buf);
    return rc;
}

int zonegen_file_replace_mode(const char *path, int mode, zonegen_file_fill_fn fill, void *ctx,
                              char *errbuf, size_t errlen)
{
    char tmp[1400], dir[1024];
    int rc = temp_write(path, mode, 1, fill, ctx, tmp, sizeof(tmp), errbuf, errlen);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    if (rename(tmp, path) != 0) {
        snprintf(errbuf, errlen, "rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        return DNSAPI_EIO;
    }
    dir_of(path, dir, sizeof(dir));
    return dir_sync(dir, errbuf, errlen);
}

int zonegen_file_stage(const char *path, zonegen_file_fill_fn fill, void *ctx, char *tmp,
                       size_t tmplen, char *errbuf, size_t errlen)
{
    return temp_write(path, 0644, 0, fill, ctx, tmp, tmplen, errbuf, errlen);
}

int zonegen_file_commit(const char *dir, char *const *tmps, char *const *paths, size_t n,
                        char *errbuf, size_t errlen)
{
    if (n == 0) {
        return DNSAPI_OK;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || syncfs(dfd) != 0) {
        snprintf(errbuf, errlen, "sync %s: %s", dir, strerror(errno));
        if (dfd >= 0) {
            close(dfd);
        }
        for (size_t i = 0; i < n; i++) {
            unlink(tmps[i]);
        }
        return DNSAPI_EIO;
    }
    close(dfd);
    int rc = DNSAPI_OK;
    for (size_t i = 0; i < n; i++) {
        if (rename(tmps[i], paths[i]) != 0 && rc == DNSAPI_OK) {
            snprintf(errbuf, errlen, "rename %s to %s: %s", tmps[i], paths[i], strerror(errno));
            unlink(tmps[i]);
            rc = DNSAPI_EIO;
        }
    }
    char why[512];
    int st = dir_sync(dir, why, sizeof(why));
    if (rc == DNSAPI_OK && st != DNSAPI_OK) {
        snprintf(errbuf, errlen, "%s", why);
        rc = st;
    }
    return rc;
}

int zonegen_file_zone_path(const char *dir, const char *zone, char *out, size_t outlen)
{
    size_t len = strlen(zone);
    if (len > 0 && zone[len - 1] == '.') {
        len--;
    }
    int n = snprintf(out, outlen, "%s/%.*s.zone", dir, (int)len, zone);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

int zonegen_file_remove(const char *path, char *errbuf, size_t errlen)
{
    if (unlink(path) != 0 && errno != ENOENT) {
        snprintf(errbuf, errlen, "remove %s: %s", path, strerror(errno));
        return DNSAPI_EIO;
    }
    char dir[1024];
    if (dir_of(path, dir, sizeof(dir)) != 0) {
        snprintf(errbuf, errlen, "path too long: %s", path);
        return DNSAPI_EIO;
    }
    return dir_sync(dir, errbuf, errlen);
}

int zonegen_file_is_stale_temp(const char *base)
{
    const char *tag = base[0] == '.' ? strstr(base, ".tmp.") : NULL;
    if (tag == NULL) {
        return 0;
    }
    char *end;
    long pid = strtol(tag + 5, &end, 10);
    if (*end != '\0' || pid <= 0) {
        return 0;
    }
    /* Another zonegen on this host may be writing it right now. */
    return !(kill((pid_t)pid, 0) == 0 || errno == EPERM);
}
