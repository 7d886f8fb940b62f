// The API events of wscenter: their names, parameters and where they run.
//
// One table shared by the HTTP API's validation, the CLI, the wsnode's
// executor and the documentation, so that an event exists in one place only.
#pragma once

#include <string_view>
#include <vector>

namespace wsc {

// How a parameter is normalised before it goes on the bus.
enum class ParamType {
    Text,      // string; a JSON number becomes its decimal text
    TextList,  // array of strings; a comma-separated string is split
    Message,   // string; a JSON object/array becomes its compact JSON text
};

struct ParamSpec {
    std::string_view name;
    ParamType type;
    bool required;
};

enum class EventScope {
    Node,          // runs on every live node, one result per node
    GroupsOfUser,  // cluster-wide two-phase send: gather groups, then send to them
    Registry,      // answered by the registry itself (e.g. route)
    Internal,      // bus-only helper, never accepted from the API
};

// Which nodes a Node event concerns, so that a registry asks only those.
enum class EventTarget {
    All,     // cluster-wide questions and broadcast: every node
    Conn,    // the node that owns the `_id` (its tag, bus/ConnIds.hpp)
    User,    // the nodes where the user `id` has a connection
    Group,   // the nodes where the group `groupId` has a member
    Groups,  // the nodes where any group of the list `groupIds` has a member
};

// What a node not concerned answers: the registry fills it in for the nodes
// it did not ask, so that every node still has its slot.
enum class ZeroValue {
    Count,  // 0
    False,  // false
    List,   // []
    Null,   // null
};

struct EventSpec {
    std::string_view name;
    EventScope scope;
    std::vector<ParamSpec> params;
    EventTarget target = EventTarget::All;
    ZeroValue zero = ZeroValue::Count;

    const ParamSpec* find_param(std::string_view param) const;
};

// Whether the event sends a message to clients (it has a `msg`): the
// events that take delivery receipts (`ack`).
bool is_send_event(const EventSpec& spec);

// Every event, in the order of the documentation.
const std::vector<EventSpec>& all_events();

// The event named `name`, or nullptr. Internal events are found too; callers
// that serve users must refuse EventScope::Internal.
const EventSpec* find_event(std::string_view name);

// The internal event a node runs for the second phase of
// sendMessageToGroupByOnlyId / sendMessageToGroupByOnly_Id:
// params {groupIds: [..], msg, exclude_Ids: [..]}.
inline constexpr std::string_view kSendToGroupsEvent = "sendToGroups";

}  // namespace wsc
