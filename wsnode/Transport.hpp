// How the command executor reaches real sockets.
//
// The node's libwebsockets layer implements it; unit tests use a fake that
// records what was sent. Keeping it abstract lets CommandExecutor stay pure.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_set>

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

    // Queue the frame for every open connection not in `excluded`; returns
    // how many were queued. The transport knows its connections itself: the
    // node walks its sessions without a lookup per connection, which was a
    // fifth of a large broadcast's cost.
    virtual std::size_t send_to_all(const Payload& text,
                                    const std::unordered_set<std::string>& excluded) = 0;

    // Start closing the connection. The executor removes it from the
    // ConnectionIndex right after, so an implementation need not do so.
    virtual void close(const std::string& conn_id) = 0;
};

}  // namespace wsc
