// With tokens configured, a peer link must present one: a peer can run
// commands on nodes, so it needs the same right as an API caller.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>
#include <zmq.hpp>

#include "bus/Frames.hpp"
#include "tests/integration/Cluster.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

using namespace wsc::test;
using nlohmann::json;

TEST(FederationAuth, PeersWithTheTokenFederate) {
    const Flags tokens{{"registry.tokens", "t1,t2"}};
    auto r1 = start_registry({}, tokens);
    auto r2 = start_registry({r1.bus_port}, tokens);
    auto node = start_wsnode({r2.bus_port});
    EXPECT_TRUE(wait_until(
        [&] {
            auto r = api(r1.http_port, "event=getConnectionCount&token=t2");
            return r.contains("master_ids") && r["master_ids"].size() == 1;
        },
        std::chrono::seconds(10)));
}

TEST(FederationAuth, PeerWithoutTheTokenCannotRunCommands) {
    auto r = start_registry({}, {{"registry.tokens", "secret"}});
    auto node = start_wsnode({r.bus_port});
    WsClient client;
    ASSERT_EQ(client.connect(node.ws_port, "/"), 101);
    ASSERT_TRUE(client.recv());
    ASSERT_TRUE(wait_until(
        [&] { return api(r.http_port, "event=getIds&token=secret")["master_ids"].size() == 1; }));

    zmq::context_t ctx;
    zmq::socket_t peer(ctx, zmq::socket_type::dealer);
    wsc::bus::configure_socket(peer);
    peer.connect(r.bus_endpoint());
    const std::string fake(32, 'a');
    const auto hello = wsc::bus::to_msgpack(json{{"registry", fake}});
    const auto request = wsc::bus::to_msgpack(
        json{{"req", 77},
             {"origin", fake},
             {"events", json::array({{{"name", "broadcast"}, {"params", {{"msg", "pwned"}}}}})},
             {"targets", json::array({node.node_id})},
             {"path", json::array()},
             {"ttl", 1000}});
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(wait_until(
            [&] { return wsc::bus::send_message(peer, wsc::bus::Command::PeerHello, hello); }));
        ASSERT_TRUE(wsc::bus::send_message(peer, wsc::bus::Command::Request, request));
    }
    // Nothing reaches the client, and the registry never answered the hello.
    EXPECT_FALSE(client.recv(std::chrono::milliseconds(800)));
    zmq::pollitem_t item{peer.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(100));
    EXPECT_FALSE(item.revents & ZMQ_POLLIN);
    // The registry is fine and still serves the rightful caller.
    auto ok = api(r.http_port, "event=broadcast&token=secret&broadcast[msg]=hello");
    EXPECT_EQ(ok["data"]["broadcast"][node.node_id], 1);
    EXPECT_EQ(client.recv(), std::optional<std::string>("hello"));
    EXPECT_TRUE(r.proc->running());
}

// SIGTERM: the registry answers the calls already running, then exits 0.
TEST(RegistryDrain, FinishesCallsInFlightThenExits) {
    auto r = start_registry({}, {{"registry.heartbeat_ms", "1000"}});
    auto node = start_wsnode({r.bus_port}, {{"wsnode.heartbeat_ms", "1000"}});
    ASSERT_TRUE(wait_for_nodes(r.http_port, 1));
    node.proc->signal(SIGSTOP);  // the call now waits for its timeout
    auto requests_sent = [&] {
        const std::string text = http_get(r.http_port, "/metrics").body;
        const std::string key = "\nwscenter_bus_requests_total ";
        const auto at = text.find(key);
        return at == std::string::npos ? -1 : std::stol(text.substr(at + key.size()));
    };
    const long before = requests_sent();
    std::optional<json> answer;
    std::thread caller([&] { answer = api(r.http_port, "event=getConnectionCount&timeout=1500"); });
    // The call is in flight once its Request went to the node.
    ASSERT_TRUE(wait_until([&] { return requests_sent() > before; }));
    r.proc->signal(SIGTERM);
    caller.join();
    node.proc->signal(SIGCONT);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ((*answer)["code"], 0) << answer->dump();
    EXPECT_EQ((*answer)["data"]["getConnectionCount"][node.node_id]["code"], 2);
    EXPECT_EQ(r.proc->wait_exit(std::chrono::seconds(5)), 0);
}
