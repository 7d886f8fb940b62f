// Random bytes that must not be guessable (nonces, routing ids, connection
// ids): libsodium's CSPRNG, and their lowercase hex text.
#pragma once

#include <cstddef>
#include <string>

namespace wsc::bus {

// Initialises libsodium once (thread safe); throws std::runtime_error when
// it cannot be. Every use of libsodium calls it first.
void ensure_sodium();
// Fills `out` with `size` random bytes. Thread safe.
void secure_random(void* out, std::size_t size);
// `bytes` random bytes as 2 × `bytes` lowercase hex characters.
std::string secure_random_hex(std::size_t bytes);
// Lowercase hex text of `size` bytes.
std::string to_hex(const unsigned char* data, std::size_t size);

}  // namespace wsc::bus
