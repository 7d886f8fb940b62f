#include "common/Endpoint.hpp"

#include <algorithm>
#include <cctype>

#include "common/ConfigError.hpp"

namespace wsc {

std::string to_endpoint(std::string_view item, std::string_view default_host) {
    const bool digits = !item.empty() && std::all_of(item.begin(), item.end(), [](unsigned char c) {
        return std::isdigit(c) != 0;
    });
    if (digits) {
        if (item.size() > 5 || std::stoul(std::string(item)) > 65535)
            throw ConfigError("bad port '" + std::string(item) + "'");
        return "tcp://" + std::string(default_host) + ":" + std::string(item);
    }
    if (item.rfind("tcp://", 0) == 0 || item.rfind("ipc://", 0) == 0) return std::string(item);
    throw ConfigError("bad endpoint '" + std::string(item) +
                      "' (expected a port or tcp://host:port)");
}

}  // namespace wsc
