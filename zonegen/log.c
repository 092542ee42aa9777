#include "zonegen/log.h"

#include <stdarg.h>

#include "common/log.h"

int zonegen_log_level = ZONEGEN_LOG_INFO;

/* The zone generator's lines are the common JSON lines (common/log.h);
 * ZONEGEN_LOG has checked zonegen_log_level, whose values are those of
 * LOG_LEVEL_*. */
void zonegen_log_write(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_eventv(level, fmt, ap);
    va_end(ap);
}
