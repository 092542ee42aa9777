/*
 * types.h - the record type table, private to dns/: what each supported
 * type's content looks like word by word, for rdata.c's checks.
 */
#ifndef DNSAPI_DNS_TYPES_H
#define DNSAPI_DNS_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* What a word of content is, per position. */
typedef enum {
    FIELD_END = 0,
    FIELD_U8,  /* decimal 0..255 */
    FIELD_U16, /* decimal 0..65535 */
    FIELD_U8_OR_MNEMONIC,
    FIELD_HOST,         /* a host name, never the root (warns when not LDH) */
    FIELD_HOST_OR_ROOT, /* the same, or "." */
    FIELD_NAME,         /* any domain name, never the root (CNAME, PTR) */
    FIELD_NAME_OR_ROOT, /* any domain name or "." (DNAME, NAPTR, SVCB) */
    FIELD_REST,         /* this and all following words: ldns checks them */
} field_t;

typedef struct {
    const char *type;
    uint16_t number;
    uint32_t default_ttl;
    const char *priority_label; /* NULL: the type has no priority field */
    field_t fields[8];          /* without the priority */
    const char *field_names[8];
    const char *example; /* valid content, for messages */
} type_info_t;

/* The entry of a supported type (or SOA), by name or TYPEnnn, without
 * regard to case; for a type in RFC 3597 generic form only (TYPEnnn of a
 * number no name is known for) the shared generic entry. NULL for every
 * other type. *number receives the type number. */
const type_info_t *type_info_lookup(const char *name, uint16_t *number);

/* True for the generic entry. */
bool type_info_is_generic(const type_info_t *ti);

#endif
