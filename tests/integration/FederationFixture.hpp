// The federation tests' fixture: real registries and wsnodes linked in a
// given topology, real clients, and the checks they share (one result per
// node, exactly-once delivery).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
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

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kSwitchingProtocols = 101;
constexpr std::size_t kConnIdLength = 32;
// Federation settling on a slow, shared machine: states flood every 200 ms.
constexpr auto kSettle = 15s;
// How long a message may take to reach a client.
constexpr auto kReceive = 10s;
// After the expected messages, the first client listens this long for
// duplicates; the others only read what has arrived by then.
constexpr auto kQuietWindow = 400ms;
constexpr auto kQuickDrain = 20ms;
// A node id appears once in master_ids and once as the key of its result.
constexpr std::size_t kIdMentionsPerEnvelope = 2;
constexpr auto kCliExit = 10s;
constexpr auto kRestart = 15s;  // a killed registry's port may stay busy briefly

class Federation : public ::testing::Test {
  protected:
    // A registry linked to the registries at `peers` (indexes of earlier ones).
    std::size_t add_registry(const std::vector<std::size_t>& peers = {}, const Flags& flags = {}) {
        std::vector<std::uint16_t> ports;
        for (auto i : peers) ports.push_back(regs_.at(i).bus_port);
        regs_.push_back(start_registry(ports, flags));
        return regs_.size() - 1;
    }

    // A wsnode joined to the registries at `regs` (indexes).
    std::size_t add_node(const std::vector<std::size_t>& regs) {
        std::vector<std::uint16_t> ports;
        for (auto i : regs) ports.push_back(regs_.at(i).bus_port);
        nodes_.push_back(start_wsnode(ports));
        return nodes_.size() - 1;
    }

    // Kills registry `reg` (nothing to do when it is dead already) and starts
    // it again on its own bus port, now dialing `peers`; retries while the
    // old process's port is still held.
    void restart_registry(std::size_t reg, const std::vector<std::size_t>& peers) {
        const auto port = regs_.at(reg).bus_port;
        std::vector<std::uint16_t> ports;
        for (auto i : peers) ports.push_back(regs_.at(i).bus_port);
        regs_[reg].proc->signal(SIGKILL);
        ASSERT_TRUE(regs_[reg].proc->wait_exit(kReceive).has_value());
        std::string last_error;
        ASSERT_TRUE(wait_until(
            [&] {
                try {
                    regs_[reg] =
                        start_registry(ports, {{"registry.bus_port", std::to_string(port)}});
                    return true;
                } catch (const std::exception& e) {
                    last_error = e.what();
                    return false;
                }
            },
            kRestart))
            << last_error;
        ASSERT_EQ(regs_[reg].bus_port, port);
    }

    // R0 - R1 - R2 in a chain, one node on each; every registry lists them.
    void start_chain_of_three() {
        const auto r0 = add_registry();
        const auto r1 = add_registry({r0});
        add_registry({r1});
        for (std::size_t r = 0; r < 3; ++r) add_node({r});
        ASSERT_TRUE(settled());
    }

    IdSet node_ids() const {
        IdSet out;
        for (const auto& n : nodes_) out.insert(n.node_id);
        return out;
    }

    std::uint16_t http(std::size_t reg) const { return regs_.at(reg).http_port; }

    // Waits until every registry's master_ids is exactly the set of all nodes.
    ::testing::AssertionResult settled() const {
        const IdSet want = node_ids();
        std::vector<IdSet> seen(regs_.size());
        const bool ok = wait_until(
            [&] {
                bool all = true;
                for (std::size_t r = 0; r < regs_.size(); ++r) {
                    seen[r] = master_ids(http(r));
                    all = all && seen[r] == want;
                }
                return all;
            },
            kSettle);
        if (ok) return ::testing::AssertionSuccess();
        auto failure = ::testing::AssertionFailure() << "want " << describe(want);
        for (std::size_t r = 0; r < regs_.size(); ++r)
            failure << "; R" << r << " lists " << describe(seen[r]);
        return failure;
    }

    // POSTs a JSON body (the event name included) to registry `reg`; code 0 expected.
    json call(std::size_t reg, const json& body) const {
        json env = api_post(http(reg), "", body);
        EXPECT_EQ(env.value("code", -1), 0) << "R" << reg << ": " << env.dump();
        return env;
    }

    // From every registry: getConnectionCount has exactly one result per node (also
    // in the raw text, where a duplicate key would not survive JSON parsing), each
    // equal to the number of clients on that node.
    void expect_one_count_per_node() const {
        std::map<std::string, int> want;
        for (const auto& n : nodes_) want[n.node_id] = 0;
        for (const auto& c : clients_) ++want[c->node];
        for (std::size_t r = 0; r < regs_.size(); ++r) {
            const auto res = http_get(http(r), "/?event=getConnectionCount");
            const json env = res.json();
            ASSERT_EQ(env.value("code", -1), 0) << res.body;
            std::map<std::string, int> got;
            for (const auto& [node, v] : env.at("data").at("getConnectionCount").items()) {
                ASSERT_TRUE(v.is_number_integer()) << "R" << r << ": " << res.body;
                got[node] = v.get<int>();
            }
            EXPECT_EQ(got, want) << "R" << r << ": " << res.body;
            for (const auto& [node, count] : want)
                EXPECT_EQ(count_occurrences(res.body, node), kIdMentionsPerEnvelope)
                    << "R" << r << " node " << node << ": " << res.body;
        }
    }

    void connect_one_client_per_node() {
        for (const auto& n : nodes_) clients_.push_back(connect_client(n));
    }

    // Each client receives exactly the messages in `want` (with multiplicity),
    // nothing missing and nothing twice.
    void expect_received_exactly(const std::map<const Client*, std::multiset<std::string>>& want) {
        std::map<const Client*, std::multiset<std::string>> got;
        for (const auto& [c, msgs] : want) {
            const auto deadline = std::chrono::steady_clock::now() + kReceive;
            while (got[c].size() < msgs.size() && std::chrono::steady_clock::now() < deadline) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now());
                const auto m = c->ws->recv(left);
                if (!m) break;
                got[c].insert(*m);
            }
        }
        bool first = true;
        for (const auto& [c, msgs] : want) {
            for (auto& m : c->ws->drain(first ? kQuietWindow : kQuickDrain)) got[c].insert(m);
            first = false;
            EXPECT_EQ(got[c], msgs) << "client " << c->id << " on node " << c->node;
        }
    }

    // The heart of SPEC §3: through EVERY registry, a message to each client's
    // _id runs on exactly one node and arrives once; a broadcast reaches every
    // client once.
    void expect_exactly_once_everywhere() {
        ASSERT_TRUE(settled());
        ASSERT_NO_FATAL_FAILURE(expect_one_count_per_node());
        connect_one_client_per_node();
        ASSERT_NO_FATAL_FAILURE(expect_one_count_per_node());

        std::map<const Client*, std::multiset<std::string>> want;
        for (std::size_t r = 0; r < regs_.size(); ++r) {
            for (const auto& c : clients_) {
                const std::string msg = "to " + c->id + " via R" + std::to_string(r);
                const json env = call(r, {{"event", "sendMessageTo_Id"},
                                          {"sendMessageTo_Id", {{"_id", c->id}, {"msg", msg}}}});
                EXPECT_EQ(sum_results(env, "sendMessageTo_Id"), 1) << env.dump();
                EXPECT_EQ(env["data"]["sendMessageTo_Id"].value(c->node, -1), 1) << env.dump();
                EXPECT_EQ(env["data"]["sendMessageTo_Id"].size(), nodes_.size()) << env.dump();
                want[c.get()].insert(msg);
            }
            const std::string everyone = "broadcast via R" + std::to_string(r);
            const json env = call(r, {{"event", "broadcast"}, {"broadcast", {{"msg", everyone}}}});
            EXPECT_EQ(sum_results(env, "broadcast"), static_cast<int>(clients_.size()))
                << env.dump();
            for (const auto& c : clients_) want[c.get()].insert(everyone);
        }
        expect_received_exactly(want);
    }

    // The registry's own id, from the `nodes` event.
    std::string registry_id(std::size_t reg) const {
        return api(http(reg), "event=nodes")
            .at("data")
            .at("nodes")
            .at("registry")
            .get<std::string>();
    }

    // The `nodes` entry for `node` as registry `reg` sees it.
    json node_entry(std::size_t reg, const std::string& node) const {
        const json env = api(http(reg), "event=nodes");
        for (const auto& n : env.at("data").at("nodes").at("nodes"))
            if (n.value("node", "") == node) return n;
        return json();
    }

    std::vector<RegistryProc> regs_;
    std::vector<NodeProc> nodes_;
    std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace wsc::test
