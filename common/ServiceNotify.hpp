// Readiness and stop notices to the service manager (systemd's sd_notify
// protocol) without libsystemd.
//
// A service started with Type=notify finds the path of a datagram socket in
// $NOTIFY_SOCKET and sends it newline-separated KEY=VALUE lines: "READY=1"
// once it serves, "STOPPING=1" when its shutdown begins, "STATUS=..." as a
// human-readable line for `systemctl status`. A name starting with '@' is a
// socket in the abstract namespace (the '@' stands for a leading NUL byte).
// Outside systemd NOTIFY_SOCKET is unset and nothing is sent.
#pragma once

#include <string>
#include <string_view>

namespace wsc {

// Sends `state` as one datagram to the AF_UNIX socket `socket_name` (a path,
// or '@' + an abstract name). Returns an empty string when sent, else why not.
std::string send_service_notice(std::string_view socket_name, std::string_view state);

// Sends `state` to $NOTIFY_SOCKET when it is set. Returns true when sent;
// false when NOTIFY_SOCKET is unset or empty, or the send failed (logged as a
// warning: the service manager then times the start out by itself).
bool notify_service_manager(std::string_view state);

}  // namespace wsc
