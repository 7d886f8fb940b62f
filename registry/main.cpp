// wscenter-registry: one registry (bus broker + HTTP API) from INI, env and flags.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "bus/CurveConfig.hpp"
#include "bus/LinkProof.hpp"
#include "common/Endpoint.hpp"
#include "common/Log.hpp"
#include "common/Options.hpp"
#include "common/ServiceNotify.hpp"
#include "common/Signals.hpp"
#include "net/TlsFiles.hpp"
#include "registry/Registry.hpp"
#include "registry/WebhookConfig.hpp"

namespace {

std::vector<wsc::OptionSpec> option_specs() {
    std::vector<wsc::OptionSpec> specs = {
        {"registry.bus_port",
         "8010",
         "bus (ZeroMQ ROUTER) port; 0 picks a free one",
         {"REGISTER_CENTER_PORT"}},
        {"registry.bus_host", "0.0.0.0", "address the bus port binds to", {}},
        {"registry.bus_endpoint",
         "",
         "full bus endpoint (tcp://host:port), overrides port/host",
         {}},
        {"registry.http_port", "8011", "HTTP API port; 0 picks a free one", {"HTTP_PORT"}},
        {"registry.http_host", "", "address the HTTP API listens on (empty: all)", {}},
        {"registry.peers",
         "",
         "peer registries: ports on 127.0.0.1 or tcp://host:port, comma list",
         {"OTHER_REGISTER_CENTER_PORT"}},
        {"registry.tokens", "", "API tokens, comma list (empty: no token needed)", {"TOKEN"}},
        {"registry.curve_secret_key",
         "",
         "CURVE secret key (Z85) of this registry; set: every bus link is encrypted",
         {}},
        {"registry.curve_authorized_keys",
         "",
         "CURVE public keys of the clients and wsnodes let in: comma list, @FILE for a file",
         {}},
        {"registry.curve_server_key",
         "",
         "CURVE public key of the peer registries (empty: our own, a shared keypair)",
         {}},
        {"registry.cluster_secret",
         "",
         "secret (16+ characters) that wsnodes and peer registries prove on their bus links; "
         "the same in every [registry] and [wsnode]",
         {}},
        {"registry.heartbeat_ms", "1000", "heartbeat interval on every bus link", {}},
        {"registry.liveness", "3", "silent heartbeat intervals before a link is dead", {}},
        {"registry.timeout_ms", "3000", "default time to gather node replies", {}},
        {"registry.max_timeout_ms", "30000", "largest timeout= a call may ask for", {}},
        {"registry.max_batch", "64", "most events in one call", {}},
        {"registry.max_body_bytes", "1048576", "largest HTTP request body (413 beyond)", {}},
        {"registry.max_pending",
         "10000",
         "API calls in flight before refusing more (HTTP 503, bus: overloaded)",
         {}},
        {"registry.http_request_timeout_ms",
         std::to_string(wsc::kDefaultHttpRequestTimeoutMs),
         "ms a request's head may take to arrive, and again its body; then the connection ends",
         {}},
        {"registry.web_root", "", "folder served at /ui/ (empty: the bundled demo)", {}},
        {"log.level", "info", "debug, info, warn, error or off", {}},
    };
    for (auto& spec : wsc::tls_option_specs("registry", false)) specs.push_back(std::move(spec));
    for (auto& spec : wsc::webhook_option_specs("registry")) specs.push_back(std::move(spec));
    return specs;
}

// The demo page: next to an installed binary, else the source tree.
std::string find_web_root(const std::string& configured) {
    namespace fs = std::filesystem;
    if (!configured.empty()) return configured;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share/wscenter/web");
    candidates.push_back(WSC_SOURCE_WEB_ROOT);
    candidates.push_back(WSC_INSTALL_WEB_ROOT);
    for (const auto& c : candidates)
        if (fs::exists(c / "index.html", ec)) return c.string();
    return {};
}

wsc::RegistryConfig make_config(const wsc::Options& o) {
    wsc::RegistryConfig c;
    const std::string endpoint = o.get("registry.bus_endpoint");
    c.broker.bus_endpoint = !endpoint.empty()
                                ? wsc::to_endpoint(endpoint, "")
                                : wsc::to_endpoint(std::to_string(o.get_port("registry.bus_port")),
                                                   o.get("registry.bus_host"));
    if (c.broker.bus_endpoint.size() > 2 &&
        c.broker.bus_endpoint.substr(c.broker.bus_endpoint.size() - 2) == ":0")
        c.broker.bus_endpoint.replace(c.broker.bus_endpoint.size() - 1, 1, "*");
    c.broker.tokens = o.get_list("registry.tokens");
    c.broker.heartbeat_ms = static_cast<int>(o.get_int("registry.heartbeat_ms", 10, 60000));
    c.broker.liveness = static_cast<int>(o.get_int("registry.liveness", 1, 100));
    c.broker.limits.default_timeout_ms =
        static_cast<int>(o.get_int("registry.timeout_ms", 1, 3600000));
    c.broker.limits.max_timeout_ms =
        static_cast<int>(o.get_int("registry.max_timeout_ms", 1, 3600000));
    c.broker.limits.max_batch = static_cast<std::size_t>(o.get_int("registry.max_batch", 1, 10000));
    c.http.host = o.get("registry.http_host");
    c.http.port = o.get_port("registry.http_port");
    c.http.tokens = c.broker.tokens;
    c.http.limits = c.broker.limits;
    c.http.max_body_bytes =
        static_cast<std::size_t>(o.get_int("registry.max_body_bytes", 1, 1LL << 31));
    c.http.max_pending = static_cast<std::size_t>(o.get_int("registry.max_pending", 1, 10000000));
    c.broker.max_pending = c.http.max_pending;
    c.http.web_root = find_web_root(o.get("registry.web_root"));
    c.http.tls = wsc::read_tls_options(o, "registry", false);
    c.http.timeouts.request_ms =
        static_cast<int>(o.get_int("registry.http_request_timeout_ms", 1, 3600000));
    for (const auto& peer : o.get_list("registry.peers"))
        c.broker.peers.push_back(wsc::to_endpoint(peer, "127.0.0.1"));
    c.webhook = wsc::read_webhook_options(o, "registry");
    c.broker.cluster_secret = o.get("registry.cluster_secret");
    if (const auto why = wsc::bus::check_cluster_secret(c.broker.cluster_secret); !why.empty())
        throw wsc::ConfigError("registry.cluster_secret: " + why);
    c.broker.curve = wsc::bus::curve_registry_config(
        "registry.curve_secret_key", o.get("registry.curve_secret_key"),
        "registry.curve_authorized_keys", o.get_list("registry.curve_authorized_keys"),
        "registry.curve_server_key", o.get("registry.curve_server_key"));
    return c;
}

}  // namespace

int main(int argc, char** argv) {
    const char* prog = "wscenter-registry";
    try {
        auto opts = wsc::Options::parse(prog, option_specs(), argc, argv,
                                        wsc::Options::process_environment());
        if (opts.help_requested()) {
            std::cout << opts.help_text();
            return 0;
        }
        if (opts.version_requested()) {
            std::cout << prog << ' ' << WSC_VERSION << '\n';
            return 0;
        }
        wsc::set_log_level(wsc::parse_log_level(opts.get("log.level")));
        auto config = make_config(opts);
        wsc::block_termination_signals();
        wsc::Registry registry(config);
        registry.start();
        if (config.broker.curve.enabled())
            wsc::log_info("registry",
                          "CURVE on: public key " + config.broker.curve.public_key + ", " +
                              std::to_string(config.broker.curve.authorized_keys.size()) +
                              " keys let in (our own included)");
        if (!config.broker.cluster_secret.empty() && config.broker.curve.enabled())
            wsc::log_info("registry",
                          "CURVE on: the CURVE keys authenticate bus links; cluster_secret is "
                          "not asked of them");
        else if (!config.broker.cluster_secret.empty())
            wsc::log_info("registry", "wsnodes and peer registries must prove the cluster secret");
        else if (!config.broker.curve.enabled() && !config.broker.tokens.empty())
            wsc::log_warn("registry",
                          "API tokens are set but bus links are not authenticated: anyone who "
                          "reaches the bus port can pose as a wsnode or peer registry (set "
                          "registry.cluster_secret, or CURVE keys)");
        wsc::log_info("registry", "bus on port " + std::to_string(registry.bus_port()) +
                                      ", HTTP API on " +
                                      (config.http.tls.enabled() ? "https" : "http") +
                                      "://127.0.0.1:" + std::to_string(registry.http_port()) + "/");
        std::cout << prog << " ready bus_port=" << registry.bus_port()
                  << " http_port=" << registry.http_port() << std::endl;
        wsc::notify_service_manager("READY=1\nSTATUS=serving: bus port " +
                                    std::to_string(registry.bus_port()) + ", HTTP port " +
                                    std::to_string(registry.http_port()));
        const int sig = wsc::wait_for_termination({}, [&] { registry.reload_tls(); });
        wsc::notify_service_manager("STOPPING=1\nSTATUS=finishing the calls in flight");
        wsc::log_info("registry", "signal " + std::to_string(sig) +
                                      ", finishing the calls in flight, then stopping");
        registry.drain(std::chrono::milliseconds(config.broker.limits.max_timeout_ms + 1000));
        registry.stop();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << prog << ": " << e.what() << std::endl;
        return 2;
    }
}
