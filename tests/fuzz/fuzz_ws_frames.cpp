// Fuzz target: the bytes a WebSocket client sends to a node. The first byte
// picks how the input is cut into reads and the message limit; the parser must
// never crash, never hold more than the limit, and stop for good after an
// error or a close.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "wsnode/WsFrameParser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = 1 + (data[0] & 0x1F);
    const std::size_t limit = (data[0] & 0x80) ? 64 : 64 * 1024;
    ++data;
    --size;
    wsc::WsFrameParser parser(limit);
    bool finished = false;
    for (std::size_t at = 0; at < size; at += chunk) {
        const std::size_t n = size - at < chunk ? size - at : chunk;
        parser.feed(reinterpret_cast<const char*>(data + at), n);
        while (auto event = parser.next()) {
            if (finished) std::abort();  // nothing after a close or an error
            if (event->kind == wsc::WsEvent::Kind::Message && event->data.size() > limit)
                std::abort();
            if (event->kind == wsc::WsEvent::Kind::Close ||
                event->kind == wsc::WsEvent::Kind::Error)
                finished = true;
        }
        if (parser.partial_bytes() > limit) std::abort();
        if (parser.buffered_bytes() > 14) std::abort();
    }
    return 0;
}
