#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int log_level = LOG_LEVEL_INFO;
static const char *log_cmd = "dnsapi";

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_init(const char *cmd, int level)
{
    log_cmd = cmd != NULL ? cmd : "dnsapi";
    log_level = level < LOG_LEVEL_ERROR   ? LOG_LEVEL_ERROR
                : level > LOG_LEVEL_DEBUG ? LOG_LEVEL_DEBUG
                                          : level;
}

int log_level_parse(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (name != NULL && strcmp(name, level_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* Room kept free at the end of the buffer for "}\n" and the truncation
 * mark, so that a line is always closed whatever was cut. */
#define TAIL_RESERVE 24

static void put_raw(log_line_t *l, const char *s, size_t n)
{
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 when it is not
 * well-formed (overlong forms, surrogates and values above U+10FFFF
 * included). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

/* Appends s as a JSON string (with quotes). Returns false when it did not
 * fit; the line is then left as it was. */
static bool put_json_string(log_line_t *l, const char *s, size_t n)
{
    size_t start = l->len;
    size_t cap = sizeof(l->buf) - TAIL_RESERVE;
    const unsigned char *p = (const unsigned char *)s;
    if (l->len + 2 > cap) {
        return false;
    }
    l->buf[l->len++] = '"';
    for (size_t i = 0; i < n;) {
        char esc[8];
        const char *out = esc;
        size_t olen;
        size_t step = utf8_seq(p + i, n - i);
        unsigned char c = p[i];
        if (step == 0) {
            out = "\xef\xbf\xbd"; /* U+FFFD for a byte that is not UTF-8 */
            olen = 3;
            step = 1;
        } else if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c;
            olen = 2;
        } else if (c == '\n') {
            out = "\\n", olen = 2;
        } else if (c == '\r') {
            out = "\\r", olen = 2;
        } else if (c == '\t') {
            out = "\\t", olen = 2;
        } else if (c < 0x20 || c == 0x7f) {
            olen = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", c);
        } else {
            out = (const char *)p + i;
            olen = step;
        }
        if (l->len + olen + 1 > cap) {
            l->len = start;
            return false;
        }
        put_raw(l, out, olen);
        i += step;
    }
    l->buf[l->len++] = '"';
    return true;
}

/* Appends ,"key": and then the value written by the caller; returns false
 * (nothing appended) when key and a value of vlen bytes would not fit. */
static bool put_key(log_line_t *l, const char *key, size_t vlen)
{
    size_t klen = strlen(key);
    if (l->len + klen + 4 + vlen > sizeof(l->buf) - TAIL_RESERVE) {
        l->truncated = true;
        return false;
    }
    l->buf[l->len++] = ',';
    l->buf[l->len++] = '"';
    put_raw(l, key, klen);
    l->buf[l->len++] = '"';
    l->buf[l->len++] = ':';
    return true;
}

void log_line_begin(log_line_t *l, int level, const char *msg)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    l->truncated = false;
    l->len = strftime(l->buf, sizeof(l->buf), "{\"ts\":\"%Y-%m-%dT%H:%M:%S", &tm);
    int lv = level < 0 ? 0 : level > 3 ? 3 : level;
    l->len +=
        (size_t)snprintf(l->buf + l->len, sizeof(l->buf) - l->len, ".%03ldZ\",\"level\":\"%s\"",
                         ts.tv_nsec / 1000000L, level_names[lv]);
    log_line_str(l, "cmd", log_cmd);
    if (msg != NULL) {
        log_line_str(l, "msg", msg);
    }
}

void log_line_strn(log_line_t *l, const char *key, const char *value, size_t len)
{
    size_t mark = l->len;
    if (value == NULL) {
        if (put_key(l, key, 4)) {
            put_raw(l, "null", 4);
        }
        return;
    }
    if (!put_key(l, key, 2)) {
        return;
    }
    if (!put_json_string(l, value, len)) {
        l->len = mark;
        l->truncated = true;
    }
}

void log_line_str(log_line_t *l, const char *key, const char *value)
{
    log_line_strn(l, key, value, value != NULL ? strlen(value) : 0);
}

void log_line_int(log_line_t *l, const char *key, long long value)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%lld", value);
    if (put_key(l, key, (size_t)n)) {
        put_raw(l, num, (size_t)n);
    }
}

void log_line_num(log_line_t *l, const char *key, double value)
{
    char num[40];
    int n = snprintf(num, sizeof(num), "%.3f", value);
    if (n <= 0 || (size_t)n >= sizeof(num) || value != value) {
        n = snprintf(num, sizeof(num), "null"); /* NaN or absurd: keep the line valid JSON */
    }
    if (put_key(l, key, (size_t)n)) {
        put_raw(l, num, (size_t)n);
    }
}

void log_line_bool(log_line_t *l, const char *key, bool value)
{
    if (put_key(l, key, value ? 4 : 5)) {
        put_raw(l, value ? "true" : "false", value ? 4 : 5);
    }
}

void log_line_end_fd(log_line_t *l, int fd)
{
    if (l->truncated) {
        put_raw(l, ",\"truncated\":true", 17);
    }
    put_raw(l, "}\n", 2);
    /* One write per line; a short write to a pipe or file is continued. */
    size_t off = 0;
    for (int tries = 0; off < l->len && tries < 64; tries++) {
        ssize_t w = write(fd, l->buf + off, l->len - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        off += (size_t)w;
    }
}

void log_line_end(log_line_t *l)
{
    log_line_end_fd(l, STDERR_FILENO);
}

void log_eventv(int level, const char *fmt, va_list ap)
{
    char msg[2048];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    log_line_t l;
    log_line_begin(&l, level, msg);
    log_line_end(&l);
}

void log_event(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_eventv(level, fmt, ap);
    va_end(ap);
}

void log_access_write(const log_access_t *a)
{
    log_line_t l;
    log_line_begin(&l, LOG_LEVEL_INFO, "request");
    log_line_str(&l, "request_id", a->request_id);
    log_line_strn(&l, "method", a->method, a->method_len);
    log_line_str(&l, "route", a->route);
    if (a->path != NULL) {
        log_line_strn(&l, "path", a->path, a->path_len);
    }
    log_line_int(&l, "status", a->status);
    log_line_str(&l, "error_code", a->error_code);
    log_line_str(&l, "client", a->client);
    log_line_str(&l, "account", a->account);
    log_line_str(&l, "token_id", a->token_id);
    log_line_num(&l, "duration_ms", a->duration_ms);
    log_line_int(&l, "bytes", (long long)a->bytes);
    log_line_end_fd(&l, STDOUT_FILENO);
}
