// Command line of wscenter-cli turned into the parameter map of an API call,
// the same map an HTTP caller sends as query + body.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace wsc {

struct CliUsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct CliArgs {
    std::string registry = "tcp://127.0.0.1:8010";
    std::string token;
    int timeout_ms = 0;  // 0: the registry's default
    int ack_ms = 0;      // 0: no delivery receipts asked
    bool help = false;
    std::string curve_server_key;                      // registry's public key (Z85)
    std::string curve_secret_key;                      // our own secret key (Z85)
    std::string command;                               // "call", "nodes", "subscribe", "keygen"
    std::vector<std::string> event_filter;             // subscribe --event open,message,close
    nlohmann::json params = nlohmann::json::object();  // for "call"
};

// argv[1..]: options (--registry, --token, --timeout, --json, --curve-*,
// --help) and, for a call, EVENT[,EVENT…] followed by key=value /
// key[sub]=value pairs. With one event a plain key is that event's
// parameter; in a batch it must name the event (bindId[id]=u1). The CURVE
// keys may also come from `env` (WSCENTER_CLI_CURVE_SERVER_KEY,
// WSCENTER_CLI_CURVE_SECRET_KEY; a flag wins), which keeps a secret key off
// the command line. Throws CliUsageError with a clear reason.
CliArgs parse_cli_args(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env = {});

std::string cli_help();

}  // namespace wsc
