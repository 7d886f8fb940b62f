// CURVE keys: checking what the configuration says, deriving public keys and
// setting a socket's security options.
#include "bus/CurveConfig.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <stdexcept>

#include "common/ConfigError.hpp"

namespace wsc::bus {

namespace {

// Set on the server socket so the ZAP request names who is asking.
constexpr const char* kZapDomain = "wscenter";
constexpr const char* kKeyHint = "a 40-character Z85 CURVE key (make one with wscenter-cli keygen)";

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// The 32 bytes of a Z85 key. Checked again here: an embedding program may
// fill a CurveConfig by hand.
std::array<std::uint8_t, kCurveKeyBytes> key_bytes(const char* what, const std::string& key) {
    std::array<std::uint8_t, kCurveKeyBytes> bytes{};
    if (key.size() != kCurveKeyChars || zmq_z85_decode(bytes.data(), key.c_str()) == nullptr)
        throw ConfigError(std::string("CURVE ") + what + ": expected " + kKeyHint);
    return bytes;
}

std::set<std::string> keys_from_file(const std::string& option, const std::string& path) {
    std::ifstream file(path);
    if (!file) throw ConfigError(option + ": cannot read key file '" + path + "'");
    std::set<std::string> keys;
    std::string line;
    int number = 0;
    while (std::getline(file, line)) {
        ++number;
        const std::string_view text = trim(line);
        if (text.empty() || text.front() == '#') continue;
        if (!is_curve_key(text))
            throw ConfigError(option + ": line " + std::to_string(number) + " of '" + path +
                              "' is not " + kKeyHint);
        keys.emplace(text);
    }
    if (file.bad()) throw ConfigError(option + ": cannot read key file '" + path + "'");
    return keys;
}

}  // namespace

void require_curve_support() {
    if (!zmq_has("curve"))
        throw ConfigError("CURVE keys are configured but this libzmq was built without CURVE");
}

CurveKeypair make_curve_keypair() {
    require_curve_support();
    std::array<char, kCurveKeyChars + 1> public_key{};
    std::array<char, kCurveKeyChars + 1> secret_key{};
    if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0)
        throw std::runtime_error(std::string("cannot make a CURVE keypair: ") +
                                 zmq_strerror(zmq_errno()));
    return {public_key.data(), secret_key.data()};
}

bool is_curve_key(std::string_view text) {
    if (text.size() != kCurveKeyChars) return false;
    // zmq_z85_decode checks the alphabet and that each group fits 32 bits.
    const std::string key(text);
    std::array<std::uint8_t, kCurveKeyBytes> bytes{};
    return zmq_z85_decode(bytes.data(), key.c_str()) != nullptr;
}

std::string curve_public_key(const std::string& secret_key) {
    if (!is_curve_key(secret_key)) throw ConfigError(std::string("expected ") + kKeyHint);
    require_curve_support();
    std::array<char, kCurveKeyChars + 1> public_key{};
    if (zmq_curve_public(public_key.data(), secret_key.c_str()) != 0)
        throw ConfigError(std::string("cannot derive a CURVE public key: ") +
                          zmq_strerror(zmq_errno()));
    return public_key.data();
}

std::string curve_key_text(std::string_view binary) {
    if (binary.size() != kCurveKeyBytes) return {};
    std::array<char, kCurveKeyChars + 1> text{};
    zmq_z85_encode(text.data(), reinterpret_cast<const std::uint8_t*>(binary.data()),
                   binary.size());
    return text.data();
}

std::string parse_curve_key(const std::string& option, std::string_view text) {
    const std::string_view key = trim(text);
    if (!is_curve_key(key)) {
        // Never quote the value: it may be a secret key with a typo.
        throw ConfigError(option + ": expected " + kKeyHint + ", got " +
                          std::to_string(key.size()) + " characters" +
                          (key.size() == kCurveKeyChars ? " that are not Z85" : ""));
    }
    return std::string(key);
}

std::set<std::string> parse_authorized_keys(const std::string& option,
                                            const std::vector<std::string>& items) {
    std::set<std::string> keys;
    for (const auto& raw : items) {
        const std::string_view item = trim(raw);
        // '@' is a Z85 digit too: a value that is a whole key is a key, even
        // one that starts with '@' (one key in 85 does), never a file name.
        if (!item.empty() && item.front() == '@' && !is_curve_key(item)) {
            const std::string path(trim(item.substr(1)));
            if (path.empty()) throw ConfigError(option + ": '@' must be followed by a file path");
            keys.merge(keys_from_file(option, path));
        } else {
            keys.insert(parse_curve_key(option, item));
        }
    }
    return keys;
}

CurveConfig curve_client_config(const std::string& server_option, std::string_view server_key,
                                const std::string& secret_option, std::string_view secret_key) {
    CurveConfig config;
    const bool has_server = !trim(server_key).empty();
    const bool has_secret = !trim(secret_key).empty();
    if (!has_server && !has_secret) return config;
    if (has_server != has_secret) {
        const std::string& set = has_server ? server_option : secret_option;
        const std::string& unset = has_server ? secret_option : server_option;
        throw ConfigError(set + " is set but " + unset + " is not: CURVE needs both");
    }
    config.server_key = parse_curve_key(server_option, server_key);
    config.secret_key = parse_curve_key(secret_option, secret_key);
    config.public_key = curve_public_key(config.secret_key);
    return config;
}

CurveConfig curve_registry_config(const std::string& secret_option, std::string_view secret_key,
                                  const std::string& authorized_option,
                                  const std::vector<std::string>& authorized_items,
                                  const std::string& server_option, std::string_view server_key) {
    CurveConfig config;
    if (trim(secret_key).empty()) {
        for (const auto& [option, set] : {std::pair{&authorized_option, !authorized_items.empty()},
                                          std::pair{&server_option, !trim(server_key).empty()}}) {
            if (set)
                throw ConfigError(*option + " is set but " + secret_option +
                                  " is not: CURVE needs the registry's secret key");
        }
        return config;
    }
    config.secret_key = parse_curve_key(secret_option, secret_key);
    config.public_key = curve_public_key(config.secret_key);
    config.server_key =
        trim(server_key).empty() ? config.public_key : parse_curve_key(server_option, server_key);
    config.authorized_keys = parse_authorized_keys(authorized_option, authorized_items);
    config.authorized_keys.insert(config.public_key);
    return config;
}

void apply_curve_server(zmq::socket_t& socket, const CurveConfig& config) {
    if (!config.enabled()) return;
    const auto secret = key_bytes("secret key", config.secret_key);
    socket.set(zmq::sockopt::curve_server, true);
    socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret.data(), secret.size()));
    socket.set(zmq::sockopt::zap_domain, kZapDomain);
}

void apply_curve_client(zmq::socket_t& socket, const CurveConfig& config) {
    if (!config.enabled()) return;
    const auto server = key_bytes("server key", config.server_key);
    const auto secret = key_bytes("secret key", config.secret_key);
    // Derived rather than trusted: a public key that does not match the
    // secret key would fail every handshake without saying why.
    const auto own = key_bytes("public key", curve_public_key(config.secret_key));
    socket.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server.data(), server.size()));
    socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret.data(), secret.size()));
    socket.set(zmq::sockopt::curve_publickey, zmq::const_buffer(own.data(), own.size()));
}

}  // namespace wsc::bus
