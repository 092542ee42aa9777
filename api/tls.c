#include "api/tls.h"

#include <stdio.h>

#include <h2o.h>
#include <openssl/err.h>
#include <openssl/x509.h>

/* The last OpenSSL error as text, for messages. */
static const char *ssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;
    return r != NULL ? r : "unknown OpenSSL error";
}

SSL_CTX *tls_context_new(const dnsapi_config_t *cfg, char *err, size_t errlen)
{
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        snprintf(err, errlen, "TLS: cannot create a context: %s", ssl_reason());
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1) {
        snprintf(err, errlen, "DNSAPI_TLS_CERT: cannot use %s: %s (a PEM chain, leaf first)",
                 cfg->tls_cert, ssl_reason());
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
            snprintf(err, errlen, "DNSAPI_TLS_KEY: %s is not the key of the certificate in %s",
                     cfg->tls_key, cfg->tls_cert);
            goto fail;
        }
        snprintf(err, errlen, "DNSAPI_TLS_KEY: cannot use %s: %s (a PEM private key)", cfg->tls_key,
                 ssl_reason());
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(err, errlen, "DNSAPI_TLS_KEY: %s is not the key of the certificate in %s",
                 cfg->tls_key, cfg->tls_cert);
        goto fail;
    }
    if (cfg->http2 != DNSAPI_HTTP2_OFF) {
        h2o_ssl_register_alpn_protocols(ctx, h2o_alpn_protocols);
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}
