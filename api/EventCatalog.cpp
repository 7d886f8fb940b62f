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
    return {
        {"getConnectionCount", S::Node, {}},
        {"getIds", S::Node, {}},
        {"get_Ids", S::Node, {}},
        {"isOnlineId", S::Node, {kId}},
        {"isOnline_Id", S::Node, {kConnId}},
        {"bindId", S::Node, {kId, kConnId}},
        {"unBindId", S::Node, {kId}},
        {"unBind_Id", S::Node, {kConnId}},
        {"getGroupIds", S::Node, {}},
        {"joinGroupById", S::Node, {kGroupIds, kId}},
        {"joinGroupBy_Id", S::Node, {kGroupId, kConnId}},
        {"leaveGroupById", S::Node, {kGroupIds, kId}},
        {"leaveGroupBy_Id", S::Node, {kGroupId, kConnId}},
        {"leaveAllGroupById", S::Node, {kId}},
        {"leaveAllGroupBy_Id", S::Node, {kConnId}},
        {"getGroupIdsById", S::Node, {kId}},
        {"getGroupIdsBy_Id", S::Node, {kConnId}},
        {"isInGroupById", S::Node, {kGroupId, kId}},
        {"isInGroupBy_Id", S::Node, {kGroupId, kConnId}},
        {"getGroupIdCount", S::Node, {kGroupId}},
        {"getGroup_IdCount", S::Node, {kGroupId}},
        {"sendMessageToId", S::Node, {kId, kMsg, kExcludeConnIds}},
        {"sendMessageTo_Id", S::Node, {kConnId, kMsg}},
        {"sendToGroup", S::Node, {kGroupId, kMsg, kExcludeIds, kExcludeConnIds}},
        {"broadcast", S::Node, {kMsg, kExcludeConnIds}},
        {"sendMessageToGroupByOnlyId", S::GroupsOfUser, {kId, kMsg, kExcludeConnIds}},
        {"sendMessageToGroupByOnly_Id", S::GroupsOfUser, {kConnId, kMsg}},
        {"getIdBy_Id", S::Node, {kConnId}},
        {"get_IdsById", S::Node, {kId}},
        {"get_IdData", S::Node, {kConnId}},
        {"closeBy_Id", S::Node, {kConnId}},
        {"closeById", S::Node, {kId}},
        {"route", S::Registry, {kId}},
        {"nodes", S::Registry, {}},
        {kSendToGroupsEvent,
         S::Internal,
         {{"groupIds", ParamType::TextList, true}, kMsg, kExcludeConnIds}},
    };
}

}  // namespace

const ParamSpec* EventSpec::find_param(std::string_view param) const {
    for (const auto& p : params)
        if (p.name == param) return &p;
    return nullptr;
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
