/*
 * record_prep.h - a record write prepared from a request, shared by the
 * single-record handlers and the batch: the writable fields read from a
 * JSON object, a new record normalized (name, type, content, TTL), and a
 * patch applied to a stored record, all before the zone rules run.
 */
#ifndef DNSAPI_API_RECORD_PREP_H
#define DNSAPI_API_RECORD_PREP_H

#include "api/api.h"
#include "dns/dns.h"

typedef struct {
    /* the record as it will be written */
    char name[DNS_NAME_BUFSIZE];
    char type[16];
    char content[DNS_CONTENT_BUFSIZE];
    int priority; /* -1: none */
    long long ttl;
    bool disabled;
    const char *comment; /* borrowed from the request body */
    bool comment_given;
    /* the request's fields */
    const char *in_content;
    long long in_priority;
    bool has_content, has_ttl, has_priority, has_disabled;
} rec_t;

/* Empty: no priority given, none stored. */
void rec_init(rec_t *rec);

/* Reads content, ttl, priority, disabled and comment from obj. */
int rec_fields_parse(json_t *obj, rec_t *rec, dnsapi_err_t *err);

/* A new record from obj (fields already parsed into rec): name, type and
 * content normalized against r's zone, the default TTL, the TTL bounds, and
 * the refusal of SOA and apex NS. */
int rec_post_prepare(api_req_t *r, json_t *obj, rec_t *rec, dnsapi_err_t *err);

/* The record row (RECORD_COLS) of old after the patch in rec (fields
 * parsed): the untouched fields kept, content normalized; system records
 * refused. */
int rec_patch_prepare(api_req_t *r, const PGresult *old, int row, rec_t *rec, dnsapi_err_t *err);

/* Names above a record that the rules look at for delegations, at most. */
#define MAX_ANCESTORS 16

/* Row row of RECORD_COLS as the rules see it (strings borrowed from res). */
dns_rr_t rec_rr_of_row(const PGresult *res, int row);

/* Fills rrs from rows of RECORD_COLS, skipping the row whose id is skip_id. */
size_t rec_rrs_from(const PGresult *res, dns_rr_t *rrs, size_t max, const char *skip_id);

/* rec as the rules see it. */
dns_rr_t rec_rr(const rec_t *rec);

/* Adds "warnings": [{code, message}...] to d when there are any. */
void rec_warnings_add(json_t *d, const dns_warning_t *w, size_t n);

#endif
