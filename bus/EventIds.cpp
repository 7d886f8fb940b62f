#include "bus/EventIds.hpp"

#include "bus/Protocol.hpp"
#include "common/Sha1.hpp"

namespace wsc::bus {

namespace {

std::string hashed(const std::string& cause) {
    static constexpr char kHex[] = "0123456789abcdef";
    const std::string digest = sha1(cause);
    std::string out;
    out.reserve(kEventIdLength);
    for (std::size_t i = 0; i < kEventIdLength / 2; ++i) {
        const auto byte = static_cast<unsigned char>(digest[i]);
        out += kHex[byte >> 4];
        out += kHex[byte & 0xf];
    }
    return out;
}

// Fields are joined with a byte no id contains, so that no two causes join
// into the same text.
std::string cause_text(const ChangeCause& c) {
    return c.node + '\x1f' + std::to_string(c.boot) + '\x1f' +
           (c.lost ? std::string("lost") : std::to_string(c.seq)) + '\x1f' + c.conn;
}

}  // namespace

std::string node_event_id(std::string_view node, std::uint64_t boot, std::uint64_t seq) {
    return hashed("n\x1f" + std::string(node) + '\x1f' + std::to_string(boot) + '\x1f' +
                  std::to_string(seq));
}

std::string lost_close_id(const ChangeCause& cause) {
    return hashed("l\x1f" + cause_text(cause));
}

std::string presence_id(std::string_view kind, std::string_view user, const ChangeCause& cause) {
    return hashed("p\x1f" + std::string(kind) + '\x1f' + std::string(user) + '\x1f' +
                  cause_text(cause));
}

}  // namespace wsc::bus
