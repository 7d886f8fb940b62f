// A recording HTTP/1.1 server on loopback (see WebhookReceiver.hpp).
#include "tests/support/WebhookReceiver.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace wsc::test {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxHead = 64 * 1024;
constexpr int kIdlePollMs = 100;

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

// Parses a request head (up to, not including, the blank line); nullopt
// when it is not one.
std::optional<ReceivedRequest> parse_head(std::string_view head) {
    ReceivedRequest r;
    const auto line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    const auto sp1 = line.find(' ');
    const auto sp2 = line.find(' ', sp1 == std::string_view::npos ? sp1 : sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) return std::nullopt;
    r.method = std::string(line.substr(0, sp1));
    r.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
    std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
        auto end = head.find("\r\n", pos);
        if (end == std::string_view::npos) end = head.size();
        const std::string_view field = head.substr(pos, end - pos);
        const auto colon = field.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        const std::string name = lowercase(trim(field.substr(0, colon)));
        const std::string value = trim(field.substr(colon + 1));
        auto [it, fresh] = r.headers.emplace(name, value);
        if (!fresh) it->second += ", " + value;
        pos = end + 2;
    }
    return r;
}

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
    const auto it = headers.find(lowercase(name));
    return it == headers.end() ? std::string() : it->second;
}

struct WebhookReceiver::Connection {
    int fd = -1;
    std::string in;
    std::string out;
    std::optional<Clock::time_point> reply_at;  // an answer waits for its delay
    std::string reply;                          // that answer
    bool broken = false;
};

WebhookReceiver::WebhookReceiver(std::uint16_t port) : port_(port) {
    start();
}

WebhookReceiver::~WebhookReceiver() {
    stop();
}

std::string WebhookReceiver::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void WebhookReceiver::start() {
    if (thread_.joinable()) return;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) throw std::runtime_error(errno_text("socket"));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd, SOMAXCONN) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const std::string msg = errno_text("listen on 127.0.0.1:" + std::to_string(port_));
        ::close(fd);
        throw std::runtime_error(msg);
    }
    port_ = ntohs(addr.sin_port);
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) {
        ::close(fd);
        throw std::runtime_error(errno_text("pipe2"));
    }
    thread_ = std::thread([this, fd, stop_fd = stop_pipe_[0]] { run(fd, stop_fd); });
}

void WebhookReceiver::stop() {
    if (!thread_.joinable()) return;
    const char byte = 0;
    if (::write(stop_pipe_[1], &byte, 1) < 0) {
        // The pipe is empty and open: cannot fail.
    }
    thread_.join();
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    stop_pipe_[0] = stop_pipe_[1] = -1;
}

std::vector<ReceivedRequest> WebhookReceiver::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t WebhookReceiver::request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
}

// Records every complete request in c.in; queues or schedules its answer.
// One answer at a time: while one waits for its delay, the rest wait too.
bool WebhookReceiver::take_requests(Connection& c) {
    while (!c.reply_at) {
        const auto head_end = c.in.find("\r\n\r\n");
        if (head_end == std::string::npos) return c.in.size() <= kMaxHead;
        auto request = parse_head(std::string_view(c.in).substr(0, head_end));
        if (!request) return false;
        std::size_t length = 0;
        const std::string cl = request->header("content-length");
        if (!cl.empty()) {
            try {
                length = std::stoul(cl);
            } catch (const std::exception&) {
                return false;
            }
        }
        if (!request->header("transfer-encoding").empty()) return false;  // not spoken here
        if (c.in.size() < head_end + 4 + length) return true;
        request->body = c.in.substr(head_end + 4, length);
        c.in.erase(0, head_end + 4 + length);
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(std::move(*request));
        }
        const int status = status_.load();
        std::string reply = "HTTP/1.1 " + std::to_string(status) + " Answer" +
                            "\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
        const auto delay = std::chrono::milliseconds(delay_ms_.load());
        if (delay.count() > 0) {
            c.reply_at = Clock::now() + delay;
            c.reply = std::move(reply);
        } else {
            c.out += reply;
        }
    }
    return true;
}

void WebhookReceiver::run(int listen_fd, int stop_fd) {
    std::vector<Connection> conns;
    for (;;) {
        std::vector<pollfd> fds = {{stop_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
        auto timeout = std::chrono::milliseconds(kIdlePollMs);
        const auto now = Clock::now();
        for (const auto& c : conns) {
            fds.push_back({c.fd, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
            if (c.reply_at)
                timeout = std::min(
                    timeout,
                    std::max(std::chrono::milliseconds(0),
                             std::chrono::ceil<std::chrono::milliseconds>(*c.reply_at - now)));
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(timeout.count())) < 0 && errno != EINTR)
            break;
        if (fds[0].revents != 0) break;
        if (fds[1].revents & POLLIN) {
            for (;;) {
                const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) break;
                conns.push_back(Connection{fd, {}, {}, std::nullopt, {}, false});
            }
        }
        for (std::size_t i = 0; i < conns.size(); ++i) {
            Connection& c = conns[i];
            const short revents = i + 2 < fds.size() ? fds[i + 2].revents : 0;
            if (revents & (POLLIN | POLLHUP | POLLERR)) {
                char buf[kReadChunk];
                for (;;) {
                    const ssize_t n = ::read(c.fd, buf, sizeof(buf));
                    if (n > 0) {
                        c.in.append(buf, static_cast<std::size_t>(n));
                        continue;
                    }
                    if (n == 0 || (errno != EAGAIN && errno != EINTR)) c.broken = true;
                    if (n == 0 || errno != EINTR) break;
                }
            }
            if (c.reply_at && Clock::now() >= *c.reply_at) {
                c.out += c.reply;
                c.reply.clear();
                c.reply_at.reset();
            }
            if (!c.broken && !take_requests(c)) c.broken = true;
            while (!c.broken && !c.out.empty()) {
                const ssize_t n = ::write(c.fd, c.out.data(), c.out.size());
                if (n > 0) {
                    c.out.erase(0, static_cast<std::size_t>(n));
                } else {
                    if (errno != EAGAIN && errno != EINTR) c.broken = true;
                    if (errno != EINTR) break;
                }
            }
        }
        for (auto it = conns.begin(); it != conns.end();) {
            if (!it->broken) {
                ++it;
                continue;
            }
            ::close(it->fd);
            it = conns.erase(it);
        }
    }
    for (const auto& c : conns) ::close(c.fd);
    ::close(listen_fd);
}

}  // namespace wsc::test
