// wscenter-example-chat: a tiny chat server made by embedding a wsc::Node.
//
// It shows the embedding API (wsnode/Node.hpp, wsnode/Handlers.hpp): the
// node is configured in code, handlers give client messages a meaning by
// calling SPEC §4 events locally, and middleware refuses some upgrades.
// Client protocol, one JSON object per text message:
//   {"type":"login","user":"alice"}          -> bindId; {"type":"welcome","user":"alice"}
//   {"type":"join","room":"r1"}              -> joinGroupBy_Id; {"type":"joined","room":"r1"}
//   {"type":"say","room":"r1","text":"hi"}   -> sendToGroup of
//       {"type":"said","from":"alice","room":"r1","text":"hi"} to the room (logged-in members only)
// A mistake gets {"type":"error","error":"..."}; anything else (not JSON, an
// unknown type) is left to the node, which publishes it upstream as usual.
// When a logged-in member leaves, its rooms get {"type":"left","from":...,"room":...}.
//
// Usage: wscenter-example-chat [--port=8090] [--host=ADDR] [--registries=8010,...]
//                              [--log-level=info]
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "common/Log.hpp"
#include "common/Signals.hpp"
#include "wsnode/Node.hpp"

namespace {

using nlohmann::json;

constexpr const char* kProgram = "wscenter-example-chat";
constexpr int kExitConfig = 2;
constexpr int kExitFailure = 1;
constexpr std::size_t kMaxNameBytes = 64;    // a user or room name
constexpr std::size_t kMaxTextBytes = 4096;  // one chat line
constexpr int kStatusBadRequest = 400;
constexpr int kStatusForbidden = 403;
constexpr std::string_view kProtocolVersion = "1";
constexpr unsigned kMaxPort = 65535;

// "8010" -> tcp://127.0.0.1:8010, "host:8010" -> tcp://host:8010, an endpoint as is.
std::string registry_endpoint(std::string item) {
    if (item.find("://") != std::string::npos) return item;
    if (item.find(':') == std::string::npos) return "tcp://127.0.0.1:" + item;
    return "tcp://" + item;
}

std::uint16_t parse_port(const std::string& text) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size() || port > kMaxPort)
        throw std::runtime_error("--port: '" + text + "' is not a port (0..65535)");
    return static_cast<std::uint16_t>(port);
}

wsc::NodeConfig parse_flags(int argc, char** argv) {
    wsc::NodeConfig config;
    config.registries = {registry_endpoint("8010")};
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
        if (eq == std::string::npos) throw std::runtime_error("expected --name=value, got " + arg);
        if (name == "--port") {
            config.port = parse_port(value);
        } else if (name == "--host") {
            config.host = value;
        } else if (name == "--registries") {
            config.registries.clear();
            std::size_t start = 0;
            while (start <= value.size()) {
                const auto comma = std::min(value.find(',', start), value.size());
                if (comma > start)
                    config.registries.push_back(
                        registry_endpoint(value.substr(start, comma - start)));
                start = comma + 1;
            }
        } else if (name == "--log-level") {
            wsc::set_log_level(wsc::parse_log_level(value));
        } else {
            throw std::runtime_error("unknown flag " + name);
        }
    }
    return config;
}

// A non-empty string field of at most `limit` bytes.
std::optional<std::string> text_field(const json& msg, const char* key, std::size_t limit) {
    const auto it = msg.find(key);
    if (it == msg.end() || !it->is_string()) return std::nullopt;
    const auto& text = it->get_ref<const std::string&>();
    if (text.empty() || text.size() > limit) return std::nullopt;
    return text;
}

void reply(wsc::Context& ctx, const wsc::Connection& conn, const json& msg) {
    ctx.send(conn.id(), msg.dump(-1, ' ', false, json::error_handler_t::replace));
}

void refuse(wsc::Context& ctx, const wsc::Connection& conn, const std::string& why) {
    reply(ctx, conn, {{"type", "error"}, {"error", why}});
}

void login(wsc::Context& ctx, const wsc::Connection& conn, const json& msg) {
    const auto user = text_field(msg, "user", kMaxNameBytes);
    if (!user) return refuse(ctx, conn, "login needs a user");
    ctx.call("bindId", {{"id", *user}, {"_id", conn.id()}});
    reply(ctx, conn, {{"type", "welcome"}, {"user", *user}});
}

void join(wsc::Context& ctx, const wsc::Connection& conn, const json& msg) {
    const auto room = text_field(msg, "room", kMaxNameBytes);
    if (!room) return refuse(ctx, conn, "join needs a room");
    ctx.call("joinGroupBy_Id", {{"groupId", *room}, {"_id", conn.id()}});
    reply(ctx, conn, {{"type", "joined"}, {"room", *room}});
}

void say(wsc::Context& ctx, const wsc::Connection& conn, const json& msg) {
    const auto user = conn.user();  // bound by login, through the node's index
    if (!user) return refuse(ctx, conn, "log in first");
    const auto room = text_field(msg, "room", kMaxNameBytes);
    const auto text = text_field(msg, "text", kMaxTextBytes);
    if (!room || !text) return refuse(ctx, conn, "say needs a room and a text");
    if (ctx.call("isInGroupBy_Id", {{"groupId", *room}, {"_id", conn.id()}}) != true)
        return refuse(ctx, conn, "join " + *room + " first");
    const json said = {{"type", "said"}, {"from", *user}, {"room", *room}, {"text", *text}};
    ctx.call("sendToGroup", {{"groupId", *room}, {"msg", said}});
}

// Chat messages are handled here (true); anything else goes upstream (false).
bool on_message(wsc::Context& ctx, const wsc::Connection& conn, std::string_view data,
                bool binary) {
    if (binary) return false;
    const json msg = json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (!msg.is_object() || !msg.contains("type") || !msg["type"].is_string()) return false;
    const auto& type = msg["type"].get_ref<const std::string&>();
    if (type == "login") {
        login(ctx, conn, msg);
    } else if (type == "join") {
        join(ctx, conn, msg);
    } else if (type == "say") {
        say(ctx, conn, msg);
    } else {
        return false;
    }
    return true;
}

// The client is gone but still in its rooms: tell them.
void on_close(wsc::Context& ctx, const wsc::Connection& conn) {
    const auto user = conn.user();
    if (!user) return;
    for (const auto& room : ctx.call("getGroupIdsBy_Id", {{"_id", conn.id()}})) {
        const json left = {{"type", "left"}, {"from", *user}, {"room", room}};
        ctx.call("sendToGroup", {{"groupId", room}, {"msg", left}});
    }
}

std::optional<int> check_upgrade(const wsc::UpgradeRequest& request) {
    if (request.path().rfind("/forbidden", 0) == 0) return kStatusForbidden;
    const std::string version = request.header("X-Chat-Version");
    if (!version.empty() && version != kProtocolVersion) return kStatusBadRequest;
    if (request.header("User-Agent").find("BadBot") != std::string::npos) return kStatusForbidden;
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    std::unique_ptr<wsc::Node> node;
    try {
        wsc::NodeConfig config = parse_flags(argc, argv);
        wsc::block_termination_signals();
        node = std::make_unique<wsc::Node>(std::move(config));
        node->on_open([](wsc::Context& ctx, const wsc::Connection& conn) {
            reply(ctx, conn, {{"type", "hello"}, {"node", ctx.node_id()}});
        });
        node->on_message(on_message);
        node->on_close(on_close);
        node->use(check_upgrade);
        node->start();
    } catch (const std::exception& e) {
        std::cerr << kProgram << ": " << e.what() << std::endl;
        return kExitConfig;
    }
    std::cout << kProgram << " ready node=" << node->node_id() << " ws_port=" << node->port()
              << std::endl;
    const int signal_number = wsc::wait_for_termination([&] { return node->failed(); });
    node->stop();
    return signal_number == 0 ? kExitFailure : 0;
}
