// A webhook endpoint for tests: a small HTTP/1.1 server on 127.0.0.1 that
// records every request and answers each with a status the test sets.
//
// One thread, non-blocking sockets and poll(); bodies by Content-Length;
// keep-alive (libcurl reuses its connections). stop() closes the port and
// every connection, as a receiver that went down; start() listens again on
// the same port, as one that came back. The answer can be delayed, as a
// slow receiver's, or held back past the sender's timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace wsc::test {

struct ReceivedRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lowercased names
    std::string body;

    // Header value, or "" when absent; name is matched case-insensitively.
    std::string header(std::string_view name) const;
};

class WebhookReceiver {
  public:
    // Listens on `port` (0: one the system picks) and starts its thread.
    // Throws std::runtime_error when it cannot.
    explicit WebhookReceiver(std::uint16_t port = 0);
    ~WebhookReceiver();
    WebhookReceiver(const WebhookReceiver&) = delete;
    WebhookReceiver& operator=(const WebhookReceiver&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url(const std::string& path = "/hook") const;

    // The status of the next answers (200 at first).
    void set_status(int status) { status_ = status; }
    // How long each answer waits once its request is in (0 at first).
    void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }

    // Closes the port and every connection: connecting is refused.
    void stop();
    // Listens again on the same port.
    void start();
    bool listening() const { return thread_.joinable(); }

    // Every complete request so far, in arrival order.
    std::vector<ReceivedRequest> requests() const;
    std::size_t request_count() const;

  private:
    struct Connection;

    void run(int listen_fd, int stop_fd);
    bool take_requests(Connection& c);

    std::uint16_t port_ = 0;
    std::atomic<int> status_{200};
    std::atomic<long long> delay_ms_{0};
    int stop_pipe_[2] = {-1, -1};  // written by stop(), read by the thread
    std::thread thread_;

    mutable std::mutex mutex_;
    std::vector<ReceivedRequest> requests_;  // guarded by mutex_
};

}  // namespace wsc::test
