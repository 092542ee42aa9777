/*
 * rdata.c - record types and record content: parse, check and normalize
 * through ldns.
 *
 * Content goes through three steps. First we split it into master-file
 * words ourselves, refusing what a master file would read differently from
 * what the user meant (comments, parentheses, unterminated quotes). Then
 * each word is checked against the type's field layout: numbers in range
 * (ldns silently wraps "MX 70000" to 4464), host names fully qualified and
 * made absolute (so "ns1.other-provider.com" is not read relative to the
 * zone), and the MX/SRV priority taken from the field or the first word.
 * Finally ldns parses the rebuilt text with the zone as origin and its
 * presentation of the rdata, names lowercased, is the normalized content,
 * provided it parses back to itself and is safe in a master file.
 *
 * SVCB and HTTPS: this Debian build of ldns 1.8.3 parses and prints them
 * (svcparams as one rdf, keys sorted); we add what it does not check and
 * the name servers do: a key given twice, "mandatory" naming an absent key,
 * keys without values, no-default-alpn without alpn, odd alpn lists.
 *
 * TXT is the exception: content is literal text unless it starts with '"'.
 */
#include "dns/dns.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#define MAX_WORDS 64

/* What a word of content is, per position. */
typedef enum {
    FIELD_END = 0,
    FIELD_U8,  /* decimal 0..255 */
    FIELD_U16, /* decimal 0..65535 */
    FIELD_U8_OR_MNEMONIC,
    FIELD_HOST, /* a host name, never the root */
    FIELD_HOST_OR_ROOT,
    FIELD_REST, /* this and all following words: ldns checks them */
} field_t;

typedef struct {
    const char *type;
    uint32_t default_ttl;
    const char *priority_label; /* NULL: the type has no priority */
    field_t fields[8];          /* without the priority */
    const char *field_names[8];
} type_info_t;

static const type_info_t TYPES[] = {
    {"A", 3600, NULL, {FIELD_REST}, {"address"}},
    {"AAAA", 3600, NULL, {FIELD_REST}, {"address"}},
    {"CNAME", 3600, NULL, {FIELD_HOST}, {"target"}},
    {"MX", 3600, "priority", {FIELD_HOST_OR_ROOT}, {"mail server"}},
    {"TXT", 3600, NULL, {FIELD_REST}, {"text"}},
    {"NS", 86400, NULL, {FIELD_HOST}, {"name server"}},
    {"SRV",
     3600,
     "priority",
     {FIELD_U16, FIELD_U16, FIELD_HOST_OR_ROOT},
     {"weight", "port", "target"}},
    {"CAA", 3600, NULL, {FIELD_U8, FIELD_REST}, {"flags", "tag"}},
    {"PTR", 3600, NULL, {FIELD_HOST}, {"target"}},
    {"DS",
     3600,
     NULL,
     {FIELD_U16, FIELD_U8_OR_MNEMONIC, FIELD_U8, FIELD_REST},
     {"key tag", "algorithm", "digest type", "digest"}},
    {"TLSA",
     3600,
     NULL,
     {FIELD_U8, FIELD_U8, FIELD_U8, FIELD_REST},
     {"usage", "selector", "matching type", "data"}},
    {"SSHFP",
     3600,
     NULL,
     {FIELD_U8, FIELD_U8, FIELD_REST},
     {"algorithm", "fingerprint type", "fingerprint"}},
    {"NAPTR",
     3600,
     NULL,
     {FIELD_U16, FIELD_U16, FIELD_REST, FIELD_REST, FIELD_REST, FIELD_HOST_OR_ROOT},
     {"order", "preference", "flags", "services", "regexp", "replacement"}},
    {"SVCB",
     3600,
     NULL,
     {FIELD_U16, FIELD_HOST_OR_ROOT, FIELD_REST},
     {"priority", "target", "parameters"}},
    {"HTTPS",
     3600,
     NULL,
     {FIELD_U16, FIELD_HOST_OR_ROOT, FIELD_REST},
     {"priority", "target", "parameters"}},
    {"SOA", 3600, NULL, {FIELD_REST}, {"data"}},
};

static const type_info_t *type_info_find(const char *type)
{
    for (size_t i = 0; i < sizeof(TYPES) / sizeof(TYPES[0]); i++) {
        if (strcasecmp(TYPES[i].type, type) == 0) {
            return &TYPES[i];
        }
    }
    return NULL;
}

/* The supported types (and SOA), upper case. */
int dns_type_normalize(const char *in, char *out, size_t outlen, dnsapi_err_t *err)
{
    const type_info_t *ti = in != NULL ? type_info_find(in) : NULL;
    if (ti == NULL) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                              "The type \"%.16s\" is not supported: use one of A, AAAA, CNAME, "
                              "MX, TXT, NS, SRV, CAA, PTR, DS, TLSA, SSHFP, NAPTR, SVCB, HTTPS.",
                              in != NULL ? in : "");
    }
    if (strlen(ti->type) >= outlen) {
        return dnsapi_err_set(err, DNSAPI_EINTERNAL, "unsupported_type", "type",
                              "The output buffer is too small for the type.");
    }
    memcpy(out, ti->type, strlen(ti->type) + 1);
    return DNSAPI_OK;
}

/* 86400 for NS, 3600 otherwise. */
uint32_t dns_type_default_ttl(const char *type)
{
    const type_info_t *ti = type != NULL ? type_info_find(type) : NULL;
    return ti != NULL ? ti->default_ttl : 3600;
}

/* MX and SRV carry their priority apart from content. */
bool dns_type_has_priority(const char *type)
{
    const type_info_t *ti = type != NULL ? type_info_find(type) : NULL;
    return ti != NULL && ti->priority_label != NULL;
}

/* ---- words ------------------------------------------------------------ */

typedef struct {
    const char *p;
    size_t len;
} word_t;

/* Splits content into master-file words: runs of non-space characters in
 * which a '"' opens a quoted section up to the next unescaped '"' (so both
 * "a b" and alpn="h2,h3" are one word) and '\' escapes the next character.
 * Refuses what a master file would read as something else: ';' comments,
 * '(' ')' grouping and unterminated quotes. A quote may only open and
 * close a whole word, as ldns reads quotes no other way; with
 * inner_quotes (SVCB parameters) it may also open a value after '='. */
static int words_split(const char *content, bool inner_quotes, word_t *words, size_t max,
                       size_t *count, dnsapi_err_t *err)
{
    const char *p = content;
    size_t n = 0;

    for (;;) {
        while (*p == ' ') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        if (n == max) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The content has more than %d words.", MAX_WORDS);
        }
        const char *start = p;
        bool quoted = false;
        while (*p != '\0' && (quoted || *p != ' ')) {
            if (*p == '\\') {
                if (p[1] == '\0') {
                    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                          "The content ends with a lone backslash: remove it "
                                          "or escape it as \\\\.");
                }
                p += 2;
                continue;
            }
            if (*p == '"' && p != start && !quoted && (!inner_quotes || p[-1] != '=')) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                      "The content has a '\"' inside a word: quote whole "
                                      "words, as in \"E2U+sip\", or values, as in "
                                      "alpn=\"h2,h3\".");
            }
            if (*p == '"' && !inner_quotes && quoted && p[1] != ' ' && p[1] != '\0') {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                      "The content has text right after a closing '\"': put "
                                      "a space between words.");
            }
            if (*p == '"') {
                quoted = !quoted;
            } else if (!quoted && (*p == ';' || *p == '(' || *p == ')')) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                      "The content contains '%c' outside quotes, which a "
                                      "master file reads as %s: put that text in double "
                                      "quotes.",
                                      *p, *p == ';' ? "a comment" : "grouping");
            }
            p++;
        }
        if (quoted) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The content has a '\"' without its closing '\"'.");
        }
        words[n].p = start;
        words[n].len = (size_t)(p - start);
        n++;
    }
    *count = n;
    return DNSAPI_OK;
}

/* A growing text buffer for the rebuilt content. */
typedef struct {
    char *s;
    size_t len;
    size_t cap;
} text_t;

static bool text_append(text_t *t, const char *p, size_t len)
{
    if (len > DNS_CONTENT_BUFSIZE * 16 || t->len > DNS_CONTENT_BUFSIZE * 16) {
        return false; /* far beyond any content; also bounds the sizes for the compiler */
    }
    if (t->len + len + 1 > t->cap) {
        size_t cap = t->cap == 0 ? 256 : t->cap;
        while (t->len + len + 1 > cap) {
            cap *= 2;
        }
        char *s = realloc(t->s, cap);
        if (s == NULL) {
            return false;
        }
        t->s = s;
        t->cap = cap;
    }
    memcpy(t->s + t->len, p, len);
    t->len += len;
    t->s[t->len] = '\0';
    return true;
}

static bool text_append_str(text_t *t, const char *s)
{
    return text_append(t, s, strlen(s));
}

/* Reads a decimal word into *value if it is within [0, max]. */
static bool word_to_uint(const word_t *w, unsigned long max, unsigned long *value)
{
    if (w->len == 0 || w->len > 10) {
        return false;
    }
    unsigned long v = 0;
    for (size_t i = 0; i < w->len; i++) {
        if (!isdigit((unsigned char)w->p[i])) {
            return false;
        }
        v = v * 10 + (unsigned long)(w->p[i] - '0');
    }
    if (v > max) {
        return false;
    }
    *value = v;
    return true;
}

static bool word_is_digits(const word_t *w)
{
    for (size_t i = 0; i < w->len; i++) {
        if (!isdigit((unsigned char)w->p[i])) {
            return false;
        }
    }
    return w->len > 0;
}

/* Checks a host-name word and appends it, absolute, to t. "@" stays "@"
 * (ldns reads it as the zone apex). A name must have at least two labels:
 * "mail" is refused with a hint rather than read relative to the zone. */
/* BIND's check-names, "fail" for primary zones by default, refuses the
 * whole zone when the target of an NS, MX, SRV, SVCB or HTTPS record is not
 * a host name: letters, digits and inner hyphens, no '_' (found by
 * tests/fuzz/fuzz_content.c). CNAME, PTR and NAPTR targets may be any name. */
static bool type_target_is_host(const char *type)
{
    static const char *const types[] = {"NS", "MX", "SRV", "SVCB", "HTTPS"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(type, types[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* True when every label of name[0..len) is letters, digits and inner
 * hyphens. */
static bool name_is_hostname(const char *name, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && name[i] != '.') {
            if (!(isascii((unsigned char)name[i]) &&
                  (isalnum((unsigned char)name[i]) || name[i] == '-'))) {
                return false;
            }
            continue;
        }
        if (i > start && (name[start] == '-' || name[i - 1] == '-')) {
            return false;
        }
        start = i + 1;
    }
    return true;
}

static int host_append(text_t *t, const char *zone, const word_t *w, bool root_ok,
                       bool hostname_only, const char *what, dnsapi_err_t *err)
{
    char zone_bare[DNS_NAME_BUFSIZE];
    snprintf(zone_bare, sizeof(zone_bare), "%.*s", (int)(strlen(zone) - 1), zone);

    if (w->len == 1 && w->p[0] == '@') {
        return text_append(t, "@", 1) ? DNSAPI_OK : DNSAPI_ENOMEM;
    }
    if (w->len == 1 && w->p[0] == '.') {
        if (!root_ok) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The %s cannot be the root \".\": give a host name such as "
                                  "host.%s.",
                                  what, zone_bare);
        }
        return text_append(t, ".", 1) ? DNSAPI_OK : DNSAPI_ENOMEM;
    }
    size_t len = w->len;
    bool absolute = w->p[len - 1] == '.';
    if (absolute) {
        len--;
    }
    size_t labels = 1;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w->p[i];
        if (c == '.') {
            if (label == 0) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                      "The %s \"%.*s\" has an empty label (a leading dot or "
                                      "\"..\").",
                                      what, (int)w->len, w->p);
            }
            labels++;
            label = 0;
            continue;
        }
        if (!(isascii(c) && (isalnum(c) || c == '-' || c == '_'))) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The %s \"%.*s\" contains characters a host name cannot "
                                  "have: use letters, digits, '-' and '_' (punycode for "
                                  "international names).",
                                  what, (int)(w->len > 64 ? 64 : w->len), w->p);
        }
        if (++label > 63) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The %s has a label longer than 63 characters.", what);
        }
    }
    if (label == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s \"%.*s\" has an empty label.", what, (int)w->len, w->p);
    }
    if (len > 253) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s is %zu characters long; a domain name has at most 253.", what,
                              len);
    }
    if (labels < 2) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s \"%.*s\" is a single label: write the name in full, e.g. "
                              "%.*s.%s",
                              what, (int)len, w->p, (int)len, w->p, zone_bare);
    }
    if (hostname_only && !name_is_hostname(w->p, len)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s \"%.*s\" is not a host name: use letters, digits and "
                              "hyphens inside labels, without '_' or a label starting or ending "
                              "with '-' (BIND refuses the zone otherwise).",
                              what, (int)(len > 64 ? 64 : len), w->p);
    }
    if (!text_append(t, w->p, len) || !text_append(t, ".", 1)) {
        return DNSAPI_ENOMEM;
    }
    return DNSAPI_OK;
}

static bool has_control_chars(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            return true;
        }
    }
    return false;
}

/* Takes the MX/SRV priority from the field or from the first word, and
 * says from which word the remaining fields start. */
static int priority_resolve(const type_info_t *ti, const word_t *words, size_t nwords,
                            long priority, int *priority_out, size_t *first, dnsapi_err_t *err)
{
    size_t nfields = 0;
    while (nfields < 8 && ti->fields[nfields] != FIELD_END) {
        nfields++;
    }
    *first = 0;
    if (nwords > nfields) {
        unsigned long v;
        if (!word_to_uint(&words[0], 65535, &v)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The %s priority \"%.*s\" is not a number from 0 to 65535.",
                                  ti->type, (int)(words[0].len > 32 ? 32 : words[0].len),
                                  words[0].p);
        }
        if (priority >= 0 && (unsigned long)priority != v) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "priority",
                                  "The priority field (%ld) and the priority in content (%lu) "
                                  "differ: give it once.",
                                  priority, v);
        }
        *priority_out = (int)v;
        *first = 1;
        return DNSAPI_OK;
    }
    if (nwords < nfields) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content is incomplete for a %s record: write it like "
                              "\"%s\".",
                              ti->type, dns_rdata_example(ti->type));
    }
    if (priority < 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "missing_field", "priority",
                              "%s records need a priority: give \"priority\" or put it first "
                              "in content, e.g. \"%s\".",
                              ti->type,
                              strcmp(ti->type, "MX") == 0 ? "10 mail.example.com"
                                                          : "10 5 5060 sip.example.com");
    }
    *priority_out = (int)priority;
    return DNSAPI_OK;
}

/* DS, TLSA and SSHFP end in a digest written as hex, possibly split over
 * several words. ldns accepts an odd number of digits (BIND refuses the
 * zone) and any length; we want whole bytes and, for the digest types we
 * know, the length that type produces. Returns the expected length in
 * bytes for (type, selector word value), or 0 when any length will do. */
static size_t digest_expected_len(const char *type, unsigned long kind)
{
    if (strcmp(type, "DS") == 0) {
        return kind == 1 ? 20 : kind == 2 ? 32 : kind == 4 ? 48 : 0;
    }
    if (strcmp(type, "TLSA") == 0) {
        return kind == 1 ? 32 : kind == 2 ? 64 : 0;
    }
    if (strcmp(type, "SSHFP") == 0) {
        return kind == 1 ? 20 : kind == 2 ? 32 : 0;
    }
    return 0;
}

static int digest_check(const type_info_t *ti, const word_t *words, size_t nwords,
                        dnsapi_err_t *err)
{
    size_t hex_at = 0;
    while (ti->fields[hex_at] != FIELD_REST) {
        hex_at++;
    }
    if (nwords <= hex_at) {
        return DNSAPI_OK; /* incomplete: ldns says so */
    }
    unsigned long kind = 0;
    if (!word_to_uint(&words[hex_at - 1], 255, &kind)) {
        kind = 0;
    }
    size_t digits = 0;
    for (size_t i = hex_at; i < nwords; i++) {
        for (size_t j = 0; j < words[i].len; j++) {
            if (!isxdigit((unsigned char)words[i].p[j])) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                      "The %s %s must be hexadecimal digits (0-9, a-f).", ti->type,
                                      ti->field_names[hex_at]);
            }
        }
        digits += words[i].len;
    }
    if (digits % 2 != 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s %s has an odd number of hex digits (%zu): each byte is "
                              "two digits.",
                              ti->type, ti->field_names[hex_at], digits);
    }
    size_t want = digest_expected_len(ti->type, kind);
    /* Knot refuses a zone with a DS of any other digest type (kzonecheck:
     * "invalid algorithm in DS"), GOST (3) included. */
    if (want == 0 && strcmp(ti->type, "DS") == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The DS digest type %lu is not one the name servers accept: use 2 "
                              "(SHA-256), 4 (SHA-384) or 1 (SHA-1).",
                              kind);
    }
    if (want != 0 && digits != want * 2) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s %s is %zu bytes long, but %s %lu needs %zu bytes (%zu hex "
                              "digits).",
                              ti->type, ti->field_names[hex_at], digits / 2,
                              ti->field_names[hex_at - 1], kind, want, want * 2);
    }
    return DNSAPI_OK;
}

/* Rebuilds content word by word after checking each against the type's
 * layout (see the file comment). */
static int content_rebuild(const char *zone, const type_info_t *ti, const word_t *words,
                           size_t nwords, text_t *t, dnsapi_err_t *err)
{
    size_t f = 0;
    bool rest = false;

    for (size_t i = 0; i < nwords; i++) {
        const word_t *w = &words[i];
        field_t kind = rest ? FIELD_REST : ti->fields[f];
        const char *what = rest ? "data" : ti->field_names[f];
        unsigned long v;
        int rc = DNSAPI_OK;

        if (i > 0 && !text_append(t, " ", 1)) {
            return DNSAPI_ENOMEM;
        }
        switch (kind) {
        case FIELD_END:
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The content has extra text after the %s: \"%.*s\".",
                                  ti->field_names[f - 1], (int)(w->len > 32 ? 32 : w->len), w->p);
        case FIELD_U8:
        case FIELD_U16:
        case FIELD_U8_OR_MNEMONIC:
            if (kind == FIELD_U8_OR_MNEMONIC && !word_is_digits(w)) {
                break; /* a mnemonic such as ECDSAP256SHA256: ldns checks it */
            }
            if (!word_to_uint(w, kind == FIELD_U16 ? 65535 : 255, &v)) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                      "The %s %s \"%.*s\" is not a number from 0 to %d.", ti->type,
                                      what, (int)(w->len > 32 ? 32 : w->len), w->p,
                                      kind == FIELD_U16 ? 65535 : 255);
            }
            break;
        case FIELD_HOST:
        case FIELD_HOST_OR_ROOT:
            rc = host_append(t, zone, w, kind == FIELD_HOST_OR_ROOT, type_target_is_host(ti->type),
                             what, err);
            if (rc != DNSAPI_OK) {
                return rc;
            }
            f++;
            continue;
        case FIELD_REST:
            break;
        }
        if (!text_append(t, w->p, w->len)) {
            return DNSAPI_ENOMEM;
        }
        if (kind == FIELD_REST && ti->fields[f + 1] == FIELD_END) {
            rest = true;
        } else if (!rest) {
            f++;
        }
    }
    return DNSAPI_OK;
}

/* CAA: "flags tag value"; the value is everything after the tag, quoted
 * by us when it is not already one quoted string, since ldns requires the
 * quotes and people rarely write them. */
static int caa_rebuild(const char *content, text_t *t, dnsapi_err_t *err)
{
    const char *p = content + strspn(content, " ");
    const char *marks[2];
    for (int i = 0; i < 2; i++) {
        while (*p == ' ') {
            p++;
        }
        marks[i] = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
    }
    while (*p == ' ') {
        p++;
    }
    if (*marks[1] == '\0' || *p == '\0') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "CAA content is \"flags tag value\", e.g. 0 issue "
                              "\"letsencrypt.org\".");
    }
    word_t flags = {marks[0], strcspn(marks[0], " ")};
    unsigned long v;
    if (!word_to_uint(&flags, 255, &v)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The CAA flags \"%.*s\" are not a number from 0 to 255.",
                              (int)(flags.len > 16 ? 16 : flags.len), flags.p);
    }
    const char *tag = marks[1];
    size_t tag_len = strcspn(tag, " ");
    /* RFC 6844 capped tags at 15 characters, and NSD still refuses longer
     * ones (found by tests/fuzz/fuzz_content.c). */
    if (tag_len > 15) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The CAA tag is %zu characters long; tags have at most 15, such as "
                              "issue, issuewild or iodef.",
                              tag_len);
    }
    for (const char *q = tag; q < p && *q != ' '; q++) {
        if (!isascii((unsigned char)*q) || !isalnum((unsigned char)*q)) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The CAA tag must be letters and digits, such as issue, "
                                  "issuewild or iodef.");
        }
    }
    /* Tags are case-insensitive (RFC 8659) but NSD refuses upper case. */
    size_t start = t->len;
    if (!text_append(t, marks[0], (size_t)(p - marks[0]))) {
        return DNSAPI_ENOMEM;
    }
    for (size_t i = start; i < t->len; i++) {
        t->s[i] = (char)tolower((unsigned char)t->s[i]);
    }
    size_t vlen = strlen(p);
    while (vlen > 0 && p[vlen - 1] == ' ') {
        vlen--;
    }
    /* Already one quoted string when the first unescaped closing quote is
     * the last character. */
    if (vlen >= 2 && p[0] == '"') {
        size_t i = 1;
        while (i < vlen && p[i] != '"') {
            i += p[i] == '\\' ? 2 : 1;
        }
        if (i == vlen - 1) {
            return text_append(t, p, vlen) ? DNSAPI_OK : DNSAPI_ENOMEM;
        }
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The CAA value must be one quoted string, or plain text without "
                              "quotes.");
    }
    if (!text_append(t, "\"", 1)) {
        return DNSAPI_ENOMEM;
    }
    for (size_t i = 0; i < vlen; i++) {
        if ((p[i] == '"' || p[i] == '\\') && !text_append(t, "\\", 1)) {
            return DNSAPI_ENOMEM;
        }
        if (!text_append(t, &p[i], 1)) {
            return DNSAPI_ENOMEM;
        }
    }
    return text_append(t, "\"", 1) ? DNSAPI_OK : DNSAPI_ENOMEM;
}

/* SVCB/HTTPS: ldns sorts the parameters but accepts a key given twice and
 * a "mandatory" list naming keys that are absent, both of which the name
 * servers refuse. params is ldns's presentation of the parameters. */
static int svc_params_check(const char *params, dnsapi_err_t *err)
{
    /* ldns prints some values with escapes that BIND reads differently;
     * plain printable ASCII values are what anyone actually uses. */
    if (strpbrk(params, "\\\"") != NULL) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "Service parameter values must be plain printable ASCII, without "
                              "quotes inside values or backslashes.");
    }
    const char *alpn = strstr(params, "alpn=");
    if (alpn != NULL && (alpn == params || alpn[-1] == ' ')) {
        size_t vlen = strcspn(alpn + 5, " ");
        const char *v = alpn + 5;
        /* Empty ids, and one-character ids: none is registered, and Knot
         * 3.2 fails its semantic checks on one followed by another id
         * (kzonecheck: "failed to run semantic checks"). */
        bool short_id = false;
        for (size_t k = 0, id = 0; k <= vlen; k++) {
            if (k == vlen || v[k] == ',') {
                short_id = short_id || id < 2;
                id = 0;
            } else {
                id++;
            }
        }
        if (short_id || memchr(v, '=', vlen) != NULL) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The alpn value must be protocol ids of two or more "
                                  "characters separated by commas, such as alpn=h2,h3.");
        }
    }
    char keys[32][24];
    size_t nkeys = 0;
    const char *mandatory = NULL;
    const char *p = params;

    while (*p != '\0') {
        while (*p == ' ') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        const char *start = p;
        bool quoted = false;
        while (*p != '\0' && (quoted || *p != ' ')) {
            if (*p == '\\' && p[1] != '\0') {
                p++;
            } else if (*p == '"') {
                quoted = !quoted;
            }
            p++;
        }
        size_t klen = strcspn(start, "= ");
        if (klen > (size_t)(p - start)) {
            klen = (size_t)(p - start);
        }
        if (nkeys == 32 || klen >= sizeof(keys[0])) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The service parameters are too many or too long.");
        }
        snprintf(keys[nkeys], sizeof(keys[0]), "%.*s", (int)klen, start);
        for (size_t i = 0; i < nkeys; i++) {
            if (strcmp(keys[i], keys[nkeys]) == 0) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                      "The service parameter \"%s\" is given twice: give each "
                                      "key once (alpn=h2,h3 for several values).",
                                      keys[i]);
            }
        }
        if (strcmp(keys[nkeys], "mandatory") == 0) {
            mandatory = start;
        }
        /* ldns prints key7 by its name; Knot 3.2 fails on dohpath in a
         * master file and BIND on any value that is not a DoH URI template
         * (found by tests/fuzz/fuzz_content.c). */
        if (strcmp(keys[nkeys], "dohpath") == 0) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The service parameter dohpath (key7) is not supported: "
                                  "Knot DNS 3.2 cannot load a zone that holds it.");
        }
        bool has_value = start[klen] == '=' && start + klen + 1 < p;
        if (!has_value && strcmp(keys[nkeys], "no-default-alpn") != 0 &&
            strncmp(keys[nkeys], "key", 3) != 0) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The service parameter \"%s\" needs a value, e.g. "
                                  "alpn=h2,h3 or port=8443.",
                                  keys[nkeys]);
        }
        nkeys++;
    }
    bool has_alpn = false;
    bool has_no_default_alpn = false;
    for (size_t i = 0; i < nkeys; i++) {
        has_alpn = has_alpn || strcmp(keys[i], "alpn") == 0;
        has_no_default_alpn = has_no_default_alpn || strcmp(keys[i], "no-default-alpn") == 0;
    }
    if (has_no_default_alpn && !has_alpn) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "\"no-default-alpn\" needs an \"alpn\" parameter beside it "
                              "(RFC 9460): add alpn=... or remove no-default-alpn.");
    }
    if (mandatory == NULL) {
        return DNSAPI_OK;
    }
    /* mandatory=key1,key2: each listed key must be present, and not itself. */
    const char *q = mandatory + strlen("mandatory");
    if (*q != '=') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The \"mandatory\" parameter needs a list of keys.");
    }
    q++;
    while (*q != '\0' && *q != ' ') {
        size_t klen = strcspn(q, ", ");
        char key[24];
        snprintf(key, sizeof(key), "%.*s", (int)(klen < sizeof(key) ? klen : 0), q);
        bool found = false;
        for (size_t i = 0; i < nkeys; i++) {
            if (strcmp(keys[i], key) == 0 && strcmp(key, "mandatory") != 0) {
                found = true;
            }
        }
        if (!found) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "\"mandatory\" lists \"%s\", which is not among the "
                                  "parameters: add that parameter or remove it from the list.",
                                  key);
        }
        q += klen;
        if (*q == ',') {
            q++;
        }
    }
    return DNSAPI_OK;
}

/* Literal TXT: stored as given; only control characters are refused. */
static int txt_literal_normalize(const char *content, char *out, size_t outlen, dnsapi_err_t *err)
{
    size_t len = strlen(content);
    if (len >= outlen) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The text is %zu bytes long; at most %zu are allowed.", len,
                              outlen - 1);
    }
    memcpy(out, content, len + 1);
    return DNSAPI_OK;
}

/* True when s[0..len) is well-formed UTF-8 (what a text column takes). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned char lo = 0x80, hi = 0xbf; /* bounds of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
            hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
        } else {
            return false;
        }
        if (n > len - 1 - i || s[i + 1] < lo || s[i + 1] > hi) {
            return false;
        }
        for (size_t k = 2; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += n + 1;
    }
    return true;
}

/* One TXT RDATA has one stored form. A quoted content (ldns presentation:
 * "..." "...", with \" \\ and \DDD escapes) whose strings are exactly what
 * the literal form would give - one string of 1 to 255 bytes, or 255-byte
 * strings and a last shorter one - is stored as that literal text, so that
 * "x" and x are the same record (and a duplicate of each other). Anything
 * else (several short strings, an empty string, control characters, bytes
 * that are not UTF-8, text that starts with a quote) stays quoted. */
static void txt_canonical(char *content, size_t outlen)
{
    unsigned char *lit = malloc(outlen);
    size_t len = 0, nseg = 0, last_seg = 0;
    const char *p = content;
    bool ok = lit != NULL;
    while (ok && *p != '\0') {
        if (*p != '"') {
            ok = false;
            break;
        }
        if (nseg > 0 && last_seg != 255) {
            ok = false; /* only the last string may be short */
            break;
        }
        p++;
        size_t seg = 0;
        while (ok && *p != '"') {
            unsigned int c;
            if (*p == '\0') {
                ok = false;
            } else if (*p == '\\' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
                       isdigit((unsigned char)p[3])) {
                c = (unsigned)(p[1] - '0') * 100 + (unsigned)(p[2] - '0') * 10 +
                    (unsigned)(p[3] - '0');
                ok = c <= 255;
                p += 4;
            } else if (*p == '\\' && p[1] != '\0') {
                c = (unsigned char)p[1];
                p += 2;
            } else {
                c = (unsigned char)*p++;
            }
            if (!ok || c < 0x20 || c == 0x7f || len + 1 >= outlen) {
                ok = false;
                break;
            }
            lit[len++] = (unsigned char)c;
            seg++;
        }
        if (!ok) {
            break;
        }
        p++; /* the closing quote */
        if (*p == ' ') {
            p++;
        }
        nseg++;
        last_seg = seg;
        if (seg == 0) {
            ok = false; /* an empty string has no literal form */
        }
    }
    if (ok && nseg > 0 && len > 0 && lit[0] != '"' && utf8_valid(lit, len)) {
        memcpy(content, lit, len);
        content[len] = '\0';
    }
    free(lit);
}

/* Parses "@ 3600 IN <type> <rdata>" with ldns relative to origin. */
static int ldns_parse(const ldns_rdf *origin, const char *type, const char *rdata, ldns_rr **rr,
                      dnsapi_err_t *err)
{
    text_t line = {0};

    *rr = NULL;
    if (!text_append_str(&line, "@ 3600 IN ") || !text_append_str(&line, type) ||
        !text_append(&line, " ", 1) || !text_append_str(&line, rdata)) {
        free(line.s);
        return DNSAPI_ENOMEM;
    }
    ldns_status st = ldns_rr_new_frm_str(rr, line.s, 3600, origin, NULL);
    free(line.s);
    if (st != LDNS_STATUS_OK) {
        *rr = NULL;
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content is not valid %s data (%s): check it against the "
                              "%s format, e.g. %s.",
                              type, ldns_get_errorstr_by_id(st), type, dns_rdata_example(type));
    }
    return DNSAPI_OK;
}

/* Appends ldns's presentation of the rdata fields from index skip on,
 * names lowercased, separated by single spaces. */
static bool rr_present(const ldns_rr *rr, size_t skip, text_t *t)
{
    for (size_t i = skip; i < ldns_rr_rd_count(rr); i++) {
        ldns_rdf *rdf = ldns_rr_rdf(rr, i);
        if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME) {
            ldns_dname2canonical(rdf);
        }
        char *s = ldns_rdf2str(rdf);
        if (s == NULL) {
            return false;
        }
        bool ok = (i == skip || text_append(t, " ", 1)) && text_append_str(t, s);
        free(s);
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* glibc's regcomp accepts a quantifier with nothing to repeat ("a**",
 * "(*a)"); POSIX leaves that undefined and BIND refuses it. */
static bool ere_quantifiers_ok(const char *ere)
{
    char prev = '('; /* as if at the start of a group */
    bool bracket = false;

    for (const char *p = ere; *p != '\0'; p++) {
        if (bracket) {
            if (*p == ']') {
                bracket = false;
                prev = 'a';
            }
            continue;
        }
        if (*p == '\\' && p[1] != '\0') {
            p++;
            prev = 'a';
            continue;
        }
        if (*p == '[') {
            bracket = true;
            if (p[1] == '^') {
                p++;
            }
            if (p[1] == ']') {
                p++;
            }
            continue;
        }
        bool quantifier = *p == '*' || *p == '+' || *p == '?' || *p == '{';
        if (quantifier && strchr("*+?}(|^", prev) != NULL) {
            return false;
        }
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (end == NULL) {
                return false;
            }
            p = end;
            prev = '}';
            continue;
        }
        prev = *p;
    }
    return !bracket;
}

/* NAPTR regexp (RFC 3402): empty, or delimiter, POSIX ERE, delimiter,
 * replacement, delimiter, optional "i"; back-references only to groups
 * that exist. BIND refuses the zone otherwise. */
static int naptr_regexp_check(const ldns_rr *rr, dnsapi_err_t *err)
{
    const ldns_rdf *rdf = ldns_rr_rdf(rr, 4);
    const uint8_t *data = ldns_rdf_data(rdf);
    size_t len = ldns_rdf_size(rdf) > 0 ? data[0] : 0;
    const char *re = (const char *)data + 1;
    char ere[256];
    size_t ere_len = 0;
    size_t i = 1;
    int rc = DNSAPI_OK;

    if (len == 0) {
        return DNSAPI_OK;
    }
    if (memchr(re, '\0', len) != NULL) {
        goto bad;
    }
    char delim = re[0];
    if (isdigit((unsigned char)delim) || delim == '\\' || delim == 'i' || delim == '\0') {
        goto bad;
    }
    /* The regular expression, up to the unescaped delimiter. */
    for (; i < len && re[i] != delim; i++) {
        if (re[i] == '\\' && i + 1 < len) {
            ere[ere_len++] = re[i++];
        }
        ere[ere_len++] = re[i];
    }
    ere[ere_len] = '\0';
    if (i >= len || ere_len == 0) {
        goto bad;
    }
    /* The replacement, up to the next unescaped delimiter. BIND refuses
     * "\\0" (found by tests/fuzz/fuzz_content.c) and back-references
     * beyond the groups the regex compiles to. */
    size_t max_ref = 0;
    for (i++; i < len && re[i] != delim; i++) {
        if (re[i] == '\\' && i + 1 < len) {
            i++;
            if (re[i] == '0') {
                goto bad;
            }
            if (isdigit((unsigned char)re[i]) && (size_t)(re[i] - '0') > max_ref) {
                max_ref = (size_t)(re[i] - '0');
            }
        }
    }
    if (i >= len || !(i + 1 == len || (i + 2 == len && re[i + 1] == 'i'))) {
        goto bad;
    }
    if (!ere_quantifiers_ok(ere)) {
        goto bad;
    }
    regex_t compiled;
    if (regcomp(&compiled, ere, REG_EXTENDED) != 0) {
        goto bad;
    }
    size_t groups = compiled.re_nsub;
    regfree(&compiled);
    if (max_ref > groups) {
        goto bad;
    }
    return rc;
bad:
    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                          "The NAPTR regexp is not valid: write it as \"!ere!replacement!\" "
                          "(any delimiter, optional trailing i), e.g. "
                          "\"!^.*$!sip:info@example.com!\", or \"\" for none.");
}

/* True when text would be read back as written: no control characters,
 * balanced quotes, nothing a master file treats specially outside quotes. */
static bool text_is_zone_safe(const char *s)
{
    bool quoted = false;

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            return false;
        }
        if (c == '\\') {
            if (s[1] == '\0') {
                return false;
            }
            s++;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (!quoted && (c == ';' || c == '(' || c == ')')) {
            return false;
        }
    }
    return !quoted;
}

/* Parses rdata with ldns relative to zone and writes the presentation of
 * its fields from index skip on. The presentation must parse back to
 * itself and be safe to write into a master file: ldns prints some
 * values (SVCB parameters holding ';' or quotes) in a form it cannot read
 * back, and those are refused here rather than break the zone later. */
static int ldns_normalize(const char *zone, const char *type, const char *rdata, size_t skip,
                          char *out, size_t outlen, dnsapi_err_t *err)
{
    ldns_rdf *origin = NULL;
    ldns_rr *rr = NULL;
    ldns_rr *again = NULL;
    text_t full = {0};
    text_t full_again = {0};
    text_t result = {0};
    int rc = DNSAPI_ENOMEM;

    origin = ldns_dname_new_frm_str(zone);
    if (origin == NULL) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "zone",
                            "The zone name cannot be parsed.");
        goto fail;
    }
    rc = ldns_parse(origin, type, rdata, &rr, err);
    if (rc != DNSAPI_OK) {
        goto fail;
    }
    if (ldns_rr_rd_count(rr) <= skip) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                            "The content is incomplete for a %s record, e.g. %s.", type,
                            dns_rdata_example(type));
        goto fail;
    }
    if (strcmp(type, "NAPTR") == 0 && ldns_rr_rd_count(rr) == 6) {
        rc = naptr_regexp_check(rr, err);
        if (rc != DNSAPI_OK) {
            goto fail;
        }
    }
    rc = DNSAPI_ENOMEM;
    if (!rr_present(rr, 0, &full) || !rr_present(rr, skip, &result)) {
        goto fail;
    }
    if (!text_is_zone_safe(full.s) || ldns_parse(origin, type, full.s, &again, NULL) != DNSAPI_OK ||
        !rr_present(again, 0, &full_again) || strcmp(full.s, full_again.s) != 0) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                            "The %s content holds characters that cannot be written safely "
                            "into a zone file (such as ';', parentheses or quotes inside a "
                            "value): remove them.",
                            type);
        goto fail;
    }
    if (result.len >= outlen) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                            "The content is too long: at most %zu bytes once normalized.",
                            outlen - 1);
        goto fail;
    }
    memcpy(out, result.s, result.len + 1);
    rc = DNSAPI_OK;
fail:
    ldns_rr_free(rr);
    ldns_rr_free(again);
    ldns_rdf_deep_free(origin);
    free(full.s);
    free(full_again.s);
    free(result.s);
    return rc;
}

/* Everything but CAA: split into words, take the MX/SRV priority, check
 * digests, and rebuild the text for ldns into t (priority first). */
static int content_prepare(const char *zone, const type_info_t *ti, const char *content,
                           long priority, int *priority_out, text_t *t, dnsapi_err_t *err)
{
    word_t words[MAX_WORDS];
    size_t nwords = 0;
    size_t first = 0;

    /* Only SVCB parameters quote part of a word (alpn="h2,h3"). */
    bool inner_quotes = strcmp(ti->type, "SVCB") == 0 || strcmp(ti->type, "HTTPS") == 0;
    int rc = words_split(content, inner_quotes, words, MAX_WORDS, &nwords, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    if (ti->priority_label != NULL) {
        rc = priority_resolve(ti, words, nwords, priority, priority_out, &first, err);
        if (rc != DNSAPI_OK) {
            return rc;
        }
        char num[8];
        snprintf(num, sizeof(num), "%d ", *priority_out);
        if (!text_append_str(t, num)) {
            return DNSAPI_ENOMEM;
        }
    }
    if (strcmp(ti->type, "DS") == 0 || strcmp(ti->type, "TLSA") == 0 ||
        strcmp(ti->type, "SSHFP") == 0) {
        rc = digest_check(ti, words, nwords, err);
        if (rc != DNSAPI_OK) {
            return rc;
        }
    }
    return content_rebuild(zone, ti, words + first, nwords - first, t, err);
}

/* One example of valid content per type, for error messages. */
const char *dns_rdata_example(const char *type)
{
    static const struct {
        const char *type;
        const char *example;
    } EXAMPLES[] = {
        {"A", "192.0.2.1"},
        {"AAAA", "2001:db8::1"},
        {"CNAME", "target.example.com"},
        {"MX", "10 mail.example.com"},
        {"TXT", "v=spf1 mx -all"},
        {"NS", "ns1.example.net"},
        {"SRV", "10 5 5060 sip.example.com"},
        {"CAA", "0 issue \"letsencrypt.org\""},
        {"PTR", "host.example.com"},
        {"DS", "12345 13 2 <64 hex digits>"},
        {"TLSA", "3 1 1 <64 hex digits>"},
        {"SSHFP", "4 2 <64 hex digits>"},
        {"NAPTR", "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."},
        {"SVCB", "1 svc.example.com alpn=h2,h3 port=8443"},
        {"HTTPS", "1 . alpn=h2,h3"},
    };
    for (size_t i = 0; i < sizeof(EXAMPLES) / sizeof(EXAMPLES[0]); i++) {
        if (strcasecmp(EXAMPLES[i].type, type) == 0) {
            return EXAMPLES[i].example;
        }
    }
    return "the RFC presentation format";
}

/* Content through words_split, the type's layout and ldns (see the file
 * comment); literal TXT is only checked for control characters. */
int dns_rdata_normalize(const char *zone, const char *type, const char *content, long priority,
                        char *out, size_t outlen, int *priority_out, dnsapi_err_t *err)
{
    const type_info_t *ti = type != NULL ? type_info_find(type) : NULL;
    text_t t = {0};
    int rc;

    *priority_out = -1;
    if (zone == NULL || zone[0] == '\0' || zone[strlen(zone) - 1] != '.') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "zone",
                              "The zone must be a normalized name such as example.com.");
    }
    if (ti == NULL) {
        char ignored[8];
        return dns_type_normalize(type != NULL ? type : "", ignored, sizeof(ignored), err);
    }
    if (strcmp(ti->type, "SOA") == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                              "SOA records are managed by dnsapi and cannot be written.");
    }
    if (content == NULL || content[0] == '\0') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content is empty: give the record data, e.g. %s.",
                              dns_rdata_example(ti->type));
    }
    if (has_control_chars(content)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content contains a control character (newline, tab, ...): "
                              "remove it; in a quoted TXT string write it as \\DDD.");
    }
    if (ti->priority_label == NULL && priority != -1) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "priority",
                              "%s records have no priority: leave \"priority\" out.", ti->type);
    }
    if (ti->priority_label != NULL && (priority < -1 || priority > 65535)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "priority",
                              "The priority must be a number from 0 to 65535.");
    }
    if (strcmp(ti->type, "TXT") == 0 && content[0] != '"') {
        return txt_literal_normalize(content, out, outlen, err);
    }
    if (strcmp(ti->type, "CAA") == 0) {
        rc = caa_rebuild(content, &t, err);
    } else {
        rc = content_prepare(zone, ti, content, priority, priority_out, &t, err);
    }
    if (rc != DNSAPI_OK) {
        goto fail;
    }
    rc = ldns_normalize(zone, ti->type, t.s != NULL ? t.s : "", ti->priority_label ? 1 : 0, out,
                        outlen, err);
    if (rc != DNSAPI_OK) {
        goto fail;
    }
    if (strcmp(ti->type, "TXT") == 0) {
        txt_canonical(out, outlen);
    }
    if (strcmp(ti->type, "SVCB") == 0 || strcmp(ti->type, "HTTPS") == 0) {
        /* out is "priority target params..." */
        const char *params = strchr(out, ' ');
        params = params != NULL ? strchr(params + 1, ' ') : NULL;
        if (params != NULL) {
            rc = svc_params_check(params + 1, err);
        }
    }
fail:
    if (rc == DNSAPI_ENOMEM) {
        dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "Out of memory.");
    }
    if (rc != DNSAPI_OK) {
        *priority_out = -1;
        if (outlen > 0) {
            out[0] = '\0';
        }
    }
    free(t.s);
    return rc;
}

/* The host a record names: the whole content for NS, CNAME, MX and PTR,
 * the last word for SRV; never the root. */
bool dns_rdata_target(const char *type, const char *content, char *out, size_t outlen)
{
    const char *target = NULL;

    if (type == NULL || content == NULL) {
        return false;
    }
    if (strcasecmp(type, "NS") == 0 || strcasecmp(type, "CNAME") == 0 ||
        strcasecmp(type, "MX") == 0 || strcasecmp(type, "PTR") == 0) {
        target = content;
    } else if (strcasecmp(type, "SRV") == 0) {
        target = strrchr(content, ' ');
        if (target == NULL) {
            return false;
        }
        target++;
    } else {
        return false;
    }
    size_t len = strlen(target);
    if (len == 0 || strcmp(target, ".") == 0 || strchr(target, ' ') != NULL || len >= outlen) {
        return false;
    }
    for (size_t i = 0; i <= len; i++) {
        out[i] = (char)tolower((unsigned char)target[i]);
    }
    return true;
}
