// Bodies of the interest directory (bus/Messages.hpp): Directory,
// DirectoryWant, DirectoryAck.
#include <algorithm>

#include "bus/BodyReader.hpp"
#include "bus/Messages.hpp"

namespace wsc::bus {

namespace {

constexpr const char* kNode = "node";
constexpr const char* kBoot = "boot";
constexpr const char* kSeq = "seq";

void put_list(nlohmann::json& body, const char* key, const std::vector<std::string>& list) {
    if (!list.empty()) body[key] = list;
}

}  // namespace

nlohmann::json Directory::to_json() const {
    nlohmann::json body{{kNode, node}, {kBoot, boot}, {kSeq, seq}};
    if (snap != 0) body["snap"] = snap;
    put_list(body, "users_add", users_add);
    put_list(body, "users_del", users_del);
    put_list(body, "groups_add", groups_add);
    put_list(body, "groups_del", groups_del);
    put_list(body, "conns_add", conns_add);
    put_list(body, "conns_user", conns_user);
    put_list(body, "conns_del", conns_del);
    if (!ack.empty()) body["ack"] = ack;
    return body;
}

Directory Directory::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "Directory");
    Directory d;
    d.node = r.hex_id(kNode);
    d.boot = r.u64(kBoot);
    d.seq = r.u64(kSeq);
    d.snap = r.opt_u64("snap").value_or(0);
    d.users_add = r.opt_strings("users_add");
    d.users_del = r.opt_strings("users_del");
    d.groups_add = r.opt_strings("groups_add");
    d.groups_del = r.opt_strings("groups_del");
    d.conns_add = r.opt_strings("conns_add");
    d.conns_user = r.opt_strings("conns_user");
    d.conns_del = r.opt_strings("conns_del");
    // Paired by index: a connection without its user id is not taken.
    const std::size_t pairs = std::min(d.conns_add.size(), d.conns_user.size());
    d.conns_add.resize(pairs);
    d.conns_user.resize(pairs);
    d.ack = r.opt_hex_id("ack");
    return d;
}

nlohmann::json DirectoryWant::to_json() const {
    return {{kNode, node}, {"origin", origin}, {kSeq, seq}};
}

DirectoryWant DirectoryWant::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "DirectoryWant");
    return DirectoryWant{r.hex_id(kNode), r.hex_id("origin"), r.u64(kSeq)};
}

nlohmann::json DirectoryAck::to_json() const {
    return {{"registry", registry}, {kNode, node}, {kBoot, boot}, {kSeq, seq}};
}

DirectoryAck DirectoryAck::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "DirectoryAck");
    return DirectoryAck{r.hex_id("registry"), r.hex_id(kNode), r.u64(kBoot), r.u64(kSeq)};
}

}  // namespace wsc::bus
