#include "tests/integration/Cluster.hpp"

#include "tests/support/WaitUntil.hpp"

namespace wsc::test {

namespace {

std::string join_ports(const std::vector<std::uint16_t>& ports) {
    std::string out;
    for (auto p : ports) out += (out.empty() ? "" : ",") + std::to_string(p);
    return out;
}

std::vector<std::string> to_args(const Flags& flags) {
    std::vector<std::string> args;
    for (const auto& [k, v] : flags) args.push_back("--" + k + "=" + v);
    return args;
}

}  // namespace

RegistryProc start_registry(const std::vector<std::uint16_t>& peers, const Flags& flags) {
    Flags all{{"registry.bus_port", "0"},       {"registry.bus_host", "127.0.0.1"},
              {"registry.http_port", "0"},      {"registry.http_host", "127.0.0.1"},
              {"registry.heartbeat_ms", "200"}, {"log.level", "debug"}};
    if (!peers.empty()) all["registry.peers"] = join_ports(peers);
    for (const auto& [k, v] : flags) all[k] = v;
    RegistryProc r;
    // Clear the seed's variables so the developer's environment cannot leak in.
    r.proc = std::make_unique<ChildProcess>(
        WSC_REGISTRY_BIN, to_args(all),
        std::map<std::string, std::string>{{"REGISTER_CENTER_PORT", ""},
                                           {"HTTP_PORT", ""},
                                           {"OTHER_REGISTER_CENTER_PORT", ""},
                                           {"TOKEN", ""}});
    auto ready = r.proc->wait_ready();
    r.bus_port = static_cast<std::uint16_t>(std::stoi(ready.fields.at("bus_port")));
    r.http_port = static_cast<std::uint16_t>(std::stoi(ready.fields.at("http_port")));
    return r;
}

NodeProc start_wsnode(const std::vector<std::uint16_t>& bus_ports, const Flags& flags) {
    Flags all{{"wsnode.port", "0"},
              {"wsnode.host", "127.0.0.1"},
              {"wsnode.registries", join_ports(bus_ports)},
              {"wsnode.heartbeat_ms", "200"},
              {"log.level", "debug"}};
    for (const auto& [k, v] : flags) all[k] = v;
    NodeProc n;
    n.proc = std::make_unique<ChildProcess>(
        WSC_WSNODE_BIN, to_args(all),
        std::map<std::string, std::string>{
            {"REGISTER_CENTER_PORT", ""}, {"PORT", ""}, {"TOKEN", ""}});
    auto ready = n.proc->wait_ready();
    n.node_id = ready.fields.at("node");
    n.ws_port = static_cast<std::uint16_t>(std::stoi(ready.fields.at("ws_port")));
    return n;
}

nlohmann::json api(std::uint16_t http_port, const std::string& query) {
    return http_get(http_port, "/?" + query).json();
}

nlohmann::json api_post(std::uint16_t http_port, const std::string& query,
                        const nlohmann::json& body) {
    return http_post_json(http_port, "/?" + query, body).json();
}

bool wait_for_nodes(std::uint16_t http_port, std::size_t count, std::chrono::milliseconds timeout) {
    return wait_until(
        [&] {
            auto r = api(http_port, "event=getConnectionCount");
            return r.contains("master_ids") && r["master_ids"].size() == count;
        },
        timeout);
}

std::vector<nlohmann::json> subscriber_events(ChildProcess& subscriber) {
    std::vector<nlohmann::json> out;
    for (const auto& line : subscriber.stdout_lines()) {
        try {
            out.push_back(nlohmann::json::parse(line));
        } catch (const std::exception&) {
            // not an event: a log line
        }
    }
    return out;
}

}  // namespace wsc::test
