#include "common/tsig_key.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_FILE_MAX (64 * 1024)

/* What the parser found: each field at most once. */
typedef struct {
    char name[256], algorithm[64], secret[512];
    int n_names, n_algorithms, n_secrets;
} key_parts_t;

static void part_set(char *dst, size_t cap, int *count, const char *src, size_t len)
{
    (*count)++;
    if (len >= cap) {
        len = cap - 1;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Reads one token at *p: a double-quoted string (without its quotes) or a
 * run of characters up to space, ';', '{', '}' or a newline. */
static int token_next(const char **p, const char *end, const char **tok, size_t *len)
{
    const char *s = *p;
    while (s < end && (isspace((unsigned char)*s) || *s == ';')) {
        s++;
    }
    if (s == end) {
        return -1;
    }
    if (*s == '"') {
        const char *close = memchr(s + 1, '"', (size_t)(end - s - 1));
        if (close == NULL) {
            return -1;
        }
        *tok = s + 1;
        *len = (size_t)(close - s - 1);
        *p = close + 1;
        return 0;
    }
    const char *t = s;
    if (*t == '{' || *t == '}') {
        t++;
    } else {
        while (t < end && !isspace((unsigned char)*t) && *t != ';' && *t != '{' && *t != '}') {
            t++;
        }
    }
    *tok = s;
    *len = (size_t)(t - s);
    *p = t;
    return 0;
}

static int tok_is(const char *tok, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(tok, word, len) == 0;
}

/* key "name" { algorithm A; secret "S"; }; with // and # comments gone. */
static void parse_bind(const char *text, size_t len, key_parts_t *kp)
{
    const char *p = text, *end = text + len, *tok;
    size_t tlen;
    while (token_next(&p, end, &tok, &tlen) == 0) {
        if (tok_is(tok, tlen, "key") && token_next(&p, end, &tok, &tlen) == 0) {
            part_set(kp->name, sizeof(kp->name), &kp->n_names, tok, tlen);
        } else if (tok_is(tok, tlen, "algorithm") && token_next(&p, end, &tok, &tlen) == 0) {
            part_set(kp->algorithm, sizeof(kp->algorithm), &kp->n_algorithms, tok, tlen);
        } else if (tok_is(tok, tlen, "secret") && token_next(&p, end, &tok, &tlen) == 0) {
            part_set(kp->secret, sizeof(kp->secret), &kp->n_secrets, tok, tlen);
        }
    }
}

/* Knot's YAML: "id:", "algorithm:" and "secret:" items, "- " allowed. */
static void parse_knot_line(const char *line, size_t len, key_parts_t *kp)
{
    while (len > 0 && (isspace((unsigned char)*line) || *line == '-')) {
        line++, len--;
    }
    static const char *const keys[] = {"id:", "algorithm:", "secret:"};
    for (int k = 0; k < 3; k++) {
        size_t kl = strlen(keys[k]);
        if (len < kl || strncmp(line, keys[k], kl) != 0) {
            continue;
        }
        const char *v = line + kl;
        size_t vl = len - kl;
        while (vl > 0 && isspace((unsigned char)*v)) {
            v++, vl--;
        }
        while (vl > 0 && isspace((unsigned char)v[vl - 1])) {
            vl--;
        }
        if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
            v++, vl -= 2;
        }
        if (k == 0) {
            part_set(kp->name, sizeof(kp->name), &kp->n_names, v, vl);
        } else if (k == 1) {
            part_set(kp->algorithm, sizeof(kp->algorithm), &kp->n_algorithms, v, vl);
        } else {
            part_set(kp->secret, sizeof(kp->secret), &kp->n_secrets, v, vl);
        }
    }
}

/* ALGORITHM:NAME:SECRET on one line. */
static void parse_oneline(const char *line, size_t len, key_parts_t *kp)
{
    const char *c1 = memchr(line, ':', len);
    const char *c2 = c1 != NULL ? memchr(c1 + 1, ':', (size_t)(line + len - c1 - 1)) : NULL;
    if (c2 == NULL) {
        return;
    }
    part_set(kp->algorithm, sizeof(kp->algorithm), &kp->n_algorithms, line, (size_t)(c1 - line));
    part_set(kp->name, sizeof(kp->name), &kp->n_names, c1 + 1, (size_t)(c2 - c1 - 1));
    part_set(kp->secret, sizeof(kp->secret), &kp->n_secrets, c2 + 1, (size_t)(line + len - c2 - 1));
}

static int base64_valid(const char *s, size_t *decoded)
{
    size_t n = 0, pad = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '=') {
            pad++;
        } else if (pad > 0 || !(isalnum((unsigned char)*p) || *p == '+' || *p == '/')) {
            return -1;
        }
        n++;
    }
    if (n == 0 || n % 4 != 0 || pad > 2) {
        return -1;
    }
    *decoded = n / 4 * 3 - pad;
    return 0;
}

static int name_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 250) {
        return -1;
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.')) {
            return -1;
        }
    }
    return s[0] == '.' || strstr(s, "..") != NULL ? -1 : 0;
}

/* Blanks out comments: # and // to the end of the line (outside quotes). */
static char *comments_strip(const char *text, size_t len)
{
    char *out = malloc(len + 1);
    if (out == NULL) {
        return NULL;
    }
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '"') {
            quoted = !quoted;
        }
        if (!quoted && (c == '#' || (c == '/' && i + 1 < len && text[i + 1] == '/'))) {
            while (i < len && text[i] != '\n') {
                out[i++] = ' ';
            }
            if (i < len) {
                out[i] = '\n';
            }
            continue;
        }
        if (c == '\n') {
            quoted = 0;
        }
        out[i] = c == '\0' ? ' ' : c;
    }
    out[len] = '\0';
    return out;
}

int dnsapi_tsig_key_parse(const char *text, size_t len, dnsapi_tsig_key_t *key, char *errbuf,
                          size_t errlen)
{
    key_parts_t kp;
    memset(&kp, 0, sizeof(kp));
    memset(key, 0, sizeof(*key));
    char *clean = comments_strip(text, len);
    if (clean == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    if (strchr(clean, '{') != NULL) {
        parse_bind(clean, len, &kp);
    } else if (strstr(clean, "id:") != NULL || strstr(clean, "secret:") != NULL) {
        for (char *line = clean, *nl; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            parse_knot_line(line, nl ? (size_t)(nl - line) : strlen(line), &kp);
        }
    } else {
        for (char *line = clean, *nl; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            size_t l = nl ? (size_t)(nl - line) : strlen(line);
            while (l > 0 && isspace((unsigned char)*line)) {
                line++, l--;
            }
            while (l > 0 && isspace((unsigned char)line[l - 1])) {
                l--;
            }
            if (l > 0) {
                parse_oneline(line, l, &kp);
            }
        }
    }
    free(clean);
    if (kp.n_names > 1 || kp.n_secrets > 1) {
        snprintf(errbuf, errlen, "holds %d keys; give dnsapi a file with exactly one",
                 kp.n_names > kp.n_secrets ? kp.n_names : kp.n_secrets);
        return -1;
    }
    if (kp.n_names == 0 || kp.n_secrets == 0 || kp.n_algorithms == 0) {
        snprintf(errbuf, errlen,
                 "no key found (expected the output of `tsig-keygen -a hmac-sha256 NAME` or "
                 "`keymgr -t NAME hmac-sha256`)");
        return -1;
    }
    for (char *p = kp.name; *p != '\0'; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    size_t nl = strlen(kp.name);
    if (nl > 1 && kp.name[nl - 1] == '.') {
        kp.name[nl - 1] = '\0';
    }
    if (name_valid(kp.name) != 0) {
        snprintf(errbuf, errlen, "key name '%.64s' is not a domain name (letters, digits, '-')",
                 kp.name);
        return -1;
    }
    if (strcasecmp(kp.algorithm, "hmac-sha256") != 0 &&
        strcasecmp(kp.algorithm, "hmac-sha256.") != 0) {
        snprintf(errbuf, errlen,
                 "algorithm '%.32s' is not supported; use hmac-sha256 (tsig-keygen -a "
                 "hmac-sha256)",
                 kp.algorithm);
        return -1;
    }
    size_t bytes = 0;
    if (base64_valid(kp.secret, &bytes) != 0 || strlen(kp.secret) >= sizeof(key->secret)) {
        snprintf(errbuf, errlen, "the secret of key %s is not base64", kp.name);
        return -1;
    }
    if (bytes < 16) {
        snprintf(errbuf, errlen, "the secret of key %s is only %zu bytes; use at least 32", kp.name,
                 bytes);
        return -1;
    }
    snprintf(key->name, sizeof(key->name), "%s", kp.name);
    snprintf(key->algorithm, sizeof(key->algorithm), "hmac-sha256");
    snprintf(key->secret, sizeof(key->secret), "%s", kp.secret);
    return 0;
}

int dnsapi_tsig_key_load(const char *path, dnsapi_tsig_key_t *key, char *errbuf, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(errbuf, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    char *buf = malloc(KEY_FILE_MAX + 1);
    if (buf == NULL) {
        fclose(fp);
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    size_t n = fread(buf, 1, KEY_FILE_MAX + 1, fp);
    int bad = ferror(fp);
    fclose(fp);
    if (bad || n > KEY_FILE_MAX) {
        free(buf);
        snprintf(errbuf, errlen, "%s: %s", path, bad ? "read error" : "larger than 64 KiB");
        return -1;
    }
    char msg[400];
    int rc = dnsapi_tsig_key_parse(buf, n, key, msg, sizeof(msg));
    free(buf);
    if (rc != 0) {
        snprintf(errbuf, errlen, "%s: %s", path, msg);
    }
    return rc;
}
