// CURVE on the bus: with keys configured, only wsnodes, clients and peer
// registries holding an authorized key get in; with them everything works.
#include <gtest/gtest.h>

#include <random>
#include <zmq.hpp>

#include "bus/CurveConfig.hpp"
#include "bus/Frames.hpp"
#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationSupport.hpp"
#include "tests/support/WaitUntil.hpp"

using namespace wsc::test;
using nlohmann::json;
using wsc::bus::CurveKeypair;
using wsc::bus::make_curve_keypair;

namespace {

constexpr int kExitConfig = 2;
// How long a refused client waits for an answer that must not come.
constexpr auto kSilence = std::chrono::milliseconds(1000);

Flags registry_keys(const CurveKeypair& own, const std::string& authorized) {
    return {{"registry.curve_secret_key", own.secret_key},
            {"registry.curve_authorized_keys", authorized}};
}

Flags node_keys(const std::string& server_key, const CurveKeypair& own) {
    return {{"wsnode.curve_server_key", server_key}, {"wsnode.curve_secret_key", own.secret_key}};
}

long metric(std::uint16_t http_port, const std::string& name) {
    const std::string text = http_get(http_port, "/metrics").body;
    const std::string key = "\n" + name + " ";
    const auto at = text.find(key);
    return at == std::string::npos ? -1 : std::stol(text.substr(at + key.size()));
}

// A raw bus client: one ClientCall, and the envelope if an answer comes
// within `wait`. `curve` off means no keys at all.
std::optional<json> raw_call(const std::string& endpoint, const wsc::bus::CurveConfig& curve,
                             std::chrono::milliseconds wait) {
    zmq::context_t ctx;
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    wsc::bus::configure_socket(dealer);
    wsc::bus::apply_curve_client(dealer, curve);
    dealer.connect(endpoint);
    const std::uint64_t req = std::random_device()();
    const auto body =
        wsc::bus::to_msgpack(json{{"req", req}, {"params", {{"event", "getConnectionCount"}}}});
    if (!wsc::bus::send_message(dealer, wsc::bus::Command::ClientCall, body)) return std::nullopt;
    zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, wait);
    if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
    const auto in = wsc::bus::receive(dealer, false);
    if (!in || in->command != wsc::bus::Command::ClientResult) return std::nullopt;
    return json::parse(wsc::bus::from_msgpack(in->body).at("envelope").get<std::string>());
}

wsc::bus::CurveConfig client_curve(const CurveKeypair& server, const CurveKeypair& own) {
    return wsc::bus::curve_client_config("server", server.public_key, "secret", own.secret_key);
}

}  // namespace

TEST(Curve, OnlyNodesWithAnAuthorizedKeyJoin) {
    const auto registry = make_curve_keypair();
    const auto good = make_curve_keypair();
    const auto stranger = make_curve_keypair();
    auto r = start_registry({}, registry_keys(registry, good.public_key));
    auto keyed = start_wsnode({r.bus_port}, node_keys(registry.public_key, good));
    auto keyless = start_wsnode({r.bus_port});
    auto unauthorized = start_wsnode({r.bus_port}, node_keys(registry.public_key, stranger));
    auto wrong_server = start_wsnode({r.bus_port}, node_keys(stranger.public_key, good));

    ASSERT_TRUE(wait_for_nodes(r.http_port, 1));
    // The stranger keeps knocking: refused and counted at every attempt.
    ASSERT_TRUE(
        wait_until([&] { return metric(r.http_port, "wscenter_bus_auth_refused_total") >= 2; }));
    // No keys, or the wrong server key: the handshake itself fails, counted too.
    ASSERT_TRUE(wait_until(
        [&] { return metric(r.http_port, "wscenter_bus_handshake_failures_total") >= 2; }));
    // By now the other nodes have had as many heartbeats to register as the keyed one.
    EXPECT_EQ(master_ids(r.http_port), IdSet{keyed.node_id});
    const auto count = api(r.http_port, "event=getConnectionCount");
    EXPECT_EQ(count["data"]["getConnectionCount"].size(), 1u) << count.dump();

    auto client = connect_client(keyed);
    const auto sent = api(r.http_port, "event=broadcast&broadcast[msg]=over%20curve");
    EXPECT_EQ(sent["data"]["broadcast"][keyed.node_id], 1) << sent.dump();
    EXPECT_EQ(client->ws->recv(), std::optional<std::string>("over curve"));
    EXPECT_NE(r.proc->stderr_text().find("refused bus client 127.0.0.1"), std::string::npos);
}

TEST(Curve, BusClientsNeedAnAuthorizedKey) {
    const auto registry = make_curve_keypair();
    // The CLI makes the client's keypair.
    ChildProcess keygen(WSC_CLI_BIN, {"keygen"});
    ASSERT_EQ(keygen.wait_exit(std::chrono::seconds(5)), 0);
    CurveKeypair client;
    for (const auto& line : keygen.stdout_lines()) {
        const auto eq = line.rfind("= ");
        if (line.rfind("# curve_public_key = ", 0) == 0) client.public_key = line.substr(eq + 2);
        if (line.rfind("curve_secret_key = ", 0) == 0) client.secret_key = line.substr(eq + 2);
    }
    ASSERT_TRUE(wsc::bus::is_curve_key(client.public_key));
    ASSERT_EQ(wsc::bus::curve_public_key(client.secret_key), client.public_key);

    auto r = start_registry({}, registry_keys(registry, client.public_key));
    auto node = start_wsnode({r.bus_port}, node_keys(registry.public_key, registry));
    ASSERT_TRUE(wait_for_nodes(r.http_port, 1));  // a node may share the registry's keypair

    const auto answered = raw_call(r.bus_endpoint(), client_curve(registry, client), kSilence * 5);
    ASSERT_TRUE(answered.has_value());
    EXPECT_EQ((*answered)["data"]["getConnectionCount"][node.node_id], 0) << answered->dump();

    const long refused = metric(r.http_port, "wscenter_bus_auth_refused_total");
    const long failed = metric(r.http_port, "wscenter_bus_handshake_failures_total");
    EXPECT_FALSE(raw_call(r.bus_endpoint(), {}, kSilence).has_value()) << "no key";
    EXPECT_TRUE(wait_until(
        [&] { return metric(r.http_port, "wscenter_bus_handshake_failures_total") > failed; }));
    EXPECT_FALSE(raw_call(r.bus_endpoint(), client_curve(registry, make_curve_keypair()), kSilence)
                     .has_value())
        << "unauthorized key";
    EXPECT_TRUE(wait_until(
        [&] { return metric(r.http_port, "wscenter_bus_auth_refused_total") > refused; }));

    ChildProcess cli(WSC_CLI_BIN, {"--registry", r.bus_endpoint(), "getConnectionCount"},
                     {{"WSCENTER_CLI_CURVE_SERVER_KEY", registry.public_key},
                      {"WSCENTER_CLI_CURVE_SECRET_KEY", client.secret_key}});
    ASSERT_EQ(cli.wait_exit(std::chrono::seconds(10)), 0) << cli.stderr_text();
    EXPECT_EQ(json::parse(cli.stdout_lines().at(0))["data"]["getConnectionCount"][node.node_id], 0);

    const std::string script = std::string(WSC_SOURCE_DIR) + "/docs/python_client.py";
    ChildProcess python("/usr/bin/python3",
                        {script, "--registry", r.bus_endpoint(), "--curve-server-key",
                         registry.public_key, "call", "getConnectionCount"},
                        {{"WSCENTER_CLI_CURVE_SECRET_KEY", client.secret_key}});
    ASSERT_EQ(python.wait_exit(std::chrono::seconds(10)), 0) << python.stderr_text();
    EXPECT_EQ(json::parse(python.stdout_lines().at(0))["code"], 0);
}

TEST(Curve, RegistriesSharingAKeypairFederate) {
    const auto cluster = make_curve_keypair();
    const auto node_pair = make_curve_keypair();
    const auto outsider = make_curve_keypair();
    auto r1 = start_registry({}, registry_keys(cluster, node_pair.public_key));
    auto r2 = start_registry({r1.bus_port}, registry_keys(cluster, node_pair.public_key));
    auto node = start_wsnode({r2.bus_port}, node_keys(cluster.public_key, node_pair));
    // A registry with a key of its own, dialing r1 as a peer, is refused.
    Flags rogue_keys = registry_keys(outsider, "");
    rogue_keys["registry.curve_server_key"] = cluster.public_key;
    auto rogue = start_registry({r1.bus_port}, rogue_keys);
    auto rogue_node = start_wsnode({rogue.bus_port}, node_keys(outsider.public_key, outsider));
    ASSERT_TRUE(wait_for_nodes(rogue.http_port, 1));

    ASSERT_TRUE(wait_for_nodes(r1.http_port, 1)) << describe(master_ids(r1.http_port));
    ASSERT_TRUE(
        wait_until([&] { return metric(r1.http_port, "wscenter_bus_auth_refused_total") >= 2; }));
    EXPECT_EQ(master_ids(r1.http_port), IdSet{node.node_id});
    auto client = connect_client(node);
    const auto sent = api(r1.http_port, "event=broadcast&broadcast[msg]=federated");
    EXPECT_EQ(sent["data"]["broadcast"][node.node_id], 1) << sent.dump();
    EXPECT_EQ(client->ws->recv(), std::optional<std::string>("federated"));
}

TEST(Curve, BadKeysAreOneLineConfigErrors) {
    const auto keys = make_curve_keypair();
    struct Case {
        const char* bin;
        std::vector<std::string> args;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {WSC_REGISTRY_BIN,
         {"--registry.bus_port=0", "--registry.http_port=0",
          "--registry.curve_secret_key=" + keys.secret_key.substr(1)},
         "registry.curve_secret_key: expected a 40-character Z85 CURVE key"},
        {WSC_REGISTRY_BIN,
         {"--registry.bus_port=0", "--registry.http_port=0",
          "--registry.curve_authorized_keys=" + keys.public_key},
         "registry.curve_authorized_keys is set but registry.curve_secret_key is not"},
        {WSC_WSNODE_BIN,
         {"--wsnode.port=0", "--wsnode.curve_server_key=" + keys.public_key},
         "wsnode.curve_server_key is set but wsnode.curve_secret_key is not"},
        {WSC_CLI_BIN,
         {"--curve-server-key", keys.public_key, "--curve-secret-key", "x", "nodes"},
         "--curve-secret-key: expected a 40-character Z85 CURVE key"},
    };
    for (const auto& c : cases) {
        ChildProcess p(c.bin, c.args, {{"REGISTER_CENTER_PORT", ""}, {"TOKEN", ""}});
        EXPECT_EQ(p.wait_exit(std::chrono::seconds(5)), kExitConfig) << c.expected;
        const std::string err = p.stderr_text();
        EXPECT_NE(err.find(c.expected), std::string::npos) << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
        EXPECT_EQ(err.find(keys.secret_key.substr(1)), std::string::npos) << "secret echoed";
    }
}
