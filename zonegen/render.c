#include "zonegen/render.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "dns/dns.h"
#include "storage/store_zonegen.h"

typedef struct {
    FILE *fp;
    const char *zone;
    uint32_t serial;
    size_t count;
    int status; /* DNSAPI_* reason for stopping the stream */
    char *errbuf;
    size_t errlen;
} render_ctx_t;

/* Reads the serial, the third field of SOA content
 * "mname rname serial refresh retry expire minimum". */
static int soa_serial_parse(const char *content, uint32_t *serial)
{
    const char *p = content;
    for (int field = 0; field < 2; field++) {
        p = strchr(p, ' ');
        if (p == NULL) {
            return -1;
        }
        while (*p == ' ') {
            p++;
        }
    }
    char *end;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p || (*end != ' ' && *end != '\0') || v > 4294967295ULL) {
        return -1;
    }
    *serial = (uint32_t)v;
    return 0;
}

static int render_row(const store_zonegen_row_t *row, void *arg)
{
    render_ctx_t *rc = arg;
    if (rc->count == 0) {
        /* The SOA comes first by the stream's order; without it the file
         * would not load anywhere, so refuse rather than write it. */
        if (strcmp(row->type, "SOA") != 0 || strcmp(row->name, rc->zone) != 0 ||
            soa_serial_parse(row->content, &rc->serial) != 0) {
            rc->status = DNSAPI_EINVAL;
            snprintf(rc->errbuf, rc->errlen, "zone %s: first record is %s %s, not a valid SOA",
                     rc->zone, row->name, row->type);
            return 1;
        }
        if (dns_render_header(rc->fp, rc->zone, rc->serial) != DNSAPI_OK) {
            rc->status = DNSAPI_EIO;
            snprintf(rc->errbuf, rc->errlen, "zone %s: write failed", rc->zone);
            return 1;
        }
    }
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int st = dns_render_record(rc->fp, row->name, row->type, row->ttl, row->priority, row->content,
                               &err);
    if (st != DNSAPI_OK) {
        rc->status = st;
        if (st == DNSAPI_EIO) {
            snprintf(rc->errbuf, rc->errlen, "zone %s: write failed", rc->zone);
        } else {
            snprintf(rc->errbuf, rc->errlen, "zone %s: cannot render %s %s \"%.80s\": %s", rc->zone,
                     row->name, row->type, row->content,
                     err.message[0] != '\0' ? err.message : dnsapi_strerror(st));
        }
        return 1;
    }
    rc->count++;
    return 0;
}

int zonegen_zone_render(PGconn *c, const char *zone_id, const char *zone_name, FILE *fp,
                        uint32_t *serial_out, size_t *count_out, char *errbuf, size_t errlen)
{
    render_ctx_t rc = {
        .fp = fp, .zone = zone_name, .status = DNSAPI_OK, .errbuf = errbuf, .errlen = errlen};
    int st = store_zonegen_records_stream(c, zone_id, render_row, &rc, errbuf, errlen);
    if (st < 0) {
        return st;
    }
    if (st > 0) {
        return rc.status;
    }
    if (rc.count == 0) {
        snprintf(errbuf, errlen, "zone %s: no records (not even an SOA)", zone_name);
        return DNSAPI_EINVAL;
    }
    if (fflush(fp) != 0 || ferror(fp)) {
        snprintf(errbuf, errlen, "zone %s: write failed", zone_name);
        return DNSAPI_EIO;
    }
    *serial_out = rc.serial;
    if (count_out != NULL) {
        *count_out = rc.count;
    }
    return DNSAPI_OK;
}
