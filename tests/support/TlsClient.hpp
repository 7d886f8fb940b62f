// Client-side TLS for the integration tests, with OpenSSL: the tests speak
// https:// and wss:// to real programs through TcpConnection.
#pragma once

#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace wsc::test {

// What a client trusts and shows: the CA (here a test's self-signed
// certificate) that the server's certificate must chain to, checked for the
// address 127.0.0.1, and optionally a client certificate.
class TlsClientContext {
  public:
    explicit TlsClientContext(const std::string& ca_file, const std::string& cert_file = "",
                              const std::string& key_file = "");
    ~TlsClientContext();
    TlsClientContext(const TlsClientContext&) = delete;
    TlsClientContext& operator=(const TlsClientContext&) = delete;

    ssl_ctx_st* native() const { return ctx_; }

  private:
    ssl_ctx_st* ctx_ = nullptr;
};

// OpenSSL's queued errors as one line (and cleared), for exceptions.
std::string tls_error_text();

// The common name of the certificate the server presented on `ssl`.
std::string peer_common_name(ssl_st* ssl);

}  // namespace wsc::test
