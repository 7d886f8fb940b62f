// What a program embedding a node hooks into: handlers for a client's open,
// message and close (the seed's event handling), and upgrade middleware that
// may refuse a WebSocket upgrade (the seed's middleware, e.g. custom auth).
//
// Threading: every handler and middleware runs on the node's lws thread, the
// thread that owns the connection index, so a handler calls events through
// its Context synchronously and without locks. A handler must therefore not
// block: it delays every client of the node while it runs. (Close handlers
// of clients still open when stop() stops waiting for them run on the
// thread calling stop(), after the lws thread has ended.)
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace wsc {

class CommandExecutor;
class ConnectionIndex;
class Transport;

// One client connection as a handler sees it; valid during the call only.
class Connection {
  public:
    // Made by the node. `fallback_user`/`fallback_query` (may be null)
    // describe the connection once an event (closeBy_Id, closeById) has
    // removed it from the index while it still delivers its last frames;
    // they are read at each call, so a handler that closes its own
    // connection still sees what it had.
    Connection(const std::string& id, const ConnectionIndex& index,
               const std::optional<std::string>* fallback_user = nullptr,
               const std::optional<nlohmann::json>* fallback_query = nullptr);

    // The connection id (_id, 32 lowercase hex).
    const std::string& id() const { return id_; }
    // The user id bound now: a handler that calls bindId sees it at once.
    std::optional<std::string> user() const;
    // The query parameters of the upgrade URL (PHP-style brackets parsed,
    // "token" removed), as get_IdData returns them.
    const nlohmann::json& query() const;

  private:
    const std::string& id_;
    const ConnectionIndex& index_;
    const std::optional<std::string>* fallback_user_;
    const std::optional<nlohmann::json>* fallback_query_;
};

// Raised by Context::call for an event it cannot run: the message names the
// event and the parameter, as the HTTP API's validation does.
struct EventError : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// The node as a handler reaches it: every event of SPEC §4, run on this node.
class Context {
  public:
    Context(CommandExecutor& executor, Transport& transport, std::string node_id);

    // This node's id.
    const std::string& node_id() const { return node_id_; }

    // Runs one event on this node alone and returns this node's result (the
    // per-node result of SPEC §4: int, bool, sorted list, string or null, or
    // an object for get_IdData). `params` take the same forms as in the HTTP
    // API (numbers as ids, comma lists, an object msg is sent as its JSON
    // text). Group sends reach this node's members only: for a cluster-wide
    // send, call a registry's API. Throws EventError for an unknown event,
    // a registry event (route) or a missing or mistyped parameter.
    nlohmann::json call(std::string_view event,
                        const nlohmann::json& params = nlohmann::json::object());

    // Queues one text frame (which must be valid UTF-8) for a connection of
    // this node, like sendMessageTo_Id without the JSON round trip. False if
    // the connection is not open here or its send queue is over the cap.
    bool send(const std::string& conn_id, std::string text);
    // closeBy_Id: starts closing the connection (code 1000). False if unknown.
    bool close(const std::string& conn_id);

  private:
    CommandExecutor& executor_;
    Transport& transport_;
    std::string node_id_;
};

// A WebSocket upgrade request as middleware sees it.
class UpgradeRequest {
  public:
    virtual ~UpgradeRequest() = default;
    // The request path without the query, e.g. "/chat".
    virtual const std::string& path() const = 0;
    // The query parameters, PHP-style brackets parsed; "token" included.
    virtual const nlohmann::json& query() const = 0;
    // A request header's value ("" when absent); the name is matched
    // without regard to case ("X-Api-Key" or "x-api-key").
    virtual std::string header(std::string_view name) const = 0;
    // The client's address as text (e.g. "127.0.0.1").
    virtual std::string peer_address() const = 0;
};

// Handlers run in registration order. An exception escaping one is logged,
// the rest of that chain is skipped and the connection is closed with 1011
// (a message no handler took before the failure is still published).
using OpenHandler = std::function<void(Context&, const Connection&)>;
// Returns true when it handled the message: the chain stops and the message
// is not published upstream. Otherwise the next handler runs, and a message
// no handler took is published upstream (with the bound id as it is after
// the handlers ran). `binary` data is raw bytes, text data is UTF-8.
using MessageHandler =
    std::function<bool(Context&, const Connection&, std::string_view data, bool binary)>;
// Runs once the client has gone: sends to it are dropped. The connection is
// still bound and in its groups (so a handler can tell them), unless an
// event closed it, which removes it at once; user() and query() still
// answer then.
using CloseHandler = std::function<void(Context&, const Connection&)>;
// Returns std::nullopt to let the upgrade go on, or the HTTP status (400 to
// 599, e.g. 401 or 403) to refuse it with. The first refusal wins. The
// built-in token check runs before any middleware.
using UpgradeMiddleware = std::function<std::optional<int>(const UpgradeRequest&)>;

}  // namespace wsc
