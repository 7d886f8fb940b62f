// The one exception type for bad configuration.
//
// Shared by Options and Log (log level parsing) so that main() can catch a
// single type and turn it into one line on stderr and a non-zero exit.
#pragma once

#include <stdexcept>

namespace wsc {

// Bad configuration or bad use of the configuration API; what() is one line.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace wsc
