// BenchArgs: the option table of wscenter-bench and its typed getters.
#include "bench/BenchArgs.hpp"

#include <charconv>
#include <cstdlib>
#include <sstream>

namespace wsc::bench {

namespace {

struct Spec {
    const char* key;
    const char* default_value;
    const char* help;
};

// The one list of options. Scenarios read only the keys they need.
constexpr Spec kSpecs[] = {
    {"ws", "", "wsnode WebSocket endpoints, comma list of host:port or port"},
    {"protocol", "wscenter",
     "server measured: wscenter, socketio (Socket.IO 4 clients, wscenter-style HTTP API) or "
     "pushpin (plain WebSocket clients, --http is Pushpin's publish endpoint)"},
    {"pids", "", "process ids of those wsnodes (memory and CPU readings), comma list"},
    {"registry_pids", "", "process ids of the registries (CPU readings), comma list"},
    {"http", "", "registry HTTP API, host:port or port"},
    {"bus", "", "registry bus endpoint, tcp://host:port or port"},
    {"via", "http", "how calls are sent: http or bus"},
    {"method", "get", "HTTP method for API calls: get (query string) or post (JSON body)"},
    {"event", "", "fanout: broadcast or group; unicast: _id or id; scaleout: _id, id or group"},
    {"node_ids", "", "scaleout: the node id of each --ws endpoint, same order, comma list"},
    {"clients", "1000", "WebSocket clients to open"},
    {"sources", "16", "source addresses 127.0.0.2 .. 127.0.0.(1+N) the clients bind to"},
    {"connect_window", "256", "connection handshakes in progress at once"},
    {"groups", "10", "group sends: number of groups (client i joins group i % groups)"},
    {"group_size", "4", "scaleout: clients in the one group (the first ones: on different nodes)"},
    {"size", "64", "message size in bytes (at least the ~30-byte header)"},
    {"calls", "200", "API calls to make (ignored when duration > 0)"},
    {"duration", "0", "seconds to keep calling (floor: of rounds); 0 = make `calls` calls"},
    {"rate", "0", "calls per second (floor: broadcast rounds); 0 = as fast as possible"},
    {"conns", "1", "HTTP: concurrent connections; bus: calls in flight"},
    {"ack", "0",
     "unicast, fanout: ms each send waits for delivery receipts (clients connect with acks=1 "
     "and ack every message; wscenter only); 0 = off"},
    {"settle_ms", "3000", "after the last call, stop waiting once no delivery came this long"},
    {"idle_ms", "1000", "connections: idle time before reading the memory"},
    {"connect_timeout_ms", "60000", "give up opening clients after this long"},
    {"warmup_ms", "0", "pause between the last client opening and the first call"},
    {"messages", "1000", "ceiling: messages the trivial server sends each client"},
    {"batch", "16", "ceiling: frames per server write"},
    {"label", "", "free text copied into the report"},
};

const Spec* find_spec(const std::string& key) {
    for (const auto& spec : kSpecs)
        if (key == spec.key) return &spec;
    return nullptr;
}

constexpr const char* kScenarios[] = {"connections", "fanout",  "unicast",
                                      "scaleout",    "ceiling", "floor"};

}  // namespace

HostPort parse_host_port(const std::string& item) {
    std::string text = item;
    if (text.rfind("tcp://", 0) == 0) text = text.substr(6);
    const auto colon = text.rfind(':');
    HostPort out;
    out.host = colon == std::string::npos ? "127.0.0.1" : text.substr(0, colon);
    const std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535 ||
        out.host.empty())
        throw UsageError("'" + item + "' is not host:port or a port");
    out.port = static_cast<std::uint16_t>(value);
    return out;
}

BenchArgs BenchArgs::parse(int argc, const char* const* argv) {
    BenchArgs args;
    for (const auto& spec : kSpecs) args.values_[spec.key] = spec.default_value;
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') {
        args.scenario_ = argv[1];
        first = 2;
    }
    for (int i = first; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            args.help_ = true;
            continue;
        }
        const auto eq = arg.find('=');
        if (arg.rfind("--", 0) != 0 || eq == std::string::npos)
            throw UsageError("expected --key=value, got '" + arg + "'");
        const std::string key = arg.substr(2, eq - 2);
        if (!find_spec(key)) throw UsageError("unknown option --" + key);
        args.values_[key] = arg.substr(eq + 1);
    }
    if (args.help_) return args;
    bool known = false;
    for (const char* name : kScenarios) known = known || args.scenario_ == name;
    if (!known)
        throw UsageError(args.scenario_.empty() ? "missing scenario"
                                                : "unknown scenario '" + args.scenario_ + "'");
    return args;
}

std::string BenchArgs::usage() {
    std::ostringstream out;
    out << "usage: wscenter-bench <connections|fanout|unicast|scaleout|ceiling|floor> "
           "[--key=value ...]\n\n"
           "  connections  open --clients to --ws nodes; connect rate, node memory per connection\n"
           "  fanout       broadcast or group sends to --clients; deliveries/s, latency, order\n"
           "  unicast      sendMessageTo_Id / sendMessageToId calls; calls/s, HTTP and delivery "
           "latency\n"
           "  scaleout     targeted calls (--event=_id, id or group) against N nodes; calls/s, "
           "latency, results per node, bus Requests per call\n"
           "  ceiling      the tool against its own trivial server: its delivery ceiling\n"
           "  floor        --rate broadcasts/s for --duration to --clients from the trivial "
           "server, one send() per delivery: the machine's latency floor\n\n"
           "options:\n";
    for (const auto& spec : kSpecs) {
        std::string left = std::string("  --") + spec.key + "=" +
                           (*spec.default_value ? spec.default_value : "\"\"");
        left.resize(std::max<std::size_t>(left.size() + 1, 28), ' ');
        out << left << spec.help << '\n';
    }
    return out.str();
}

std::string BenchArgs::text(const std::string& key) const {
    const auto it = values_.find(key);
    if (it == values_.end()) throw std::logic_error("undeclared bench option " + key);
    return it->second;
}

long long BenchArgs::integer(const std::string& key, long long min, long long max) const {
    const std::string value = text(key);
    long long out = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || end != value.data() + value.size() || out < min || out > max)
        throw UsageError("--" + key + ": expected an integer in [" + std::to_string(min) + ", " +
                         std::to_string(max) + "], got '" + value + "'");
    return out;
}

double BenchArgs::number(const std::string& key, double min, double max) const {
    const std::string value = text(key);
    char* end = nullptr;
    const double out = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !(out >= min && out <= max))
        throw UsageError("--" + key + ": expected a number in [" + std::to_string(min) + ", " +
                         std::to_string(max) + "], got '" + value + "'");
    return out;
}

std::vector<std::string> BenchArgs::list(const std::string& key) const {
    std::vector<std::string> out;
    std::stringstream in(text(key));
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

std::vector<HostPort> BenchArgs::endpoints(const std::string& key) const {
    std::vector<HostPort> out;
    for (const auto& item : list(key)) {
        try {
            out.push_back(parse_host_port(item));
        } catch (const UsageError& e) {
            throw UsageError("--" + key + ": " + e.what());
        }
    }
    return out;
}

std::string BenchArgs::choice(const std::string& key,
                              const std::vector<std::string>& choices) const {
    const std::string value = text(key);
    std::string all;
    for (const auto& c : choices) {
        if (value == c) return value;
        all += (all.empty() ? "" : ", ") + c;
    }
    throw UsageError("--" + key + ": expected one of " + all + ", got '" + value + "'");
}

}  // namespace wsc::bench
