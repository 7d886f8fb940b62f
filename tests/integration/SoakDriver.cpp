#include "tests/integration/SoakDriver.hpp"

#include <chrono>
#include <thread>

#include "tests/integration/Cluster.hpp"

namespace wsc::test {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kCallTimeoutMs = 1000;  // timeout= of every call
constexpr auto kCallPause = 5ms;      // between calls of one lane: leave CPU to the rest
constexpr auto kDownPause = 50ms;     // no registry to call: wait
constexpr int kSendKinds = 8;
constexpr std::size_t kViolationsShown = 12;
const std::vector<std::string> kUids = {"su0", "su1", "su2"};
const std::vector<std::string> kGroups = {"g0", "g1"};
const std::string kFlipUid = "uflip";

// The result of `event` on `node` in an envelope, kAbsent when there is
// none (no user id of the soak is "absent").
const json kAbsent = "absent";
json slot_of(const json& env, const std::string& event, const std::string& node) {
    const auto data = env.find("data");
    if (data == env.end() || !data->is_object()) return kAbsent;
    const auto results = data->find(event);
    if (results == data->end() || !results->is_object()) return kAbsent;
    const auto v = results->find(node);
    return v == results->end() ? kAbsent : *v;
}

std::vector<std::size_t> stable_where(bool (*keep)(const StableSpec&, const std::string&),
                                      const std::string& arg) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < stable_layout().size(); ++i)
        if (keep(stable_layout()[i], arg)) out.push_back(i);
    return out;
}

std::vector<std::size_t> with_uid(const std::string& uid) {
    return stable_where([](const StableSpec& s, const std::string& u) { return s.uid == u; }, uid);
}

std::vector<std::size_t> in_group(const std::string& g) {
    return stable_where(
        [](const StableSpec& s, const std::string& group) {
            for (const auto& mg : s.groups)
                if (mg == group) return true;
            return false;
        },
        g);
}

std::vector<std::size_t> everyone() {
    return stable_where([](const StableSpec&, const std::string&) { return true; }, "");
}

// How many of `members` each stable node holds.
std::vector<std::size_t> per_node(const std::vector<std::size_t>& members) {
    std::vector<std::size_t> out(kStableNodes, 0);
    for (auto i : members) ++out[stable_layout()[i].node];
    return out;
}

}  // namespace

const std::vector<StableSpec>& stable_layout() {
    static const std::vector<StableSpec> layout = {
        {0, "su0", {"g0", "g1"}}, {0, "su1", {"g0"}}, {0, "", {"g1"}},
        {1, "su0", {"g0"}},       {1, "su2", {"g1"}}, {1, "", {"g1"}},  // the flip client
    };
    return layout;
}

SoakDriver::SoakDriver(const SoakCluster& cluster, SoakLedger& ledger,
                       std::vector<std::string> conn_ids, std::vector<std::string> node_ids)
    : cluster_(cluster),
      ledger_(ledger),
      conn_ids_(std::move(conn_ids)),
      node_ids_(std::move(node_ids)) {}

void SoakDriver::run_lane(int lane, const std::atomic<bool>& stop) {
    std::uint64_t seq = 0;
    std::mt19937 rng(static_cast<unsigned>(lane));
    for (std::uint64_t k = 0; !stop; ++k) {
        const std::uint16_t port = lane_port(lane, rng);
        if (port == 0) {
            std::this_thread::sleep_for(kDownPause);
            continue;
        }
        try {
            step(port, lane, k, seq);
        } catch (const std::exception&) {
            ++calls_failed_;  // the registry went down under the call
        }
        std::this_thread::sleep_for(kCallPause);
    }
}

std::uint16_t SoakDriver::lane_port(int lane, std::mt19937& rng) const {
    if (lane == 0) return cluster_.http(SoakCluster::kSafeRegistry);
    const std::uint16_t a = cluster_.http(0);
    const std::uint16_t b = cluster_.http(1);
    if (a == 0 || b == 0) return a ? a : b;
    return rng() % 2 ? a : b;
}

json SoakDriver::call(std::uint16_t port, const json& body) {
    return api_post(port, "timeout=" + std::to_string(kCallTimeoutMs), body);
}

// Sends `msg` with `event`; returns the envelope, or null when refused.
json SoakDriver::send(std::uint16_t port, const std::string& event, json params,
                      const std::string& msg) {
    params["msg"] = msg;
    ledger_.attempted(msg);
    json env = call(port, {{"event", event}, {event, std::move(params)}});
    if (env.value("code", -1) != 0) {
        ++calls_refused_;
        return nullptr;
    }
    ++calls_ok_;
    for (const auto& node : env.value("master_ids", json::array()))
        if (node.is_string() && slot_of(env, event, node.get<std::string>()).is_object())
            ++timeout_slots_;
    return env;
}

// A node that ran the send (an integer slot) sent it to every stable member
// it holds: they are open and their bindings and groups never change. So an
// integer slot is a promise to them, and a count below the number of members
// means the node lost state.
void SoakDriver::promise_members(const std::string& msg, const json& env, const std::string& event,
                                 const std::vector<std::size_t>& members) {
    if (env.is_null()) return;
    const auto held = per_node(members);
    std::vector<std::string> promised;
    for (std::size_t n = 0; n < kStableNodes; ++n) {
        if (held[n] == 0) continue;
        const json v = slot_of(env, event, node_ids_[n]);
        if (!v.is_number_integer()) continue;  // timed out, or not routed
        if (v.get<std::int64_t>() < static_cast<std::int64_t>(held[n]))
            violation("'" + msg + "': N" + std::to_string(n) + " sent to " + v.dump() +
                      ", it holds " + std::to_string(held[n]) + " of the targets");
        for (auto i : members)
            if (stable_layout()[i].node == n) promised.push_back(conn_ids_[i]);
    }
    ledger_.promised(msg, promised);
}

void SoakDriver::step(std::uint16_t port, int lane, std::uint64_t k, std::uint64_t& seq) {
    const auto pick = static_cast<std::size_t>(k / kSendKinds);
    const auto next = [&](const char* event) { return SoakLedger::message(lane, seq++, event); };
    switch (k % kSendKinds) {
        case 0: {
            const auto i = pick % conn_ids_.size();
            const auto msg = next("sendMessageTo_Id");
            const auto env = send(port, "sendMessageTo_Id", {{"_id", conn_ids_[i]}}, msg);
            promise_members(msg, env, "sendMessageTo_Id", {i});
            return;
        }
        case 1: {
            const auto& uid = kUids[pick % kUids.size()];
            const auto msg = next("sendMessageToId");
            const auto env = send(port, "sendMessageToId", {{"id", uid}}, msg);
            promise_members(msg, env, "sendMessageToId", with_uid(uid));
            return;
        }
        case 2: {
            const auto& g = kGroups[pick % kGroups.size()];
            const auto msg = next("sendToGroup");
            const auto env = send(port, "sendToGroup", {{"groupId", g}}, msg);
            promise_members(msg, env, "sendToGroup", in_group(g));
            return;
        }
        case 3: {
            const auto msg = next("broadcast");
            const auto env = send(port, "broadcast", json::object(), msg);
            promise_members(msg, env, "broadcast", everyone());
            return;
        }
        case 4:
            // Two rounds: a node missing from the first one drops its groups
            // from the second, so an integer slot promises nothing here.
            // Only "never twice" applies.
            send(port, "sendMessageToGroupByOnlyId", {{"id", kUids[0]}},
                 next("sendMessageToGroupByOnlyId"));
            return;
        case 5:
            flip(port, pick, next("sendMessageToId"));
            return;
        case 6:
            churn(port, lane, pick, next("sendToGroup"));
            return;
        default:
            probe(port, pick % conn_ids_.size());
            return;
    }
}

// Binds or unbinds "uflip" on the flip client, then sends to it: only a
// count of 1 on its node is a promise (both lanes flip it, concurrently).
void SoakDriver::flip(std::uint16_t port, std::size_t pick, const std::string& msg) {
    const auto& id = conn_ids_[kFlipClient];
    if (pick % 2 == 0)
        call(port, {{"event", "bindId"}, {"bindId", {{"id", kFlipUid}, {"_id", id}}}});
    else
        call(port, {{"event", "unBindId"}, {"unBindId", {{"id", kFlipUid}}}});
    const json env = send(port, "sendMessageToId", {{"id", kFlipUid}}, msg);
    if (env.is_null()) return;
    const json v = slot_of(env, "sendMessageToId", node_ids_[stable_layout()[kFlipClient].node]);
    if (v == json(1)) ledger_.promised(msg, {id});
    if (v.is_number_integer() && v.get<std::int64_t>() > 1)
        violation("'" + msg + "': " + kFlipUid + " counted " + v.dump());
}

// Routing churn: a stable client joins a group of its own through one
// registry, a send to the group goes through another at once, then the
// client leaves. The join returned before the send started, so the node
// holding the client must have been asked and have sent it: anything but 1
// on that node (when it answered at all) is a routing miss.
void SoakDriver::churn(std::uint16_t port, int lane, std::size_t pick, const std::string& msg) {
    const auto i = pick % conn_ids_.size();
    const auto& id = conn_ids_[i];
    const std::string group = "churn-" + std::to_string(lane) + "-" + std::to_string(pick);
    const json joined = call(
        port, {{"event", "joinGroupBy_Id"}, {"joinGroupBy_Id", {{"groupId", group}, {"_id", id}}}});
    const std::string& node = node_ids_[stable_layout()[i].node];
    if (slot_of(joined, "joinGroupBy_Id", node) != json(1)) {
        ++calls_refused_;  // the registry went down, or the call timed out
        return;
    }
    std::uint16_t other = port;
    for (std::size_t r = 0; r < 3 && other == port; ++r)
        if (cluster_.http(r) != 0) other = cluster_.http(r);
    const json env = send(other, "sendToGroup", {{"groupId", group}}, msg);
    if (!env.is_null()) {
        const json v = slot_of(env, "sendToGroup", node);
        if (v == json(1))
            ledger_.promised(msg, {id});
        else if (v.is_number_integer())
            violation("'" + msg + "': joined " + group + " then sent: N" +
                      std::to_string(stable_layout()[i].node) + " counted " + v.dump());
    }
    call(port,
         {{"event", "leaveGroupBy_Id"}, {"leaveGroupBy_Id", {{"groupId", group}, {"_id", id}}}});
}

// State questions about stable client i: every stable node that answers
// must still hold its connections, and know client i, its user and groups.
void SoakDriver::probe(std::uint16_t port, std::size_t i) {
    const auto& spec = stable_layout()[i];
    const auto& g = spec.groups.front();
    const json env =
        call(port, {{"event", "getConnectionCount,isOnline_Id,getIdBy_Id,getGroup_IdCount"},
                    {"isOnline_Id", {{"_id", conn_ids_[i]}}},
                    {"getIdBy_Id", {{"_id", conn_ids_[i]}}},
                    {"getGroup_IdCount", {{"groupId", g}}}});
    if (env.value("code", -1) != 0) {
        ++calls_refused_;
        return;
    }
    ++calls_ok_;
    const auto held = per_node(everyone());
    const auto members = per_node(in_group(g));
    const std::string who = "stable client " + std::to_string(i);
    for (std::size_t n = 0; n < kStableNodes; ++n) {
        const auto& node = node_ids_[n];
        const std::string where = " on N" + std::to_string(n);
        const json count = slot_of(env, "getConnectionCount", node);
        if (count.is_number_integer() &&
            count.get<std::int64_t>() < static_cast<std::int64_t>(held[n]))
            violation("getConnectionCount" + where + " is " + count.dump());
        const json online = slot_of(env, "isOnline_Id", node);
        if (online.is_boolean() && online.get<bool>() != (spec.node == n))
            violation("isOnline_Id of " + who + where + " is " + online.dump());
        const json in_g = slot_of(env, "getGroup_IdCount", node);
        if (in_g.is_number_integer() &&
            in_g.get<std::int64_t>() < static_cast<std::int64_t>(members[n]))
            violation("getGroup_IdCount " + g + where + " is " + in_g.dump());
        // A timeout slot is an object, an absent node kAbsent: neither says anything.
        const json uid = slot_of(env, "getIdBy_Id", node);
        const json want = spec.uid.empty() ? json() : json(spec.uid);
        if (spec.node == n && i != kFlipClient && (uid.is_string() || uid.is_null()) &&
            uid != kAbsent && uid != want)
            violation("getIdBy_Id of " + who + " is " + uid.dump());
    }
}

void SoakDriver::violation(const std::string& what) {
    std::lock_guard lock(mutex_);
    ++violation_count_;
    if (violations_.size() < kViolationsShown) violations_.push_back(what);
}

std::size_t SoakDriver::violation_count() const {
    std::lock_guard lock(mutex_);
    return violation_count_;
}

std::vector<std::string> SoakDriver::violations() const {
    std::lock_guard lock(mutex_);
    return violations_;
}

}  // namespace wsc::test
