#include "common/log_pq.h"

#include <string.h>

#include "common/log.h"

static int level_of(const char *severity)
{
    if (severity == NULL) {
        return LOG_LEVEL_INFO;
    }
    if (strcmp(severity, "ERROR") == 0 || strcmp(severity, "FATAL") == 0 ||
        strcmp(severity, "PANIC") == 0) {
        return LOG_LEVEL_ERROR;
    }
    if (strcmp(severity, "WARNING") == 0) {
        return LOG_LEVEL_WARN;
    }
    if (strcmp(severity, "DEBUG") == 0 || strcmp(severity, "LOG") == 0) {
        return LOG_LEVEL_DEBUG;
    }
    return LOG_LEVEL_INFO;
}

/* Adds text as field key without the trailing newlines libpq leaves. */
static void add_trimmed(log_line_t *l, const char *key, const char *text)
{
    if (text == NULL) {
        return;
    }
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' ')) {
        len--;
    }
    log_line_strn(l, key, text, len);
}

void log_pq_notice_receiver(void *arg, const PGresult *res)
{
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    int level = level_of(severity);
    if (!LOG_ENABLED(level)) {
        return;
    }
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    char msg[600];
    snprintf(msg, sizeof(msg), "database: %s",
             primary != NULL ? primary : PQresultErrorMessage(res));
    size_t mlen = strlen(msg);
    while (mlen > 0 && msg[mlen - 1] == '\n') {
        msg[--mlen] = '\0';
    }
    log_line_t l;
    log_line_begin(&l, level, msg);
    if (arg != NULL) {
        log_line_str(&l, "source", arg);
    }
    log_line_str(&l, "pg_severity", severity);
    log_line_str(&l, "sqlstate", PQresultErrorField(res, PG_DIAG_SQLSTATE));
    add_trimmed(&l, "detail", PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
    add_trimmed(&l, "hint", PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
    log_line_end(&l);
}

void log_pq_attach(PGconn *c, const char *source)
{
    if (c != NULL) {
        PQsetNoticeReceiver(c, log_pq_notice_receiver, (void *)source);
    }
}

void log_pq_conn_error(PGconn *c, const char *what)
{
    if (!LOG_ENABLED(LOG_LEVEL_ERROR)) {
        return;
    }
    char msg[300];
    snprintf(msg, sizeof(msg), "database: %s", what);
    log_line_t l;
    log_line_begin(&l, LOG_LEVEL_ERROR, msg);
    const char *text = c != NULL ? PQerrorMessage(c) : "out of memory";
    /* libpq's messages may span lines ("...\nIs the server running...") */
    char one[1024];
    size_t o = 0;
    for (const char *p = text; *p != '\0' && o + 1 < sizeof(one); p++) {
        one[o++] = (*p == '\n' || *p == '\t') ? ' ' : *p;
    }
    while (o > 0 && one[o - 1] == ' ') {
        o--;
    }
    log_line_strn(&l, "error", one, o);
    log_line_end(&l);
}
