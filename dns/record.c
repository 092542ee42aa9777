/*
 * record.c - records from the fields a client gave: the one normalization
 * every write path shares (a JSON body, a master-file line, a DNS UPDATE
 * record), so a record means the same whichever way it arrives.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns/change.h"
#include "dns/dns.h"

/* TXT RDATA holds at most 65,535 bytes; written as \DDD escapes, quoted
 * in 255-byte strings, its presentation is at most about four times that.
 * Content beyond this cannot be one record. */
#define CONTENT_MAX_CHARS (65535 * 4 + 1024)
#define RDATA_MAX_BYTES 65535
#define COMMENT_MAX_CHARS 10000

bool dns_record_is_system_kind(const char *zone, const char *name, const char *type)
{
    return strcasecmp(type, "SOA") == 0 ||
           (strcasecmp(type, "NS") == 0 && strcasecmp(name, zone) == 0);
}

bool dns_record_same_data(const dns_record_t *a, const dns_record_t *b)
{
    return strcasecmp(a->type, b->type) == 0 && strcmp(a->content, b->content) == 0 &&
           a->priority == b->priority;
}

/* A literal TXT text of len bytes becomes ceil(len / 255) character-strings,
 * each with its length byte. */
static bool txt_literal_fits(const char *content)
{
    size_t len = strlen(content);
    size_t strings = len == 0 ? 1 : (len + 254) / 255;
    return len + strings <= RDATA_MAX_BYTES;
}

/* "192.0.2.1", "2001:db8::1", with or without a trailing dot. */
static bool is_address(const char *content)
{
    char buf[64];
    size_t len = strlen(content);
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, content, len + 1);
    if (buf[len - 1] == '.') {
        buf[len - 1] = '\0';
    }
    unsigned char addr[16];
    return inet_pton(AF_INET, buf, addr) == 1 || inet_pton(AF_INET6, buf, addr) == 1;
}

/* Normalizes content of type with priority (-1: none given) into out
 * (copied into a), through dns_rdata_normalize with a buffer sized for the
 * input. */
static int content_normalize(const char *zone, const char *origin, const char *type,
                             const char *content, long long priority, arena_t *a, dns_record_t *out,
                             dns_record_warnings_t *warnings, dnsapi_err_t *err)
{
    size_t len = strlen(content);
    if (len > CONTENT_MAX_CHARS) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content is %zu characters long; the data of one record is at "
                              "most 65535 bytes.",
                              len);
    }
    if (strcmp(type, "TXT") == 0 && content[0] != '"' && !txt_literal_fits(content)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The text is %zu bytes long; a TXT record holds at most 65535 "
                              "bytes of data (about 65,270 bytes of text): split it over several "
                              "records.",
                              len);
    }
    if (strcmp(type, "NS") == 0 && is_address(content)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "An NS record names a name server by its host name, not by an "
                              "address: give the host name (e.g. ns1.example.net) and put the "
                              "address in an A or AAAA record of that host (glue, when the host "
                              "lies inside the delegated name).");
    }
    size_t cap = len * 4 + 1024;
    char *buf = malloc(cap);
    if (buf == NULL) {
        return dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    }
    dns_rdata_in_t in = {zone, origin, type, content, (long)priority};
    dns_rdata_out_t parsed = {.content = buf, .content_size = cap};
    int rc = dns_rdata_parse(&in, &parsed, err);
    if (rc == DNSAPI_OK) {
        out->content = arena_strdup(a, buf);
        out->priority = parsed.priority;
        if (out->content == NULL) {
            rc = dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        }
        for (size_t i = 0;
             warnings != NULL && i < parsed.n_warnings && warnings->n < DNS_RDATA_MAX_WARNINGS;
             i++) {
            warnings->v[warnings->n++] = parsed.warnings[i];
        }
    }
    free(buf);
    return rc;
}

static int comment_check(const dns_fields_t *f, dnsapi_err_t *err)
{
    if (f->has_comment && f->comment != NULL && strlen(f->comment) > COMMENT_MAX_CHARS) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "too_long", "comment",
                              "comment must be at most %d characters", COMMENT_MAX_CHARS);
    }
    return DNSAPI_OK;
}

int dns_record_from_fields(const char *zone, const dns_fields_t *f, arena_t *a, dns_record_t *out,
                           dns_record_warnings_t *warnings, dnsapi_err_t *err)
{
    char type[16], name[DNS_NAME_BUFSIZE];
    static const char *const required[] = {"name", "type", "content"};
    const char *given[] = {f->name, f->type, f->content};
    int rc;

    memset(out, 0, sizeof(*out));
    out->priority = -1;
    for (size_t i = 0; i < 3; i++) {
        if (given[i] == NULL) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "missing_field", required[i],
                                  "%s is required", required[i]);
        }
    }
    if ((rc = dns_type_normalize(f->type, type, sizeof(type), err)) != DNSAPI_OK ||
        (rc = dns_name_normalize(zone, f->name, name, sizeof(name), err)) != DNSAPI_OK ||
        (rc = comment_check(f, err)) != DNSAPI_OK) {
        return rc;
    }
    out->name = arena_strdup(a, name);
    out->type = arena_strdup(a, type);
    out->ttl = f->has_ttl ? (uint32_t)f->ttl : 0;
    out->disabled = f->has_disabled && f->disabled;
    out->comment = f->has_comment ? arena_strdup(a, f->comment) : NULL;
    if (out->name == NULL || out->type == NULL ||
        (f->has_comment && f->comment != NULL && out->comment == NULL)) {
        return dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    }
    if (dns_record_is_system_kind(zone, name, type)) {
        /* refused by the system_record rule; nothing to read in it */
        out->content = arena_strdup(a, f->content);
        return out->content != NULL
                   ? DNSAPI_OK
                   : dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    }
    return content_normalize(zone, f->origin, type, f->content, f->has_priority ? f->priority : -1,
                             a, out, warnings, err);
}

int dns_record_patch(const char *zone, const dns_record_t *old, const dns_fields_t *f, arena_t *a,
                     dns_record_t *out, dns_record_warnings_t *warnings, dnsapi_err_t *err)
{
    int rc = comment_check(f, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    *out = *old;
    if (f->has_ttl) {
        out->ttl = (uint32_t)f->ttl;
    }
    if (f->has_disabled) {
        out->disabled = f->disabled;
    }
    if (f->has_comment) {
        out->comment = arena_strdup(a, f->comment);
        if (f->comment != NULL && out->comment == NULL) {
            return dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        }
    }
    if (!(f->content != NULL) && !f->has_priority) {
        return DNSAPI_OK;
    }
    const char *content = (f->content != NULL) ? f->content : old->content;
    long long prio = f->has_priority ? f->priority : (f->content != NULL) ? -1 : old->priority;
    rc = content_normalize(zone, f->origin, old->type, content, prio, a, out, warnings, err);
    if (rc != DNSAPI_OK && (f->content != NULL) && !f->has_priority && old->priority >= 0 &&
        strcmp(err->field, "priority") == 0) {
        /* new content without a priority keeps the old one */
        dnsapi_err_clear(err);
        rc = content_normalize(zone, f->origin, old->type, content, old->priority, a, out, warnings,
                               err);
    }
    return rc;
}
