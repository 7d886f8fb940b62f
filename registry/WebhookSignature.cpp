// HMAC-SHA256 of a webhook body, with OpenSSL's libcrypto.
#include "registry/WebhookSignature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace wsc {

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    // Non-null pointers even for empty views: HMAC() reads a null key as
    // "no key given" rather than as the empty key.
    static const unsigned char kNothing = 0;
    const void* key_bytes = key.empty() ? &kNothing : static_cast<const void*>(key.data());
    const auto* data_bytes =
        data.empty() ? &kNothing : reinterpret_cast<const unsigned char*>(data.data());
    if (HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()), data_bytes, data.size(), mac,
             &length) == nullptr)
        throw std::runtime_error("HMAC-SHA256 failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[mac[i] >> 4]);
        hex.push_back(kHex[mac[i] & 0x0f]);
    }
    return hex;
}

}  // namespace wsc
