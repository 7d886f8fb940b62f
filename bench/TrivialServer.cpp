// TrivialServer: fork, listen on an ephemeral loopback port, serve.
#include "bench/TrivialServer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/Clock.hpp"
#include "bench/Payload.hpp"

namespace wsc::bench {

namespace {

constexpr int kBacklog = 4096;
constexpr int kMaxEvents = 1024;
constexpr std::size_t kMaxQueued = 256 * 1024;  // per client, before the server waits
constexpr std::size_t kReadBytes = 16 * 1024;
constexpr std::size_t kMaxFrameHeader = 10;
constexpr const char* kUpgrade =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

struct Conn {
    int fd = -1;
    bool open = false;
    std::string in;
    std::string out;  // bytes not yet written
};

std::string open_frame(std::size_t n) {
    char id[33];
    std::snprintf(id, sizeof id, "%032zx", n);
    const std::string text = std::string(R"({"cmd":"open","_id":")") + id + "\"}";
    return std::string("\x81", 1) + static_cast<char>(text.size()) + text;
}

std::size_t frame_header(std::size_t len, char* out) {
    out[0] = static_cast<char>(0x81);  // FIN + text
    if (len < 126) {
        out[1] = static_cast<char>(len);
        return 2;
    }
    if (len <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<char>(len >> 8);
        out[3] = static_cast<char>(len & 0xFF);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>((len >> (56 - 8 * i)) & 0xFF);
    return 10;
}

// Writes `data` after whatever is queued; queues what the socket refuses.
void send_to(Conn& c, std::string_view data, int ep, std::size_t index) {
    if (c.out.empty()) {
        const ssize_t n = ::write(c.fd, data.data(), data.size());
        const std::size_t done = n > 0 ? static_cast<std::size_t>(n) : 0;
        if (done == data.size()) return;
        c.out.assign(data.substr(done));
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u64 = index;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        return;
    }
    c.out.append(data);
}

void flush(Conn& c, int ep, std::size_t index) {
    while (!c.out.empty()) {
        const ssize_t n = ::write(c.fd, c.out.data(), c.out.size());
        if (n <= 0) break;
        c.out.erase(0, static_cast<std::size_t>(n));
    }
    if (!c.out.empty()) return;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = index;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
}

}  // namespace

[[noreturn]] void run_trivial_server(const TrivialSpec& spec, int listen_fd) {
    const int ep = ::epoll_create1(0);
    std::vector<Conn> conns;
    conns.reserve(spec.clients);
    const std::uint64_t kListenTag = ~std::uint64_t{0};
    epoll_event lev{};
    lev.events = EPOLLIN;
    lev.data.u64 = kListenTag;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &lev);
    std::size_t opened = 0;
    std::size_t closed = 0;
    std::uint64_t sent = 0;
    std::vector<char> batch((kMaxFrameHeader + std::max(spec.size, kMaxPayloadHeader)) *
                            std::max<std::size_t>(spec.batch, 1));
    epoll_event events[kMaxEvents];
    char buf[kReadBytes];
    for (;;) {
        // Once all are in, write batches while no client is backed up.
        while (opened == spec.clients && sent < spec.messages) {
            bool backed_up = false;
            for (const auto& c : conns) backed_up = backed_up || c.out.size() > kMaxQueued;
            if (backed_up) break;
            std::size_t len = 0;
            const std::int64_t now = now_ns();
            for (std::size_t k = 0; k < spec.batch && sent < spec.messages; ++k, ++sent) {
                char* frame = batch.data() + len;
                char payload[kMaxPayloadHeader];
                // Header length first, then the payload written in place after it.
                const std::size_t plen =
                    write_payload({0, static_cast<std::uint32_t>(sent), now}, 0, payload);
                const std::size_t total = std::max(plen, spec.size);
                const std::size_t h = frame_header(total, frame);
                write_payload({0, static_cast<std::uint32_t>(sent), now}, spec.size, frame + h);
                len += h + total;
            }
            for (std::size_t i = 0; i < conns.size(); ++i)
                if (conns[i].fd >= 0) send_to(conns[i], {batch.data(), len}, ep, i);
        }
        const int n = ::epoll_wait(ep, events, kMaxEvents, 100);
        for (int k = 0; k < n; ++k) {
            const std::uint64_t tag = events[k].data.u64;
            if (tag == kListenTag) {
                for (int fd; (fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
                    epoll_event ev{};
                    ev.events = EPOLLIN;
                    ev.data.u64 = conns.size();
                    conns.push_back(Conn{fd, false, {}, {}});
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            Conn& c = conns[tag];
            if (c.fd < 0) continue;
            if (events[k].events & EPOLLOUT) flush(c, ep, tag);
            if (!(events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            const ssize_t got = ::read(c.fd, buf, sizeof buf);
            if (got == 0 || (got < 0 && errno != EAGAIN)) {
                ::close(c.fd);
                c.fd = -1;
                if (++closed == conns.size() && opened == spec.clients) ::_exit(0);
                continue;
            }
            if (got < 0 || c.open) continue;  // client frames are ignored
            c.in.append(buf, static_cast<std::size_t>(got));
            if (c.in.find("\r\n\r\n") == std::string::npos) continue;
            c.open = true;
            ++opened;
            send_to(c, std::string(kUpgrade) + open_frame(tag), ep, tag);
        }
    }
}

TrivialServer::TrivialServer(const TrivialSpec& spec) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // clients bind 127.0.0.2 and up: still loopback
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd, kBacklog) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("trivial server: " + why);
    }
    port_ = ntohs(addr.sin_port);
    pid_ = ::fork();
    if (pid_ < 0) {
        ::close(fd);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid_ == 0) run_trivial_server(spec, fd);
    ::close(fd);
}

TrivialServer::~TrivialServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
}

}  // namespace wsc::bench
