#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *dnsapi_strerror(int status)
{
    switch (status) {
    case DNSAPI_OK:
        return "success";
    case DNSAPI_EINVAL:
        return "validation failed";
    case DNSAPI_ENOTFOUND:
        return "not found";
    case DNSAPI_ECONFLICT:
        return "conflict";
    case DNSAPI_EAUTH:
        return "authentication failed";
    case DNSAPI_EFORBIDDEN:
        return "forbidden";
    case DNSAPI_ESYSTEM:
        return "system record";
    case DNSAPI_EDB:
        return "database unavailable";
    case DNSAPI_ETIMEOUT:
        return "timed out";
    case DNSAPI_EBUSY:
        return "busy";
    case DNSAPI_ENOMEM:
        return "out of memory";
    case DNSAPI_EIO:
        return "input/output error";
    case DNSAPI_EBADREQ:
        return "bad request";
    case DNSAPI_ECONFIG:
        return "invalid configuration";
    case DNSAPI_EINTERNAL:
        return "internal error";
    default:
        return "unknown error";
    }
}

static void copy_str(char *dst, size_t size, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    snprintf(dst, size, "%s", src);
}

int dnsapi_err_set(dnsapi_err_t *err, int status, const char *code, const char *field,
                   const char *fmt, ...)
{
    if (err == NULL) {
        return status;
    }
    err->status = status;
    copy_str(err->code, sizeof(err->code), code);
    copy_str(err->field, sizeof(err->field), field);
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    } else {
        copy_str(err->message, sizeof(err->message), dnsapi_strerror(status));
    }
    return status;
}

void dnsapi_err_clear(dnsapi_err_t *err)
{
    if (err != NULL) {
        memset(err, 0, sizeof(*err));
    }
}
