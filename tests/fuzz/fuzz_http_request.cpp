// Fuzz target: the HTTP/1.1 request parsing of both public ports, which read
// whatever a peer sends — in pieces of any size, pipelined, then maybe an
// upgrade's first frames.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/HttpExchange.hpp"
#include "net/WsHandshake.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    // The first byte picks the size of the pieces the bytes arrive in.
    const std::size_t piece = size > 0 ? 1 + static_cast<unsigned char>(input[0]) % 64 : 1;
    if (size > 0) input.remove_prefix(1);
    wsc::HttpLimits limits;
    limits.max_body_bytes = 4096;
    limits.max_head_bytes = 1024;
    wsc::HttpExchange exchange(limits);
    std::size_t answered = 0;
    while (!input.empty() && !exchange.closing()) {
        exchange.feed(input.substr(0, piece));
        input.remove_prefix(std::min(piece, input.size()));
        for (;;) {
            const auto step = exchange.poll();
            if (step == wsc::HttpExchange::Step::Idle || step == wsc::HttpExchange::Step::Refused)
                break;
            if (step != wsc::HttpExchange::Step::Request) continue;
            const wsc::HttpRequest& request = exchange.request();
            // What the servers look at: the framing must hold what the limits say.
            if (request.body.size() > limits.max_body_bytes) std::abort();
            if (wsc::wants_websocket(request)) (void)wsc::check_upgrade(request, "wscenter");
            wsc::HttpResponse response;
            response.body = request.path;
            exchange.answer(response);
            ++answered;
        }
        exchange.consume(exchange.output().size());
    }
    (void)answered;
    return 0;
}
