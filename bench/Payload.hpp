// The text of every message the bench sends: "<stream>.<seq>.<send_ns>."
// padded with 'x' to the wanted size. Only digits, '.' and 'x', so it needs
// no escaping in a URL, a JSON string or msgpack, and a client can check
// order (seq per stream) and latency (send time) from the message alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsc::bench {

struct PayloadHeader {
    std::uint32_t stream = 0;
    std::uint32_t seq = 0;
    std::int64_t send_ns = 0;
};

// At least the header; `size` bytes when the header fits in it.
std::string make_payload(const PayloadHeader& header, std::size_t size);

// Writes the same text into `out` (which must hold max(size, kMaxHeader)
// bytes); returns the length. For servers that frame messages in place.
std::size_t write_payload(const PayloadHeader& header, std::size_t size, char* out);

// nullopt when the text is not a bench payload (e.g. the node's open frame).
std::optional<PayloadHeader> parse_payload(std::string_view text);

inline constexpr std::size_t kMaxPayloadHeader = 3 * 20 + 3;

}  // namespace wsc::bench
