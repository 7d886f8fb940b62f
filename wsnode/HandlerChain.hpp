// The handlers and upgrade middleware registered on one node, and how each
// event runs through them: in registration order, with a handler's failure
// contained to its connection.
//
// Pure (no sockets), so the ordering and failure rules are unit tested; the
// WsServer calls it on the lws thread.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "wsnode/Handlers.hpp"

namespace wsc {

class HandlerChain {
  public:
    // What the message and open chains tell the caller.
    struct Outcome {
        bool handled = false;  // a message handler returned true: do not publish it
        bool failed = false;   // a handler threw (logged): close the connection with 1011
    };

    // Throw std::invalid_argument for an empty function.
    void add_open(OpenHandler handler);
    void add_message(MessageHandler handler);
    void add_close(CloseHandler handler);
    void add_middleware(UpgradeMiddleware middleware);

    Outcome open(Context& context, const Connection& conn) const;
    Outcome message(Context& context, const Connection& conn, std::string_view data,
                    bool binary) const;
    // Runs every close handler; a failure is logged and the next one runs.
    void close(Context& context, const Connection& conn) const;
    // The first refusal: std::nullopt to accept. A middleware that throws or
    // answers a status outside 400..599 refuses with 500 (and is logged).
    std::optional<int> upgrade(const UpgradeRequest& request) const;

    bool has_middleware() const { return !middleware_.empty(); }

  private:
    std::vector<OpenHandler> open_;
    std::vector<MessageHandler> message_;
    std::vector<CloseHandler> close_;
    std::vector<UpgradeMiddleware> middleware_;
};

// The built-in message handler: the text "ping" gets
// {"cmd":"pong","_id":"<id>"} and goes no further (SPEC §5). Node registers
// it first, before any handler of the embedding program.
MessageHandler ping_pong_handler();

}  // namespace wsc
