// Turning configuration items into ZeroMQ endpoints: "8010" means
// tcp://<default host>:8010, a full "tcp://host:port" is kept as given.
#pragma once

#include <string>
#include <string_view>

namespace wsc {

// Throws ConfigError for anything that is neither a port nor a tcp:// or
// ipc:// endpoint.
std::string to_endpoint(std::string_view item, std::string_view default_host);

}  // namespace wsc
