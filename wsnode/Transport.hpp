// How the command executor reaches real sockets.
//
// The node's libwebsockets layer implements it; unit tests use a fake that
// records what was sent. Keeping it abstract lets CommandExecutor stay pure.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_set>

#include "wsnode/ConnectionIndex.hpp"

namespace wsc {

// One message buffer shared by all recipients, so a broadcast to N
// connections holds the text once instead of N times.
using Payload = std::shared_ptr<const std::string>;

class Transport {
  public:
    virtual ~Transport() = default;

    // Queue one text frame for the connection. False if it could not be
    // queued (connection closed or its send queue over the cap). Must not
    // change the ConnectionIndex: the executor may be iterating over it, so
    // a connection closed for being over the cap is removed later, from the
    // lws close callback.
    virtual bool send(const std::string& conn_id, const Payload& text) = 0;

    // Queue the frame for every connection in `index` not in `excluded`;
    // returns how many were queued. The default goes through send(); the
    // node overrides it to walk its sessions without a lookup per
    // connection, which was a fifth of a large broadcast's cost.
    virtual std::size_t send_to_all(const ConnectionIndex& index, const Payload& text,
                                    const std::unordered_set<std::string>& excluded) {
        std::size_t sent = 0;
        index.for_each_conn([&](const std::string& conn) {
            if ((excluded.empty() || excluded.count(conn) == 0) && send(conn, text)) ++sent;
        });
        return sent;
    }

    // Start closing the connection. The executor removes it from the
    // ConnectionIndex right after, so an implementation need not do so.
    virtual void close(const std::string& conn_id) = 0;
};

}  // namespace wsc
