/*
 * tls.h - the server's TLS context (DNSAPI_TLS_CERT / DNSAPI_TLS_KEY).
 *
 * TLS 1.2 and 1.3 only, no compression or renegotiation, the server's
 * cipher order. With DNSAPI_HTTP2 other than off, ALPN offers h2 before
 * http/1.1, so clients that can speak HTTP/2 do; without ALPN a client
 * gets HTTP/1.1. The certificate file is a PEM chain, leaf first.
 * Certificates are read at start-up: restart the server to load renewed
 * ones (docs/operations.md).
 */
#ifndef DNSAPI_API_TLS_H
#define DNSAPI_API_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "common/config.h"

/* A TLS context for cfg's certificate and key (both must be set). Returns
 * it (SSL_CTX_free when done), or NULL with one line in err naming the file
 * and what is wrong with it. */
SSL_CTX *tls_context_new(const dnsapi_config_t *cfg, char *err, size_t errlen);

#endif
