#include "net/TlsFiles.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr std::size_t kMaxPemBytes = 1 << 20;  // far above any real chain or key

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

// A key protected by a pass phrase cannot be read unattended: refuse it
// instead of letting OpenSSL prompt on the terminal.
int no_pass_phrase(char*, int, int, void*) {
    return -1;
}

// The file's bytes, or an error naming the option.
std::string read_pem(const std::string& option, const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = option + ": cannot read '" + path + "': " + std::strerror(errno);
        return {};
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string bytes = text.str();
    if (bytes.size() > kMaxPemBytes)
        error = option + ": '" + path + "' is over " + std::to_string(kMaxPemBytes) + " bytes";
    return bytes;
}

Bio memory_bio(const std::string& bytes) {
    return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// The first certificate of a PEM chain; null when there is none.
Cert first_certificate(const std::string& bytes) {
    const Bio bio = memory_bio(bytes);
    Cert cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, no_pass_phrase, nullptr) : nullptr);
    ERR_clear_error();
    return cert;
}

std::string option_name(const TlsFiles& files, const char* key) {
    return files.section + "." + key;
}

}  // namespace

std::vector<OptionSpec> tls_option_specs(const std::string& section, bool client_ca) {
    const std::string what = section == "wsnode" ? "wss://" : "https://";
    std::vector<OptionSpec> specs = {
        {section + ".tls_cert", "", "PEM certificate chain: with tls_key, serves " + what, {}},
        {section + ".tls_key", "", "PEM private key of tls_cert (not pass-phrase protected)", {}},
    };
    if (client_ca)
        specs.push_back({section + ".tls_ca",
                         "",
                         "PEM CA certificates: clients must present a certificate they signed",
                         {}});
    return specs;
}

TlsFiles read_tls_options(const Options& options, const std::string& section, bool client_ca) {
    TlsFiles files;
    files.section = section;
    files.cert = options.get(section + ".tls_cert");
    files.key = options.get(section + ".tls_key");
    if (client_ca) files.ca = options.get(section + ".tls_ca");
    if (files.cert.empty() && !files.key.empty())
        throw ConfigError(option_name(files, "tls_cert") + ": needed with tls_key");
    if (!files.cert.empty() && files.key.empty())
        throw ConfigError(option_name(files, "tls_key") + ": needed with tls_cert");
    if (files.cert.empty() && !files.ca.empty())
        throw ConfigError(option_name(files, "tls_ca") + ": client certificates need tls_cert");
    if (!files.enabled()) return files;
    if (const std::string why = check_tls_files(files); !why.empty()) throw ConfigError(why);
    return files;
}

std::string check_tls_files(const TlsFiles& files) {
    std::string error;
    const std::string cert_option = option_name(files, "tls_cert");
    const std::string cert_pem = read_pem(cert_option, files.cert, error);
    if (!error.empty()) return error;
    const Cert cert = first_certificate(cert_pem);
    if (!cert) return cert_option + ": '" + files.cert + "' holds no PEM certificate";

    const std::string key_option = option_name(files, "tls_key");
    const std::string key_pem = read_pem(key_option, files.key, error);
    if (!error.empty()) return error;
    const Bio key_bio = memory_bio(key_pem);
    const Key key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_pass_phrase, nullptr)
                          : nullptr);
    ERR_clear_error();
    if (!key)
        return key_option + ": '" + files.key +
               "' holds no PEM private key (or one protected by a pass phrase)";
    const bool matches = X509_check_private_key(cert.get(), key.get()) == 1;
    ERR_clear_error();
    if (!matches) return key_option + ": '" + files.key + "' is not the key of tls_cert";
    if (X509_cmp_current_time(X509_get0_notAfter(cert.get())) < 0)
        log_warn("tls", cert_option + ": '" + files.cert + "' has expired");

    if (files.ca.empty()) return {};
    const std::string ca_option = option_name(files, "tls_ca");
    const std::string ca_pem = read_pem(ca_option, files.ca, error);
    if (!error.empty()) return error;
    if (!first_certificate(ca_pem))
        return ca_option + ": '" + files.ca + "' holds no PEM certificate";
    return {};
}

void apply_tls(lws_context_creation_info& info, const TlsFiles& files) {
    if (!files.enabled()) return;
    info.options |= tls_context_options(files);
    info.ssl_cert_filepath = files.cert.c_str();
    info.ssl_private_key_filepath = files.key.c_str();
    // lws would offer h2 in ALPN; our own parser speaks HTTP/1.1 (and the
    // WebSocket upgrade rides on it), so that is all a client may choose.
    info.alpn = "http/1.1";
    if (!files.ca.empty()) {
        info.ssl_ca_filepath = files.ca.c_str();
        info.options |= LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
    }
}

unsigned long long tls_context_options(const TlsFiles& files) {
    return files.enabled() ? LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT : 0;
}

std::string reload_tls(lws_context* context, const TlsFiles& files) {
    if (!files.enabled()) return "TLS is off";
    if (std::string why = check_tls_files(files); !why.empty()) return why;
    lws_tls_cert_updated(context, files.cert.c_str(), files.key.c_str(), nullptr, 0, nullptr, 0);
    return {};
}

}  // namespace wsc
