// The libev watchers of the node's bus link (WsServer::BusWatch): one per
// registry socket, and a timer for the link's heartbeats and retries. Kept
// out of WsServer.hpp so that ev.h stays out of it.
#pragma once

#include <cstdint>
#include <vector>

#include <ev.h>

#include "wsnode/WsServer.hpp"

namespace wsc {

struct WsServer::BusWatch {
    std::vector<ev_io> sockets;
    ev_timer due{};
    std::uint64_t version = ~std::uint64_t{0};  // of the descriptors watched
};

}  // namespace wsc
