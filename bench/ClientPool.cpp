// ClientPool: connecting, the upgrade handshake, and reading frames.
#include "bench/ClientPool.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "bench/Clock.hpp"
#include "bench/Payload.hpp"
#include "bench/WsFrame.hpp"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24  // Linux >= 4.2; older headers lack the name
#endif

namespace wsc::bench {

namespace {

constexpr std::size_t kReadBufferBytes = 256 * 1024;
constexpr int kMaxEvents = 1024;
constexpr int kPollMs = 2;
constexpr std::size_t kMaxHandshakeBytes = 16 * 1024;
// The key and answer of RFC 6455 §1.3: every client may use the same key,
// and checking the answer proves the server really speaks WebSocket.
constexpr const char* kKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char* kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
constexpr std::uint32_t kFirstSourceHost = 2;  // 127.0.0.2; 127.0.0.1 is the servers'

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

bool header_end(std::string_view data, std::size_t& end) {
    const auto pos = data.find("\r\n\r\n");
    if (pos == std::string_view::npos) return false;
    end = pos + 4;
    return true;
}

}  // namespace

ClientPool::ClientPool(PoolConfig config) : config_(std::move(config)) {
    if (config_.nodes.empty()) throw UsageError("no WebSocket endpoints (--ws)");
    if (config_.sources < 1 || config_.sources > 250) throw UsageError("--sources: 1..250");
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::runtime_error(errno_text("epoll_create1"));
    clients_.resize(config_.clients);
    read_buffer_.resize(kReadBufferBytes);
}

ClientPool::~ClientPool() {
    for (auto& c : clients_)
        if (c.fd >= 0) ::close(c.fd);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

bool ClientPool::is_open(std::size_t client) const {
    return clients_[client].state == State::open;
}

std::string ClientPool::conn_id(std::size_t client) const {
    const Client& c = clients_[client];
    return c.state == State::open ? std::string(c.id, c.id_size) : std::string();
}

void ClientPool::reset_measurements(std::size_t streams) {
    ledger_.reset(clients_.size(), streams);
    latency_ = Histogram{};
    counters_ = PoolCounters{};
    last_delivery_ns_ = 0;
}

ConnectStats ClientPool::connect_all(std::int64_t deadline_ns) {
    const std::int64_t begin = now_ns();
    std::int64_t last_open = begin;
    while (connect_.opened + connect_.failed < clients_.size()) {
        start_next();
        const std::size_t before = connect_.opened;
        poll_once(kPollMs);
        if (connect_.opened != before) last_open = now_ns();
        if (now_ns() > deadline_ns) break;
    }
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        const State s = clients_[i].state;
        if (s != State::open && s != State::closed) fail(i, "timed out opening");
    }
    connect_.seconds = seconds_between(begin, last_open);
    return connect_;
}

bool ClientPool::serve_until(const std::function<bool()>& done, std::int64_t deadline_ns) {
    while (!done()) {
        if (now_ns() > deadline_ns) return false;
        poll_once(kPollMs);
    }
    return true;
}

void ClientPool::start_next() {
    while (in_progress_ < config_.connect_window && next_start_ < clients_.size()) {
        const std::size_t index = next_start_++;
        if (start(index)) ++in_progress_;
    }
}

bool ClientPool::start(std::size_t index) {
    Client& c = clients_[index];
    c.started_ns = now_ns();
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        c.state = State::connecting;  // so that fail() counts it once
        ++in_progress_;
        fail(index, errno_text("socket"));
        return false;
    }
    c.state = State::connecting;
    const int one = 1;
    // Let connect() pick the port for the whole 4-tuple, not bind() for the address alone.
    ::setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl((127u << 24) | (kFirstSourceHost + index % config_.sources));
    const HostPort& node = config_.nodes[index % config_.nodes.size()];
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(node.port);
    std::string why;
    if (::inet_pton(AF_INET, node.host.c_str(), &target.sin_addr) != 1) {
        why = "bad IPv4 address '" + node.host + "'";
    } else if (::bind(c.fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
        why = errno_text("bind");
    } else if (::connect(c.fd, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0 &&
               errno != EINPROGRESS) {
        why = errno_text("connect");
    } else {
        epoll_event ev{};
        ev.events = EPOLLOUT;
        ev.data.u64 = index;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) == 0) return true;
        why = errno_text("epoll_ctl");
    }
    ++in_progress_;
    fail(index, why);
    return false;
}

void ClientPool::poll_once(int timeout_ms) {
    epoll_event events[kMaxEvents];
    const int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
    for (int i = 0; i < n; ++i) on_event(events[i].data.u64, events[i].events);
}

void ClientPool::on_event(std::size_t index, std::uint32_t events) {
    Client& c = clients_[index];
    if (c.state == State::connecting) {
        on_connected(index);
    } else if (c.state != State::closed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        on_readable(index);
    }
}

void ClientPool::on_connected(std::size_t index) {
    Client& c = clients_[index];
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
        errno = error;
        fail(index, errno_text("connect"));
        return;
    }
    const HostPort& node = config_.nodes[index % config_.nodes.size()];
    const std::string request =
        std::string("GET ") + upgrade_target(config_.protocol, config_.acks) +
        " HTTP/1.1\r\nHost: " + node.host + ":" + std::to_string(node.port) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: " +
        kKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    // A fresh socket's buffer holds a request this small: a short write is a failure.
    if (::write(c.fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        fail(index, errno_text("write upgrade request"));
        return;
    }
    c.state = State::handshaking;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = index;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev) != 0) fail(index, errno_text("epoll_ctl"));
}

void ClientPool::on_readable(std::size_t index) {
    Client& c = clients_[index];
    for (;;) {
        const ssize_t n = ::read(c.fd, read_buffer_.data(), read_buffer_.size());
        if (n == 0) {
            if (c.state == State::open) ++counters_.server_closes;
            fail(index, "closed by the server");
            return;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) fail(index, errno_text("read"));
            return;
        }
        ++counters_.reads;
        counters_.bytes += static_cast<std::uint64_t>(n);
        const std::int64_t now = now_ns();
        const std::string_view data(read_buffer_.data(), static_cast<std::size_t>(n));
        if (c.state == State::handshaking) {
            c.pending.append(data);
            std::size_t used = 0;
            if (!consume_handshake(index, c.pending, used)) return;
            c.state = State::upgraded;
            std::string rest = c.pending.substr(used);
            c.pending.clear();
            const std::size_t framed = consume_frames(index, rest, now);
            if (c.state != State::closed) c.pending = rest.substr(framed);
        } else if (c.pending.empty()) {
            const std::size_t used = consume_frames(index, data, now);
            if (c.state != State::closed && used < data.size()) c.pending.assign(data.substr(used));
        } else {
            c.pending.append(data);
            const std::size_t used = consume_frames(index, c.pending, now);
            if (c.state != State::closed) c.pending.erase(0, used);
        }
        if (c.state == State::closed || static_cast<std::size_t>(n) < read_buffer_.size()) return;
    }
}

bool ClientPool::consume_handshake(std::size_t index, std::string_view data, std::size_t& used) {
    if (!header_end(data, used)) {
        if (data.size() > kMaxHandshakeBytes) fail(index, "upgrade response too long");
        return false;
    }
    const std::string_view head = data.substr(0, used);
    if (head.rfind("HTTP/1.1 101", 0) != 0) {
        ++counters_.protocol_errors;
        fail(index, "upgrade refused: " + std::string(head.substr(0, head.find('\r'))));
        return false;
    }
    if (head.find(kAccept) == std::string_view::npos) {
        ++counters_.protocol_errors;
        fail(index, "upgrade answer lacks the right Sec-WebSocket-Accept");
        return false;
    }
    return true;
}

std::size_t ClientPool::consume_frames(std::size_t index, std::string_view data, std::int64_t now) {
    Client& c = clients_[index];
    std::size_t used = 0;
    while (used < data.size()) {
        const ParseResult r = parse_server_frame(data.substr(used), config_.max_frame);
        if (r.status == ParseStatus::incomplete) break;
        if (r.status == ParseStatus::error) {
            ++counters_.protocol_errors;
            fail(index, std::string("bad frame: ") + r.error);
            return used;
        }
        used += r.consumed;
        ++counters_.frames;
        const FrameView& f = r.frame;
        if (!f.fin || f.opcode == Opcode::continuation) {
            ++counters_.protocol_errors;  // the nodes never fragment messages
            continue;
        }
        if (f.opcode == Opcode::text) {
            if (!on_text(index, f.payload, now)) return used;
        } else if (f.opcode == Opcode::ping) {
            const std::string pong = client_frame(Opcode::pong, f.payload);
            if (::write(c.fd, pong.data(), pong.size()) < 0) ++counters_.protocol_errors;
        } else if (f.opcode == Opcode::close) {
            ++counters_.server_closes;
            counters_.last_close_code = close_code(f.payload);
            fail(index, "close frame " + std::to_string(counters_.last_close_code));
            return used;
        } else {
            ++counters_.other_frames;
        }
    }
    return used;
}

bool ClientPool::on_text(std::size_t index, std::string_view text, std::int64_t now) {
    const TextMeaning m = interpret_text(config_.protocol, text, is_open(index));
    if (!m.ack.empty()) {
        send_text(index, ack_frame_text(m.ack));
        ++counters_.acks_sent;
    }
    if (m.kind == TextKind::payload) {
        if (const auto h = parse_payload(m.text)) {
            ledger_.record(index, h->stream, h->seq);
            latency_.record(now - h->send_ns);
            last_delivery_ns_ = now;
            return true;
        }
    }
    ++counters_.other_frames;
    switch (m.kind) {
        case TextKind::open:
            if (clients_[index].state == State::upgraded) on_open(index, m.text);
            break;
        case TextKind::reply:
            send_text(index, m.text);
            break;
        case TextKind::closed:
            ++counters_.server_closes;
            fail(index, std::string(m.text));
            return false;
        default:
            break;
    }
    return true;
}

void ClientPool::on_open(std::size_t index, std::string_view id) {
    if (id.empty() || id.size() > kIdBytes) {
        ++counters_.protocol_errors;
        fail(index, "bad connection id in the open frame");
        return;
    }
    Client& c = clients_[index];
    std::memcpy(c.id, id.data(), id.size());
    c.id_size = static_cast<std::uint8_t>(id.size());
    c.state = State::open;
    --in_progress_;
    ++open_;
    ++connect_.opened;
    connect_.latency.record(now_ns() - c.started_ns);
}

void ClientPool::send_text(std::size_t index, std::string_view text) {
    // Replies are a few bytes on an otherwise idle send direction: a short
    // write would mean a broken connection, counted as a protocol error.
    const std::string frame = client_frame(Opcode::text, text);
    if (::write(clients_[index].fd, frame.data(), frame.size()) !=
        static_cast<ssize_t>(frame.size()))
        ++counters_.protocol_errors;
}

void ClientPool::fail(std::size_t index, const std::string& why) {
    Client& c = clients_[index];
    if (c.state == State::closed) return;
    if (c.state == State::open) {
        --open_;
    } else {
        if (c.state != State::waiting) --in_progress_;
        ++connect_.failed;
        if (connect_.first_error.empty()) connect_.first_error = why;
    }
    close_client(index);
}

void ClientPool::close_client(std::size_t index) {
    Client& c = clients_[index];
    if (c.fd >= 0) ::close(c.fd);  // close() also removes it from the epoll set
    c.fd = -1;
    c.state = State::closed;
    std::string().swap(c.pending);
}

}  // namespace wsc::bench
