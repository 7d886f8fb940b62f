// wscenter-wsnode: one WebSocket node of a wscenter cluster.
//
// Reads its options (INI < environment < flags, with the seed's PORT,
// REGISTER_CENTER_PORT and TOKEN variables), starts a Node, prints one
// "ready" line that scripts and tests wait for (and READY=1 to systemd under
// Type=notify), and drains on SIGTERM/SIGINT.
#include <charconv>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bus/LinkProof.hpp"
#include "common/Ids.hpp"
#include "common/Log.hpp"
#include "common/Options.hpp"
#include "common/ServiceNotify.hpp"
#include "common/Signals.hpp"
#include "net/TlsFiles.hpp"
#include "wsnode/Node.hpp"

namespace {

constexpr const char* kProgram = "wscenter-wsnode";
constexpr int kExitConfig = 2;
constexpr int kExitFailure = 1;
constexpr long long kMaxHeartbeatMs = 3'600'000;
constexpr long long kMaxLiveness = 1000;
constexpr long long kMinBufferBytes = 1024;
constexpr long long kMaxPartialTimeoutMs = 3'600'000;
constexpr long long kMaxBufferBytes = 1LL << 30;

std::vector<wsc::OptionSpec> option_specs() {
    using wsc::OptionSpec;
    std::vector<OptionSpec> specs = {
        {"wsnode.port",
         std::to_string(wsc::kDefaultWsPort),
         "WebSocket port (0 = any free port)",
         {"PORT"}},
        {"wsnode.host", "", "interface or address to listen on (empty = all)", {}},
        {"wsnode.registries",
         "8010",
         "registries to join: comma list of ports on 127.0.0.1, host:port or tcp:// endpoints",
         {"REGISTER_CENTER_PORT"}},
        {"wsnode.tokens",
         "",
         "comma list of tokens a client must give as ?token= (empty = none)",
         {"TOKEN"}},
        {"wsnode.api_tokens",
         "",
         "comma list of tokens for the node-local API (token=); client tokens never work there",
         {}},
        {"wsnode.public_url",
         "",
         "WebSocket URL advertised to registries (empty = ws://127.0.0.1:PORT/, wss:// with TLS)",
         {}},
        {"wsnode.node_id", "", "node id, 32 lowercase hex characters (empty = random)", {}},
        {"wsnode.heartbeat_ms",
         std::to_string(wsc::bus::kDefaultHeartbeatMs),
         "heartbeat interval to the registries, in ms",
         {}},
        {"wsnode.liveness",
         std::to_string(wsc::bus::kDefaultLiveness),
         "silent heartbeat intervals before a registry is reconnected",
         {}},
        {"wsnode.send_queue_bytes",
         std::to_string(wsc::kDefaultSendQueueBytes),
         "per-connection send queue cap; a client over it is closed with 1008",
         {}},
        {"wsnode.max_message_bytes",
         std::to_string(wsc::kDefaultMaxMessageBytes),
         "largest client message; a bigger one closes the connection with 1009",
         {}},
        {"wsnode.partial_budget_bytes",
         std::to_string(wsc::kDefaultPartialBudgetBytes),
         "bytes held for unfinished messages on the whole node; past it a connection gets 1009",
         {}},
        {"wsnode.partial_timeout_ms",
         std::to_string(wsc::kDefaultPartialTimeoutMs),
         "ms a client message may stay unfinished; past it the connection gets 1008",
         {}},
        {"wsnode.http_request_timeout_ms",
         std::to_string(wsc::kDefaultHttpRequestTimeoutMs),
         "ms a request's head (upgrade or API) may take to arrive, and again its body",
         {}},
        {"wsnode.max_connections",
         "100000",
         "connections held at most; upgrades past it get 503",
         {}},
        {"wsnode.connect_rate_per_ip",
         "200",
         "new connections per second from one address (429 beyond); 0 = no limit",
         {}},
        {"wsnode.curve_server_key",
         "",
         "CURVE public key (Z85) of the registries; set with curve_secret_key: encrypted bus",
         {}},
        {"wsnode.curve_secret_key", "", "CURVE secret key (Z85) of this node", {}},
        {"wsnode.cluster_secret",
         "",
         "secret (16+ characters) proved to the registries on the bus; the same as their "
         "registry.cluster_secret",
         {}},
        {"wsnode.max_pending_acks",
         "64",
         "ack-requested sends a connection may be awaited for at once; past it one is not waited "
         "for",
         {}},
        {"log.level", "info", "debug, info, warn, error or off", {}},
    };
    for (auto& spec : wsc::tls_option_specs("wsnode", true)) specs.push_back(std::move(spec));
    return specs;
}

bool is_port(const std::string& text) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    return ec == std::errc() && end == text.data() + text.size() && port > 0 && port <= 65535;
}

// "8010" -> tcp://127.0.0.1:8010 (the seed's form); "host:8010" -> tcp://host:8010;
// anything with a scheme is taken as a zmq endpoint.
std::string registry_endpoint(const std::string& item) {
    if (item.find("://") != std::string::npos) return item;
    if (is_port(item)) return "tcp://127.0.0.1:" + item;
    const auto colon = item.rfind(':');
    if (colon != std::string::npos && colon > 0 && is_port(item.substr(colon + 1)))
        return "tcp://" + item;
    throw wsc::ConfigError("wsnode.registries: '" + item +
                           "' is not a port, host:port or tcp:// endpoint");
}

wsc::NodeConfig node_config(const wsc::Options& options) {
    wsc::NodeConfig config;
    config.port = options.get_port("wsnode.port");
    config.host = options.get("wsnode.host");
    for (const auto& item : options.get_list("wsnode.registries"))
        config.registries.push_back(registry_endpoint(item));
    config.tokens = options.get_list("wsnode.tokens");
    config.api_tokens = options.get_list("wsnode.api_tokens");
    config.public_url = options.get("wsnode.public_url");
    config.node_id = options.get("wsnode.node_id");
    if (!config.node_id.empty() && !wsc::is_hex_id(config.node_id))
        throw wsc::ConfigError("wsnode.node_id: expected 32 lowercase hex characters, got '" +
                               config.node_id + "'");
    config.heartbeat_ms =
        static_cast<int>(options.get_int("wsnode.heartbeat_ms", 1, kMaxHeartbeatMs));
    config.liveness = static_cast<int>(options.get_int("wsnode.liveness", 1, kMaxLiveness));
    config.send_queue_bytes = static_cast<std::size_t>(
        options.get_int("wsnode.send_queue_bytes", kMinBufferBytes, kMaxBufferBytes));
    config.max_message_bytes = static_cast<std::size_t>(
        options.get_int("wsnode.max_message_bytes", kMinBufferBytes, kMaxBufferBytes));
    config.partial_budget_bytes = static_cast<std::size_t>(
        options.get_int("wsnode.partial_budget_bytes", kMinBufferBytes, kMaxBufferBytes));
    config.partial_timeout_ms =
        static_cast<int>(options.get_int("wsnode.partial_timeout_ms", 1, kMaxPartialTimeoutMs));
    config.http_request_timeout_ms =
        static_cast<int>(options.get_int("wsnode.http_request_timeout_ms", 1, 3600000));
    config.max_connections =
        static_cast<std::size_t>(options.get_int("wsnode.max_connections", 1, 100000000));
    config.connect_rate_per_ip =
        static_cast<double>(options.get_int("wsnode.connect_rate_per_ip", 0, 1000000));
    config.cluster_secret = options.get("wsnode.cluster_secret");
    if (const auto why = wsc::bus::check_cluster_secret(config.cluster_secret); !why.empty())
        throw wsc::ConfigError("wsnode.cluster_secret: " + why);
    config.curve = wsc::bus::curve_client_config(
        "wsnode.curve_server_key", options.get("wsnode.curve_server_key"),
        "wsnode.curve_secret_key", options.get("wsnode.curve_secret_key"));
    config.max_pending_acks =
        static_cast<std::size_t>(options.get_int("wsnode.max_pending_acks", 1, 100000));
    config.tls = wsc::read_tls_options(options, "wsnode", true);
    return config;
}

}  // namespace

int main(int argc, char** argv) {
    std::unique_ptr<wsc::Node> node;
    try {
        const auto options = wsc::Options::parse(kProgram, option_specs(), argc, argv,
                                                 wsc::Options::process_environment());
        if (options.help_requested()) {
            std::cout << options.help_text();
            return 0;
        }
        if (options.version_requested()) {
            std::cout << kProgram << " " << WSC_VERSION << "\n";
            return 0;
        }
        wsc::set_log_level(wsc::parse_log_level(options.get("log.level")));
        wsc::block_termination_signals();
        auto config = node_config(options);
        if (config.curve.enabled())
            wsc::log_info("wsnode", "CURVE on: public key " + config.curve.public_key);
        node = std::make_unique<wsc::Node>(std::move(config));
        node->start();
    } catch (const std::exception& e) {
        std::cerr << kProgram << ": " << e.what() << std::endl;
        return kExitConfig;
    }

    std::cout << kProgram << " ready node=" << node->node_id() << " ws_port=" << node->port()
              << std::endl;
    wsc::notify_service_manager("READY=1\nSTATUS=serving: WebSocket port " +
                                std::to_string(node->port()));
    int status = 0;
    try {
        const int signal_number =
            wsc::wait_for_termination([&] { return node->failed(); }, [&] { node->reload_tls(); });
        if (signal_number == 0) status = kExitFailure;  // a thread died: already logged
        wsc::notify_service_manager("STOPPING=1\nSTATUS=leaving the registries, closing clients");
        node->stop();
    } catch (const std::exception& e) {
        std::cerr << kProgram << ": " << e.what() << std::endl;
        return kExitFailure;
    }
    return status;
}
