// Fuzz target: the INI configuration parser (files an operator writes).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/Options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = "/tmp/wsc-fuzz-config-" + std::to_string(getpid()) + ".ini";
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    const std::vector<wsc::OptionSpec> specs = {
        {"registry.bus_port", "8010", "bus port", {"REGISTER_CENTER_PORT"}},
        {"registry.tokens", "", "tokens", {"TOKEN"}},
        {"registry.heartbeat_ms", "1000", "heartbeat", {}},
        {"log.level", "info", "log level", {}},
    };
    const char* argv[] = {"fuzz", "--config", path.c_str()};
    try {
        const auto o = wsc::Options::parse("fuzz", specs, 3, argv, {});
        (void)o.get_port("registry.bus_port");
        (void)o.get_list("registry.tokens");
        (void)o.get_int("registry.heartbeat_ms", 1, 60000);
    } catch (const wsc::ConfigError&) {
    }
    return 0;
}
