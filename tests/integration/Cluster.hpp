// Starting real wscenter processes on ephemeral loopback ports for tests.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/ChildProcess.hpp"
#include "tests/support/HttpClient.hpp"

namespace wsc::test {

struct RegistryProc {
    std::unique_ptr<ChildProcess> proc;
    std::uint16_t bus_port = 0;
    std::uint16_t http_port = 0;
    std::string bus_endpoint() const { return "tcp://127.0.0.1:" + std::to_string(bus_port); }
};

struct NodeProc {
    std::unique_ptr<ChildProcess> proc;
    std::string node_id;
    std::uint16_t ws_port = 0;
};

// Extra flags: {"registry.tokens", "t1"} becomes --registry.tokens=t1.
using Flags = std::map<std::string, std::string>;

// A registry on ephemeral bus and HTTP ports; `peers` are bus ports of other registries.
RegistryProc start_registry(const std::vector<std::uint16_t>& peers = {}, const Flags& flags = {});
// A wsnode on an ephemeral WebSocket port, joined to the registries on `bus_ports`.
NodeProc start_wsnode(const std::vector<std::uint16_t>& bus_ports, const Flags& flags = {});

// GET http://127.0.0.1:<port>/?<query> and parse the JSON envelope.
nlohmann::json api(std::uint16_t http_port, const std::string& query);
// POST a JSON body to http://127.0.0.1:<port>/?<query>.
nlohmann::json api_post(std::uint16_t http_port, const std::string& query,
                        const nlohmann::json& body);

// Waits until the registry lists exactly `count` nodes in master_ids.
bool wait_for_nodes(std::uint16_t http_port, std::size_t count,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Events printed so far by a subscriber process (wscenter-cli subscribe or
// the Python client), one JSON object per line; other lines are skipped.
std::vector<nlohmann::json> subscriber_events(ChildProcess& subscriber);

}  // namespace wsc::test
