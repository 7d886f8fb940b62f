// wscenter-cli: runs API events against a registry over the bus and prints
// the same envelope as the HTTP API.
#include <algorithm>
#include <csignal>
#include <iostream>
#include <optional>
#include <random>

#include "bus/CurveConfig.hpp"
#include "bus/Frames.hpp"
#include "bus/Messages.hpp"
#include "cli/CliArgs.hpp"
#include "common/Options.hpp"

namespace {

constexpr int kDefaultWaitMs = 3000;  // the registry's default gathering time
constexpr int kMarginMs = 2000;       // the registry answers by the deadline; allow for transit
constexpr int kExitUsage = 2;

// A DEALER to the registry, a CURVE client when keys were given.
void connect_dealer(zmq::socket_t& socket, const wsc::CliArgs& args,
                    const wsc::bus::CurveConfig& curve) {
    wsc::bus::configure_socket(socket);
    wsc::bus::apply_curve_client(socket, curve);
    try {
        socket.connect(args.registry);
    } catch (const zmq::error_t& e) {
        throw wsc::CliUsageError("bad --registry '" + args.registry + "': " + e.what());
    }
}

int run_keygen() {
    const auto keys = wsc::bus::make_curve_keypair();
    std::cout << "# wscenter CURVE keypair. The secret key stays with its owner; the public key\n"
              << "# goes to the other side: a registry's into curve_server_key of its wsnodes\n"
              << "# and clients, a wsnode's or client's into the registry's\n"
              << "# curve_authorized_keys.\n"
              << "# curve_public_key = " << keys.public_key << '\n'
              << "curve_secret_key = " << keys.secret_key << '\n';
    return 0;
}

int run_call(const wsc::CliArgs& args, const wsc::bus::CurveConfig& curve,
             const nlohmann::json& params, std::string& envelope) {
    zmq::context_t ctx(1);
    zmq::socket_t socket(ctx, zmq::socket_type::dealer);
    connect_dealer(socket, args, curve);
    std::random_device rd;
    const std::uint64_t req = (static_cast<std::uint64_t>(rd()) << 32) | rd();
    const auto body = wsc::bus::encode(wsc::bus::ClientCall{req, params});
    // A call with receipts gathers for at least its ack time.
    const int wait_ms =
        std::max(args.timeout_ms > 0 ? args.timeout_ms : kDefaultWaitMs, args.ack_ms) + kMarginMs;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    bool sent = false;
    while (std::chrono::steady_clock::now() < deadline) {
        // The DEALER refuses to queue until connected (immediate): retry until the deadline.
        if (!sent) sent = wsc::bus::send_message(socket, wsc::bus::Command::ClientCall, body);
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(sent ? 100 : 20));
        if (!(item.revents & ZMQ_POLLIN)) continue;
        try {
            auto in = wsc::bus::receive(socket, false);
            if (!in || in->command != wsc::bus::Command::ClientResult) continue;
            auto result = wsc::bus::decode<wsc::bus::ClientResult>(in->body);
            if (result.req != nlohmann::json(req)) continue;
            envelope = std::move(result.envelope);
            return 0;
        } catch (const std::exception&) {
            continue;  // not for us, or malformed: keep waiting
        }
    }
    // A CURVE registry silently drops a client without the right keys.
    std::cerr << "wscenter-cli: no answer from " << args.registry << " within " << wait_ms << " ms"
              << (curve.enabled() ? " (check the CURVE keys)" : "") << '\n';
    return 3;
}

void print_nodes(const nlohmann::json& env) {
    const auto& data = env.at("data").at("nodes");
    std::cout << "registry " << data.value("registry", "?") << " sees " << data.at("nodes").size()
              << " node(s)\n";
    for (const auto& n : data.at("nodes")) {
        std::string regs;
        for (const auto& r : n.at("registries"))
            regs += (regs.empty() ? "" : ",") + r.get<std::string>();
        std::cout << n.at("node").get<std::string>() << "  " << n.value("url", "")
                  << "  conns=" << n.value("conns", 0) << "  hops=" << n.value("hops", 0)
                  << "  registries=" << regs;
        // The routing directory of that registry: whether the node is routed
        // exactly, and how many users and groups it holds.
        if (const auto d = n.find("directory"); d != n.end() && d->is_object())
            std::cout << "  directory=" << (d->value("synced", false) ? "synced" : "unsynced")
                      << " seq=" << d->value("seq", 0) << " users=" << d->value("users", 0)
                      << " groups=" << d->value("groups", 0);
        std::cout << '\n';
    }
}

volatile std::sig_atomic_t interrupted = 0;

// Prints upstream events until SIGINT/SIGTERM. The subscription is renewed
// every second, which also re-establishes it after a registry restart.
int run_subscribe(const wsc::CliArgs& args, const wsc::bus::CurveConfig& curve) {
    std::signal(SIGINT, [](int) { interrupted = 1; });
    std::signal(SIGTERM, [](int) { interrupted = 1; });
    zmq::context_t ctx(1);
    zmq::socket_t socket(ctx, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::rcvhwm, 100000);
    connect_dealer(socket, args, curve);
    const auto body =
        wsc::bus::encode(wsc::bus::Subscribe{args.event_filter, args.token, nlohmann::json()});
    const auto renew = std::chrono::milliseconds(wsc::bus::kSubscriptionRenewalMs);
    auto next = std::chrono::steady_clock::now();
    while (!interrupted) {
        if (std::chrono::steady_clock::now() >= next) {
            wsc::bus::send_message(socket, wsc::bus::Command::Subscribe, body);
            next = std::chrono::steady_clock::now() + renew;
        }
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        try {
            zmq::poll(&item, 1, std::chrono::milliseconds(100));
        } catch (const zmq::error_t&) {
            continue;  // EINTR
        }
        while (item.revents & ZMQ_POLLIN) {
            std::optional<wsc::bus::Incoming> in;
            try {
                in = wsc::bus::receive(socket, false);
            } catch (const std::exception&) {
                continue;
            }
            if (!in) break;
            if (in->command == wsc::bus::Command::ClientResult) {
                std::string why = "refused";
                try {
                    const auto result = wsc::bus::decode<wsc::bus::ClientResult>(in->body);
                    why = nlohmann::json::parse(result.envelope).value("msg", why);
                } catch (const std::exception&) {
                }
                std::cerr << "wscenter-cli: " << why << '\n';
                return 1;
            }
            nlohmann::ordered_json line;
            try {
                if (in->command == wsc::bus::Command::Upstream)
                    line = wsc::bus::decode<wsc::bus::Upstream>(in->body).event_line();
                else if (in->command == wsc::bus::Command::Event)
                    line = wsc::bus::decode<wsc::bus::ClusterEvent>(in->body).event_line();
                else
                    continue;
            } catch (const std::exception&) {
                continue;  // malformed: not printed
            }
            std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                      << std::endl;
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto args = wsc::parse_cli_args(std::vector<std::string>(argv + 1, argv + argc),
                                              wsc::Options::process_environment());
        if (args.help) {
            std::cout << wsc::cli_help();
            return 0;
        }
        if (args.command == "keygen") return run_keygen();
        const auto curve =
            wsc::bus::curve_client_config("--curve-server-key", args.curve_server_key,
                                          "--curve-secret-key", args.curve_secret_key);
        if (args.command == "subscribe") return run_subscribe(args, curve);
        nlohmann::json params = args.params;
        if (args.command == "nodes") params["event"] = "nodes";
        std::string envelope;
        if (int rc = run_call(args, curve, params, envelope)) return rc;
        const auto env = nlohmann::json::parse(envelope);
        const int code = env.value("code", 1);
        if (args.command == "nodes" && code == 0)
            print_nodes(env);
        else
            std::cout << envelope << '\n';
        if (code != 0 && args.command == "nodes")
            std::cerr << "wscenter-cli: " << env.value("msg", "refused") << '\n';
        return code == 0 ? 0 : 1;
    } catch (const wsc::CliUsageError& e) {
        std::cerr << "wscenter-cli: " << e.what() << '\n';
        return kExitUsage;
    } catch (const wsc::ConfigError& e) {
        std::cerr << "wscenter-cli: " << e.what() << '\n';
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "wscenter-cli: " << e.what() << '\n';
        return 3;
    }
}
