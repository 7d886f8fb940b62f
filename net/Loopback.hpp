// Whether a peer address (as lws prints it) is this machine's loopback.
#pragma once

#include <string_view>

namespace wsc {

// 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6 (::ffff:127.0.0.1).
bool is_loopback_address(std::string_view address);

}  // namespace wsc
