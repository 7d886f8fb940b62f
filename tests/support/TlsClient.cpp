// Client-side TLS for the integration tests (see TlsClient.hpp).
#include "tests/support/TlsClient.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace wsc::test {

std::string tls_error_text() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        if (!text.empty()) text += "; ";
        text += line;
    }
    return text.empty() ? "no OpenSSL error queued" : text;
}

TlsClientContext::TlsClientContext(const std::string& ca_file, const std::string& cert_file,
                                   const std::string& key_file)
    : ctx_(SSL_CTX_new(TLS_client_method())) {
    if (!ctx_) throw std::runtime_error("SSL_CTX_new: " + tls_error_text());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx_), "127.0.0.1");
    bool ok = SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) == 1;
    if (ok && !cert_file.empty())
        ok = SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) == 1 &&
             SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) == 1;
    if (!ok) {
        const std::string why = tls_error_text();
        SSL_CTX_free(ctx_);
        throw std::runtime_error("TLS client set-up with " + ca_file + ": " + why);
    }
}

TlsClientContext::~TlsClientContext() {
    SSL_CTX_free(ctx_);
}

std::string peer_common_name(ssl_st* ssl) {
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (!cert) return {};
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
    X509_free(cert);
    return name;
}

}  // namespace wsc::test
