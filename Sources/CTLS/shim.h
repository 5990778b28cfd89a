#ifndef TRADINGD_CTLS_SHIM_H
#define TRADINGD_CTLS_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

// Function-like macros of libssl, which Swift cannot call, as inline functions.

/// TLS 1.2 or later only; no TLS-level compression (CRIME) and no renegotiation; partial writes
/// allowed so that a write of a large buffer returns as soon as one record went out.
static inline int ctls_ctx_harden(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/// Server Name Indication (RFC 6066): the host name the client wants.
static inline int ctls_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// What an empty memory BIO returns: -1 with the retry flag (more data may come) or 0 (end of
/// stream, once the peer closed the TCP connection).
static inline void ctls_bio_set_eof_return(BIO *bio, int value) {
    BIO_set_mem_eof_return(bio, value);
}
#endif
