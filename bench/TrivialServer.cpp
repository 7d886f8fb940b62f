// TrivialServer: fork, listen on an ephemeral loopback port, serve.
#include "bench/TrivialServer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench/Clock.hpp"
#include "bench/PaceTimer.hpp"
#include "bench/Payload.hpp"

namespace wsc::bench {

namespace {

constexpr int kBacklog = 4096;
constexpr int kMaxEvents = 1024;
constexpr int kCeilingPollMs = 100;
constexpr std::size_t kMaxQueued = 256 * 1024;  // per client, before the ceiling waits
constexpr std::size_t kReadBytes = 16 * 1024;
constexpr std::size_t kMaxFrameHeader = 10;
// Epoll tags above any client index.
constexpr std::uint64_t kListenTag = ~std::uint64_t{0};
constexpr std::uint64_t kGoTag = kListenTag - 1;
constexpr std::uint64_t kTimerTag = kListenTag - 2;
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

// One text frame of a bench payload written in place at `out` (room for
// kMaxFrameHeader + max(size, kMaxPayloadHeader)); returns its length.
std::size_t write_frame(const PayloadHeader& header, std::size_t size, char* out) {
    char scratch[kMaxPayloadHeader];
    // The payload's length decides the header's, so measure it first.
    const std::size_t total = std::max(write_payload(header, 0, scratch), size);
    const std::size_t h = frame_header(total, out);
    write_payload(header, size, out + h);
    return h + total;
}

// The connection side both modes share: accepting, the upgrade, and writes
// that queue what a socket refuses. Client frames are read and ignored.
class Served {
  public:
    Served(std::size_t clients, int listen_fd, bool no_delay)
        : clients_(clients), listen_fd_(listen_fd), no_delay_(no_delay), ep_(::epoll_create1(0)) {
        conns_.reserve(clients);
        watch(listen_fd, kListenTag);
    }

    int epoll_fd() const { return ep_; }
    std::size_t opened() const { return opened_; }
    const std::vector<Conn>& conns() const { return conns_; }

    void watch(int fd, std::uint64_t tag) { control(EPOLL_CTL_ADD, fd, tag, EPOLLIN); }

    // Writes `data` after whatever is queued for client `index`.
    void send(std::size_t index, std::string_view data) {
        Conn& c = conns_[index];
        if (!c.out.empty()) {
            c.out.append(data);
            return;
        }
        const ssize_t n = ::send(c.fd, data.data(), data.size(), MSG_NOSIGNAL);
        const std::size_t done = n > 0 ? static_cast<std::size_t>(n) : 0;
        if (done == data.size()) return;
        c.out.assign(data.substr(done));
        control(EPOLL_CTL_MOD, c.fd, index, EPOLLIN | EPOLLOUT);
    }

    // An event of the listening socket or a client. Exits the process once
    // every client is in and all have gone again.
    void on_event(const epoll_event& event) {
        const std::uint64_t tag = event.data.u64;
        if (tag == kListenTag) {
            accept_all();
            return;
        }
        Conn& c = conns_[tag];
        if (c.fd < 0) return;
        if (event.events & EPOLLOUT) flush(tag);
        if (!(event.events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
        const ssize_t got = ::read(c.fd, buf_, sizeof buf_);
        if (got == 0 || (got < 0 && errno != EAGAIN)) {
            ::close(c.fd);
            c.fd = -1;
            if (++closed_ == conns_.size() && opened_ == clients_) ::_exit(0);
            return;
        }
        if (got < 0 || c.open) return;
        c.in.append(buf_, static_cast<std::size_t>(got));
        if (c.in.find("\r\n\r\n") == std::string::npos) return;
        c.open = true;
        ++opened_;
        send(tag, std::string(kUpgrade) + open_frame(tag));
    }

  private:
    void control(int op, int fd, std::uint64_t tag, std::uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = tag;
        ::epoll_ctl(ep_, op, fd, &ev);
    }

    void accept_all() {
        for (int fd; (fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
            // Like a wsnode (libwebsockets disables Nagle): a small frame goes out at once.
            const int one = 1;
            if (no_delay_) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            conns_.push_back(Conn{fd, false, {}, {}});
            watch(fd, conns_.size() - 1);
        }
    }

    void flush(std::size_t index) {
        Conn& c = conns_[index];
        while (!c.out.empty()) {
            const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (n <= 0) break;
            c.out.erase(0, static_cast<std::size_t>(n));
        }
        if (c.out.empty()) control(EPOLL_CTL_MOD, c.fd, index, EPOLLIN);
    }

    std::size_t clients_;
    int listen_fd_;
    bool no_delay_;
    int ep_;
    std::vector<Conn> conns_;
    std::size_t opened_ = 0;
    std::size_t closed_ = 0;
    char buf_[kReadBytes];
};

// Once all are in: batches of frames while no client is backed up.
[[noreturn]] void serve_ceiling(const TrivialSpec& spec, Served& served) {
    std::uint64_t sent = 0;
    std::vector<char> batch((kMaxFrameHeader + std::max(spec.size, kMaxPayloadHeader)) *
                            std::max<std::size_t>(spec.batch, 1));
    epoll_event events[kMaxEvents];
    for (;;) {
        while (served.opened() == spec.clients && sent < spec.messages) {
            bool backed_up = false;
            for (const auto& c : served.conns()) backed_up = backed_up || c.out.size() > kMaxQueued;
            if (backed_up) break;
            std::size_t len = 0;
            const std::int64_t now = now_ns();
            for (std::size_t k = 0; k < spec.batch && sent < spec.messages; ++k, ++sent)
                len += write_frame({0, static_cast<std::uint32_t>(sent), now}, spec.size,
                                   batch.data() + len);
            for (std::size_t i = 0; i < served.conns().size(); ++i)
                if (served.conns()[i].fd >= 0) served.send(i, {batch.data(), len});
        }
        const int n = ::epoll_wait(served.epoll_fd(), events, kMaxEvents, kCeilingPollMs);
        for (int k = 0; k < n; ++k) served.on_event(events[k]);
    }
}

// Rounds on a timerfd from the time the bench sends down `go_fd`; each round
// one frame, sent to every open client with a send() of its own.
[[noreturn]] void serve_floor(const TrivialSpec& spec, Served& served, int go_fd) {
    PaceTimer pace(spec.rate);
    served.watch(go_fd, kGoTag);
    served.watch(pace.fd(), kTimerTag);
    std::vector<char> frame(kMaxFrameHeader + std::max(spec.size, kMaxPayloadHeader));
    std::uint64_t round = 0;
    epoll_event events[kMaxEvents];
    for (;;) {
        const int n = ::epoll_wait(served.epoll_fd(), events, kMaxEvents, -1);
        for (int k = 0; k < n; ++k) {
            const std::uint64_t tag = events[k].data.u64;
            if (tag == kGoTag) {
                std::int64_t first_ns = 0;
                // EOF: the bench is gone.
                if (::read(go_fd, &first_ns, sizeof first_ns) != sizeof first_ns) ::_exit(0);
                pace.start(first_ns);
                pace.arm();
                continue;
            }
            if (tag != kTimerTag) {
                served.on_event(events[k]);
                continue;
            }
            pace.drain();
            // A round the timer woke late for still carries its due time, as
            // a paced API call does: lateness counts in the latency.
            for (; round < spec.rounds && pace.due(0) <= now_ns(); ++round, pace.advance()) {
                const std::size_t len = write_frame(
                    {0, static_cast<std::uint32_t>(round), pace.due(0)}, spec.size, frame.data());
                for (std::size_t i = 0; i < served.conns().size(); ++i)
                    if (served.conns()[i].open && served.conns()[i].fd >= 0)
                        served.send(i, {frame.data(), len});
            }
            if (round < spec.rounds) pace.arm();
        }
    }
}

}  // namespace

[[noreturn]] void run_trivial_server(const TrivialSpec& spec, int listen_fd, int go_fd) {
    const bool floor = spec.mode == TrivialMode::floor;
    Served served(spec.clients, listen_fd, floor);
    if (floor) serve_floor(spec, served, go_fd);
    serve_ceiling(spec, served);
}

TrivialServer::TrivialServer(const TrivialSpec& spec) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // clients bind 127.0.0.2 and up: still loopback
    socklen_t len = sizeof addr;
    int go[2] = {-1, -1};
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd, kBacklog) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe2(go, O_CLOEXEC) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("trivial server: " + why);
    }
    port_ = ntohs(addr.sin_port);
    pid_ = ::fork();
    if (pid_ < 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        ::close(go[0]);
        ::close(go[1]);
        throw std::runtime_error("fork: " + why);
    }
    if (pid_ == 0) {
        ::close(go[1]);
        run_trivial_server(spec, fd, go[0]);
    }
    ::close(fd);
    ::close(go[0]);
    go_fd_ = go[1];
}

TrivialServer::~TrivialServer() {
    if (go_fd_ >= 0) ::close(go_fd_);
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
}

void TrivialServer::start_rounds(std::int64_t first_ns) {
    if (::write(go_fd_, &first_ns, sizeof first_ns) != sizeof first_ns)
        throw std::runtime_error(std::string("trivial server: ") + std::strerror(errno));
}

}  // namespace wsc::bench
