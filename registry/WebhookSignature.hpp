// The signature of a webhook POST: HMAC-SHA256 of the exact body with the
// shared secret, sent as `X-Wscenter-Signature: sha256=<hex>` so a receiver
// can tell the POST came from a registry that knows the secret.
#pragma once

#include <string>
#include <string_view>

namespace wsc {

// HMAC-SHA256 (RFC 2104, FIPS 180-4) of `data` keyed with `key`, as 64
// lowercase hex characters. Any key length, the empty key included.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace wsc
