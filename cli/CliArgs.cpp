#include "cli/CliArgs.hpp"

#include "api/ParamTree.hpp"

namespace wsc {

namespace {

// "--timeout 500": a positive number of milliseconds, or a usage error.
int positive_ms(const std::string& option, const std::string& text) {
    try {
        std::size_t used = 0;
        const int ms = std::stoi(text, &used);
        if (used == text.size() && ms > 0) return ms;
    } catch (const std::exception&) {
    }
    throw CliUsageError(option + " must be a positive number of milliseconds");
}

bool take_value(const std::vector<std::string>& args, std::size_t& i, const std::string& name,
                std::string& out) {
    const std::string& a = args[i];
    if (a == name) {
        if (i + 1 >= args.size()) throw CliUsageError(name + " needs a value");
        out = args[++i];
        return true;
    }
    if (a.rfind(name + "=", 0) == 0) {
        out = a.substr(name.size() + 1);
        return true;
    }
    return false;
}

std::string env_or_empty(const std::map<std::string, std::string>& env, const char* name) {
    const auto it = env.find(name);
    return it != env.end() ? it->second : std::string();
}

}  // namespace

CliArgs parse_cli_args(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env) {
    CliArgs out;
    out.curve_server_key = env_or_empty(env, "WSCENTER_CLI_CURVE_SERVER_KEY");
    out.curve_secret_key = env_or_empty(env, "WSCENTER_CLI_CURVE_SECRET_KEY");
    std::string events;
    std::string json_text;
    std::vector<std::string> pairs;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string v;
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            out.help = true;
        } else if (take_value(args, i, "--registry", v)) {
            out.registry = v;
        } else if (take_value(args, i, "--token", v)) {
            out.token = v;
        } else if (take_value(args, i, "--timeout", v)) {
            out.timeout_ms = positive_ms("--timeout", v);
        } else if (take_value(args, i, "--ack", v)) {
            out.ack_ms = positive_ms("--ack", v);
        } else if (take_value(args, i, "--event", v)) {
            std::size_t start = 0;
            while (start <= v.size()) {
                const auto comma = v.find(',', start);
                const std::string item =
                    v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                if (item != "open" && item != "message" && item != "close" && item != "online" &&
                    item != "offline")
                    throw CliUsageError(
                        "--event takes open, message, close, online and/or offline, got '" + item +
                        "'");
                out.event_filter.push_back(item);
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
        } else if (take_value(args, i, "--curve-server-key", v)) {
            out.curve_server_key = v;
        } else if (take_value(args, i, "--curve-secret-key", v)) {
            out.curve_secret_key = v;
        } else if (take_value(args, i, "--json", v)) {
            json_text = v;
        } else if (a.rfind("--", 0) == 0) {
            throw CliUsageError("unknown option '" + a + "'");
        } else if (events.empty()) {
            events = a;
        } else {
            pairs.push_back(a);
        }
    }
    if (out.help) return out;
    if (events.empty()) throw CliUsageError("no event given (try --help)");
    if (events == "nodes" || events == "subscribe" || events == "keygen") {
        out.command = events;
        if (!pairs.empty()) throw CliUsageError(events + " takes no parameters");
    } else {
        out.command = "call";
    }
    const bool batch = events.find(',') != std::string::npos;
    for (const auto& p : pairs) {
        const auto eq = p.find('=');
        if (eq == std::string::npos || eq == 0)
            throw CliUsageError("expected key=value, got '" + p + "'");
        std::string key = p.substr(0, eq);
        const auto bracket = key.find('[');
        const std::string base = key.substr(0, bracket);
        const bool names_event = base == events || (batch && bracket != std::string::npos);
        if (batch && !names_event)
            throw CliUsageError("in a batch, name the event: " + base + "[...]=value");
        if (!names_event && out.command == "call")
            key = events + "[" + base + "]" +
                  (bracket == std::string::npos ? "" : key.substr(bracket));
        try {
            add_param(out.params, key, p.substr(eq + 1));
        } catch (const ParamError& e) {
            throw CliUsageError(std::string("bad parameter '") + p + "': " + e.what());
        }
    }
    if (!json_text.empty()) {
        try {
            merge_params(out.params, parse_body("application/json", json_text));
        } catch (const ParamError& e) {
            throw CliUsageError(std::string("--json: ") + e.what());
        }
    }
    if (out.command == "call") out.params["event"] = events;
    if (!out.token.empty()) out.params["token"] = out.token;
    if (out.timeout_ms > 0) out.params["timeout"] = out.timeout_ms;
    if (out.ack_ms > 0) out.params["ack"] = out.ack_ms;
    return out;
}

std::string cli_help() {
    return R"(Usage: wscenter-cli [options] EVENT[,EVENT...] [key=value | key[sub]=value ...]
       wscenter-cli [options] nodes
       wscenter-cli [options] subscribe [--event open,message,close]
       wscenter-cli keygen

Runs API events against a registry over its ZeroMQ bus and prints the same
JSON envelope as the HTTP API. Exit status 0 when "code" is 0, 1 when the
call was refused, 2 for bad arguments, 3 when the registry did not answer.

Options:
  --registry ENDPOINT   registry bus endpoint (default tcp://127.0.0.1:8010)
  --token T             API token, when the registry requires one
  --timeout MS          gathering time for the call (also bounds the wait)
  --ack MS              delivery receipts: sends wait up to MS for the acks of
                        connections that opted in (?acks=1); each node's result
                        becomes {"_ids":[...],"acked":k,"sent":n}
  --json '{...}'        parameters as a JSON object, merged over key=value ones
  --event LIST          subscribe: only these kinds (open, message, close,
                        online, offline)
  --curve-server-key K  the registry's CURVE public key, when its bus needs keys
  --curve-secret-key K  our CURVE secret key (better from the environment:
                        WSCENTER_CLI_CURVE_SERVER_KEY, WSCENTER_CLI_CURVE_SECRET_KEY)
  -h, --help            this help

nodes lists the live nodes of the cluster with their registries.
subscribe prints the events of WebSocket clients anywhere in the cluster,
one JSON line each, until interrupted:
  {"event":"message","node":"<id>","_id":"<id>","id":<user or null>,"data":"hi"}
data is the text, base64 for a binary message (then "binary":true), or the
upgrade URL's query parameters on open; a close has "reason": client,
server, slow, oversize, drain or node_lost. The cluster's presence events
come too: {"event":"online","id":"u1","node":"<id>","_id":"<id>","eid":"<id>"}
and "offline". Every event has an "eid": a copy delivered again across a
registry failure has the same one.

keygen prints a fresh CURVE keypair (Z85) as INI lines: the secret key stays
with its owner; the public key goes to the other side (a registry's into
curve_server_key of its wsnodes and clients, a wsnode's or client's into the
registry's curve_authorized_keys).

With one event, key=value pairs are that event's parameters; in a batch,
name the event: bindId[id]=u1. key[]=v appends to a list.

Examples:
  wscenter-cli getConnectionCount
  wscenter-cli bindId id=user1 _id=0123456789abcdef0123456789abcdef
  wscenter-cli sendToGroup groupId=room1 msg=hello 'exclude_Ids[]=<_id>'
  wscenter-cli 'bindId,getIds' 'bindId[id]=u1' 'bindId[_id]=<_id>'
  wscenter-cli --json '{"sendMessageToId":{"id":"u1","msg":{"type":"hi"}}}' sendMessageToId
  wscenter-cli --registry tcp://10.0.0.5:8010 --token secret nodes
  wscenter-cli subscribe --event message
  wscenter-cli keygen
)";
}

}  // namespace wsc
