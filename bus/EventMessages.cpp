// Body of the Event command (bus/Messages.hpp): events the cluster makes.
#include "bus/BodyReader.hpp"
#include "bus/Messages.hpp"

namespace wsc::bus {

nlohmann::json ClusterEvent::to_json() const {
    nlohmann::json body{{"event", event}, {"eid", eid}, {"id", user}};
    if (!node.empty()) body["node"] = node;
    if (!conn.empty()) body["_id"] = conn;
    if (!reason.empty()) body["reason"] = reason;
    if (!root.empty()) body["root"] = root;
    return body;
}

ClusterEvent ClusterEvent::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "Event");
    ClusterEvent e;
    e.event = r.str("event");
    e.eid = r.event_id("eid", true);
    e.user = r.string_or_null("id");
    e.node = r.opt_hex_id("node");
    e.conn = r.opt_str("_id");
    e.reason = r.close_reason("reason");
    e.root = r.opt_hex_id("root");
    return e;
}

nlohmann::ordered_json ClusterEvent::event_line() const {
    nlohmann::ordered_json line{{"event", event}, {"id", user}};
    if (!node.empty()) line["node"] = node;
    if (!conn.empty()) line["_id"] = conn;
    if (!reason.empty()) line["reason"] = reason;
    line["eid"] = eid;
    return line;
}

}  // namespace wsc::bus
