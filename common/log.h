/*
 * log.h - one log format for every dnsapi binary: JSON lines.
 *
 * Every line is one JSON object on one line:
 *
 *   {"ts":"2026-12-01T22:06:46.123Z","level":"info","cmd":"serve","msg":"listening",...}
 *
 * ts is RFC 3339 in UTC with milliseconds, level one of error, warn, info,
 * debug, cmd the subcommand that wrote it (log_init), msg a sentence, and
 * any further fields follow. Strings are escaped as JSON; bytes that are not
 * UTF-8 become U+FFFD, so a line always parses.
 *
 * Events (start, stop, errors, libpq notices) go to stderr; the access log
 * (one line per HTTP request, log_access_write) goes to stdout, so that the
 * two can be routed apart. Each line is written with one write(2): lines
 * from several threads never interleave.
 *
 * A line is built on the stack (log_line_t, no allocation): log_line_begin,
 * then log_line_str / _int / _num / _bool per field, then log_line_end. A
 * line longer than LOG_LINE_MAX is cut at a field boundary and gets
 * "truncated":true. Check the level before building a line (LOG_ENABLED),
 * as LOG_EVENT does, so that dropped lines cost nothing.
 */
#ifndef DNSAPI_COMMON_LOG_H
#define DNSAPI_COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARN = 1,
    LOG_LEVEL_INFO = 2,
    LOG_LEVEL_DEBUG = 3,
};

#define LOG_LINE_MAX 4096

/* Lines above this level are dropped; set by log_init. */
extern int log_level;

#define LOG_ENABLED(level) ((level) <= log_level)

/* Names the subcommand written as "cmd" on every line (a static string, e.g.
 * "serve") and sets the level (LOG_LEVEL_*). Call once at start-up, before
 * any thread starts. Without it lines say "cmd":"dnsapi" at level info. */
void log_init(const char *cmd, int level);

/* Parses a level name ("error", "warn", "info", "debug"); -1 if unknown. */
int log_level_parse(const char *name);

/* One line under construction. */
typedef struct {
    char buf[LOG_LINE_MAX];
    size_t len;
    bool truncated;
} log_line_t;

/* Starts a line with ts, level, cmd and msg (msg may be NULL: no msg). */
void log_line_begin(log_line_t *l, int level, const char *msg);

/* Adds "key":"value"; a NULL value is written as null. */
void log_line_str(log_line_t *l, const char *key, const char *value);

/* Adds "key":"value" from len bytes (not NUL-terminated). */
void log_line_strn(log_line_t *l, const char *key, const char *value, size_t len);

/* Adds "key":integer. */
void log_line_int(log_line_t *l, const char *key, long long value);

/* Adds "key":number with three decimals (durations in milliseconds). */
void log_line_num(log_line_t *l, const char *key, double value);

/* Adds "key":true or false. */
void log_line_bool(log_line_t *l, const char *key, bool value);

/* Closes the line and writes it to stderr. */
void log_line_end(log_line_t *l);

/* Closes the line and writes it to fd. */
void log_line_end_fd(log_line_t *l, int fd);

/* Writes one event line whose msg is formatted from fmt; use LOG_EVENT,
 * which checks the level first. */
void log_event(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* log_event with a va_list. */
void log_eventv(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define LOG_EVENT(level, ...)                                                                      \
    do {                                                                                           \
        if (LOG_ENABLED(level)) {                                                                  \
            log_event((level), __VA_ARGS__);                                                       \
        }                                                                                          \
    } while (0)

/* What the access log says about one HTTP request. Strings may be NULL
 * (written as null, or left out where noted). */
typedef struct {
    const char *request_id;
    const char *method;
    size_t method_len;
    const char *route; /* route template, e.g. /v1/zones/{zone}/records */
    const char *path;  /* the raw path without the query; left out when NULL */
    size_t path_len;
    int status;             /* HTTP status sent */
    const char *error_code; /* error.code of an error answer, else NULL */
    const char *client;     /* client address, "192.0.2.1" or "2001:db8::1" */
    const char *account;    /* account id of the token, NULL when not authenticated */
    const char *token_id;   /* token id (jti), NULL when not authenticated */
    double duration_ms;     /* from the request's arrival to the response */
    size_t bytes;           /* response body bytes */
} log_access_t;

/* Writes one access-log line to stdout:
 *   {"ts","level":"info","cmd","msg":"request","request_id","method","route",
 *    "path"?,"status","error_code","client","account","token_id",
 *    "duration_ms","bytes"}
 * Safe to call from any thread. */
void log_access_write(const log_access_t *a);

#endif
