/*
 * log.h - the zone generator's log lines: one line per event on stderr,
 * "2026-11-22T05:00:00Z zonegen LEVEL: message".
 */
#ifndef DNSAPI_ZONEGEN_LOG_H
#define DNSAPI_ZONEGEN_LOG_H

enum {
    ZONEGEN_LOG_ERROR = 0,
    ZONEGEN_LOG_WARN = 1,
    ZONEGEN_LOG_INFO = 2,
    ZONEGEN_LOG_DEBUG = 3,
};

/* Lines above this level are dropped before they are formatted. Set once
 * at start-up (DNSAPI_ZONEGEN_DEBUG=1 raises it to debug). */
extern int zonegen_log_level;

/* Writes one log line; use ZONEGEN_LOG, which checks the level first. */
void zonegen_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ZONEGEN_LOG(level, ...)                                                                    \
    do {                                                                                           \
        if ((level) <= zonegen_log_level) {                                                        \
            zonegen_log_write((level), __VA_ARGS__);                                               \
        }                                                                                          \
    } while (0)

#endif
