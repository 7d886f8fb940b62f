// Soak test: connection churn, API calls and broadcasts together for minutes
// while registries and a wsnode are killed (SIGKILL) and restarted.
//
// The cluster (SoakCluster): registries R0, R1, R2 in a triangle; wsnodes N0
// (on R0 and R1) and N1 (on R1 and R2) hold the stable clients, open the
// whole run with fixed users and groups; N2 holds churn clients only. Two
// driver lanes (SoakDriver) call the API one call at a time — lane 0
// through R2, never killed, lane 1 through R0 or R1, whichever is up — and
// three churn threads connect, bind, join, receive and leave on every node.
// Every fault period the main thread kills R0 or R1 (in turn) and restarts
// it on its bus port, or kills N2 and starts a new one.
//
// What the API promised must hold (SoakLedger): a send whose answer counts
// the node of a stable client reached that client exactly once, in order
// per lane; calls through a path that was down may time out and their
// message may or may not arrive, but no message ever arrives twice on any
// connection. At the end every process still runs, exits 0 on SIGTERM with
// no sanitizer report, every registry lists the live nodes again, and the
// long-lived processes did not grow (RSS at the end against a third in).
// Presence holds too (SoakPresence): every user's online/offline events, as
// a subscriber at R2 got them, alternate and end in the state the cluster
// reports.
//
// Duration: WSC_SOAK_SECONDS (default 150). Labelled `soak`, not
// `integration`: scripts/soak.sh runs it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationSupport.hpp"
#include "tests/integration/SoakCluster.hpp"
#include "tests/integration/SoakDriver.hpp"
#include "tests/integration/SoakLedger.hpp"
#include "tests/integration/SoakPresence.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kDefaultSeconds = 150;
constexpr auto kFaultPeriod = 10s;  // one kill and restart this often
constexpr int kLanes = 2;
constexpr int kChurnThreads = 3;
constexpr int kChurnMinMs = 50;      // how long a churn client stays, at least
constexpr int kChurnSpreadMs = 350;  // ... plus up to this
constexpr int kUpstreamOneIn = 4;    // churn clients that also send a message
constexpr auto kOpenWait = 3s;
constexpr auto kDownPause = 50ms;  // a churn thread whose node is down waits
constexpr auto kReadPoll = 100ms;
constexpr auto kSettle = 20s;
constexpr auto kDeliveryWait = 20s;  // for the last promised messages
constexpr auto kQuietWindow = 1s;    // late duplicates would show in it
constexpr auto kTick = 100ms;
constexpr int kSwitchingProtocols = 101;
const std::vector<std::string> kChurnGroups = {"g0", "g1", "gc"};

// Memory settled: RSS at the end at most 1.5 × RSS at a third of the run,
// plus 20 MB. By then every table and pool has seen its working set (all the
// stable state exists, churn has cycled thousands of times, each kind of
// restart has happened), so what still grows grows with time — a leak. The
// factor and the slack absorb allocator noise and ASan's bookkeeping, which
// varies with the churn in flight at the moment of a sample.
constexpr double kRssGrowthFactor = 1.5;
constexpr long kRssSlackKb = 20 * 1024;

int soak_seconds() {
    const char* v = std::getenv("WSC_SOAK_SECONDS");
    const int s = v ? std::atoi(v) : 0;
    return s > 0 ? s : kDefaultSeconds;
}

class Soak : public ::testing::Test {
  protected:
    void TearDown() override { stop_threads(); }

    void open_stable_clients() {
        const auto& layout = stable_layout();
        for (const auto& spec : layout) stable_.push_back(connect_client(cluster_.node(spec.node)));
        const auto http = cluster_.http(SoakCluster::kSafeRegistry);
        for (std::size_t i = 0; i < layout.size(); ++i) {
            const auto& id = stable_[i]->id;
            if (!layout[i].uid.empty()) {
                ASSERT_NO_FATAL_FAILURE(expect_ran(api_post(
                    http, "",
                    {{"event", "bindId"}, {"bindId", {{"id", layout[i].uid}, {"_id", id}}}})));
            }
            for (const auto& g : layout[i].groups) {
                ASSERT_NO_FATAL_FAILURE(
                    expect_ran(api_post(http, "",
                                        {{"event", "joinGroupBy_Id"},
                                         {"joinGroupBy_Id", {{"groupId", g}, {"_id", id}}}})));
            }
        }
        stable_closed_.assign(stable_.size(), 0);
        reader_errors_.assign(stable_.size(), "");
        for (std::size_t i = 0; i < stable_.size(); ++i)
            readers_.emplace_back([this, i] { read_stable(i); });
    }

    static void expect_ran(const json& env) {
        ASSERT_EQ(env.value("code", -1), 0) << env.dump();
        for (const auto& [event, slots] : env.at("data").items())
            for (const auto& [node, v] : slots.items())
                ASSERT_TRUE(v.is_number_integer()) << event << " on " << node << ": " << v;
    }

    void read_stable(std::size_t i) {
        auto& ws = *stable_[i]->ws;
        try {
            while (!readers_stop_) {
                if (const auto m = ws.recv(kReadPoll))
                    ledger_.received(stable_[i]->id, *m);
                else if (!ws.is_open())
                    break;
            }
        } catch (const std::exception& e) {
            reader_errors_[i] = e.what();
        }
        if (!ws.is_open()) stable_closed_[i] = 1;
    }

    // One churn client after another, on a random node, until stop_.
    void churn(int t) {
        std::mt19937 rng(static_cast<unsigned>(kLanes + t));
        for (int k = 0; !stop_; ++k) {
            const std::uint16_t port = cluster_.ws(rng() % SoakCluster::kNodes);
            const std::uint16_t http = cluster_.http(SoakCluster::kSafeRegistry);
            if (port == 0) {
                std::this_thread::sleep_for(kDownPause);
                continue;
            }
            try {
                churn_once(rng, port, http, "cu" + std::to_string(t) + "_" + std::to_string(k));
            } catch (const std::exception&) {
                ++churn_broken_;  // its node went down meanwhile
                std::this_thread::sleep_for(kDownPause);
            }
        }
    }

    void churn_once(std::mt19937& rng, std::uint16_t port, std::uint16_t http,
                    const std::string& uid) {
        WsClient ws;
        if (ws.connect(port) != kSwitchingProtocols) {
            ++churn_refused_;
            return;
        }
        const auto open = ws.recv(kOpenWait);
        if (!open) throw std::runtime_error("no open message");
        const std::string id = json::parse(*open).at("_id").get<std::string>();
        ++churn_conns_;
        if (rng() % 2)
            api_post(http, "", {{"event", "bindId"}, {"bindId", {{"id", uid}, {"_id", id}}}});
        if (rng() % 2)
            api_post(http, "",
                     {{"event", "joinGroupBy_Id"},
                      {"joinGroupBy_Id",
                       {{"groupId", kChurnGroups[rng() % kChurnGroups.size()]}, {"_id", id}}}});
        if (rng() % kUpstreamOneIn == 0) ws.send_text("churn " + uid);
        const auto until =
            Clock::now() + std::chrono::milliseconds(kChurnMinMs + rng() % kChurnSpreadMs);
        while (Clock::now() < until) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
            const auto m = ws.recv(std::max(left, 1ms));
            if (!m) break;
            // Only the API's messages: not the pong of a ping, say.
            if (m->rfind("soak ", 0) == 0) ledger_.received("churn " + id, *m);
        }
        ws.close();
    }

    void stop_threads() {
        stop_ = true;
        for (auto& t : load_)
            if (t.joinable()) t.join();
        readers_stop_ = true;
        for (auto& t : readers_)
            if (t.joinable()) t.join();
    }

    // The faults, in turn: R0, N2, R1, N2, R0...; none in the last period,
    // so that the run ends on a healed cluster. Samples RSS a third in.
    void run_faults(Clock::time_point start, Clock::duration duration) {
        auto next_fault = start + kFaultPeriod;
        for (int fault = 0; Clock::now() < start + duration; std::this_thread::sleep_for(kTick)) {
            if (rss_mid_.empty() && Clock::now() >= start + duration / 3)
                for (const auto& [name, pid] : cluster_.long_lived())
                    rss_mid_.push_back(SoakCluster::rss_kb(pid));
            if (Clock::now() < next_fault || next_fault + kFaultPeriod > start + duration) continue;
            if (fault % 2 == 1)
                cluster_.restart_churn_node();
            else
                cluster_.restart_registry(fault % 4 == 0 ? 0 : 1);
            ++fault;
            next_fault += kFaultPeriod;
        }
    }

    SoakCluster cluster_;
    SoakLedger ledger_;
    SoakPresence presence_;
    std::unique_ptr<SoakDriver> driver_;
    std::vector<std::unique_ptr<Client>> stable_;
    std::vector<char> stable_closed_;         // each written by its own reader only
    std::vector<std::string> reader_errors_;  // each written by its own reader only
    std::vector<long> rss_mid_;

    std::atomic<bool> stop_{false};
    std::atomic<bool> readers_stop_{false};
    std::vector<std::thread> load_;
    std::vector<std::thread> readers_;

    std::atomic<std::size_t> churn_conns_{0};
    std::atomic<std::size_t> churn_refused_{0};
    std::atomic<std::size_t> churn_broken_{0};
};

TEST_F(Soak, ChurnCallsAndRestartsKeepEveryPromise) {
    const auto duration = std::chrono::seconds(soak_seconds());
    SoakCluster::set_child_asan_options();  // before any thread
    ASSERT_NO_THROW(cluster_.start());
    ASSERT_TRUE(wait_until([&] { return cluster_.settled(); }, kSettle));
    try {
        presence_.start(cluster_.registry(SoakCluster::kSafeRegistry), cluster_.ws(0));
    } catch (const std::exception& e) {
        FAIL() << "presence subscriber: " << e.what();
    }
    ASSERT_NO_FATAL_FAILURE(open_stable_clients());
    std::vector<std::string> conn_ids;
    for (const auto& c : stable_) conn_ids.push_back(c->id);
    driver_ = std::make_unique<SoakDriver>(
        cluster_, ledger_, conn_ids,
        std::vector<std::string>{cluster_.node(0).node_id, cluster_.node(1).node_id});

    const auto start = Clock::now();
    for (int lane = 0; lane < kLanes; ++lane)
        load_.emplace_back([this, lane] { driver_->run_lane(lane, stop_); });
    for (int t = 0; t < kChurnThreads; ++t) load_.emplace_back([this, t] { churn(t); });
    ASSERT_NO_THROW(run_faults(start, duration));
    stop_ = true;
    for (auto& t : load_) t.join();
    std::vector<long> rss_end;
    for (const auto& [name, pid] : cluster_.long_lived())
        rss_end.push_back(SoakCluster::rss_kb(pid));

    // Every promise kept: wait for the last ones, then a while for late copies.
    const bool arrived = wait_until([&] { return ledger_.all_promised_arrived(); }, kDeliveryWait);
    std::this_thread::sleep_for(kQuietWindow);
    readers_stop_ = true;
    for (auto& t : readers_) t.join();
    const auto report = ledger_.check();
    EXPECT_TRUE(arrived);
    EXPECT_EQ(report.duplicates, 0u);
    EXPECT_EQ(report.missing, 0u);
    EXPECT_EQ(report.out_of_order, 0u);
    EXPECT_EQ(report.unknown, 0u);
    for (const auto& p : report.problems) ADD_FAILURE() << p;
    EXPECT_GT(report.promises, 0u) << "nothing was ever promised: the soak tested nothing";
    EXPECT_EQ(driver_->violation_count(), 0u) << "answers showing lost state";
    for (const auto& v : driver_->violations()) ADD_FAILURE() << v;
    for (std::size_t i = 0; i < stable_.size(); ++i)
        EXPECT_FALSE(stable_closed_[i]) << "stable client " << i << " was closed";
    for (std::size_t i = 0; i < reader_errors_.size(); ++i)
        EXPECT_EQ(reader_errors_[i], "") << "stable client " << i;

    // Healed, then nothing crashed, everything stops cleanly, no sanitizer spoke.
    EXPECT_TRUE(wait_until([&] { return cluster_.settled(); }, kSettle));
    // The last presence events of the churn have come by then (a flood).
    std::this_thread::sleep_for(kQuietWindow);
    const auto presence = presence_.check(cluster_.http(SoakCluster::kSafeRegistry));
    for (const auto& p : presence.problems) ADD_FAILURE() << p;
    EXPECT_GT(presence.users, 10u) << "hardly any presence event: the check tested nothing";
    presence_.stop();
    std::ostringstream calls_by_code;
    std::istringstream metrics(
        http_get(cluster_.http(SoakCluster::kSafeRegistry), "/metrics").body);
    for (std::string line; std::getline(metrics, line);)
        if (line.rfind("wscenter_api_calls_total{", 0) == 0)
            calls_by_code << "  R2 " << line << '\n';
    for (auto& c : stable_) c->ws->close();
    for (const auto& p : cluster_.stop_all()) ADD_FAILURE() << p;
    for (const auto& r : cluster_.sanitizer_reports()) ADD_FAILURE() << r;

    // Memory settled.
    const auto names = cluster_.long_lived();
    ASSERT_EQ(rss_mid_.size(), names.size()) << "the run ended before a third of it";
    std::ostringstream rss;
    for (std::size_t i = 0; i < names.size(); ++i) {
        rss << ' ' << names[i].first << ' ' << rss_mid_[i] / 1024 << "->" << rss_end[i] / 1024
            << " MB";
        EXPECT_GT(rss_mid_[i], 0);
        EXPECT_LE(rss_end[i], static_cast<long>(rss_mid_[i] * kRssGrowthFactor) + kRssSlackKb)
            << names[i].first << " grew from " << rss_mid_[i] << " kB to " << rss_end[i] << " kB";
    }

    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start);
    std::cout << "[ soak     ] " << secs.count() << " s; calls ok " << driver_->calls_ok()
              << ", refused " << driver_->calls_refused() << ", failed (registry down) "
              << driver_->calls_failed() << "; timeout slots " << driver_->timeout_slots()
              << "\n[ soak     ] messages sent " << report.attempted << ", promised deliveries "
              << report.promises << ", deliveries " << report.deliveries << ", duplicates "
              << report.duplicates << ", missing " << report.missing
              << "\n[ soak     ] churn connections " << churn_conns_ << " (refused "
              << churn_refused_ << ", broken " << churn_broken_ << "); restarts: registries "
              << cluster_.registry_restarts() << ", wsnode " << cluster_.node_restarts()
              << "\n[ soak     ] presence: " << presence.events << " events (" << presence.repeats
              << " repeats dropped) for " << presence.users << " users, " << presence.checked
              << " checked against isOnlineId"
              << "\n[ soak     ] RSS (a third in -> end):" << rss.str() << "\n"
              << calls_by_code.str() << std::flush;
}

}  // namespace
}  // namespace wsc::test
