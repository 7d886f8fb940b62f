#include "tests/integration/SoakPresence.hpp"

#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kProbeUser = "presence-probe-";
// Users whose last event was offline are many (every churn client): a
// sample of them is asked, each one call.
constexpr std::size_t kOfflineSample = 50;

bool online_anywhere(std::uint16_t http_port, const std::string& user) {
    const json r =
        api_post(http_port, "", {{"event", "isOnlineId"}, {"isOnlineId", {{"id", user}}}});
    if (r.value("code", -1) != 0) throw std::runtime_error("isOnlineId failed: " + r.dump());
    for (const auto& [node, online] : r["data"]["isOnlineId"].items())
        if (online == true) return true;
    return false;
}

}  // namespace

void SoakPresence::start(const RegistryProc& registry, std::uint16_t probe_port) {
    subscriber_ = std::make_unique<ChildProcess>(
        WSC_CLI_BIN, std::vector<std::string>{"--registry", registry.bus_endpoint(), "subscribe",
                                              "--event", "online,offline"});
    probe_ = std::make_unique<WsClient>();
    if (probe_->connect(probe_port, "/") != 101) throw std::runtime_error("probe not connected");
    const auto first = probe_->recv();
    if (!first) throw std::runtime_error("probe got no open message");
    const std::string id = json::parse(*first).at("_id").get<std::string>();
    // Until the subscription is in place events pass it by: the probe
    // connection is bound to a new probe user until one shows up.
    int attempt = 0;
    const bool seen = wait_until(
        [&] {
            for (const auto& e : subscriber_events(*subscriber_))
                if (e.value("id", "").rfind(kProbeUser, 0) == 0) return true;
            const std::string user = kProbeUser + std::to_string(attempt++);
            api_post(registry.http_port, "",
                     {{"event", "bindId"}, {"bindId", {{"id", user}, {"_id", id}}}});
            return false;
        },
        10s);
    if (!seen) throw std::runtime_error("the presence subscriber saw no event");
}

SoakPresence::Report SoakPresence::check(std::uint16_t http_port) {
    Report report;
    std::set<std::string> eids;
    std::map<std::string, std::vector<std::string>> by_user;
    std::map<std::string, std::string> lines;  // each user's events, as they came
    for (const auto& e : subscriber_events(*subscriber_)) {
        const std::string kind = e.value("event", "");
        if (kind != "online" && kind != "offline") continue;
        ++report.events;
        if (!eids.insert(e.value("eid", "")).second) {
            ++report.repeats;
            continue;
        }
        const std::string user = e.value("id", "");
        if (user.rfind(kProbeUser, 0) == 0) continue;  // bound before the subscription took
        by_user[user].push_back(kind);
        lines[user] += "\n    " + e.dump();
    }
    report.users = by_user.size();
    std::size_t offline_asked = 0;
    for (const auto& [user, kinds] : by_user) {
        for (std::size_t i = 0; i < kinds.size(); ++i) {
            const char* expected = i % 2 == 0 ? "online" : "offline";
            if (kinds[i] != expected) {
                std::string seq;
                for (const auto& k : kinds) seq += k + " ";
                report.problems.push_back("user " + user + ": events do not alternate: " + seq +
                                          lines[user]);
                break;
            }
        }
        const bool last_online = kinds.back() == "online";
        if (!last_online && offline_asked >= kOfflineSample) continue;
        if (!last_online) ++offline_asked;
        ++report.checked;
        if (online_anywhere(http_port, user) != last_online)
            report.problems.push_back("user " + user + ": last event " + kinds.back() +
                                      " but the cluster says the opposite");
    }
    return report;
}

void SoakPresence::stop() {
    if (probe_) probe_->close();
    if (subscriber_) subscriber_->stop();
}

}  // namespace wsc::test
