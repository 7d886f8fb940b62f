// Helpers shared by the federation tests: real clients, master_ids, and
// counting results in an envelope.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/integration/Cluster.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {

using IdSet = std::set<std::string>;

// A real WebSocket client, its connection id and the node holding it.
struct Client {
    std::unique_ptr<WsClient> ws = std::make_unique<WsClient>();
    std::string id;
    std::string node;
};

// Connects to `node` and reads its open message; throws with the reason.
std::unique_ptr<Client> connect_client(
    const NodeProc& node, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// master_ids of one registry; empty when it does not answer (yet).
IdSet master_ids(std::uint16_t http_port);

// Short form of a set of ids for failure messages.
std::string describe(const IdSet& ids);

std::size_t count_occurrences(const std::string& text, const std::string& needle);

// Sum of the per-node int results of one event; fails the test on any
// non-int slot (a timeout or an error).
int sum_results(const nlohmann::json& env, const std::string& event);

}  // namespace wsc::test
