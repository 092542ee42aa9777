/*
 * fuzz_zonefile.c - master-file import as POST /v1/zones/{zone}/import
 * reads a file: the project's reader (dns/zonefile.c), one record at a
 * time, then each record's fields through dns_record_from_fields (names and
 * content normalized as for any write) and dns_render_record.
 *
 * Input: the file, read into the zone example.com. (its starting $ORIGIN).
 * Invariants:
 *  - the reader refuses to start only on a NUL byte; it ends after at most
 *    one call per input byte (plus one), every call returning a record, the
 *    end, or DNSAPI_EINVAL with one of the reader's codes (reader_codes) and
 *    a message starting "line N: " - never another status, and it goes on
 *    after a bad entry;
 *  - entries come in line order, within the file's lines; owners are
 *    absolute; types upper case; a record without any TTL before it says
 *    so (ttl 0, not given);
 *  - each record's fields are accepted or refused with DNSAPI_EINVAL and a
 *    code (never ENOMEM or EINTERNAL, whatever the file); an accepted one
 *    that dnsapi does not own is at or below the zone, its content
 *    normalizes to itself with its priority, and it renders as one line
 *    that ldns reads back with the same type and TTL.
 * ASan/LSan see every record the reader hands out and every one it drops on
 * an error (ldns's whole-file reader crashed on repeated SOA lines and
 * leaked what it had read before a bad line: corpus/zonefile/ keeps both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "common/arena.h"
#include "dns/change.h"
#include "dns/dns.h"
#include "dns/zonefile.h"
#include "support.h"

#define ZONE "example.com."

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;
    for (size_t i = 0; i < size; i++) {
        n += data[i] == '\n';
    }
    return n;
}

/* What the reader's refusals are called (dns/zonefile.c). */
static const char *const reader_codes[] = {"bad_zone_file", "unsupported_directive",
                                           "unsupported_type", "bad_class", NULL};

static void check_error(int rc, const dnsapi_err_t *err, size_t lines)
{
    FUZZ_CHECK(rc == DNSAPI_EINVAL, "reader status %d: %s", rc, err->message);
    bool known = false;
    for (size_t i = 0; reader_codes[i] != NULL; i++) {
        known = known || strcmp(err->code, reader_codes[i]) == 0;
    }
    FUZZ_CHECK(known, "reader code '%s' (%s)", err->code, err->message);
    unsigned line = 0;
    FUZZ_CHECK(sscanf(err->message, "line %u: ", &line) == 1 && line >= 1 && line <= lines,
               "reader message '%s' (of %zu lines)", err->message, lines);
}

/* The record renders as one line, read back by ldns with its type and TTL. */
static void check_renders(const dns_record_t *rec)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    FUZZ_CHECK(fp != NULL, "open_memstream");
    uint32_t ttl = rec->ttl != 0 ? rec->ttl : dns_type_default_ttl(rec->type);
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = dns_render_record(fp, rec->name, rec->type, ttl, rec->priority, rec->content, &err);
    fclose(fp);
    FUZZ_CHECK(rc == DNSAPI_OK, "%s %s '%s' accepted but not rendered: %s", rec->name, rec->type,
               rec->content, err.message);
    FUZZ_CHECK(len > 0 && buf[len - 1] == '\n' && strlen(buf) == len &&
                   memchr(buf, '\n', len - 1) == NULL,
               "%s %s '%s': rendered '%s'", rec->name, rec->type, rec->content, buf);
    buf[len - 1] = '\0';
    ldns_rdf *origin = ldns_dname_new_frm_str(ZONE);
    ldns_rr *rr = NULL;
    ldns_status st = ldns_rr_new_frm_str(&rr, buf, 3600, origin, NULL);
    FUZZ_CHECK(st == LDNS_STATUS_OK, "ldns refuses the rendered line '%s': %s", buf,
               ldns_get_errorstr_by_id(st));
    char *t = ldns_rr_type2str(ldns_rr_get_type(rr));
    FUZZ_CHECK(t != NULL && strcmp(t, rec->type) == 0, "'%s': type %s", buf, t);
    FUZZ_CHECK(ldns_rr_ttl(rr) == ttl, "'%s': ttl %u", buf, ldns_rr_ttl(rr));
    free(t);
    ldns_rr_free(rr);
    ldns_rdf_deep_free(origin);
    free(buf);
}

static void check_record(dns_zf_t *zf, const dns_zf_record_t *zr)
{
    dns_fields_t f;
    memset(&f, 0, sizeof(f));
    dns_zf_fields(zf, zr, &f);
    arena_t a;
    arena_init(&a);
    dns_record_t rec;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = dns_record_from_fields(ZONE, &f, &a, &rec, NULL, &err);
    if (rc != DNSAPI_OK) {
        FUZZ_CHECK(rc == DNSAPI_EINVAL && err.code[0] != '\0', "%s %s '%s': status %d code '%s'",
                   zr->owner, zr->type, zr->rdata, rc, err.code);
        goto out;
    }
    if (dns_record_is_system_kind(ZONE, rec.name, rec.type)) {
        goto out; /* refused by the rules as system_record */
    }
    FUZZ_CHECK(dns_name_is_at_or_below(rec.name, ZONE), "%s accepted outside %s", rec.name, ZONE);
    char again[DNS_CONTENT_BUFSIZE];
    int prio = -2;
    dnsapi_err_clear(&err);
    rc = dns_rdata_normalize(ZONE, rec.type, rec.content, rec.priority, again, sizeof(again), &prio,
                             &err);
    FUZZ_CHECK(rc == DNSAPI_OK && strcmp(again, rec.content) == 0 && prio == rec.priority,
               "%s '%s' (priority %d) -> rc %d '%s' (priority %d): %s", rec.type, rec.content,
               rec.priority, rc, again, prio, err.message);
    check_renders(&rec);
out:
    arena_clear(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dns_zf_t *zf = NULL;
    dnsapi_err_t err;
    dnsapi_err_clear(&err);
    int rc = dns_zf_open(&zf, (const char *)data, size, ZONE, &err);
    if (rc != DNSAPI_OK) {
        FUZZ_CHECK(rc == DNSAPI_EINVAL && memchr(data, '\0', size) != NULL &&
                       strcmp(err.code, "bad_zone_file") == 0,
                   "open: status %d code '%s'", rc, err.code);
        return 0;
    }
    FUZZ_CHECK(memchr(data, '\0', size) == NULL, "a NUL byte was read");
    size_t lines = count_lines(data, size);
    unsigned last_line = 0;
    size_t calls = 0;
    for (;;) {
        FUZZ_CHECK(++calls <= size + 2, "no end after %zu calls on %zu bytes", calls, size);
        dns_zf_record_t zr;
        dnsapi_err_clear(&err);
        rc = dns_zf_next(zf, &zr, &err);
        if (rc == 0) {
            break;
        }
        if (rc != 1) {
            check_error(rc, &err, lines);
            continue;
        }
        FUZZ_CHECK(zr.line >= last_line && zr.line >= 1 && zr.line <= lines,
                   "record on line %u after line %u (of %zu)", zr.line, last_line, lines);
        last_line = zr.line;
        size_t ol = strlen(zr.owner);
        FUZZ_CHECK(ol > 0 && zr.owner[ol - 1] == '.', "owner '%s' is not absolute", zr.owner);
        FUZZ_CHECK(zr.type[0] != '\0' && zr.rdata != NULL, "line %u: no type or data", zr.line);
        for (const char *p = zr.type; *p != '\0'; p++) {
            FUZZ_CHECK(!(*p >= 'a' && *p <= 'z'), "type '%s' is not upper case", zr.type);
        }
        FUZZ_CHECK(!zr.ttl_unknown || (zr.ttl == 0 && !zr.ttl_given), "line %u: ttl %u unknown",
                   zr.line, zr.ttl);
        check_record(zf, &zr);
    }
    dns_zf_close(zf);
    return 0;
}
