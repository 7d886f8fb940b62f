// Program configuration from an INI file, the environment and the command line.
//
// Each program declares its options once as OptionSpecs ("section.key", a
// textual default, a help line and the seed's legacy environment names). The
// same option can then be set in the INI file given by --config (as `key`
// under `[section]`), as WSCENTER_<SECTION>_<KEY> or a legacy name in the
// environment, or as --section.key=value; later sources win
// (default < file < env < flag). Values stay text until a typed getter checks
// them, so one bad value produces one clear line naming the option.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/ConfigError.hpp"

namespace wsc {

struct OptionSpec {
    std::string key;                       // "section.key", e.g. "registry.bus_port"
    std::string default_value;             // textual default ("" = empty)
    std::string help;                      // one line for --help
    std::vector<std::string> env_aliases;  // legacy env names, e.g. {"REGISTER_CENTER_PORT"}
};

class Options {
  public:
    // Reads argv (argv[0] is the program path and is skipped), the INI file named
    // by --config and `env`. Throws ConfigError with one clear line. When --help
    // or --version is given the config file is not read, so help always works.
    static Options parse(std::string program, std::vector<OptionSpec> specs, int argc,
                         const char* const* argv, const std::map<std::string, std::string>& env);

    // A snapshot of this process's environment (environ), for parse().
    static std::map<std::string, std::string> process_environment();

    bool help_requested() const { return help_; }
    bool version_requested() const { return version_; }

    // Usage line plus every option with its default and environment names.
    std::string help_text() const;

    // The raw text of an option. An undeclared key is a programming error
    // and throws ConfigError saying so.
    std::string get(const std::string& key) const;

    // The value as an integer in [min, max]; ConfigError otherwise.
    long long get_int(const std::string& key, long long min, long long max) const;

    // A TCP port, 0..65535 (0 = let the system pick one).
    uint16_t get_port(const std::string& key) const;

    // Comma-separated items, each trimmed; empty items are dropped.
    std::vector<std::string> get_list(const std::string& key) const;

    // true/false, 1/0, yes/no, on/off (any case); ConfigError otherwise.
    bool get_bool(const std::string& key) const;

    // Where the value came from: "default", "file", "env" or "flag" (for logs).
    std::string source(const std::string& key) const;

  private:
    struct Value {
        std::string text;
        std::string source;  // "default" | "file" | "env" | "flag"
        std::string origin;  // e.g. "/etc/x.ini", "$REGISTER_CENTER_PORT", "--a.b"
    };

    Options() = default;

    const Value& find(const std::string& key) const;
    [[noreturn]] void fail_value(const std::string& key, const std::string& expected) const;

    std::string program_;
    std::vector<OptionSpec> specs_;
    std::map<std::string, Value> values_;
    bool help_ = false;
    bool version_ = false;
};

}  // namespace wsc
