// Turning the configured listen host into what libwebsockets 4.1 accepts,
// and explaining why a listen failed.
//
// lws binds to an interface name or a numeric address only, and with IPv6
// enabled it silently binds to every address when given an IPv4 literal;
// these helpers make "127.0.0.1", "::1", "lo" and "localhost" all do what
// the user meant, and turn a failed bind into one readable line.
#pragma once

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace wsc {

struct ListenAddress {
    std::string iface;       // for lws: "" (all), an interface name or a numeric address
    bool ipv4_only = false;  // lws must run with IPv6 disabled to honour an IPv4 address
};

inline bool is_ipv4_literal(const std::string& host) {
    in_addr addr{};
    return ::inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

inline bool is_ipv6_literal(const std::string& host) {
    in6_addr addr{};
    return ::inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

// Throws when `address` (numeric) is not an address of this machine. lws
// would instead report success and wait for the address to appear.
inline void require_local_address(const std::string& address, bool v4) {
    sockaddr_storage storage{};
    socklen_t size = 0;
    if (v4) {
        auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
        sa->sin_family = AF_INET;
        ::inet_pton(AF_INET, address.c_str(), &sa->sin_addr);
        size = sizeof *sa;
    } else {
        auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
        sa->sin6_family = AF_INET6;
        ::inet_pton(AF_INET6, address.c_str(), &sa->sin6_addr);
        size = sizeof *sa;
    }
    const int fd = ::socket(storage.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        throw std::runtime_error("cannot listen on " + address + ": " + std::strerror(errno));
    const int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&storage), size);  // port 0: any
    const int err = errno;
    ::close(fd);
    if (rc != 0)
        throw std::runtime_error("cannot listen on " + address + ": " + std::strerror(err));
}

// Throws std::runtime_error when `host` is neither an address of this
// machine, an interface nor a resolvable name.
inline ListenAddress resolve_listen_host(const std::string& host) {
    if (host.empty()) return {};
    if (::if_nametoindex(host.c_str()) != 0) return {host, false};
    const bool v4 = is_ipv4_literal(host);
    if (v4 || is_ipv6_literal(host)) {
        require_local_address(host, v4);
        return {host, v4};
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found)
        throw std::runtime_error("cannot listen on '" + host +
                                 "': not an address, interface or known host name");
    // Prefer IPv4: "localhost" then means 127.0.0.1, where clients look first.
    const addrinfo* pick = found;
    for (const addrinfo* ai = found; ai; ai = ai->ai_next)
        if (ai->ai_family == AF_INET) {
            pick = ai;
            break;
        }
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        pick->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(pick->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(pick->ai_addr)->sin6_addr);
    const bool picked_v4 = pick->ai_family == AF_INET;
    ::inet_ntop(pick->ai_family, raw, text, sizeof text);
    ::freeaddrinfo(found);
    require_local_address(text, picked_v4);
    return {text, picked_v4};
}

// Why binding host:port failed, found by trying the same bind ourselves
// (lws only logs an errno number).
inline std::string listen_error(const std::string& host, std::uint16_t port) {
    const std::string where = (host.empty() ? "*" : host) + ":" + std::to_string(port);
    std::string reason = "the address is not available";
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0)
        return "cannot listen on " + where + ": " + reason;
    for (addrinfo* ai = found; ai; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) continue;
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        const int rc = ::bind(fd, ai->ai_addr, ai->ai_addrlen);
        const int err = errno;
        ::close(fd);
        if (rc != 0) {
            reason = std::strerror(err);
            break;
        }
    }
    ::freeaddrinfo(found);
    return "cannot listen on " + where + ": " + reason;
}

}  // namespace wsc
