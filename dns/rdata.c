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
 * Names inside content are read by dns/name.c's rules (escapes, wire
 * lengths) and stored in canonical lowercase form. Where the RFCs want a
 * host name (NS, MX and SRV targets) a name that is not LDH is accepted
 * with a warning (target_not_hostname) the caller can pass on: name
 * servers load it, and refusing it would refuse real zones. CNAME, PTR,
 * DNAME, NAPTR and SVCB targets may be any name (DNS-SD PTRs name
 * instances with spaces).
 *
 * SVCB and HTTPS parameters are read and written by svcb.c; TXT and CAA
 * strings by strings.c. TXT is the exception to the steps above: content
 * is literal text unless it starts with '"'.
 *
 * RFC 3597: content "\# length hex" is read for any supported type (ldns
 * turns it into the type's own presentation, which then goes through the
 * same checks) and is the only form of a generic TYPEnnn.
 *
 * This file is over 600 lines because the per-field checks and the ldns
 * round trip share one word model; splitting them would spread one
 * pipeline over several files.
 */
#include "dns/dns.h"
#include "dns/types.h"
#include "dns/presentation.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

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
static int words_split_into(const char *content, bool inner_quotes, word_t *words, size_t max,
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
                                  "The content has more than %zu words.", max);
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

/* words_split_into an array it allocates (*words, to free), with room
 * for every word content can hold: any number of TXT strings. */
static int words_split(const char *content, bool inner_quotes, word_t **words, size_t *count,
                       dnsapi_err_t *err)
{
    size_t max = strlen(content) / 2 + 2;
    *words = calloc(max, sizeof(**words));
    *count = 0;
    if (*words == NULL) {
        return DNSAPI_ENOMEM;
    }
    return words_split_into(content, inner_quotes, *words, max, count, err);
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

/* What the names in one content are read against, and where warnings
 * go. */
typedef struct {
    const char *zone;
    const char *origin; /* NULL: the API's rules; else a master file's $ORIGIN */
    dns_rdata_out_t *out;
} rctx_t;

/* Adds a target_not_hostname warning for the target text. */
static void warning_not_host(rctx_t *c, const char *what, const char *text)
{
    if (c->out == NULL || c->out->n_warnings >= DNS_RDATA_MAX_WARNINGS) {
        return;
    }
    dns_warning_t *w = &c->out->warnings[c->out->n_warnings++];
    snprintf(w->code, sizeof(w->code), "target_not_hostname");
    int n = snprintf(w->message, sizeof(w->message),
                     "The %.20s %.100s is not a host name (letters, digits, '-', '_'): name "
                     "servers load it, but mail and resolvers may not use it.",
                     what, text);
    (void)n;
}

/* Reads a name word and appends it, absolute and in canonical lowercase
 * form, to t (see dns_name_target_parse for the rules). Host-name fields
 * warn when the name is not LDH. */
static int target_append(rctx_t *c, dtext_t *t, const word_t *w, field_t kind, const char *what,
                         dnsapi_err_t *err)
{
    wname_t n;
    char text[DNS_NAME_TEXT_MAX];
    bool root_ok = kind == FIELD_HOST_OR_ROOT || kind == FIELD_NAME_OR_ROOT;
    int rc = dns_name_target_parse(c->zone, c->origin, w->p, w->len, root_ok, what, &n, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    if (wname_format(n.lab, n.len, true, text, sizeof(text)) == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content", "The %s is too long.",
                              what);
    }
    if ((kind == FIELD_HOST || kind == FIELD_HOST_OR_ROOT) && !n.host && n.labels > 0) {
        warning_not_host(c, what, text);
    }
    return dtext_adds(t, text) ? DNSAPI_OK : DNSAPI_ENOMEM;
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
    if (strcmp(type, "DS") == 0 || strcmp(type, "CDS") == 0) {
        return kind == 1 ? 20 : kind == 2 ? 32 : kind == 4 ? 48 : 0;
    }
    if (strcmp(type, "TLSA") == 0 || strcmp(type, "SMIMEA") == 0) {
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
    bool is_ds = strcmp(ti->type, "DS") == 0 || strcmp(ti->type, "CDS") == 0;
    bool cds_delete = strcmp(ti->type, "CDS") == 0 && kind == 0 && digits == 2;
    if (is_ds && want == 0 && !cds_delete) {
        /* Knot refuses the zone for any other digest type */
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s digest type must be 1 (SHA-1), 2 (SHA-256) or 4 (SHA-384)%s.",
                              ti->type,
                              strcmp(ti->type, "CDS") == 0 ? ", or 0 0 0 00 to delete" : "");
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
static int content_rebuild(rctx_t *c, const type_info_t *ti, const word_t *words, size_t nwords,
                           dtext_t *t, dnsapi_err_t *err)
{
    size_t f = 0;
    bool rest = false;

    for (size_t i = 0; i < nwords; i++) {
        const word_t *w = &words[i];
        field_t kind = rest ? FIELD_REST : ti->fields[f];
        const char *what = rest ? "data" : ti->field_names[f];
        unsigned long v;
        int rc = DNSAPI_OK;

        if (i > 0 && !dtext_add(t, " ", 1)) {
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
        case FIELD_NAME:
        case FIELD_NAME_OR_ROOT:
            rc = target_append(c, t, w, kind, what, err);
            if (rc != DNSAPI_OK) {
                return rc;
            }
            f++;
            continue;
        case FIELD_REST:
            break;
        }
        if (!dtext_add(t, w->p, w->len)) {
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

/* Parses "@ 3600 IN <type> <rdata>" with ldns relative to origin. */
static int ldns_parse(const ldns_rdf *origin, const char *type, const char *rdata, ldns_rr **rr,
                      dnsapi_err_t *err)
{
    dtext_t line = {0};

    *rr = NULL;
    if (strlen(rdata) > 60000) {
        /* ldns cuts longer lines short without a word */
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The %s content is too long (%zu characters).", type, strlen(rdata));
    }
    if (!dtext_adds(&line, "@ 3600 IN ") || !dtext_adds(&line, type) || !dtext_add(&line, " ", 1) ||
        !dtext_adds(&line, rdata)) {
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

/* Appends the presentation of the rdata fields from index skip on,
 * separated by single spaces: names and character-strings in this
 * project's canonical forms (presentation.c), everything else as ldns prints it.
 * False when a field has no presentation: ldns reads generic data of a
 * fixed-size type (LOC "\# 12 ...") without checking its size and then
 * cannot print it (found by fuzz_update). t->failed tells memory apart. */
static bool rr_present(const ldns_rr *rr, size_t skip, dtext_t *t)
{
    for (size_t i = skip; i < ldns_rr_rd_count(rr); i++) {
        const ldns_rdf *rdf = ldns_rr_rdf(rr, i);
        const uint8_t *d = ldns_rdf_data(rdf);
        size_t n = ldns_rdf_size(rdf);
        if (i > skip) {
            dtext_add(t, " ", 1);
        }
        switch (ldns_rdf_get_type(rdf)) {
        case LDNS_RDF_TYPE_DNAME: {
            char name[DNS_NAME_TEXT_MAX];
            if (n == 0 || wname_format(d, n - 1, true, name, sizeof(name)) == 0) {
                return false;
            }
            dtext_adds(t, name);
            break;
        }
        case LDNS_RDF_TYPE_STR:
            if (n == 0 || (size_t)d[0] + 1 != n) {
                return false;
            }
            dtext_add(t, "\"", 1);
            dtext_add_cstr(t, d + 1, n - 1);
            dtext_add(t, "\"", 1);
            break;
        case LDNS_RDF_TYPE_LONG_STR:
            dtext_add(t, "\"", 1);
            dtext_add_cstr(t, d, n);
            dtext_add(t, "\"", 1);
            break;
        default: {
            char *s = ldns_rdf2str(rdf);
            if (s == NULL) {
                return false;
            }
            dtext_adds(t, s);
            free(s);
        }
        }
    }
    return !t->failed;
}

/* The answer when rr_present() failed: out of memory, or data of type
 * that has no presentation (a 422, never a 500). */
static int unpresentable(const char *type, bool oom, dnsapi_err_t *err)
{
    if (oom) {
        return DNSAPI_ENOMEM;
    }
    return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                          "The data is not a valid %s record: check its length and fields, "
                          "e.g. %s.",
                          type, dns_rdata_example(type));
}

/* The RDATA octets of rr. */
static size_t rr_rdata_len(const ldns_rr *rr)
{
    size_t n = 0;
    for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
        n += ldns_rdf_size(ldns_rr_rdf(rr, i));
    }
    return n;
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

/* Copies normalized text into the caller's buffer, or says it is too
 * long for it. */
static int text_out(const dtext_t *t, char *out, size_t outlen, dnsapi_err_t *err)
{
    if (t->len >= outlen) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content is too long: at most %zu bytes once normalized.",
                              outlen > 0 ? outlen - 1 : 0);
    }
    memcpy(out, t->s != NULL ? t->s : "", t->len + 1);
    return DNSAPI_OK;
}

/* Parses rdata with ldns relative to zone and writes the presentation of
 * its fields from index skip on (with out NULL, only parses and checks). The presentation must
 * parse back to itself and be safe to write into a master file: ldns prints some values (SVCB
 * parameters holding ';' or quotes) in a form it cannot read back, and those are refused here
 * rather than break the zone later. */
static int ldns_normalize(const char *zone, const char *type, const char *rdata, size_t skip,
                          char *out, size_t outlen, dnsapi_err_t *err)
{
    ldns_rdf *origin = NULL;
    ldns_rr *rr = NULL;
    ldns_rr *again = NULL;
    dtext_t full = {0};
    dtext_t full_again = {0};
    dtext_t result = {0};
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
    if (out != NULL && ldns_rr_rd_count(rr) <= skip) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                            "The content is incomplete for a %s record, e.g. %s.", type,
                            dns_rdata_example(type));
        goto fail;
    }
    if (rr_rdata_len(rr) > 65535) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                            "The %s data is %zu bytes long; a record holds at most 65,535.", type,
                            rr_rdata_len(rr));
        goto fail;
    }
    if (strcmp(type, "LOC") == 0 && !rdata_loc_ok(rr)) {
        rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                            "The LOC position is out of range: latitude at most 90 degrees, "
                            "longitude at most 180, sizes and precisions at most 90000000m.");
        goto fail;
    }
    if (strcmp(type, "NAPTR") == 0 && ldns_rr_rd_count(rr) == 6) {
        rc = rdata_naptr_regexp_check(rr, err);
        if (rc != DNSAPI_OK) {
            goto fail;
        }
    }
    if (out == NULL) {
        rc = DNSAPI_OK; /* only asked whether ldns reads it */
        goto fail;
    }
    if (!rr_present(rr, 0, &full) || !rr_present(rr, skip, &result)) {
        rc = unpresentable(type, full.failed || result.failed, err);
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
    rc = text_out(&result, out, outlen, err);
fail:
    ldns_rr_free(rr);
    ldns_rr_free(again);
    ldns_rdf_deep_free(origin);
    free(full.s);
    free(full_again.s);
    free(result.s);
    return rc;
}

/* RFC 3597 generic content "\# length hex..." into t as "\# length hex"
 * (hex lowercase, one word; "\# 0" for empty data). */
static int generic_normalize(const word_t *words, size_t nwords, dtext_t *t, dnsapi_err_t *err)
{
    unsigned long len = 0;
    if (nwords < 2 || words[0].len != 2 || strncmp(words[0].p, "\\#", 2) != 0 ||
        !word_to_uint(&words[1], 65535, &len)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "A type without a name takes RFC 3597 generic data: \\# followed "
                              "by the length in bytes and the bytes in hex, e.g. \\# 4 0a000001.");
    }
    char num[16];
    snprintf(num, sizeof(num), "\\# %lu", len);
    dtext_adds(t, num);
    if (len > 0) {
        dtext_add(t, " ", 1);
    }
    size_t digits = 0;
    for (size_t i = 2; i < nwords; i++) {
        for (size_t j = 0; j < words[i].len; j++) {
            char c = (char)tolower((unsigned char)words[i].p[j]);
            if (!isxdigit((unsigned char)c)) {
                return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                      "Generic data must be hexadecimal digits after the "
                                      "length.");
            }
            dtext_add(t, &c, 1);
            digits++;
        }
    }
    if (digits != 2 * len) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The generic data says %lu bytes but has %zu hex digits (%s).", len,
                              digits, digits % 2 ? "an odd number" : "another length");
    }
    return t->failed ? DNSAPI_ENOMEM : DNSAPI_OK;
}

/* Content "\# ..." of a type that has a presentation: ldns reads the
 * generic data as that type (checking it) and its presentation is what
 * the usual path then normalizes. */
static int generic_to_presentation(const char *zone, const char *type, const char *content,
                                   dtext_t *t, dnsapi_err_t *err)
{
    ldns_rdf *origin = ldns_dname_new_frm_str(zone);
    ldns_rr *rr = NULL;
    int rc = origin != NULL ? ldns_parse(origin, type, content, &rr, err) : DNSAPI_ENOMEM;
    if (rc == DNSAPI_OK && !rr_present(rr, 0, t)) {
        rc = unpresentable(type, t->failed, err);
    }
    ldns_rr_free(rr);
    ldns_rdf_deep_free(origin);
    return rc;
}

/* Quoted TXT: every word one character-string of at most 255 octets,
 * written back quoted in canonical form; at most 65,535 octets of RDATA. */
static int txt_strings_normalize(const word_t *words, size_t nwords, dtext_t *t, dnsapi_err_t *err)
{
    uint8_t octets[256];
    size_t rdlen = 0;
    for (size_t i = 0; i < nwords; i++) {
        const char *why = "it is not valid";
        long n = cstr_decode(words[i].p, words[i].len, octets, 255, &why);
        if (n < 0) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "TXT string %zu cannot be read: %s (a string holds at most "
                                  "255 bytes).",
                                  i + 1, why);
        }
        rdlen += (size_t)n + 1;
        if (rdlen > 65535) {
            return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                  "The TXT strings pass the 65,535 bytes a record can hold.");
        }
        dtext_add(t, i > 0 ? " \"" : "\"", i > 0 ? 2 : 1);
        dtext_add_cstr(t, octets, (size_t)n);
        dtext_add(t, "\"", 1);
    }
    return t->failed ? DNSAPI_ENOMEM : DNSAPI_OK;
}

static bool type_has_digest(const char *type)
{
    return strcmp(type, "DS") == 0 || strcmp(type, "CDS") == 0 || strcmp(type, "TLSA") == 0 ||
           strcmp(type, "SMIMEA") == 0 || strcmp(type, "SSHFP") == 0;
}

static bool type_is_svcb(const type_info_t *ti)
{
    return strcmp(ti->type, "SVCB") == 0 || strcmp(ti->type, "HTTPS") == 0;
}

/* SVCB/HTTPS: "priority target params..." rebuilt by us (svcb.c). */
static int svcb_rebuild(rctx_t *c, const type_info_t *ti, const word_t *words, size_t nwords,
                        dtext_t *t, dnsapi_err_t *err)
{
    if (nwords < 2) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content is incomplete for a %s record: write it like "
                              "\"%s\".",
                              ti->type, ti->example);
    }
    int rc = content_rebuild(c, ti, words, 2, t, err);
    if (rc != DNSAPI_OK) {
        return rc;
    }
    size_t n = nwords - 2;
    const char **ws = calloc(n + 1, sizeof(*ws));
    size_t *lens = calloc(n + 1, sizeof(*lens));
    if (ws == NULL || lens == NULL) {
        rc = DNSAPI_ENOMEM;
    } else {
        for (size_t i = 0; i < n; i++) {
            ws[i] = words[i + 2].p;
            lens[i] = words[i + 2].len;
        }
        rc = dns_svcb_params_normalize(ws, lens, n, t, err);
    }
    free(ws);
    free(lens);
    return rc;
}

/* Everything but literal TXT and CAA: split into words, take the MX/SRV
 * priority, check digests, and rebuild the text for ldns into t
 * (priority first). */
static int content_prepare(rctx_t *c, const type_info_t *ti, const char *content, long priority,
                           int *priority_out, dtext_t *t, dnsapi_err_t *err)
{
    word_t *words = NULL;
    size_t nwords = 0;
    size_t first = 0;

    /* Only SVCB parameters quote part of a word (alpn="h2,h3"). */
    int rc = words_split(content, type_is_svcb(ti), &words, &nwords, err);
    if (rc == DNSAPI_OK && type_info_is_generic(ti)) {
        rc = generic_normalize(words, nwords, t, err);
        goto done;
    }
    if (rc == DNSAPI_OK && strcmp(ti->type, "TXT") == 0) {
        rc = txt_strings_normalize(words, nwords, t, err);
        goto done;
    }
    if (rc == DNSAPI_OK && ti->priority_label != NULL) {
        rc = priority_resolve(ti, words, nwords, priority, priority_out, &first, err);
        if (rc == DNSAPI_OK) {
            char num[8];
            snprintf(num, sizeof(num), "%d ", *priority_out);
            dtext_adds(t, num);
        }
    }
    if (rc == DNSAPI_OK && type_has_digest(ti->type)) {
        rc = digest_check(ti, words, nwords, err);
    }
    if (rc == DNSAPI_OK) {
        rc = type_is_svcb(ti) ? svcb_rebuild(c, ti, words, nwords, t, err)
                              : content_rebuild(c, ti, words + first, nwords - first, t, err);
    }
done:
    free(words);
    return rc != DNSAPI_OK ? rc : t->failed ? DNSAPI_ENOMEM : DNSAPI_OK;
}

/* Checks done before any parsing: zone, type, content present, no
 * control characters, the priority field only where it belongs. */
static int rdata_precheck(const dns_rdata_in_t *in, const type_info_t *ti, dnsapi_err_t *err)
{
    if (in->zone == NULL || in->zone[0] == '\0' || in->zone[strlen(in->zone) - 1] != '.') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "zone",
                              "The zone must be a normalized name such as example.com.");
    }
    if (ti == NULL) {
        char ignored[16];
        return dns_type_normalize(in->type != NULL ? in->type : "", ignored, sizeof(ignored), err);
    }
    if (strcmp(ti->type, "SOA") == 0) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "unsupported_type", "type",
                              "SOA records are managed by dnsapi and cannot be written.");
    }
    if (in->content == NULL || in->content[0] == '\0') {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content is empty: give the record data, e.g. %s.", ti->example);
    }
    if (has_control_chars(in->content)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                              "The content contains a control character (newline, tab, ...): "
                              "remove it; in a quoted TXT string write it as \\DDD.");
    }
    if (ti->priority_label == NULL && in->priority != -1) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "priority",
                              "%s records have no priority: leave \"priority\" out.", ti->type);
    }
    if (ti->priority_label != NULL && (in->priority < -1 || in->priority > 65535)) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "priority",
                              "The priority must be a number from 0 to 65535.");
    }
    return DNSAPI_OK;
}

/* Content through words_split, the type's layout and ldns (see the file
 * comment); literal TXT is only checked for control characters. */
int dns_rdata_parse(const dns_rdata_in_t *in, dns_rdata_out_t *out, dnsapi_err_t *err)
{
    uint16_t number = 0;
    const type_info_t *ti = in->type != NULL ? type_info_lookup(in->type, &number) : NULL;
    rctx_t c = {in->zone, in->origin, out};
    dtext_t t = {0};
    dtext_t generic = {0};
    char *buf = out->content;
    size_t size = out->content_size;
    const char *content = in->content;

    out->priority = -1;
    out->n_warnings = 0;
    if (ti != NULL && type_info_is_generic(ti) && content != NULL && content[0] == '\0') {
        content = "\\# 0"; /* a type without a name and without data */
    }
    dns_rdata_in_t checked = *in;
    checked.content = content;
    int rc = rdata_precheck(&checked, ti, err);
    if (rc != DNSAPI_OK) {
        goto fail;
    }
    if (!type_info_is_generic(ti) && strncmp(content, "\\# ", 3) == 0) {
        rc = generic_to_presentation(in->zone, ti->type, content, &generic, err);
        if (rc != DNSAPI_OK) {
            goto fail;
        }
        /* data that presents as nothing (found by tests/fuzz/fuzz_content.c:
         * the text was left unallocated) is no record of the type */
        if (generic.s == NULL) {
            rc = dnsapi_err_set(err, DNSAPI_EINVAL, "bad_rdata", "content",
                                "The generic data (\\# ...) holds no %s record data.", ti->type);
            goto fail;
        }
        content = generic.s;
    }
    if (strcmp(ti->type, "TXT") == 0 && content[0] != '"') {
        rc = txt_literal_normalize(content, buf, size, err);
        goto fail;
    }
    if (strcmp(ti->type, "CAA") == 0) {
        rc = caa_rebuild(content, &t, err);
    } else {
        rc = content_prepare(&c, ti, content, in->priority, &out->priority, &t, err);
    }
    if (rc != DNSAPI_OK) {
        goto fail;
    }
    if (type_info_is_generic(ti) || type_is_svcb(ti)) {
        /* our own form; ldns only confirms that it reads it */
        rc = ldns_normalize(in->zone, type_info_is_generic(ti) ? in->type : ti->type, t.s, 0, NULL,
                            0, err);
        if (rc == DNSAPI_OK) {
            rc = text_out(&t, buf, size, err);
        }
        goto fail;
    }
    if (strcmp(ti->type, "TXT") == 0) {
        /* ldns would cut a long TXT line short: our own reading */
        rc = text_out(&t, buf, size, err);
        if (rc == DNSAPI_OK) {
            txt_canonical(buf, size);
        }
        goto fail;
    }
    rc = ldns_normalize(in->zone, ti->type, t.s != NULL ? t.s : "", ti->priority_label ? 1 : 0, buf,
                        size, err);
fail:
    if (rc == DNSAPI_ENOMEM) {
        dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "Out of memory.");
    }
    if (rc != DNSAPI_OK) {
        out->priority = -1;
        out->n_warnings = 0;
        if (size > 0) {
            buf[0] = '\0';
        }
    }
    free(t.s);
    free(generic.s);
    return rc;
}

/* dns_rdata_parse by the API's rules, without warnings. */
int dns_rdata_normalize(const char *zone, const char *type, const char *content, long priority,
                        char *out, size_t outlen, int *priority_out, dnsapi_err_t *err)
{
    dns_rdata_in_t in = {zone, NULL, type, content, priority};
    dns_rdata_out_t o;
    o.content = out;
    o.content_size = outlen;
    int rc = dns_rdata_parse(&in, &o, err);
    *priority_out = o.priority;
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
