// One connection WsServer accepted: HTTP until it upgrades, then the lws
// side of a Session. Owned by WsServer through the lws per-connection slot;
// used on the lws thread only.
#pragma once

#include <memory>

#include "net/HttpExchange.hpp"

struct lws;

namespace wsc {

class Session;

struct Peer {
    lws* wsi = nullptr;
    std::unique_ptr<HttpExchange> http;                                // null once upgraded
    HttpExchange::Phase timeout_phase = HttpExchange::Phase::Closing;  // none applied yet
    Session* session = nullptr;                                        // owned by the SessionTable
    // What its deadline (if any) is for.
    enum class Timer { Http, Partial, Retire, Close } timer = Timer::Http;
};

}  // namespace wsc
