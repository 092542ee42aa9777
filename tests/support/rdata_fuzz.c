/* rdata_fuzz.c - see rdata_fuzz.h. */
#include "support/rdata_fuzz.h"

#include <stdio.h>
#include <string.h>

uint32_t fuzz_next(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

const char *rdata_fuzz_case(uint32_t *seed, int max_edits, char *buf, size_t buflen)
{
    static const char *TYPES[] = {
        "A",   "AAAA",    "CNAME",      "MX",     "TXT",       "NS",    "SRV",   "CAA", "PTR",
        "DS",  "TLSA",    "SSHFP",      "NAPTR",  "SVCB",      "HTTPS", "DNAME", "LOC", "URI",
        "CDS", "CDNSKEY", "OPENPGPKEY", "SMIMEA", "TYPE65534", "HTTPS", "CAA",   "PTR"};
    static const char *SEEDS[] = {
        "192.0.2.1",
        "2001:db8::1",
        "a.example.com",
        "10 mail.example.com",
        "\"x\" \"y\"",
        "ns1.example.net",
        "10 5 5060 sip.example.com",
        "0 issue \"ca.org\"",
        "h.example.com",
        "1 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE1A0D46A7A3C6E8A9B5B4AF0D",
        "3 1 1 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        "1 1 0123456789012345678901234567890123456789",
        "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:x@example.com!\" .",
        "1 svc.example.com alpn=h2,h3 port=8443 mandatory=alpn",
        "1 . alpn=\"h2,h3\" ipv4hint=1.2.3.4",
        "other.example.net.",
        "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
        "10 1 \"https://www.example.com/path\"",
        "0 0 0 00",
        "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L5"
        "3eKGQ==",
        "mQENBFVHm5sBCACeDj2WUlZd",
        "3 1 1 abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        "\\# 4 0a000001",
        "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\" key7=\"/q{?dns}\" key667=\"a\\210\"",
        "0 issue \"ca\\059.example\"",
        "Office\\032Printer._ipp._tcp.example.com.",
    };
    static const char CHARS[] = " .\"\\;()=,@*-_0123456789abcdefxyzAZ:#$\xc3\xa9\t\n";
    size_t k = fuzz_next(seed) % (sizeof(TYPES) / sizeof(TYPES[0]));
    snprintf(buf, buflen, "%s", SEEDS[k]);
    size_t len = strlen(buf);
    int edits = 1 + (int)(fuzz_next(seed) % (uint32_t)max_edits);
    for (int e = 0; e < edits && len > 0 && len + 2 < buflen; e++) {
        size_t pos = fuzz_next(seed) % len;
        char c = CHARS[fuzz_next(seed) % (sizeof(CHARS) - 1)];
        switch (fuzz_next(seed) % 3) {
        case 0:
            buf[pos] = c;
            break;
        case 1:
            memmove(buf + pos + 1, buf + pos, len - pos + 1);
            buf[pos] = c;
            len++;
            break;
        default:
            memmove(buf + pos, buf + pos + 1, len - pos);
            len--;
            break;
        }
    }
    return TYPES[k];
}
