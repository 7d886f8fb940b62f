// The lws side of our own HTTP handling: lws accepts connections and moves
// bytes as raw sockets; HttpExchange (and, on a node, the WebSocket code)
// does all the parsing. lws's own HTTP server is not used, because it
// mishandles pipelined requests and request bodies on hostile input.
//
// lws thread only.
#pragma once

#include <libwebsockets.h>

#include <cstddef>
#include <string>

#include "net/HttpExchange.hpp"

namespace wsc {

// A raw protocol's tx_packet_size. Unset, lws sends at most its 4 KiB
// service buffer per write and copies the rest aside for later writable
// callbacks; with this, a write goes to the kernel (or to OpenSSL) whole.
inline constexpr std::size_t kWholeWriteBytes = 1u << 30;

// Makes the vhost described by `info` hand every accepted connection to the
// protocol named `protocol` as a raw socket (LWS_CALLBACK_RAW_*).
void accept_raw(lws_context_creation_info& info, const char* protocol);

// Writes `bytes` to a raw connection (lws keeps what the socket did not take
// and sends it before the next writable callback). False when it failed.
bool write_raw(lws* wsi, const std::string& bytes);

// Writes what `exchange` holds for the client, from a writable callback,
// and returns what that callback returns (-1: end the connection). Once
// answers have left, `resume()` serves the pipelined requests held back.
template <class Resume>
int write_answers(lws* wsi, HttpExchange& exchange, Resume&& resume) {
    if (exchange.output().empty()) return exchange.closing() ? -1 : 0;
    if (!write_raw(wsi, exchange.output())) return -1;
    exchange.consume(exchange.output().size());
    // lws sends what the socket did not take before the next writable
    // callback, so a close waits for that callback.
    if (exchange.closing()) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    return resume();
}

// Sets the connection's timeout for the exchange's phase when the phase
// changed since `applied` (a timeout is set once per phase, so a client
// trickling bytes cannot keep extending it).
void apply_phase_timeout(lws* wsi, const HttpExchange& exchange, HttpExchange::Phase& applied,
                         const HttpTimeouts& timeouts);

// The peer's address as text ("" when unknown).
std::string peer_address(lws* wsi);

}  // namespace wsc
