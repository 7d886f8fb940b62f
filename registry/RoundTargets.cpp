#include "registry/RoundTargets.hpp"

#include "api/EventCatalog.hpp"
#include "bus/ConnIds.hpp"
#include "bus/Messages.hpp"

namespace wsc {

namespace {

std::string text_param(const nlohmann::json& params, const char* key) {
    const auto it = params.find(key);
    return it != params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> list_param(const nlohmann::json& params, const char* key) {
    std::vector<std::string> out;
    const auto it = params.find(key);
    if (it == params.end() || !it->is_array()) return out;
    for (const auto& item : *it)
        if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

// What one event targets, read from its params once per round rather than
// once per node.
struct EventKey {
    EventTarget target = EventTarget::All;
    std::string key;                  // Conn: the owner's tag (empty: none); User, Group: the id
    std::vector<std::string> groups;  // Groups: the ids of the list
};

EventKey event_key(const EventSpec& spec, const nlohmann::json& params) {
    EventKey out;
    out.target = spec.target;
    switch (spec.target) {
        case EventTarget::All:
            break;
        case EventTarget::Conn:
            out.key = bus::conn_tag(text_param(params, "_id"));
            break;
        case EventTarget::User:
            out.key = text_param(params, "id");
            break;
        case EventTarget::Group:
            out.key = text_param(params, "groupId");
            break;
        case EventTarget::Groups:
            out.groups = list_param(params, "groupIds");
            break;
    }
    return out;
}

// Whether `node` (with tag `tag`) is concerned by one event.
bool concerns(const EventKey& event, const std::string& node, const std::string& tag,
              const Directory& directory) {
    switch (event.target) {
        case EventTarget::All:
            return true;
        case EventTarget::Conn:
            return !event.key.empty() && event.key == tag;
        case EventTarget::User:
            return directory.may_hold_user(node, event.key);
        case EventTarget::Group:
            return directory.may_hold_group(node, event.key);
        case EventTarget::Groups:
            for (const auto& g : event.groups)
                if (directory.may_hold_group(node, g)) return true;
            return false;
    }
    return true;
}

}  // namespace

LiveNodes::LiveNodes(std::vector<std::string> node_ids) : ids(std::move(node_ids)) {
    tags.reserve(ids.size());
    for (const auto& id : ids) tags.push_back(bus::node_tag(id));
}

std::vector<std::string> round_targets(const nlohmann::json& events, const LiveNodes& live,
                                       const Directory& directory) {
    std::vector<EventKey> keys;
    for (const auto& event : events) {
        const EventSpec* spec = find_event(bus::event_name(event));
        // An event this registry does not know how to target goes everywhere.
        if (!spec || spec->target == EventTarget::All) return live.ids;
        keys.push_back(event_key(*spec, bus::event_params(event)));
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < live.ids.size(); ++i) {
        for (const auto& key : keys) {
            if (concerns(key, live.ids[i], live.tags[i], directory)) {
                out.push_back(live.ids[i]);
                break;
            }
        }
    }
    return out;
}

}  // namespace wsc
