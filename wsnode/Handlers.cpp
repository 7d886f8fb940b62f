// Connection and Context: what a handler sees of a client and of its node.
#include "wsnode/Handlers.hpp"

#include <memory>
#include <utility>

#include "api/ApiRequest.hpp"
#include "api/EventCatalog.hpp"
#include "wsnode/CommandExecutor.hpp"
#include "wsnode/ConnectionIndex.hpp"
#include "wsnode/Transport.hpp"

namespace wsc {

namespace {

const nlohmann::json& empty_object() {
    static const nlohmann::json kEmpty = nlohmann::json::object();
    return kEmpty;
}

}  // namespace

Connection::Connection(const std::string& id, const ConnectionIndex& index,
                       const std::optional<std::string>* fallback_user,
                       const std::optional<nlohmann::json>* fallback_query)
    : id_(id), index_(index), fallback_user_(fallback_user), fallback_query_(fallback_query) {}

std::optional<std::string> Connection::user() const {
    if (index_.has(id_)) return index_.user_of(id_);
    return fallback_user_ ? *fallback_user_ : std::nullopt;
}

const nlohmann::json& Connection::query() const {
    if (const nlohmann::json* query = index_.query_data(id_)) return *query;
    return fallback_query_ && *fallback_query_ ? **fallback_query_ : empty_object();
}

Context::Context(CommandExecutor& executor, Transport& transport, std::string node_id)
    : executor_(executor), transport_(transport), node_id_(std::move(node_id)) {}

nlohmann::json Context::call(std::string_view event, const nlohmann::json& params) {
    const EventSpec* spec = find_event(event);
    if (spec == nullptr || spec->scope == EventScope::Internal)
        throw EventError("unknown event '" + std::string(event) + "'");
    if (spec->scope == EventScope::Registry)
        throw EventError("event '" + std::string(event) + "' is answered by a registry");
    nlohmann::json normalised;
    if (auto error = normalise_event_params(*spec, params, normalised))
        throw EventError(std::move(*error));
    nlohmann::json result = executor_.run(event, normalised);
    // Normalised params never fail in the executor; if they did, say so.
    if (result.is_object() && spec->name != "get_IdData" && result.contains("code"))
        throw EventError(result.value("msg", std::string(event) + " failed"));
    return result;
}

bool Context::send(const std::string& conn_id, std::string text) {
    return transport_.send(conn_id, std::make_shared<const std::string>(std::move(text)));
}

bool Context::close(const std::string& conn_id) {
    return call("closeBy_Id", {{"_id", conn_id}}) == 1;
}

}  // namespace wsc
