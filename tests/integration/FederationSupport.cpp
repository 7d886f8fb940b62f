#include "tests/integration/FederationSupport.hpp"

#include <gtest/gtest.h>

namespace wsc::test {

namespace {
constexpr int kSwitchingProtocols = 101;
constexpr std::size_t kConnIdLength = 32;
}  // namespace

std::unique_ptr<Client> connect_client(const NodeProc& node, std::chrono::milliseconds timeout) {
    auto c = std::make_unique<Client>();
    const int status = c->ws->connect(node.ws_port);
    if (status != kSwitchingProtocols)
        throw std::runtime_error("upgrade refused by node " + node.node_id + " with HTTP " +
                                 std::to_string(status));
    const auto open = c->ws->recv(timeout);
    if (!open) throw std::runtime_error("no open message from node " + node.node_id);
    const auto j = nlohmann::json::parse(*open);
    if (j.value("cmd", "") != "open") throw std::runtime_error("first message is " + *open);
    c->id = j.at("_id").get<std::string>();
    if (c->id.size() != kConnIdLength) throw std::runtime_error("bad _id in " + *open);
    c->node = node.node_id;
    return c;
}

IdSet master_ids(std::uint16_t http_port) {
    try {
        const auto env = api(http_port, "event=nodes");
        IdSet out;
        for (const auto& id : env.at("master_ids")) out.insert(id.get<std::string>());
        return out;
    } catch (const std::exception&) {
        return {};
    }
}

std::string describe(const IdSet& ids) {
    std::string out = "{";
    for (const auto& id : ids) out += (out.size() > 1 ? "," : "") + id.substr(0, 8);
    return out + "}";
}

std::size_t count_occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + needle.size()))
        ++n;
    return n;
}

int sum_results(const nlohmann::json& env, const std::string& event) {
    int sum = 0;
    for (const auto& [node, value] : env.at("data").at(event).items()) {
        EXPECT_TRUE(value.is_number_integer()) << event << " on " << node << ": " << value.dump();
        if (value.is_number_integer()) sum += value.get<int>();
    }
    return sum;
}

}  // namespace wsc::test
