// Native TLS on a listening port: the certificate, key and optional client
// CA files, checked the way OpenSSL will read them, and handed to lws.
//
// Both programs serve TLS through lws (built with OpenSSL in Debian). The
// files are checked here first so that bad key material stops the program
// with one line naming the option, instead of lws's log lines and a vhost
// that quietly fails; a reload (SIGHUP) checks the new files the same way
// and keeps the old ones when they are bad.
#pragma once

#include <libwebsockets.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/Options.hpp"

namespace wsc {

struct TlsFiles {
    std::string section;  // "wsnode" or "registry": names the options in errors
    std::string cert;     // PEM certificate chain; empty = no TLS
    std::string key;      // PEM private key of the certificate (not encrypted)
    std::string ca;       // PEM CA certificates clients must present a certificate of
    bool enabled() const { return !cert.empty(); }
};

// The options of `section` ("tls_cert", "tls_key" and, with `client_ca`,
// "tls_ca") to add to a program's option list.
std::vector<OptionSpec> tls_option_specs(const std::string& section, bool client_ca);

// Reads and checks the options; throws ConfigError naming the option at
// fault. Without tls_cert and tls_key, TLS is off.
TlsFiles read_tls_options(const Options& options, const std::string& section, bool client_ca);

// What is wrong with the files ("" when nothing): unreadable, not PEM, an
// encrypted key, a key that does not belong to the certificate.
std::string check_tls_files(const TlsFiles& files);

// Serves TLS on the vhost `info` describes (and, with a CA, requires client
// certificates signed by it). Context options: tls_context_options().
void apply_tls(lws_context_creation_info& info, const TlsFiles& files);
unsigned long long tls_context_options(const TlsFiles& files);

// Loads the files again into every vhost of `context` that serves them:
// connections already open keep their session, new ones get the new
// certificate. Returns what was wrong ("" when reloaded); bad files leave
// the old certificate in place. lws thread only.
std::string reload_tls(lws_context* context, const TlsFiles& files);

// lws asks the vhost's first protocol to judge each client certificate and
// takes its answer over OpenSSL's own verdict (0 accepts, even a certificate
// OpenSSL rejected): protocols answer with this.
inline int client_cert_verdict(std::size_t openssl_preverify_ok) {
    return openssl_preverify_ok ? 0 : 1;
}

}  // namespace wsc
