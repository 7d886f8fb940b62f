#include "api/EventCatalog.hpp"

namespace wsc {

namespace {

constexpr ParamSpec kId{"id", ParamType::Text, true};
constexpr ParamSpec kConnId{"_id", ParamType::Text, true};
constexpr ParamSpec kGroupId{"groupId", ParamType::Text, true};
// joinGroupById / leaveGroupById take a comma list of groups.
constexpr ParamSpec kGroupIds{"groupId", ParamType::TextList, true};
constexpr ParamSpec kMsg{"msg", ParamType::Message, true};
constexpr ParamSpec kExcludeConnIds{"exclude_Ids", ParamType::TextList, false};
constexpr ParamSpec kExcludeIds{"excludeIds", ParamType::TextList, false};

std::vector<EventSpec> build_catalog() {
    using S = EventScope;
    using T = EventTarget;
    using Z = ZeroValue;
    return {
        {"getConnectionCount", S::Node, {}},
        {"getIds", S::Node, {}, T::All, Z::List},
        {"get_Ids", S::Node, {}, T::All, Z::List},
        {"isOnlineId", S::Node, {kId}, T::User, Z::False},
        {"isOnline_Id", S::Node, {kConnId}, T::Conn, Z::False},
        {"bindId", S::Node, {kId, kConnId}, T::Conn},
        {"unBindId", S::Node, {kId}, T::User},
        {"unBind_Id", S::Node, {kConnId}, T::Conn},
        {"getGroupIds", S::Node, {}, T::All, Z::List},
        {"joinGroupById", S::Node, {kGroupIds, kId}, T::User},
        {"joinGroupBy_Id", S::Node, {kGroupId, kConnId}, T::Conn},
        {"leaveGroupById", S::Node, {kGroupIds, kId}, T::User},
        {"leaveGroupBy_Id", S::Node, {kGroupId, kConnId}, T::Conn},
        {"leaveAllGroupById", S::Node, {kId}, T::User},
        {"leaveAllGroupBy_Id", S::Node, {kConnId}, T::Conn},
        {"getGroupIdsById", S::Node, {kId}, T::User, Z::List},
        {"getGroupIdsBy_Id", S::Node, {kConnId}, T::Conn, Z::List},
        {"isInGroupById", S::Node, {kGroupId, kId}, T::User, Z::False},
        {"isInGroupBy_Id", S::Node, {kGroupId, kConnId}, T::Conn, Z::False},
        {"getGroupIdCount", S::Node, {kGroupId}, T::Group},
        {"getGroup_IdCount", S::Node, {kGroupId}, T::Group},
        {"sendMessageToId", S::Node, {kId, kMsg, kExcludeConnIds}, T::User},
        {"sendMessageTo_Id", S::Node, {kConnId, kMsg}, T::Conn},
        {"sendToGroup", S::Node, {kGroupId, kMsg, kExcludeIds, kExcludeConnIds}, T::Group},
        {"broadcast", S::Node, {kMsg, kExcludeConnIds}},
        {"sendMessageToGroupByOnlyId", S::GroupsOfUser, {kId, kMsg, kExcludeConnIds}},
        {"sendMessageToGroupByOnly_Id", S::GroupsOfUser, {kConnId, kMsg}},
        {"getIdBy_Id", S::Node, {kConnId}, T::Conn, Z::Null},
        {"get_IdsById", S::Node, {kId}, T::User, Z::List},
        {"get_IdData", S::Node, {kConnId}, T::Conn, Z::Null},
        {"closeBy_Id", S::Node, {kConnId}, T::Conn},
        {"closeById", S::Node, {kId}, T::User},
        {"route", S::Registry, {kId}},
        {"nodes", S::Registry, {}},
        {"recentEvents", S::Registry, {{"since", ParamType::Text, false}}},
        {kSendToGroupsEvent,
         S::Internal,
         {{"groupIds", ParamType::TextList, true}, kMsg, kExcludeConnIds},
         T::Groups},
    };
}

}  // namespace

const ParamSpec* EventSpec::find_param(std::string_view param) const {
    for (const auto& p : params)
        if (p.name == param) return &p;
    return nullptr;
}

bool is_send_event(const EventSpec& spec) {
    return spec.find_param("msg") != nullptr;
}

const std::vector<EventSpec>& all_events() {
    static const std::vector<EventSpec> catalog = build_catalog();
    return catalog;
}

const EventSpec* find_event(std::string_view name) {
    for (const auto& e : all_events())
        if (e.name == name) return &e;
    return nullptr;
}

}  // namespace wsc
