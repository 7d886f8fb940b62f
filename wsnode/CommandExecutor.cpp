// Runs one API event against a node's ConnectionIndex and Transport.
#include "wsnode/CommandExecutor.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "api/ApiRequest.hpp"
#include "api/Envelope.hpp"
#include "api/EventCatalog.hpp"

namespace wsc {

namespace {

using json = nlohmann::json;
using StringList = std::vector<std::string>;
using StringSet = std::unordered_set<std::string>;

// Raised by Args for a missing or mistyped parameter; run() turns it into the
// code-1 result. Never leaves this file.
struct BadParam {
    std::string name;
};

json error_result(std::string msg) {
    return {{"code", kCodeError}, {"msg", std::move(msg)}, {"data", json::array()}};
}

// Typed access to an event's params object. Bus input is checked again here
// because a bus client other than the HTTP API may have sent it.
class Args {
  public:
    explicit Args(const json& params) : params_(params) {}

    // A required string parameter.
    const std::string& text(const char* name) const {
        const json* value = find(name);
        if (value == nullptr || !value->is_string()) throw BadParam{name};
        return value->get_ref<const std::string&>();
    }

    // A list parameter: an array of strings or a comma-separated string.
    // An absent or null optional list is empty.
    StringList list(const char* name, bool required) const {
        const json* value = find(name);
        if (value == nullptr || value->is_null()) {
            if (required) throw BadParam{name};
            return {};
        }
        // A comma list ("g1,g2") is accepted wherever a list is expected, in
        // case a bus client did not split it.
        if (value->is_string()) return split_list(value->get_ref<const std::string&>());
        if (!value->is_array()) throw BadParam{name};
        StringList out;
        out.reserve(value->size());
        for (const auto& item : *value) {
            if (!item.is_string()) throw BadParam{name};
            out.push_back(item.get<std::string>());
        }
        return out;
    }

    StringSet optional_set(const char* name) const {
        StringList items = list(name, false);
        return StringSet(std::make_move_iterator(items.begin()),
                         std::make_move_iterator(items.end()));
    }

    // The message, wrapped once so that every recipient shares one buffer.
    Payload payload() const { return std::make_shared<const std::string>(text("msg")); }

  private:
    const json* find(const char* name) const {
        if (!params_.is_object()) return nullptr;
        auto it = params_.find(name);
        return it == params_.end() ? nullptr : &*it;
    }

    const json& params_;
};

// The node's side of one event: with a receipt wait, opted-in connections
// get `wrapped` and are awaited; all others get the message as it is.
struct Node {
    ConnectionIndex& index;
    Transport& transport;
    AckLedger* ledger = nullptr;
    std::optional<AckLedger::WaitId> wait;
    Payload wrapped;

    bool send(const std::string& conn, const Payload& raw) {
        if (!wait || !index.wants_acks(conn)) return transport.send(conn, raw);
        if (!transport.send(conn, wrapped)) return false;
        ledger->expect(*wait, conn);
        return true;
    }

    size_t send_to_all(const Payload& raw, const StringSet& excluded) {
        if (!wait || index.ack_conns().empty()) return transport.send_to_all(raw, excluded);
        StringSet skipped = excluded;
        skipped.insert(index.ack_conns().begin(), index.ack_conns().end());
        size_t sent = transport.send_to_all(raw, skipped);
        for (const auto& conn : index.ack_conns())
            if (excluded.count(conn) == 0 && send(conn, raw)) ++sent;
        return sent;
    }
};

// {"cmd":"msg","ack":"<token>","data":<msg>}: a message that is JSON text
// (an object or array) goes in as it is, any other as a JSON string. The key
// order is part of the client protocol: written as text.
Payload wrap_for_ack(const std::string& token, const std::string& msg) {
    const bool json_text =
        (!msg.empty() && (msg.front() == '{' || msg.front() == '[')) && json::accept(msg);
    const std::string data =
        json_text ? msg : json(msg).dump(-1, ' ', false, json::error_handler_t::replace);
    return std::make_shared<const std::string>(R"({"cmd":"msg","ack":")" + token + R"(","data":)" +
                                               data + "}");
}

// The ack time of a send event's params, in ms; 0 when none was asked.
long long ack_ms(const json& params) {
    if (!params.is_object()) return 0;
    const auto it = params.find("ack");
    if (it == params.end() || !it->is_number_integer()) return 0;
    return std::clamp<long long>(it->get<long long>(), 0, kMaxAckMs);
}

using Handler = json (*)(Node&, const Args&);

json count(size_t n) {
    return n;
}
json flag(bool ok) {
    return ok ? 1 : 0;
}

// Sends to every member of every group, each connection once even when it is
// in several groups, skipping `excluded`. Returns the connections queued to.
size_t send_to_groups(Node& node, const StringList& groups, const Payload& payload,
                      const StringSet& excluded) {
    std::unordered_set<std::string_view> seen;
    const bool dedupe = groups.size() > 1;
    size_t sent = 0;
    for (const auto& group : groups) {
        const auto* members = node.index.members(group);
        if (members == nullptr) continue;
        for (const auto& conn : *members) {
            if (excluded.count(conn) != 0) continue;
            if (dedupe && !seen.insert(conn).second) continue;
            if (node.send(conn, payload)) ++sent;
        }
    }
    return sent;
}

json send_to_id(Node& node, const Args& args) {
    const auto& user = args.text("id");
    const StringSet excluded = args.optional_set("exclude_Ids");
    const Payload payload = args.payload();
    size_t sent = 0;
    for (const auto& conn : node.index.conns_of(user))
        if (excluded.count(conn) == 0 && node.send(conn, payload)) ++sent;
    return count(sent);
}

json send_to_conn(Node& node, const Args& args) {
    const auto& conn = args.text("_id");
    const Payload payload = args.payload();
    return flag(node.index.has(conn) && node.send(conn, payload));
}

json send_to_group(Node& node, const Args& args) {
    const StringList groups{args.text("groupId")};
    StringSet excluded = args.optional_set("exclude_Ids");
    // Skipping a user means skipping each of its connections.
    for (const auto& user : args.list("excludeIds", false))
        for (auto& conn : node.index.conns_of(user)) excluded.insert(std::move(conn));
    return count(send_to_groups(node, groups, args.payload(), excluded));
}

json broadcast(Node& node, const Args& args) {
    const StringSet excluded = args.optional_set("exclude_Ids");
    return count(node.send_to_all(args.payload(), excluded));
}

json send_to_listed_groups(Node& node, const Args& args) {
    const StringList groups = args.list("groupIds", true);
    const StringSet excluded = args.optional_set("exclude_Ids");
    return count(send_to_groups(node, groups, args.payload(), excluded));
}

// Node-local form of the two-phase cluster send: this node's groups only.
json send_to_groups_of_user(Node& node, const Args& args) {
    const auto& user = args.text("id");
    const StringSet excluded = args.optional_set("exclude_Ids");
    const Payload payload = args.payload();
    return count(send_to_groups(node, node.index.groups_of_user(user), payload, excluded));
}

json send_to_groups_of_conn(Node& node, const Args& args) {
    const auto& conn = args.text("_id");
    const Payload payload = args.payload();
    return count(send_to_groups(node, node.index.groups_of_conn(conn), payload, {}));
}

// Applies `op(group, conn)` for every listed group and every connection of
// the user; returns how many calls returned true.
template <class Op>
size_t for_user_groups(Node& node, const Args& args, Op op) {
    const StringList groups = args.list("groupId", true);
    const StringList conns = node.index.conns_of(args.text("id"));
    size_t done = 0;
    for (const auto& group : groups)
        for (const auto& conn : conns)
            if (op(group, conn)) ++done;
    return done;
}

json join_user(Node& node, const Args& args) {
    return count(for_user_groups(node, args, [&](const std::string& g, const std::string& c) {
        return node.index.join(g, c);
    }));
}

json leave_user(Node& node, const Args& args) {
    return count(for_user_groups(node, args, [&](const std::string& g, const std::string& c) {
        return node.index.leave(g, c);
    }));
}

json leave_all_user(Node& node, const Args& args) {
    size_t left = 0;
    for (const auto& conn : node.index.conns_of(args.text("id")))
        left += node.index.leave_all(conn);
    return count(left);
}

json is_user_in_group(Node& node, const Args& args) {
    const auto& group = args.text("groupId");
    for (const auto& conn : node.index.conns_of(args.text("id")))
        if (node.index.in_group(group, conn)) return true;
    return false;
}

bool close_conn(Node& node, const std::string& conn) {
    if (!node.index.has(conn)) return false;
    node.transport.close(conn);
    node.index.remove(conn);
    return true;
}

json close_user(Node& node, const Args& args) {
    size_t closed = 0;
    for (const auto& conn : node.index.conns_of(args.text("id")))
        if (close_conn(node, conn)) ++closed;
    return count(closed);
}

const std::unordered_map<std::string_view, Handler>& handlers() {
    static const std::unordered_map<std::string_view, Handler> table = {
        {"getConnectionCount",
         [](Node& n, const Args&) { return count(n.index.connection_count()); }},
        {"getIds", [](Node& n, const Args&) { return json(n.index.user_ids()); }},
        {"get_Ids", [](Node& n, const Args&) { return json(n.index.conn_ids()); }},
        {"isOnlineId",
         [](Node& n, const Args& a) { return json(n.index.is_user_online(a.text("id"))); }},
        {"isOnline_Id", [](Node& n, const Args& a) { return json(n.index.has(a.text("_id"))); }},
        {"bindId",
         [](Node& n, const Args& a) { return flag(n.index.bind(a.text("id"), a.text("_id"))); }},
        {"unBindId",
         [](Node& n, const Args& a) { return count(n.index.unbind_user(a.text("id"))); }},
        {"unBind_Id",
         [](Node& n, const Args& a) { return flag(n.index.unbind_conn(a.text("_id"))); }},
        {"getGroupIds", [](Node& n, const Args&) { return json(n.index.group_ids()); }},
        {"joinGroupById", join_user},
        {"joinGroupBy_Id",
         [](Node& n, const Args& a) {
             return flag(n.index.join(a.text("groupId"), a.text("_id")));
         }},
        {"leaveGroupById", leave_user},
        {"leaveGroupBy_Id",
         [](Node& n, const Args& a) {
             return flag(n.index.leave(a.text("groupId"), a.text("_id")));
         }},
        {"leaveAllGroupById", leave_all_user},
        {"leaveAllGroupBy_Id",
         [](Node& n, const Args& a) { return count(n.index.leave_all(a.text("_id"))); }},
        {"getGroupIdsById",
         [](Node& n, const Args& a) { return json(n.index.groups_of_user(a.text("id"))); }},
        {"getGroupIdsBy_Id",
         [](Node& n, const Args& a) { return json(n.index.groups_of_conn(a.text("_id"))); }},
        {"isInGroupById", is_user_in_group},
        {"isInGroupBy_Id",
         [](Node& n, const Args& a) {
             return json(n.index.in_group(a.text("groupId"), a.text("_id")));
         }},
        {"getGroupIdCount",
         [](Node& n, const Args& a) { return count(n.index.group_user_count(a.text("groupId"))); }},
        {"getGroup_IdCount",
         [](Node& n, const Args& a) { return count(n.index.group_conn_count(a.text("groupId"))); }},
        {"sendMessageToId", send_to_id},
        {"sendMessageTo_Id", send_to_conn},
        {"sendToGroup", send_to_group},
        {"broadcast", broadcast},
        {"sendMessageToGroupByOnlyId", send_to_groups_of_user},
        {"sendMessageToGroupByOnly_Id", send_to_groups_of_conn},
        {"getIdBy_Id",
         [](Node& n, const Args& a) {
             const auto user = n.index.user_of(a.text("_id"));
             return user ? json(*user) : json(nullptr);
         }},
        {"get_IdsById",
         [](Node& n, const Args& a) { return json(n.index.conns_of(a.text("id"))); }},
        {"get_IdData",
         [](Node& n, const Args& a) {
             const json* query = n.index.query_data(a.text("_id"));
             return query ? *query : json(nullptr);
         }},
        {"closeBy_Id", [](Node& n, const Args& a) { return flag(close_conn(n, a.text("_id"))); }},
        {"closeById", close_user},
        {kSendToGroupsEvent, send_to_listed_groups},
    };
    return table;
}

}  // namespace

CommandExecutor::CommandExecutor(ConnectionIndex& index, Transport& transport, AckLedger* acks)
    : index_(index), transport_(transport), acks_(acks) {}

json CommandExecutor::run(std::string_view event, const json& params) {
    return run(event, params, nullptr);
}

json CommandExecutor::run(std::string_view event, const json& params,
                          std::optional<AckLedger::WaitId>* wait) {
    const auto& table = handlers();
    const auto it = table.find(event);
    if (it == table.end()) return error_result("unknown event '" + std::string(event) + "'");
    try {
        Node node{index_, transport_, nullptr, std::nullopt, nullptr};
        const long long ack = ack_ms(params);
        const EventSpec* spec = find_event(event);
        if (acks_ && wait && ack > 0 && spec && is_send_event(*spec)) {
            const Args args(params);
            const std::string& msg = args.text("msg");
            node.ledger = acks_;
            node.wait = acks_->open(AckLedger::Clock::now() + std::chrono::milliseconds(ack));
            node.wrapped = wrap_for_ack(acks_->token(*node.wait), msg);
            *wait = node.wait;
        }
        json result = it->second(node, Args(params));
        // Filled in with the acks when the wait is over.
        if (node.wait && result.is_number())
            return json{{"sent", std::move(result)}, {"acked", 0}, {"_ids", json::array()}};
        return result;
    } catch (const BadParam& bad) {
        return error_result(std::string(event) + ": missing parameter '" + bad.name + "'");
    } catch (const std::exception& e) {
        // Nothing here should throw but allocation; an error result beats
        // an exception crossing into the lws callback that called us.
        return error_result(std::string(event) + ": " + e.what());
    }
}

}  // namespace wsc
