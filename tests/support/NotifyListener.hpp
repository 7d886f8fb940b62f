// A service manager's notification socket, for tests of the sd_notify
// protocol: an AF_UNIX datagram socket bound to a path or, for a name that
// starts with '@', in the abstract namespace. Header-only, so the unit tests
// of common/ use it without the rest of the support library.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>

namespace wsc::test {

class NotifyListener {
  public:
    // A fresh abstract name for this process: "@wsc-notify-<pid>-<tag>".
    static std::string abstract_name(const std::string& tag) {
        return "@wsc-notify-" + std::to_string(::getpid()) + "-" + tag;
    }

    explicit NotifyListener(std::string name) : name_(std::move(name)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (name_.empty() || name_.size() >= sizeof(address.sun_path)) return;
        std::memcpy(address.sun_path, name_.data(), name_.size());
        std::size_t length = name_.size();
        if (name_[0] == '@') {
            address.sun_path[0] = '\0';
        } else {
            ++length;  // a path's terminating NUL
        }
        const auto address_length =
            static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
        bound_ = fd_ >= 0 &&
                 ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), address_length) == 0;
    }
    ~NotifyListener() {
        if (fd_ >= 0) ::close(fd_);
        if (bound_ && name_[0] == '/') ::unlink(name_.c_str());
    }
    NotifyListener(const NotifyListener&) = delete;
    NotifyListener& operator=(const NotifyListener&) = delete;

    const std::string& name() const { return name_; }  // the value for NOTIFY_SOCKET
    bool bound() const { return bound_; }

    // The next datagram, or nullopt when none comes within `timeout`.
    std::optional<std::string> receive(std::chrono::milliseconds timeout) const {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
        char buffer[4096];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n < 0) return std::nullopt;
        return std::string(buffer, static_cast<std::size_t>(n));
    }

  private:
    std::string name_;
    int fd_ = -1;
    bool bound_ = false;
};

}  // namespace wsc::test
