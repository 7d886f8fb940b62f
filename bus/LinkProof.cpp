#include "bus/LinkProof.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

#include "bus/SecureRandom.hpp"

namespace wsc::bus {

namespace {

constexpr std::string_view kDomain = "wscenter-link-v1";
constexpr std::size_t kNonceBytes = 32;

std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac(std::string_view secret,
                                                            std::string_view role,
                                                            std::string_view nonce,
                                                            std::string_view id) {
    ensure_sodium();
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    const unsigned char zero = 0;
    bool first = true;
    for (const auto part : {kDomain, role, nonce, id}) {
        if (!first) crypto_auth_hmacsha256_update(&state, &zero, 1);
        first = false;
        crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                      part.size());
    }
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> out{};
    crypto_auth_hmacsha256_final(&state, out.data());
    return out;
}

}  // namespace

std::string make_nonce() {
    return secure_random_hex(kNonceBytes);
}

std::string random_routing_id() {
    std::string id(16, '\0');
    secure_random(id.data(), id.size());
    if (id[0] == '\0') id[0] = 1;  // a leading 0 is zmq's own
    return id;
}

std::string link_proof(std::string_view secret, std::string_view role, std::string_view nonce,
                       std::string_view id) {
    const auto m = mac(secret, role, nonce, id);
    return to_hex(m.data(), m.size());
}

bool proof_matches(std::string_view secret, std::string_view role, std::string_view nonce,
                   std::string_view id, std::string_view proof) {
    const std::string expected = link_proof(secret, role, nonce, id);
    if (proof.size() != expected.size()) return false;
    return sodium_memcmp(expected.data(), proof.data(), expected.size()) == 0;
}

std::string check_cluster_secret(std::string_view secret) {
    if (secret.empty()) return {};
    if (secret.size() < kMinClusterSecret)
        return "expected at least " + std::to_string(kMinClusterSecret) + " characters, got " +
               std::to_string(secret.size());
    for (const char ch : secret) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) return "expected printable characters only";
    }
    return {};
}

}  // namespace wsc::bus
