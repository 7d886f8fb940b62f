// The node as a library (SPEC §5): the example chat program embeds a
// wsc::Node with open / message / close handlers and upgrade middleware.
// Real processes: a registry and wscenter-example-chat, driven by real
// WebSocket clients, the registry's HTTP API and a CLI subscriber.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kSwitchingProtocols = 101;
constexpr int kBadRequest = 400;
constexpr int kForbidden = 403;
constexpr auto kQuietWindow = 300ms;  // long enough for a stray frame to arrive

// A logged-out chat client: connected, its open frame and greeting read.
struct Client {
    WsClient ws;
    std::string id;
    json hello;
};

std::unique_ptr<Client> connect_client(std::uint16_t port, const std::string& target = "/") {
    auto c = std::make_unique<Client>();
    if (c->ws.connect(port, target) != kSwitchingProtocols) return nullptr;
    const auto open = c->ws.recv();
    if (!open) return nullptr;
    c->id = json::parse(*open).at("_id").get<std::string>();
    if (const auto hello = c->ws.recv()) c->hello = json::parse(*hello);
    return c;
}

// The next chat message of `type` (other frames are skipped); null on timeout.
json next_of_type(WsClient& ws, const std::string& type) {
    const auto got = ws.recv_until([&](const std::string& text) {
        const json j = json::parse(text, nullptr, false);
        return j.is_object() && j.value("type", "") == type;
    });
    return got ? json::parse(*got) : json();
}

json send_and_wait(Client& c, const json& msg, const std::string& reply_type) {
    c.ws.send_text(msg.dump());
    return next_of_type(c.ws, reply_type);
}

std::unique_ptr<Client> logged_in(std::uint16_t port, const std::string& user) {
    auto c = connect_client(port);
    if (!c) return nullptr;
    const json welcome = send_and_wait(*c, {{"type", "login"}, {"user", user}}, "welcome");
    return welcome.value("user", "") == user ? std::move(c) : nullptr;
}

// A raw upgrade request with extra headers; the refusal is a plain response.
HttpResponse raw_upgrade(std::uint16_t port, const std::string& target,
                         std::map<std::string, std::string> extra) {
    extra["Upgrade"] = "websocket";
    extra["Connection"] = "Upgrade";
    extra["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ==";
    extra["Sec-WebSocket-Version"] = "13";
    return http_request(port, "GET", target, "", extra, 5s);
}

// Events printed so far by a subscriber process, one JSON object per line.
std::vector<json> events_of(ChildProcess& sub, const std::string& conn_id) {
    std::vector<json> out;
    for (const auto& line : sub.stdout_lines()) {
        const json e = json::parse(line, nullptr, false);
        if (e.is_object() && e.value("_id", "") == conn_id) out.push_back(e);
    }
    return out;
}

class Embedding : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        registry_ = new RegistryProc(start_registry());
        chat_ = new ChildProcess(WSC_EXAMPLE_CHAT_BIN, {"--port=0", "--host=127.0.0.1",
                                                        "--registries=" + registry_->bus_endpoint(),
                                                        "--log-level=debug"});
        const auto ready = chat_->wait_ready();
        node_id_ = ready.fields.at("node");
        port_ = static_cast<std::uint16_t>(std::stoi(ready.fields.at("ws_port")));
        ASSERT_TRUE(wait_for_nodes(registry_->http_port, 1));
    }
    static void TearDownTestSuite() {
        delete chat_;
        delete registry_;
    }
    void TearDown() override { ASSERT_TRUE(chat_->running()) << chat_->stderr_text(); }

    static RegistryProc* registry_;
    static ChildProcess* chat_;
    static std::string node_id_;
    static std::uint16_t port_;
};

RegistryProc* Embedding::registry_ = nullptr;
ChildProcess* Embedding::chat_ = nullptr;
std::string Embedding::node_id_;
std::uint16_t Embedding::port_ = 0;

TEST_F(Embedding, OpenHandlerGreetsAfterTheOpenFrameAndPingStillPongs) {
    auto c = connect_client(port_);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->id.size(), 32u);
    EXPECT_EQ(c->hello, json({{"type", "hello"}, {"node", node_id_}}));
    c->ws.send_text("ping");
    const auto pong = c->ws.recv();
    ASSERT_TRUE(pong);
    EXPECT_EQ(*pong, R"({"cmd":"pong","_id":")" + c->id + R"("})");
}

TEST_F(Embedding, LoginBindsTheUserAsTheRegistrySeesIt) {
    auto c = connect_client(port_);
    ASSERT_TRUE(c);
    const json welcome = send_and_wait(*c, {{"type", "login"}, {"user", "alice"}}, "welcome");
    EXPECT_EQ(welcome, json({{"type", "welcome"}, {"user", "alice"}}));

    const json r = api(registry_->http_port, "event=getIdBy_Id&getIdBy_Id[_id]=" + c->id);
    ASSERT_EQ(r["code"], 0) << r.dump();
    EXPECT_EQ(r["data"]["getIdBy_Id"][node_id_], "alice");
    // The node-local API on the chat's own port sees it too.
    const json local = http_get(port_, "/?event=get_IdsById&get_IdsById[id]=alice").json();
    EXPECT_EQ(local["data"]["get_IdsById"], json::array({c->id})) << local.dump();

    const json bad = send_and_wait(*c, {{"type", "login"}, {"user", 5}}, "error");
    EXPECT_EQ(bad["error"], "login needs a user");
}

TEST_F(Embedding, SayNeedsALoginAndTheRoom) {
    auto c = connect_client(port_);
    ASSERT_TRUE(c);
    const json say = {{"type", "say"}, {"room", "r0"}, {"text", "hi"}};
    EXPECT_EQ(send_and_wait(*c, say, "error")["error"], "log in first");
    send_and_wait(*c, {{"type", "login"}, {"user", "dave"}}, "welcome");
    EXPECT_EQ(send_and_wait(*c, say, "error")["error"], "join r0 first");
}

TEST_F(Embedding, RoomMessagesReachTheRoomMembersOnly) {
    auto alice = logged_in(port_, "alice");
    auto bob = logged_in(port_, "bob");
    auto carol = logged_in(port_, "carol");
    ASSERT_TRUE(alice && bob && carol);
    for (Client* c : {alice.get(), bob.get()})
        EXPECT_EQ(send_and_wait(*c, {{"type", "join"}, {"room", "r1"}}, "joined")["room"], "r1");

    alice->ws.send_text(json({{"type", "say"}, {"room", "r1"}, {"text", "hi"}}).dump());
    const json said = {{"type", "said"}, {"from", "alice"}, {"room", "r1"}, {"text", "hi"}};
    EXPECT_EQ(next_of_type(bob->ws, "said"), said);
    EXPECT_EQ(next_of_type(alice->ws, "said"), said);  // the sender is a member too
    EXPECT_TRUE(carol->ws.drain(kQuietWindow).empty());

    // The close handler tells the rooms of a member that leaves.
    bob->ws.close();
    EXPECT_EQ(next_of_type(alice->ws, "left"),
              json({{"type", "left"}, {"from", "bob"}, {"room", "r1"}}));
    EXPECT_TRUE(wait_until([&] {
        const json r =
            api(registry_->http_port, "event=getGroup_IdCount&getGroup_IdCount[groupId]=r1");
        return r["data"]["getGroup_IdCount"][node_id_] == 1;
    }));
}

TEST_F(Embedding, MiddlewareRefusesUpgradesAndAcceptsTheRest) {
    WsClient forbidden;
    EXPECT_EQ(forbidden.connect(port_, "/forbidden"), kForbidden);
    EXPECT_FALSE(forbidden.is_open());
    WsClient deeper;
    EXPECT_EQ(deeper.connect(port_, "/forbidden/room?x=1"), kForbidden);

    // A header lws does not know (matched without regard to case) and one it does.
    EXPECT_EQ(raw_upgrade(port_, "/", {{"x-chat-VERSION", "2"}}).status, kBadRequest);
    EXPECT_EQ(raw_upgrade(port_, "/", {{"User-Agent", "BadBot/1.0"}}).status, kForbidden);

    auto ok = connect_client(port_, "/chat?room=7");
    ASSERT_TRUE(ok);
    const json r = api(registry_->http_port, "event=get_IdData&get_IdData[_id]=" + ok->id);
    EXPECT_EQ(r["data"]["get_IdData"][node_id_], json({{"room", "7"}}));
}

TEST_F(Embedding, ChatMessagesStayLocalAndTheRestGoesUpstream) {
    ChildProcess sub(WSC_CLI_BIN, {"--registry", registry_->bus_endpoint(), "subscribe"});
    auto c = connect_client(port_);
    ASSERT_TRUE(c);
    // Subscribed once a probe message shows up.
    ASSERT_TRUE(wait_until(
        [&] {
            c->ws.send_text("probe");
            return !events_of(sub, c->id).empty();
        },
        10s));
    send_and_wait(*c, {{"type", "login"}, {"user", "erin"}}, "welcome");
    c->ws.send_text("{not json");
    c->ws.send_text(R"({"type":"unknown"})");
    ASSERT_TRUE(wait_until([&] {
        const auto events = events_of(sub, c->id);
        return !events.empty() && events.back()["data"] == R"({"type":"unknown"})";
    })) << sub.stderr_text();

    std::vector<json> after_login;
    for (const auto& e : events_of(sub, c->id)) {
        if (e["event"] != "message") continue;
        EXPECT_EQ(e["data"].get<std::string>().find("login"), std::string::npos) << e.dump();
        if (e["id"] == "erin") after_login.push_back(e["data"]);
    }
    // Published with the user the handler bound.
    EXPECT_EQ(after_login, std::vector<json>({"{not json", R"({"type":"unknown"})"}));
}

}  // namespace
}  // namespace wsc::test
