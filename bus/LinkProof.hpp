// Proof of the cluster secret on a bus link, without sending the secret.
//
// A registry hands each link that has not proved itself a fresh random
// nonce (Challenge); the wsnode or peer registry answers with
// HMAC-SHA256(secret, "wscenter-link-v1" 0 role 0 nonce 0 id), where role is
// "node" or "peer" and id the node or registry id it claims. The nonce is
// bound to that one connection and used once, so a proof seen (or replayed)
// elsewhere is worth nothing. See bus/PROTOCOL.md, "Link authentication".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wsc::bus {

// Shortest cluster secret accepted in a configuration.
inline constexpr std::size_t kMinClusterSecret = 16;

inline constexpr std::string_view kRoleNode = "node";
inline constexpr std::string_view kRolePeer = "peer";

// 32 random bytes as 64 lowercase hex characters.
std::string make_nonce();

// A random zmq routing id (16 bytes, the first never 0) for a DEALER that
// links to a registry: a proven link's identity cannot be guessed, so no
// stranger can connect under it after that link is gone.
std::string random_routing_id();

// The proof, 64 lowercase hex characters.
std::string link_proof(std::string_view secret, std::string_view role, std::string_view nonce,
                       std::string_view id);

// Whether `proof` is the proof for these values (compared in constant time).
bool proof_matches(std::string_view secret, std::string_view role, std::string_view nonce,
                   std::string_view id, std::string_view proof);

// "" when `secret` is usable as a cluster secret, else why not (for a
// one-line config error). An empty secret is valid: the feature is off.
std::string check_cluster_secret(std::string_view secret);

}  // namespace wsc::bus
