// Integration test of federation at a larger scale (SPEC §3) on real processes.
//
// Ten registries in a ring with two chords and twenty wsnodes (two per
// registry, two of them also on a second registry): every registry must list
// all twenty nodes, a batch call from any registry must get exactly one reply
// per node for every event, and a broadcast from any registry must reach each
// client once. Processes log at warn level only, to stay light.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationSupport.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kRegistries = 10;
constexpr std::size_t kNodesPerRegistry = 2;
constexpr std::size_t kNodes = kRegistries * kNodesPerRegistry;
// Chords across the ring (from, to): shortcuts, and a second path everywhere.
const std::vector<std::pair<std::size_t, std::size_t>> kChords = {{5, 0}, {7, 2}};
// Nodes that also join a second registry (node, registry), far round the ring.
const std::vector<std::pair<std::size_t, std::size_t>> kSecondHomes = {{1, 5}, {7, 8}};
constexpr auto kSettle = 30s;
constexpr auto kReceive = 10s;
constexpr auto kQuietWindow = 400ms;
constexpr auto kQuickDrain = 20ms;
constexpr auto kWholeTest = 60s;
constexpr auto kRestartAttempts = 15s;  // the old bus port may stay busy briefly
// Cluster's 200 ms heartbeat × liveness 3, plus a margin for floods over
// several hops, HTTP polling and a slow shared machine.
constexpr auto kDeathBound = 600ms + 1400ms;
constexpr int kSwitchingProtocols = 101;
// A node id appears in master_ids and as a key of each of the two events.
constexpr std::size_t kIdMentionsPerBatch = 3;

const Flags kQuiet{{"log.level", "warn"}};

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

void report_timing(const std::string& what, long long ms) {
    std::cout << "[ timing   ] " << what << ": " << ms << " ms" << std::endl;
    ::testing::Test::RecordProperty(what, std::to_string(ms));
}

// Sum of the per-node results of one event, expecting one slot per node.
int sum_all(const json& env, const std::string& event) {
    EXPECT_EQ(env["data"][event].size(), kNodes) << env.dump();
    return sum_results(env, event);
}

class FederationScale : public ::testing::Test {
  protected:
    // The peers registry `i` dials: its ring predecessor, and any chord from it.
    std::vector<std::uint16_t> peers_of(std::size_t i) const {
        std::vector<std::uint16_t> peers;
        if (i > 0) peers.push_back(regs_[i - 1].bus_port);
        if (i == kRegistries - 1) peers.push_back(regs_[0].bus_port);  // closes the ring
        for (const auto& [from, to] : kChords)
            if (from == i) peers.push_back(regs_[to].bus_port);
        return peers;
    }

    void start_cluster() {
        const auto start = Clock::now();
        for (std::size_t i = 0; i < kRegistries; ++i)
            regs_.push_back(start_registry(peers_of(i), kQuiet));
        for (std::size_t n = 0; n < kNodes; ++n) {
            std::vector<std::uint16_t> homes{regs_[n / kNodesPerRegistry].bus_port};
            for (const auto& [node, reg] : kSecondHomes)
                if (node == n) homes.push_back(regs_[reg].bus_port);
            nodes_.push_back(start_wsnode(homes, kQuiet));
        }
        report_timing("registries and nodes started", ms_since(start));
    }

    IdSet ids_except(const IdSet& gone = {}) const {
        IdSet out;
        for (const auto& n : nodes_)
            if (!gone.count(n.node_id)) out.insert(n.node_id);
        return out;
    }

    // Waits until each registry in `regs` lists exactly `want`.
    ::testing::AssertionResult all_list(const std::vector<std::size_t>& regs, const IdSet& want,
                                        std::chrono::milliseconds timeout = kSettle) const {
        std::map<std::size_t, std::size_t> seen;
        const bool ok = wait_until(
            [&] {
                bool done = true;
                for (auto r : regs) {
                    const auto ids = master_ids(regs_[r].http_port);
                    seen[r] = ids.size();
                    done = done && ids == want;
                }
                return done;
            },
            timeout);
        if (ok) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << "want " << want.size() << " nodes; per registry: " << json(seen).dump();
    }

    // A batch call from each registry in `regs` has exactly one reply per node
    // in `want` for both events, each node holding `conns` connections.
    void expect_batch_from(const std::vector<std::size_t>& regs, const IdSet& want,
                           int conns) const {
        for (auto r : regs) {
            const auto res = http_get(regs_[r].http_port, "/?event=getConnectionCount,getIds");
            const json env = res.json();
            ASSERT_EQ(env.value("code", -1), 0) << "R" << r << ": " << res.body;
            const json& counts = env["data"]["getConnectionCount"];
            const json& ids = env["data"]["getIds"];
            EXPECT_EQ(counts.size(), want.size()) << "R" << r << ": " << res.body;
            EXPECT_EQ(ids.size(), want.size()) << "R" << r << ": " << res.body;
            for (const auto& node : want) {
                EXPECT_EQ(counts.value(node, json()), json(conns)) << "R" << r << " node " << node;
                EXPECT_EQ(ids.value(node, json()), json::array()) << "R" << r << " node " << node;
                EXPECT_EQ(count_occurrences(res.body, node), kIdMentionsPerBatch)
                    << "R" << r << " node " << node;
            }
        }
    }

    static std::vector<std::size_t> every_registry_but(std::size_t skip = kRegistries) {
        std::vector<std::size_t> out;
        for (std::size_t r = 0; r < kRegistries; ++r)
            if (r != skip) out.push_back(r);
        return out;
    }

    std::vector<RegistryProc> regs_;
    std::vector<NodeProc> nodes_;
};

TEST_F(FederationScale, TenRegistriesTwentyNodesAnswerOncePerNode) {
    const auto test_start = Clock::now();
    start_cluster();
    const auto settle_start = Clock::now();
    ASSERT_TRUE(all_list(every_registry_but(), ids_except()));
    report_timing("every registry lists 20 nodes", ms_since(settle_start));

    std::vector<std::unique_ptr<Client>> clients;
    for (const auto& n : nodes_) clients.push_back(connect_client(n));

    const auto calls_start = Clock::now();
    expect_batch_from(every_registry_but(), ids_except(), 1);
    report_timing("batch call from all 10 registries", ms_since(calls_start));

    // A broadcast from every registry, and a message to a client half the ring away.
    std::map<const Client*, std::multiset<std::string>> want;
    for (std::size_t r = 0; r < kRegistries; ++r) {
        const std::string msg = "scale broadcast via R" + std::to_string(r);
        const json env = api_post(regs_[r].http_port, "",
                                  {{"event", "broadcast"}, {"broadcast", {{"msg", msg}}}});
        EXPECT_EQ(sum_all(env, "broadcast"), static_cast<int>(kNodes)) << env.dump();
        for (const auto& c : clients) want[c.get()].insert(msg);

        const auto& far = clients[(r * kNodesPerRegistry + kNodes / 2) % kNodes];
        const std::string direct = "scale direct via R" + std::to_string(r);
        const json one = api_post(regs_[r].http_port, "",
                                  {{"event", "sendMessageTo_Id"},
                                   {"sendMessageTo_Id", {{"_id", far->id}, {"msg", direct}}}});
        EXPECT_EQ(sum_all(one, "sendMessageTo_Id"), 1) << one.dump();
        EXPECT_EQ(one["data"]["sendMessageTo_Id"].value(far->node, json()), json(1)) << one.dump();
        want[far.get()].insert(direct);
    }
    bool first = true;
    for (const auto& c : clients) {
        std::multiset<std::string> got;
        const auto deadline = Clock::now() + kReceive;
        while (got.size() < want[c.get()].size() && Clock::now() < deadline) {
            const auto m = c->ws->recv(
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
            if (!m) break;
            got.insert(*m);
        }
        for (auto& m : c->ws->drain(first ? kQuietWindow : kQuickDrain)) got.insert(m);
        first = false;
        EXPECT_EQ(got, want[c.get()]) << "client on node " << c->node;
    }

    const auto total = ms_since(test_start);
    report_timing("whole scale test", total);
    EXPECT_LE(total, std::chrono::milliseconds(kWholeTest).count());
}

TEST_F(FederationScale, RingSurvivesLosingARegistryAndHealsOnRestart) {
    const auto test_start = Clock::now();
    start_cluster();
    ASSERT_TRUE(all_list(every_registry_but(), ids_except()));

    // The victim's first node lives only there; its second also has a home elsewhere.
    const std::size_t victim = kSecondHomes[1].first / kNodesPerRegistry;
    const std::string orphan = nodes_[victim * kNodesPerRegistry].node_id;
    const auto old_port = regs_[victim].bus_port;
    regs_[victim].proc->signal(SIGKILL);
    ASSERT_TRUE(regs_[victim].proc->wait_exit(kReceive).has_value());
    const auto killed_at = Clock::now();
    ASSERT_TRUE(all_list(every_registry_but(victim), ids_except({orphan})));
    const auto gone_ms = ms_since(killed_at);
    report_timing("registry loss seen by the 9 others", gone_ms);
    EXPECT_LE(gone_ms, std::chrono::milliseconds(kDeathBound).count());
    expect_batch_from(every_registry_but(victim), ids_except({orphan}), 0);

    const auto restart_at = Clock::now();
    std::string last_error;
    ASSERT_TRUE(wait_until(
        [&] {
            try {
                regs_[victim] = start_registry(
                    peers_of(victim),
                    {{"registry.bus_port", std::to_string(old_port)}, {"log.level", "warn"}});
                return true;
            } catch (const std::exception& e) {
                last_error = e.what();
                return false;
            }
        },
        kRestartAttempts))
        << last_error;
    ASSERT_TRUE(all_list(every_registry_but(), ids_except()));
    report_timing("ring healed after restart", ms_since(restart_at));
    expect_batch_from(every_registry_but(), ids_except(), 0);

    const auto total = ms_since(test_start);
    report_timing("whole ring loss test", total);
    EXPECT_LE(total, std::chrono::milliseconds(kWholeTest).count());
}

}  // namespace
}  // namespace wsc::test
