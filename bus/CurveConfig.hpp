// CURVE security of bus links: the keys from the configuration, checked once
// at start-up, and how they are put on a socket.
//
// Keys are Z85 text, 40 characters, as zmq_curve_keypair makes them
// (`wscenter-cli keygen`). A registry's ROUTER is a CURVE server with its
// secret key; every DEALER (wsnode, peer registry, bus client) is a CURVE
// client with its own keypair and the server's public key. Which clients a
// server lets in is decided by the registry's ZAP handler, from
// `authorized_keys`.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

namespace wsc::bus {

// Length of a CURVE key in Z85 text.
inline constexpr std::size_t kCurveKeyChars = 40;
// Length of a CURVE key in bytes.
inline constexpr std::size_t kCurveKeyBytes = 32;

struct CurveKeypair {
    std::string public_key;  // Z85
    std::string secret_key;  // Z85
};

struct CurveConfig {
    std::string secret_key;  // our own secret key (Z85); empty: CURVE off
    std::string public_key;  // derived from secret_key (for logs and the ZAP list)
    std::string server_key;  // public key of the registries we dial (Z85)
    // Server side: public keys of the clients let in (Z85); our own included.
    std::set<std::string> authorized_keys;

    bool enabled() const { return !secret_key.empty(); }
};

// Throws ConfigError when this libzmq was built without CURVE.
void require_curve_support();

// A fresh keypair from libzmq (libsodium underneath).
CurveKeypair make_curve_keypair();

// True when `text` is a 40-character Z85 key.
bool is_curve_key(std::string_view text);

// The public key of a secret key; both Z85. ConfigError for a bad secret key.
std::string curve_public_key(const std::string& secret_key);

// Z85 text of a 32-byte binary key (as ZAP hands credentials over); empty
// when `binary` is not 32 bytes.
std::string curve_key_text(std::string_view binary);

// A key taken from option `option`: surrounding spaces removed, then checked.
// The error names the option but never echoes the value (it may be a secret).
std::string parse_curve_key(const std::string& option, std::string_view text);

// Authorized client keys from a list whose items are keys or `@FILE`, a file
// with one key per line (blank lines and lines starting with '#' skipped).
std::set<std::string> parse_authorized_keys(const std::string& option,
                                            const std::vector<std::string>& items);

// A client side (wsnode, bus client): both keys or neither. `server_key` and
// `secret_key` are the option values, named by the two option names.
CurveConfig curve_client_config(const std::string& server_option, std::string_view server_key,
                                const std::string& secret_option, std::string_view secret_key);

// A registry: its own secret key turns CURVE on; `server_key` (the peers'
// public key) defaults to our own public key, so registries sharing one
// keypair need nothing else; our public key is always authorized. Setting
// authorized keys or a server key without a secret key is an error.
CurveConfig curve_registry_config(const std::string& secret_option, std::string_view secret_key,
                                  const std::string& authorized_option,
                                  const std::vector<std::string>& authorized_items,
                                  const std::string& server_option, std::string_view server_key);

// Makes `socket` a CURVE server (ROUTER) or client (DEALER) with `config`'s
// keys; does nothing when CURVE is off. Call before bind/connect. A client's
// public key is derived from its secret key. ConfigError for a malformed key.
void apply_curve_server(zmq::socket_t& socket, const CurveConfig& config);
void apply_curve_client(zmq::socket_t& socket, const CurveConfig& config);

}  // namespace wsc::bus
