// Command line of wscenter-bench: `wscenter-bench <scenario> --key=value ...`.
//
// Every key is declared once with a default and a help line; an unknown key
// or a value of the wrong type is a usage error with one clear line.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace wsc::bench {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// host:port, with "8090" meaning 127.0.0.1:8090.
struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};

class BenchArgs {
  public:
    // argv[1] is the scenario; the rest are --key=value. Throws UsageError.
    static BenchArgs parse(int argc, const char* const* argv);

    static std::string usage();

    const std::string& scenario() const { return scenario_; }
    bool help() const { return help_; }

    std::string text(const std::string& key) const;
    long long integer(const std::string& key, long long min, long long max) const;
    double number(const std::string& key, double min, double max) const;
    std::vector<std::string> list(const std::string& key) const;
    std::vector<HostPort> endpoints(const std::string& key) const;
    // One of `choices`, else UsageError naming them.
    std::string choice(const std::string& key, const std::vector<std::string>& choices) const;

  private:
    std::string scenario_;
    bool help_ = false;
    std::map<std::string, std::string> values_;
};

HostPort parse_host_port(const std::string& item);

}  // namespace wsc::bench
