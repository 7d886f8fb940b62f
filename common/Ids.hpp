// Random identifiers: node ids and connection ids are 32 lowercase hex chars.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wsc {

// 128 random bits as 32 lowercase hex characters. Thread safe: each thread
// has its own generator, seeded from std::random_device.
std::string random_hex_id();

// True when `s` is exactly `length` characters of [0-9a-f].
bool is_lower_hex(std::string_view s, std::size_t length);
// True when `s` is exactly 32 characters of [0-9a-f]: an id.
bool is_hex_id(std::string_view s);

}  // namespace wsc
