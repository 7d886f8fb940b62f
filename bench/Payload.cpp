// Payload: writing and reading the bench message header.
#include "bench/Payload.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace wsc::bench {

std::size_t write_payload(const PayloadHeader& header, std::size_t size, char* out) {
    char* p = out;
    char* const end = out + kMaxPayloadHeader;
    p = std::to_chars(p, end, header.stream).ptr;
    *p++ = '.';
    p = std::to_chars(p, end, header.seq).ptr;
    *p++ = '.';
    p = std::to_chars(p, end, header.send_ns).ptr;
    *p++ = '.';
    std::size_t len = static_cast<std::size_t>(p - out);
    if (len < size) {
        std::memset(p, 'x', size - len);
        len = size;
    }
    return len;
}

std::string make_payload(const PayloadHeader& header, std::size_t size) {
    std::string out(std::max(size, kMaxPayloadHeader), '\0');
    out.resize(write_payload(header, size, out.data()));
    return out;
}

std::optional<PayloadHeader> parse_payload(std::string_view text) {
    PayloadHeader h;
    const char* p = text.data();
    const char* const end = text.data() + text.size();
    auto field = [&](auto& value) {
        const auto [next, ec] = std::from_chars(p, end, value);
        if (ec != std::errc() || next == end || *next != '.') return false;
        p = next + 1;
        return true;
    };
    if (!field(h.stream) || !field(h.seq) || !field(h.send_ns)) return std::nullopt;
    return h;
}

}  // namespace wsc::bench
