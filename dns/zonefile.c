/*
 * zonefile.c - the master-file lexer and reader (see zonefile.h).
 *
 * Two layers. The lexer cuts the text into entries - one line, or several
 * joined by parentheses - and each entry into tokens, keeping escapes as
 * written and remembering which tokens were quoted. The reader then reads
 * an entry: a directive ($ORIGIN, $TTL), or owner, TTL, class, type and
 * data. Nothing here interprets record data; that is dns_rdata_normalize's
 * job. Memory: one growing token array and one text buffer, reused for
 * every entry, so a file of any size costs the size of its longest entry.
 */
#include "dns/zonefile.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"

#define TTL_MAX 2147483647u /* RFC 2181 section 8 */

typedef struct {
    size_t off, len; /* in zf->buf */
    bool quoted;
} token_t;

struct dns_zf {
    const char *text;
    size_t len, pos;
    unsigned line;       /* line of pos */
    unsigned entry_line; /* where the current entry began */
    char origin[DNS_ZF_NAME_MAX];
    char prev_owner[DNS_ZF_NAME_MAX];
    bool has_prev_owner;
    uint32_t default_ttl, last_ttl;
    bool has_default_ttl, has_last_ttl;
    token_t *tok;
    size_t n_tok, cap_tok;
    bool leading_blank; /* the entry began with white space: no owner */
    strbuf_t buf;       /* token text */
    strbuf_t out;       /* record data for the caller */
    strbuf_t quoted;    /* record data with every token quoted */
    strbuf_t absolute;  /* record data with names made absolute */
};

static int fail(dns_zf_t *zf, dnsapi_err_t *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(dns_zf_t *zf, dnsapi_err_t *err, const char *code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return dnsapi_err_set(err, DNSAPI_EINVAL, code, "body", "line %u: %s", zf->entry_line, msg);
}

int dns_zf_open(dns_zf_t **out, const char *text, size_t len, const char *origin, dnsapi_err_t *err)
{
    *out = NULL;
    if (text == NULL) {
        text = "";
        len = 0;
    }
    if (memchr(text, '\0', len) != NULL) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_file", "body",
                              "the master file holds a NUL byte; send a text file");
    }
    if (origin == NULL || strlen(origin) >= DNS_ZF_NAME_MAX) {
        return dnsapi_err_set(err, DNSAPI_EINVAL, "bad_zone_name", "zone", "bad origin");
    }
    dns_zf_t *zf = calloc(1, sizeof(*zf));
    if (zf == NULL) {
        return dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
    }
    zf->text = text;
    zf->len = len;
    zf->line = 1;
    snprintf(zf->origin, sizeof(zf->origin), "%s", origin);
    *out = zf;
    return DNSAPI_OK;
}

void dns_zf_close(dns_zf_t *zf)
{
    if (zf != NULL) {
        free(zf->tok);
        strbuf_free(&zf->buf);
        strbuf_free(&zf->out);
        strbuf_free(&zf->quoted);
        free(zf);
    }
}

unsigned dns_zf_line(const dns_zf_t *zf)
{
    return zf->entry_line;
}

/* ---- the lexer ------------------------------------------------------- */

static int tok_push(dns_zf_t *zf, size_t off, bool quoted)
{
    if (zf->n_tok == zf->cap_tok) {
        size_t cap = zf->cap_tok != 0 ? zf->cap_tok * 2 : 16;
        token_t *t = realloc(zf->tok, cap * sizeof(*t));
        if (t == NULL) {
            return DNSAPI_ENOMEM;
        }
        zf->tok = t;
        zf->cap_tok = cap;
    }
    zf->tok[zf->n_tok++] = (token_t){off, zf->buf.len - off, quoted};
    /* tokens are NUL-separated in buf */
    return strbuf_add(&zf->buf, "", 1);
}

/* Skips the rest of a line after a lexing error. */
static void skip_line(dns_zf_t *zf)
{
    while (zf->pos < zf->len && zf->text[zf->pos] != '\n') {
        zf->pos++;
    }
}

/* Cuts the next entry into tokens. Returns 1 for an entry (possibly with
 * no tokens: a blank or comment line), 0 at the end, or an error. */
static int lex_entry(dns_zf_t *zf, dnsapi_err_t *err)
{
    const char *t = zf->text;
    int depth = 0;
    zf->n_tok = 0;
    strbuf_reset(&zf->buf);
    if (zf->pos >= zf->len) {
        return 0;
    }
    zf->entry_line = zf->line;
    zf->leading_blank = t[zf->pos] == ' ' || t[zf->pos] == '\t';
    while (zf->pos < zf->len) {
        char c = t[zf->pos];
        if (c == '\n') {
            zf->pos++;
            zf->line++;
            if (depth == 0) {
                return 1;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            zf->pos++;
            continue;
        }
        if (c == ';') {
            while (zf->pos < zf->len && t[zf->pos] != '\n') {
                zf->pos++;
            }
            continue;
        }
        if (c == '(') {
            if (depth > 0) {
                skip_line(zf);
                return fail(zf, err, "bad_zone_file", "nested parentheses");
            }
            depth++;
            zf->pos++;
            continue;
        }
        if (c == ')') {
            if (depth == 0) {
                skip_line(zf);
                return fail(zf, err, "bad_zone_file", "')' without '('");
            }
            depth--;
            zf->pos++;
            continue;
        }
        size_t off = zf->buf.len;
        if (c == '"') {
            zf->pos++;
            while (zf->pos < zf->len && t[zf->pos] != '"') {
                if (t[zf->pos] == '\n') {
                    return fail(zf, err, "bad_zone_file",
                                "a quoted string runs past the end of the line");
                }
                size_t n =
                    t[zf->pos] == '\\' && zf->pos + 1 < zf->len && t[zf->pos + 1] != '\n' ? 2 : 1;
                if (strbuf_add(&zf->buf, t + zf->pos, n) != DNSAPI_OK) {
                    return DNSAPI_ENOMEM;
                }
                zf->pos += n;
            }
            if (zf->pos >= zf->len) {
                return fail(zf, err, "bad_zone_file", "a quoted string is not closed");
            }
            zf->pos++; /* the closing quote */
            if (tok_push(zf, off, true) != DNSAPI_OK) {
                return DNSAPI_ENOMEM;
            }
            continue;
        }
        while (zf->pos < zf->len) {
            c = t[zf->pos];
            if (c == '"') {
                /* a quoted part inside a word (SVCB's alpn="h2,h3") stays
                 * in the word, quotes and all */
                size_t q = zf->pos + 1;
                while (q < zf->len && t[q] != '"' && t[q] != '\n') {
                    q += t[q] == '\\' && q + 1 < zf->len && t[q + 1] != '\n' ? 2 : 1;
                }
                if (q >= zf->len || t[q] != '"') {
                    skip_line(zf);
                    return fail(zf, err, "bad_zone_file",
                                "a quoted string runs past the end of the line");
                }
                if (strbuf_add(&zf->buf, t + zf->pos, q + 1 - zf->pos) != DNSAPI_OK) {
                    return DNSAPI_ENOMEM;
                }
                zf->pos = q + 1;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' ||
                c == ')') {
                break;
            }
            size_t n = c == '\\' && zf->pos + 1 < zf->len && t[zf->pos + 1] != '\n' ? 2 : 1;
            if (strbuf_add(&zf->buf, t + zf->pos, n) != DNSAPI_OK) {
                return DNSAPI_ENOMEM;
            }
            zf->pos += n;
        }
        if (tok_push(zf, off, false) != DNSAPI_OK) {
            return DNSAPI_ENOMEM;
        }
    }
    if (depth > 0) {
        return fail(zf, err, "bad_zone_file", "'(' is not closed before the end of the file");
    }
    return 1;
}

static const char *tok_text(const dns_zf_t *zf, size_t i)
{
    return zf->buf.p + zf->tok[i].off;
}

/* ---- fields ---------------------------------------------------------- */

/* A TTL: seconds, or BIND's units (1w2d3h4m5s), case-insensitive. */
static bool ttl_parse(const char *s, uint32_t *out)
{
    unsigned long long total = 0, num = 0;
    bool digits = false, any_unit = false;
    if (!isdigit((unsigned char)*s)) {
        return false;
    }
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (isdigit(c)) {
            num = num * 10 + (unsigned)(c - '0');
            digits = true;
            if (num > TTL_MAX) {
                return false;
            }
            continue;
        }
        unsigned long long mult;
        switch (tolower(c)) {
        case 'w':
            mult = 604800;
            break;
        case 'd':
            mult = 86400;
            break;
        case 'h':
            mult = 3600;
            break;
        case 'm':
            mult = 60;
            break;
        case 's':
            mult = 1;
            break;
        default:
            return false;
        }
        if (!digits) {
            return false;
        }
        total += num * mult;
        num = 0;
        digits = false;
        any_unit = true;
        if (total > TTL_MAX) {
            return false;
        }
    }
    if (digits) {
        if (any_unit) {
            return false; /* "1h30" has no unit on its last number */
        }
        total += num;
    }
    if (total > TTL_MAX) {
        return false;
    }
    *out = (uint32_t)total;
    return true;
}

static bool is_class(const char *s)
{
    static const char *const classes[] = {"IN", "CH", "CS", "HS", "NONE", "ANY"};
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        if (strcasecmp(s, classes[i]) == 0) {
            return true;
        }
    }
    if (strncasecmp(s, "CLASS", 5) == 0 && s[5] != '\0') {
        for (const char *p = s + 5; *p; p++) {
            if (!isdigit((unsigned char)*p)) {
                return false;
            }
        }
        return true;
    }
    return false;
}

/* True when name ends in a dot that is not escaped. */
static bool ends_absolute(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || name[len - 1] != '.') {
        return false;
    }
    size_t slashes = 0;
    for (size_t i = len - 1; i > 0 && name[i - 1] == '\\'; i--) {
        slashes++;
    }
    return slashes % 2 == 0;
}

/* Makes name absolute against the current origin into out. */
static int name_absolute(dns_zf_t *zf, const char *name, char *out, size_t outlen,
                         dnsapi_err_t *err)
{
    int n;
    if (strcmp(name, "@") == 0) {
        n = snprintf(out, outlen, "%s", zf->origin);
    } else if (ends_absolute(name)) {
        n = snprintf(out, outlen, "%s", name);
    } else if (strcmp(zf->origin, ".") == 0) {
        n = snprintf(out, outlen, "%s.", name);
    } else {
        n = snprintf(out, outlen, "%s.%s", name, zf->origin);
    }
    if (n < 0 || (size_t)n >= outlen) {
        return fail(zf, err, "bad_zone_file", "the name %.40s... is too long", name);
    }
    return DNSAPI_OK;
}

static int directive(dns_zf_t *zf, dnsapi_err_t *err)
{
    const char *d = tok_text(zf, 0);
    if (strcasecmp(d, "$ORIGIN") == 0) {
        if (zf->n_tok != 2 || zf->tok[1].quoted) {
            return fail(zf, err, "bad_zone_file", "$ORIGIN takes one domain name");
        }
        char next[DNS_ZF_NAME_MAX];
        int rc = name_absolute(zf, tok_text(zf, 1), next, sizeof(next), err);
        if (rc == DNSAPI_OK) {
            memcpy(zf->origin, next, sizeof(next));
        }
        return rc;
    }
    if (strcasecmp(d, "$TTL") == 0) {
        uint32_t ttl;
        if (zf->n_tok != 2 || !ttl_parse(tok_text(zf, 1), &ttl)) {
            return fail(zf, err, "bad_zone_file",
                        "$TTL takes one TTL: seconds from 0 to 2147483647, or units such as 1h");
        }
        zf->default_ttl = ttl;
        zf->has_default_ttl = true;
        return DNSAPI_OK;
    }
    if (strcasecmp(d, "$INCLUDE") == 0) {
        return fail(zf, err, "bad_zone_file",
                    "$INCLUDE is not supported: send one master file with everything in it");
    }
    if (strcasecmp(d, "$GENERATE") == 0) {
        return fail(zf, err, "bad_zone_file",
                    "$GENERATE is not supported: expand it into records first (e.g. with "
                    "named-compilezone)");
    }
    return fail(zf, err, "bad_zone_file", "unknown directive %.40s", d);
}

/* The SOA's MINIMUM, the last of its seven data fields. */
static bool soa_minimum(const dns_zf_t *zf, size_t first, uint32_t *out)
{
    return zf->n_tok - first == 7 && ttl_parse(tok_text(zf, zf->n_tok - 1), out);
}

static int record_fill(dns_zf_t *zf, dns_zf_record_t *rec, dnsapi_err_t *err)
{
    size_t i = 0;
    memset(rec, 0, sizeof(*rec));
    rec->line = zf->entry_line;
    if (zf->leading_blank) {
        if (!zf->has_prev_owner) {
            return fail(zf, err, "bad_zone_file",
                        "the first record has no owner name (the line starts with a blank)");
        }
        memcpy(rec->owner, zf->prev_owner, sizeof(rec->owner));
    } else {
        if (zf->tok[0].quoted) {
            return fail(zf, err, "bad_zone_file", "an owner name cannot be a quoted string");
        }
        int rc = name_absolute(zf, tok_text(zf, 0), rec->owner, sizeof(rec->owner), err);
        if (rc != DNSAPI_OK) {
            return rc;
        }
        memcpy(zf->prev_owner, rec->owner, sizeof(rec->owner));
        zf->has_prev_owner = true;
        i = 1;
    }
    bool have_ttl = false, have_class = false;
    uint32_t ttl = 0;
    for (; i < zf->n_tok && !zf->tok[i].quoted; i++) {
        const char *s = tok_text(zf, i);
        if (!have_ttl && isdigit((unsigned char)s[0])) {
            if (!ttl_parse(s, &ttl)) {
                return fail(zf, err, "bad_zone_file",
                            "bad TTL %.20s: give seconds from 0 to 2147483647, or units such "
                            "as 1h",
                            s);
            }
            have_ttl = true;
        } else if (!have_class && is_class(s)) {
            if (strcasecmp(s, "IN") != 0) {
                return fail(zf, err, "bad_class", "class %.20s: only class IN can be imported", s);
            }
            have_class = true;
        } else {
            break;
        }
    }
    if (i >= zf->n_tok || zf->tok[i].quoted) {
        return fail(zf, err, "bad_zone_file", "the record has no type");
    }
    const char *type = tok_text(zf, i);
    if (strlen(type) >= sizeof(rec->type)) {
        return fail(zf, err, "unsupported_type", "unknown type %.20s...", type);
    }
    for (size_t k = 0; type[k] != '\0'; k++) {
        rec->type[k] = (char)toupper((unsigned char)type[k]);
    }
    i++;
    if (i >= zf->n_tok) {
        return fail(zf, err, "bad_zone_file", "the %s record has no data", rec->type);
    }
    if (have_ttl) {
        rec->ttl = ttl;
        rec->ttl_given = true;
        zf->last_ttl = ttl;
        zf->has_last_ttl = true;
    } else if (zf->has_default_ttl) {
        rec->ttl = zf->default_ttl;
    } else if (zf->has_last_ttl) {
        rec->ttl = zf->last_ttl;
    } else if (strcmp(rec->type, "SOA") == 0 && soa_minimum(zf, i, &rec->ttl)) {
        zf->default_ttl = rec->ttl;
        zf->has_default_ttl = true;
    } else {
        rec->ttl_unknown = true; /* the caller's default applies */
    }
    /* the data, joined by single spaces; quoted strings stay quoted */
    strbuf_reset(&zf->out);
    strbuf_reset(&zf->quoted);
    if (strbuf_add(&zf->out, "", 0) != DNSAPI_OK || strbuf_add(&zf->quoted, "", 0) != DNSAPI_OK) {
        return DNSAPI_ENOMEM;
    }
    for (size_t k = i; k < zf->n_tok; k++) {
        const char *s = tok_text(zf, k);
        size_t n = zf->tok[k].len;
        bool q = zf->tok[k].quoted;
        int rc = DNSAPI_OK;
        if (k > i) {
            rc |= strbuf_add(&zf->out, " ", 1) | strbuf_add(&zf->quoted, " ", 1);
        }
        rc |= strbuf_add(&zf->out, "\"", q ? 1 : 0) | strbuf_add(&zf->out, s, n) |
              strbuf_add(&zf->out, "\"", q ? 1 : 0);
        rc |= strbuf_add(&zf->quoted, "\"", 1) | strbuf_add(&zf->quoted, s, n) |
              strbuf_add(&zf->quoted, "\"", 1);
        if (rc != DNSAPI_OK) {
            return DNSAPI_ENOMEM;
        }
    }
    rec->rdata = zf->out.p;
    rec->n_rdata = zf->n_tok - i;
    rec->origin = zf->origin;
    return 1;
}

int dns_zf_next(dns_zf_t *zf, dns_zf_record_t *rec, dnsapi_err_t *err)
{
    for (;;) {
        int rc = lex_entry(zf, err);
        if (rc <= 0) {
            if (rc == DNSAPI_ENOMEM) {
                dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
            }
            return rc;
        }
        if (zf->n_tok == 0) {
            continue; /* a blank or comment line */
        }
        const char *first = tok_text(zf, 0);
        if (!zf->leading_blank && !zf->tok[0].quoted && first[0] == '$') {
            rc = directive(zf, err);
            if (rc != DNSAPI_OK) {
                return rc;
            }
            continue;
        }
        rc = record_fill(zf, rec, err);
        if (rc == DNSAPI_ENOMEM) {
            dnsapi_err_set(err, DNSAPI_ENOMEM, NULL, NULL, "out of memory");
        }
        return rc;
    }
}

const char *dns_zf_rdata_quoted(dns_zf_t *zf)
{
    return zf->quoted.p != NULL ? zf->quoted.p : "";
}

void dns_zf_fields(dns_zf_t *zf, const dns_zf_record_t *rec, dns_fields_t *f)
{
    memset(f, 0, sizeof(*f));
    f->name = rec->owner;
    f->type = rec->type;
    /* names in a master file's data are relative to $ORIGIN (the record
     * data's reader takes it); unquoted TXT words are character-strings
     * each, while unquoted API content is one literal text */
    f->origin = rec->origin;
    f->content = strcmp(rec->type, "TXT") == 0 ? dns_zf_rdata_quoted(zf) : rec->rdata;
    f->has_ttl = !rec->ttl_unknown;
    f->ttl = rec->ttl;
}
