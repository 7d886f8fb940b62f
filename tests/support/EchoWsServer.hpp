// A tiny in-process WebSocket server that drives the WsClient self-test.
//
// It serves one connection at a time on its own thread and behaves by script:
// it echoes messages, and on command sends fragmented, large or ping frames or
// closes, recording what the client did so the test can check both directions.
// Handshake targets: "/deny" answers 401, "/badaccept" a wrong accept key,
// "/greet" sends a first message in the same write as the 101 response.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace wsc::test {

class EchoWsServer {
  public:
    EchoWsServer();  // listens on 127.0.0.1 with an OS-chosen port
    ~EchoWsServer();
    EchoWsServer(const EchoWsServer&) = delete;
    EchoWsServer& operator=(const EchoWsServer&) = delete;

    uint16_t port() const { return port_; }

    // What clients did, in order (thread-safe copies).
    std::vector<int> close_codes() const;     // codes of close frames from clients
    std::vector<std::string> pongs() const;   // payloads of pongs from clients
    std::vector<std::string> errors() const;  // protocol errors seen
    int unmasked_frames() const { return unmasked_frames_; }

  private:
    void run();
    void serve(int fd);
    // Answers the upgrade request; true when the connection is now a WebSocket.
    bool handshake(int fd, std::string& buffer);
    bool read_more(int fd, std::string& buffer);
    void send_raw(int fd, const std::string& bytes);
    void record_error(const std::string& what);

    int listen_fd_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> unmasked_frames_{0};
    mutable std::mutex mutex_;
    std::vector<int> close_codes_;     // guarded by mutex_
    std::vector<std::string> pongs_;   // guarded by mutex_
    std::vector<std::string> errors_;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace wsc::test
