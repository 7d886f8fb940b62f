// HttpCaller: keep-alive HTTP/1.1 connections on epoll.
#include "bench/HttpCaller.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "bench/Clock.hpp"
#include "bench/PaceTimer.hpp"

namespace wsc::bench {

namespace {

constexpr std::size_t kErrorExcerpt = 200;  // bytes of a failed answer kept for the report
constexpr std::size_t kReadBytes = 64 * 1024;
constexpr int kMaxEvents = 256;
constexpr int kIdlePollMs = 50;
constexpr std::uint64_t kTimerTag = ~std::uint64_t{0};
constexpr int kHttpOk = 200;

struct Lane {
    int fd = -1;
    bool busy = false;
    bool exhausted = false;  // the source has no more calls for this lane
    ApiCall call;
    std::int64_t sent_ns = 0;
    std::string out;  // request bytes not yet written
    std::string in;   // response bytes so far
};

int open_connection(const HostPort& api, std::string& why) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = std::string("socket: ") + std::strerror(errno);
        return -1;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(api.port);
    if (::inet_pton(AF_INET, api.host.c_str(), &addr.sin_addr) != 1) {
        why = "bad IPv4 address '" + api.host + "'";
    } else if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        why = "connect to HTTP API " + api.host + ":" + std::to_string(api.port) + ": " +
              std::strerror(errno);
    } else {
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        return fd;
    }
    ::close(fd);
    return -1;
}

// A parsed response once it is complete.
struct Response {
    int status = 0;
    bool close = false;
    std::string_view body;
    std::size_t total = 0;  // bytes of the whole response
};

enum class Parse { incomplete, done, bad };

Parse parse_response(std::string_view data, Response& r) {
    const auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return Parse::incomplete;
    std::string head(data.substr(0, head_end));
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (head.rfind("http/1.1 ", 0) != 0 || head.size() < 12) return Parse::bad;
    std::from_chars(head.data() + 9, head.data() + 12, r.status);
    const auto cl = head.find("\r\ncontent-length:");
    if (cl == std::string::npos) return Parse::bad;
    const char* p = head.data() + cl + 17;
    while (*p == ' ') ++p;
    std::size_t length = 0;
    if (std::from_chars(p, head.data() + head.size(), length).ec != std::errc()) return Parse::bad;
    r.close = head.find("\r\nconnection: close") != std::string::npos;
    const std::size_t body_at = head_end + 4;
    if (data.size() < body_at + length) return Parse::incomplete;
    r.body = data.substr(body_at, length);
    r.total = body_at + length;
    return Parse::done;
}

std::string build_request(const ApiCall& call, HttpDialect dialect, const HostPort& api) {
    const std::string host = "Host: " + api.host + ":" + std::to_string(api.port) + "\r\n";
    if (dialect == HttpDialect::api_get)
        return "GET " + http_get_target(call) + " HTTP/1.1\r\n" + host + "\r\n";
    const bool pushpin = dialect == HttpDialect::pushpin_publish;
    const std::string body = pushpin ? pushpin_publish_body(call) : http_post_body(call);
    const std::string target = pushpin ? kPushpinPublishTarget : http_post_target(call);
    return "POST " + target + " HTTP/1.1\r\n" + host +
           "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

// The state of one run: the lanes, their epoll set and the figures.
class HttpRun {
  public:
    HttpRun(const HostPort& api, HttpDialect dialect, CallSource& source, const Pacing& pacing)
        : api_(api), dialect_(dialect), source_(source), pacing_(pacing), timer_(pacing.rate) {
        ep_ = ::epoll_create1(EPOLL_CLOEXEC);
        if (ep_ < 0)
            throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
        lanes_.resize(std::max<std::size_t>(pacing.concurrency, 1));
        for (std::size_t i = 0; i < lanes_.size(); ++i) {
            const std::string why = connect(i);
            if (!why.empty()) throw std::runtime_error(why);
        }
        if (timer_.paced()) watch(timer_.fd(), kTimerTag, EPOLLIN, EPOLL_CTL_ADD);
    }
    ~HttpRun() {
        for (auto& lane : lanes_)
            if (lane.fd >= 0) ::close(lane.fd);
        ::close(ep_);
    }
    HttpRun(const HttpRun&) = delete;
    HttpRun& operator=(const HttpRun&) = delete;

    CallStats run();

  private:
    void watch(int fd, std::uint64_t tag, std::uint32_t events, int op) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u64 = tag;
        ::epoll_ctl(ep_, op, fd, &ev);
    }
    std::string connect(std::size_t i);
    // Starts calls on idle lanes that are due; false once nothing is left to do.
    bool start_due_calls();
    void finish(Lane& lane, bool ok, const std::string& why);
    void reconnect(std::size_t i, const std::string& why);
    void flush(std::size_t i);
    void on_readable(std::size_t i);

    const HostPort& api_;
    HttpDialect dialect_;
    CallSource& source_;
    const Pacing& pacing_;
    PaceTimer timer_;
    int ep_ = -1;
    std::vector<Lane> lanes_;
    CallStats stats_;
};

std::string HttpRun::connect(std::size_t i) {
    std::string why;
    lanes_[i].fd = open_connection(api_, why);
    if (lanes_[i].fd >= 0) watch(lanes_[i].fd, i, EPOLLIN, EPOLL_CTL_ADD);
    return why;
}

void HttpRun::finish(Lane& lane, bool ok, const std::string& why) {
    const std::int64_t now = now_ns();
    stats_.latency.record(now - lane.call.intended_ns);
    stats_.last_answer_ns = now;
    if (ok) {
        ++stats_.ok;
    } else {
        stats_.fail(why);
    }
    source_.done(lane.call, ok);
    lane.busy = false;
    lane.in.clear();
}

void HttpRun::reconnect(std::size_t i, const std::string& why) {
    Lane& lane = lanes_[i];
    if (lane.busy) finish(lane, false, why);
    ::close(lane.fd);
    lane.fd = -1;
    lane.out.clear();
    lane.in.clear();
    const std::string err = connect(i);
    if (!err.empty()) {
        stats_.fail(err);
        lane.exhausted = true;
    }
}

void HttpRun::flush(std::size_t i) {
    Lane& lane = lanes_[i];
    while (!lane.out.empty()) {
        const ssize_t n = ::write(lane.fd, lane.out.data(), lane.out.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n < 0) return reconnect(i, std::string("write: ") + std::strerror(errno));
        lane.out.erase(0, static_cast<std::size_t>(n));
    }
    const std::uint32_t out = lane.out.empty() ? 0u : static_cast<std::uint32_t>(EPOLLOUT);
    watch(lane.fd, i, EPOLLIN | out, EPOLL_CTL_MOD);
}

void HttpRun::on_readable(std::size_t i) {
    Lane& lane = lanes_[i];
    char buf[kReadBytes];
    for (;;) {
        const ssize_t n = ::read(lane.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) return reconnect(i, "HTTP connection closed by the registry");
        lane.in.append(buf, static_cast<std::size_t>(n));
        if (static_cast<std::size_t>(n) < sizeof buf) break;
    }
    Response r;
    const Parse p = parse_response(lane.in, r);
    if (p == Parse::incomplete) return;
    if (p == Parse::bad || !lane.busy) return reconnect(i, "malformed HTTP response");
    bool ok =
        r.status == kHttpOk && (dialect_ == HttpDialect::pushpin_publish || envelope_ok(r.body));
    std::string why;
    if (!ok)
        why = "HTTP " + std::to_string(r.status) + ": " +
              std::string(r.body.substr(0, kErrorExcerpt));
    else
        why = source_.check(lane.call, r.body);
    ok = ok && why.empty();
    finish(lane, ok, why);
    if (r.close) reconnect(i, "");
}

bool HttpRun::start_due_calls() {
    bool any_busy = false;
    bool any_left = false;
    bool any_waiting = false;  // an idle lane waits for the next due time
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
        Lane& lane = lanes_[i];
        if (!lane.busy && !lane.exhausted) {
            const std::int64_t now = now_ns();
            const std::int64_t due = timer_.due(now);
            if (due > now) {
                any_waiting = true;
            } else if (source_.next(i, due, lane.call)) {
                if (timer_.paced() && now - due > kNsPerMs) ++stats_.late;
                timer_.advance();
                lane.busy = true;
                lane.sent_ns = now;
                lane.out = build_request(lane.call, dialect_, api_);
                flush(i);
            } else {
                lane.exhausted = true;
            }
        }
        any_busy = any_busy || lane.busy;
        any_left = any_left || !lane.exhausted;
    }
    // With every lane busy the next answer, not the timer, frees a lane.
    if (any_waiting) {
        timer_.arm();
    } else {
        timer_.disarm();
    }
    return any_busy || any_left;
}

CallStats HttpRun::run() {
    timer_.start(now_ns());
    stats_.first_send_ns = now_ns();
    epoll_event events[kMaxEvents];
    while (start_due_calls()) {
        const int n = ::epoll_wait(ep_, events, kMaxEvents, kIdlePollMs);
        for (int k = 0; k < n; ++k) {
            const std::uint64_t tag = events[k].data.u64;
            if (tag == kTimerTag) {
                timer_.drain();
                continue;
            }
            if (lanes_[tag].fd < 0) continue;
            if (events[k].events & EPOLLOUT) flush(tag);
            if (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(tag);
        }
        const std::int64_t now = now_ns();
        for (std::size_t i = 0; i < lanes_.size(); ++i)
            if (lanes_[i].busy && now - lanes_[i].sent_ns > pacing_.answer_timeout_ns)
                reconnect(i, "no HTTP answer in time");
    }
    return stats_;
}

}  // namespace

CallStats HttpCaller::run(CallSource& source, const Pacing& pacing) {
    HttpRun run(api_, dialect_, source, pacing);
    return run.run();
}

std::string http_get_body(const HostPort& server, const std::string& target,
                          std::int64_t timeout_ns) {
    std::string why;
    const int fd = open_connection(server, why);
    if (fd < 0) throw std::runtime_error(why);
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + server.host + ":" +
                                std::to_string(server.port) + "\r\nConnection: close\r\n\r\n";
    std::size_t written = 0;
    std::string in;
    Response r;
    Parse p = Parse::incomplete;
    const std::int64_t deadline = now_ns() + timeout_ns;
    while (p == Parse::incomplete && why.empty()) {
        const auto left_ms = (deadline - now_ns()) / kNsPerMs;
        pollfd pfd{fd, static_cast<short>(written < request.size() ? POLLOUT : POLLIN), 0};
        if (left_ms <= 0 || ::poll(&pfd, 1, static_cast<int>(left_ms)) <= 0) {
            why = "no answer in time";
        } else if (written < request.size()) {
            const ssize_t n = ::write(fd, request.data() + written, request.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n < 0 && errno != EAGAIN && errno != EINTR) why = std::strerror(errno);
        } else {
            char buf[kReadBytes];
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n > 0) in.append(buf, static_cast<std::size_t>(n));
            if (n == 0) why = "connection closed before a whole answer";
            if (n < 0 && errno != EAGAIN && errno != EINTR) why = std::strerror(errno);
            p = parse_response(in, r);
        }
    }
    ::close(fd);
    if (why.empty() && (p == Parse::bad || r.status != kHttpOk))
        why = "HTTP " + std::to_string(r.status) + ": " + in.substr(0, kErrorExcerpt);
    if (!why.empty()) throw std::runtime_error("GET " + target + ": " + why);
    return std::string(r.body);
}

}  // namespace wsc::bench
