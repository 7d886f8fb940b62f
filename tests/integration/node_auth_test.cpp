// Node and peer links prove the cluster secret: a stranger who reaches the
// bus port cannot pose as a live wsnode (take its commands, answer for it,
// publish client events in its name) nor as a peer registry, a proof seen
// once cannot be replayed, and no forged seq silences a node. Without the
// secret a registry accepts nodes as before, still first come first served.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <zmq.hpp>

#include "bus/Frames.hpp"
#include "bus/LinkProof.hpp"
#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationSupport.hpp"
#include "tests/support/WaitUntil.hpp"

using namespace wsc::test;
using nlohmann::json;
namespace bus = wsc::bus;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kExitConfig = 2;
const std::string kSecret = "node-auth-test-secret-0123";
const std::string kWrongSecret = "node-auth-test-secret-9999";
constexpr auto kReply = std::chrono::seconds(3);
// How long we wait for a message that must not come.
constexpr auto kSilence = std::chrono::milliseconds(1500);

Flags registry_secret(const std::string& secret = kSecret) {
    return {{"registry.cluster_secret", secret}};
}

Flags node_secret(const std::string& secret = kSecret) {
    return {{"wsnode.cluster_secret", secret}};
}

long metric(std::uint16_t http_port, const std::string& name) {
    const std::string text = http_get(http_port, "/metrics").body;
    const std::string key = "\n" + name + " ";
    const auto at = text.find(key);
    return at == std::string::npos ? -1 : std::stol(text.substr(at + key.size()));
}

// A raw DEALER on a registry's bus port: a stranger, a subscriber, or a
// hand-made node.
class RawLink {
  public:
    explicit RawLink(const std::string& endpoint) : socket_(ctx_, zmq::socket_type::dealer) {
        bus::configure_socket(socket_);
        socket_.connect(endpoint);
    }

    void send(bus::Command command, const json& body) {
        ASSERT_TRUE(bus::send_message(socket_, command, bus::to_msgpack(body)));
    }

    // Next message of `command` whose body passes `match`, skipping others;
    // nullopt on timeout. `every` runs between polls (e.g. to renew a
    // subscription).
    std::optional<json> next(
        bus::Command command, std::chrono::milliseconds timeout = kReply,
        const std::function<bool(const json&)>& match = [](const json&) { return true; },
        const std::function<void()>& every = {}) {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            if (every) every();
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(100));
            while (auto in = bus::receive(socket_, false)) {
                seen_.push_back(in->command);
                if (in->command != command) continue;
                auto body = bus::from_msgpack(in->body);
                if (match(body)) return body;
            }
        }
        return std::nullopt;
    }

    // Every command received so far (by next()).
    const std::vector<bus::Command>& seen() const { return seen_; }

  private:
    zmq::context_t ctx_;
    zmq::socket_t socket_;
    std::vector<bus::Command> seen_;
};

// A subscriber to every client event of a registry.
class Subscriber {
  public:
    explicit Subscriber(const std::string& endpoint) : link_(endpoint) { renew(); }

    void renew() {
        if (Clock::now() < next_renewal_) return;
        link_.send(bus::Command::Subscribe, json::object());
        next_renewal_ = Clock::now() + std::chrono::milliseconds(500);
    }

    // The next event carrying `data`, nullopt if none comes in `timeout`.
    std::optional<json> event_with(const std::string& data,
                                   std::chrono::milliseconds timeout = kReply) {
        return link_.next(
            bus::Command::Upstream, timeout,
            [&](const json& e) { return e.value("data", json()) == json(data); },
            [this] { renew(); });
    }

  private:
    RawLink link_;
    Clock::time_point next_renewal_{};
};

// Waits until `sub` gets a probe message sent by `client` (the subscription
// is in place); returns false if it never does.
bool subscribed(Subscriber& sub, Client& client) {
    for (int i = 0; i < 10; ++i) {
        const std::string probe = "probe-" + std::to_string(i);
        client.ws->send_text(probe);
        if (sub.event_with(probe, std::chrono::milliseconds(500))) return true;
    }
    return false;
}

json forged_event(const std::string& node, const std::string& data, std::uint64_t seq) {
    return {{"event", "message"}, {"node", node}, {"_id", "forged-conn"},
            {"id", nullptr},      {"data", data}, {"seq", seq}};
}

}  // namespace

TEST(NodeAuth, NodeWithTheSecretRegistersAndServes) {
    auto reg = start_registry({}, registry_secret());
    auto node = start_wsnode({reg.bus_port}, node_secret());
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1)) << reg.proc->stderr_text();
    EXPECT_EQ(master_ids(reg.http_port), IdSet{node.node_id});
    auto client = connect_client(node);
    const auto sent = api(reg.http_port, "event=broadcast&broadcast[msg]=hello");
    EXPECT_EQ(sent["data"]["broadcast"][node.node_id], 1) << sent.dump();
    EXPECT_EQ(client->ws->recv(), std::optional<std::string>("hello"));
    // Client events flow too.
    Subscriber sub(reg.bus_endpoint());
    EXPECT_TRUE(subscribed(sub, *client));
}

TEST(NodeAuth, NodeWithAWrongOrNoSecretIsNotRegistered) {
    auto reg = start_registry({}, registry_secret());
    auto good = start_wsnode({reg.bus_port}, node_secret());
    auto wrong = start_wsnode({reg.bus_port}, node_secret(kWrongSecret));
    auto none = start_wsnode({reg.bus_port});
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));
    // Several heartbeats later, still only the good one.
    ASSERT_TRUE(wait_until(
        [&] { return metric(reg.http_port, "wscenter_bus_unauthenticated_total") >= 2; }));
    EXPECT_EQ(master_ids(reg.http_port), IdSet{good.node_id});
    // The nodes say why.
    ASSERT_TRUE(wait_until([&] {
        return wrong.proc->stderr_text().find("did not accept our proof") != std::string::npos &&
               none.proc->stderr_text().find("wsnode.cluster_secret is not set") !=
                   std::string::npos;
    })) << wrong.proc->stderr_text()
        << none.proc->stderr_text();
    EXPECT_EQ(master_ids(reg.http_port), IdSet{good.node_id});
}

TEST(NodeAuth, StrangerClaimingALiveNodeGetsNoCommandsAndCannotSpeakForIt) {
    auto reg = start_registry({}, registry_secret());
    auto node = start_wsnode({reg.bus_port}, node_secret());
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));
    auto client = connect_client(node);
    Subscriber sub(reg.bus_endpoint());
    ASSERT_TRUE(subscribed(sub, *client));

    RawLink stranger(reg.bus_endpoint());
    const json hello{{"node", node.node_id}, {"url", "ws://evil/"}, {"conns", 0}};
    stranger.send(bus::Command::NodeReady, hello);
    stranger.send(bus::Command::Heartbeat, hello);
    // Asked for a proof it cannot give.
    const auto challenge = stranger.next(bus::Command::Challenge);
    ASSERT_TRUE(challenge.has_value());
    stranger.send(bus::Command::NodeReady, {{"node", node.node_id},
                                            {"nonce", challenge->value("nonce", "")},
                                            {"proof", std::string(64, '0')}});
    // A call to the node goes to the node only, message included.
    const auto sent = api(reg.http_port, "event=broadcast&broadcast[msg]=secret-body");
    EXPECT_EQ(sent["data"]["broadcast"][node.node_id], 1) << sent.dump();
    EXPECT_EQ(client->ws->recv(), std::optional<std::string>("secret-body"));
    EXPECT_FALSE(stranger.next(bus::Command::Request, kSilence).has_value());
    // Its answers and events in the node's name are ignored...
    const long ignored_before = metric(reg.http_port, "wscenter_bus_unauthenticated_total");
    stranger.send(bus::Command::Reply,
                  {{"req", 1}, {"node", node.node_id}, {"results", json::object()}});
    stranger.send(bus::Command::Upstream, forged_event(node.node_id, "forged", 1000000));
    stranger.send(bus::Command::Upstream,
                  forged_event(node.node_id, "forged", std::numeric_limits<std::uint64_t>::max()));
    stranger.send(bus::Command::NodeBye, {{"node", node.node_id}});
    EXPECT_FALSE(sub.event_with("forged", kSilence).has_value());
    EXPECT_GE(metric(reg.http_port, "wscenter_bus_unauthenticated_total"), ignored_before + 4);
    // ...and the genuine node is still there, its events still delivered.
    EXPECT_EQ(master_ids(reg.http_port), IdSet{node.node_id});
    client->ws->send_text("genuine");
    EXPECT_TRUE(sub.event_with("genuine").has_value());
    const auto count = api(reg.http_port, "event=getConnectionCount");
    EXPECT_EQ(count["data"]["getConnectionCount"][node.node_id], 1) << count.dump();
    EXPECT_TRUE(reg.proc->running());
}

TEST(NodeAuth, AProofIsGoodOnceOnItsOwnLink) {
    auto reg = start_registry({}, registry_secret());
    const std::string id = "0123456789abcdef0123456789abcdef";
    const json hello{{"node", id}, {"url", "ws://127.0.0.1:1/"}, {"conns", 0}};

    // A node made by hand that knows the secret registers.
    RawLink genuine(reg.bus_endpoint());
    genuine.send(bus::Command::NodeReady, hello);
    const auto challenge = genuine.next(bus::Command::Challenge);
    ASSERT_TRUE(challenge.has_value());
    const std::string nonce = challenge->value("nonce", "");
    json proven = hello;
    proven["nonce"] = nonce;
    proven["proof"] = bus::link_proof(kSecret, bus::kRoleNode, nonce, id);
    genuine.send(bus::Command::NodeReady, proven);
    ASSERT_TRUE(genuine.next(bus::Command::Heartbeat).has_value());
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));

    // The same proof from another connection is refused: the nonce was not
    // handed to it.
    const long before = metric(reg.http_port, "wscenter_bus_unauthenticated_total");
    RawLink replayer(reg.bus_endpoint());
    replayer.send(bus::Command::NodeReady, proven);
    ASSERT_TRUE(wait_until(
        [&] { return metric(reg.http_port, "wscenter_bus_unauthenticated_total") >= before + 1; }));
    // Even once the node has left.
    genuine.send(bus::Command::NodeBye, {{"node", id}});
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 0));
    replayer.send(bus::Command::NodeReady, proven);
    ASSERT_TRUE(wait_until(
        [&] { return metric(reg.http_port, "wscenter_bus_unauthenticated_total") >= before + 2; }));
    // And on its own link the used nonce is worth nothing either.
    genuine.send(bus::Command::NodeReady, proven);
    ASSERT_TRUE(wait_until(
        [&] { return metric(reg.http_port, "wscenter_bus_unauthenticated_total") >= before + 3; }));
    EXPECT_FALSE(replayer.next(bus::Command::Request, std::chrono::milliseconds(200)));
    EXPECT_EQ(master_ids(reg.http_port), IdSet{});
}

TEST(NodeAuth, ProvenNodeIdCannotBeTakenByASecondProvenLink) {
    auto reg = start_registry({}, registry_secret());
    auto node = start_wsnode({reg.bus_port}, node_secret());
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));
    // Even knowing the secret, a second link gets no live node id.
    RawLink twin(reg.bus_endpoint());
    twin.send(bus::Command::NodeReady, {{"node", node.node_id}});
    const auto challenge = twin.next(bus::Command::Challenge);
    ASSERT_TRUE(challenge.has_value());
    const std::string nonce = challenge->value("nonce", "");
    twin.send(bus::Command::NodeReady,
              {{"node", node.node_id},
               {"url", "ws://twin/"},
               {"nonce", nonce},
               {"proof", bus::link_proof(kSecret, bus::kRoleNode, nonce, node.node_id)}});
    ASSERT_TRUE(wait_until(
        [&] { return metric(reg.http_port, "wscenter_bus_node_claims_refused_total") >= 1; }));
    auto client = connect_client(node);
    const auto sent = api(reg.http_port, "event=broadcast&broadcast[msg]=to-the-first");
    EXPECT_EQ(sent["data"]["broadcast"][node.node_id], 1) << sent.dump();
    EXPECT_EQ(client->ws->recv(), std::optional<std::string>("to-the-first"));
    EXPECT_FALSE(twin.next(bus::Command::Request, kSilence).has_value());
}

TEST(NodeAuth, PeerRegistriesMustProveTheSecret) {
    auto r1 = start_registry({}, registry_secret());
    auto r2 = start_registry({r1.bus_port}, registry_secret());
    auto r3 = start_registry({r1.bus_port}, registry_secret(kWrongSecret));
    auto n2 = start_wsnode({r2.bus_port}, node_secret());
    auto n3 = start_wsnode({r3.bus_port}, node_secret(kWrongSecret));
    ASSERT_TRUE(wait_for_nodes(r1.http_port, 1)) << describe(master_ids(r1.http_port));
    ASSERT_TRUE(wait_for_nodes(r3.http_port, 1));
    ASSERT_TRUE(wait_until(
        [&] { return metric(r1.http_port, "wscenter_bus_unauthenticated_total") >= 2; }));
    EXPECT_EQ(master_ids(r1.http_port), IdSet{n2.node_id});
    // A stranger's hello is answered with a challenge, not a hello, and its
    // states are ignored.
    RawLink stranger(r1.bus_endpoint());
    const std::string fake = "f00dfeed00000000000000000000000a";
    stranger.send(bus::Command::PeerHello, {{"registry", fake}});
    EXPECT_TRUE(stranger.next(bus::Command::Challenge).has_value());
    stranger.send(bus::Command::PeerState,
                  {{"origin", fake},
                   {"seq", 1},
                   {"nodes", json::array({{{"node", "f00dfeed0000000000000000000000b1"}}})},
                   {"peers", json::array()}});
    EXPECT_FALSE(stranger.next(bus::Command::PeerHello, kSilence).has_value());
    EXPECT_EQ(master_ids(r1.http_port), IdSet{n2.node_id});
}

TEST(NodeAuth, WithoutTheSecretNodesJoinAsBeforeButALiveIdIsNotTakenOver) {
    auto reg = start_registry();
    auto node = start_wsnode({reg.bus_port});
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));
    auto client = connect_client(node);
    Subscriber sub(reg.bus_endpoint());
    ASSERT_TRUE(subscribed(sub, *client));

    RawLink stranger(reg.bus_endpoint());
    const json hello{{"node", node.node_id}, {"url", "ws://evil/"}, {"conns", 0}};
    stranger.send(bus::Command::NodeReady, hello);
    stranger.send(bus::Command::Heartbeat, hello);
    ASSERT_TRUE(wait_until(
        [&] { return metric(reg.http_port, "wscenter_bus_node_claims_refused_total") >= 1; }));
    const auto sent = api(reg.http_port, "event=broadcast&broadcast[msg]=still-mine");
    EXPECT_EQ(sent["data"]["broadcast"][node.node_id], 1) << sent.dump();
    EXPECT_EQ(client->ws->recv(), std::optional<std::string>("still-mine"));
    EXPECT_FALSE(stranger.next(bus::Command::Request, kSilence).has_value());
    stranger.send(bus::Command::Upstream,
                  forged_event(node.node_id, "forged", std::numeric_limits<std::uint64_t>::max()));
    client->ws->send_text("genuine");
    EXPECT_TRUE(sub.event_with("genuine").has_value());

    // A node that really left may come back on a new link.
    node.proc->stop();
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 0));
    stranger.send(bus::Command::NodeReady, hello);
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));
}

TEST(NodeAuth, AForgedHugeSeqFromAPeerDoesNotSilenceANode) {
    // No secret, no tokens: anyone may link as a peer (the trust model says
    // so), yet one event numbered 2^64-1 must not stop a node's events.
    auto reg = start_registry();
    auto node = start_wsnode({reg.bus_port});
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));
    auto client = connect_client(node);
    Subscriber sub(reg.bus_endpoint());
    ASSERT_TRUE(subscribed(sub, *client));

    RawLink peer(reg.bus_endpoint());
    const std::string fake = "f00dfeed00000000000000000000000c";
    peer.send(bus::Command::PeerHello, {{"registry", fake}});
    ASSERT_TRUE(peer.next(bus::Command::PeerHello).has_value());
    json silencer =
        forged_event(node.node_id, "silencer", std::numeric_limits<std::uint64_t>::max());
    silencer["root"] = fake;
    peer.send(bus::Command::Upstream, silencer);
    EXPECT_FALSE(sub.event_with("silencer", kSilence).has_value());
    EXPECT_GE(metric(reg.http_port, "wscenter_upstream_refused_total"), 1);
    for (int i = 0; i < 3; ++i) {
        const std::string text = "after-" + std::to_string(i);
        client->ws->send_text(text);
        EXPECT_TRUE(sub.event_with(text).has_value()) << text;
    }
}

TEST(NodeAuth, NodesProveThemselvesAgainAfterARegistryRestartOrFreeze) {
    auto reg = start_registry({}, registry_secret());
    const std::uint16_t bus_port = reg.bus_port;
    auto node = start_wsnode({bus_port}, node_secret());
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));
    auto client = connect_client(node);

    // A restarted registry knows no link: the node's next heartbeat is
    // challenged and it proves itself again.
    EXPECT_EQ(reg.proc->stop(), 0);
    Flags same_port = registry_secret();
    same_port["registry.bus_port"] = std::to_string(bus_port);
    reg = start_registry({}, same_port);
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1)) << "the node did not rejoin";
    EXPECT_EQ(master_ids(reg.http_port), IdSet{node.node_id});

    // A registry frozen past the node's patience: the node reconnects on a
    // new link, which gets the node id once the old link has expired.
    reg.proc->signal(SIGSTOP);
    std::this_thread::sleep_for(std::chrono::milliseconds(4000));
    reg.proc->signal(SIGCONT);
    ASSERT_TRUE(wait_until([&] { return master_ids(reg.http_port) == IdSet{node.node_id}; },
                           std::chrono::seconds(10)));
    Subscriber sub(reg.bus_endpoint());
    ASSERT_TRUE(subscribed(sub, *client));
    const auto sent = api(reg.http_port, "event=broadcast&broadcast[msg]=back");
    EXPECT_EQ(sent["data"]["broadcast"][node.node_id], 1) << sent.dump();
}

TEST(NodeAuth, BadSecretsAreOneLineConfigErrors) {
    struct Case {
        const char* bin;
        std::vector<std::string> args;
        std::map<std::string, std::string> env;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {WSC_REGISTRY_BIN,
         {"--registry.bus_port=0", "--registry.http_port=0", "--registry.cluster_secret=tooshort"},
         {},
         "registry.cluster_secret: expected at least 16 characters, got 8"},
        {WSC_REGISTRY_BIN,
         {"--registry.bus_port=0", "--registry.http_port=0"},
         {{"WSCENTER_REGISTRY_CLUSTER_SECRET", "tooshort"}},
         "registry.cluster_secret: expected at least 16 characters, got 8"},
        {WSC_WSNODE_BIN,
         {"--wsnode.port=0", "--wsnode.cluster_secret=tooshort"},
         {},
         "wsnode.cluster_secret: expected at least 16 characters, got 8"},
        {WSC_WSNODE_BIN,
         {"--wsnode.port=0"},
         {{"WSCENTER_WSNODE_CLUSTER_SECRET", "tooshort"}},
         "wsnode.cluster_secret: expected at least 16 characters, got 8"},
    };
    for (const auto& c : cases) {
        auto env = c.env;
        env["REGISTER_CENTER_PORT"] = "";
        env["TOKEN"] = "";
        ChildProcess p(c.bin, c.args, env);
        EXPECT_EQ(p.wait_exit(std::chrono::seconds(5)), kExitConfig) << c.expected;
        const std::string err = p.stderr_text();
        EXPECT_NE(err.find(c.expected), std::string::npos) << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
        EXPECT_EQ(err.find("tooshort"), std::string::npos) << "secret echoed: " << err;
    }
}

TEST(NodeAuth, TokensWithoutLinkAuthenticationAreWarnedAbout) {
    auto reg = start_registry({}, {{"registry.tokens", "t1"}});
    EXPECT_NE(reg.proc->stderr_text().find("bus links are not authenticated"), std::string::npos)
        << reg.proc->stderr_text();
    auto quiet =
        start_registry({}, {{"registry.tokens", "t1"}, {"registry.cluster_secret", kSecret}});
    EXPECT_EQ(quiet.proc->stderr_text().find("not authenticated"), std::string::npos);
}
