// ServiceNotify: one sendto() of a SOCK_DGRAM AF_UNIX socket per notice.
#include "common/ServiceNotify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "notify";

// Closes the socket on every return path.
class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

std::string send_service_notice(std::string_view socket_name, std::string_view state) {
    if (socket_name.empty() || (socket_name[0] != '/' && socket_name[0] != '@'))
        return "'" + std::string(socket_name) + "' is neither an absolute path nor an @name";
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    // A path is sent with its terminating NUL; an abstract name is exactly its
    // bytes after the leading NUL, so the address length must not include more.
    const bool abstract = socket_name[0] == '@';
    const std::size_t name_bytes = abstract ? socket_name.size() : socket_name.size() + 1;
    if (name_bytes > sizeof(address.sun_path))
        return "socket name '" + std::string(socket_name) + "' is too long";
    std::memcpy(address.sun_path, socket_name.data(), socket_name.size());
    if (abstract) address.sun_path[0] = '\0';
    const auto address_length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_bytes);

    const Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return std::string("socket: ") + std::strerror(errno);
    const ssize_t sent = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address), address_length);
    if (sent < 0) return "sendto " + std::string(socket_name) + ": " + std::strerror(errno);
    if (static_cast<std::size_t>(sent) != state.size()) return "short datagram";
    return {};
}

bool notify_service_manager(std::string_view state) {
    const char* socket_name = std::getenv("NOTIFY_SOCKET");
    if (socket_name == nullptr || *socket_name == '\0') return false;
    const std::string error = send_service_notice(socket_name, state);
    if (error.empty()) return true;
    log_warn(kComponent, "cannot notify the service manager: " + error);
    return false;
}

}  // namespace wsc
