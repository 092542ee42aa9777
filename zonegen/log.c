#include "zonegen/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

int zonegen_log_level = ZONEGEN_LOG_INFO;

void zonegen_log_write(int level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    char stamp[32], line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* One fprintf per line so that concurrent writers do not interleave. */
    fprintf(stderr, "%s.%03ldZ zonegen %s: %s\n", stamp, ts.tv_nsec / 1000000L,
            names[level < 0   ? 0
                  : level > 3 ? 3
                              : level],
            line);
}
