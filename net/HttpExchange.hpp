// One HTTP connection's requests and answers, without the socket: bytes in,
// requests out one at a time, answers queued in the order the requests came.
//
// A pipelined request waits until the one before it is answered, so every
// request gets exactly one answer, on its own connection, in order — however
// long the first one takes (an API call gathers for up to its timeout). The
// phase tells the connection code which timeout applies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "net/HttpParser.hpp"
#include "net/HttpResponse.hpp"

namespace wsc {

inline constexpr int kDefaultHttpRequestTimeoutMs = 10'000;

// How long a connection may sit in each phase of an HTTP exchange, in ms.
struct HttpTimeouts {
    int idle_ms = 30'000;  // a keep-alive connection with no request started
    // From the first byte of a request to the end of its head, and again
    // from there to the end of its body: slow senders are cut off.
    int request_ms = kDefaultHttpRequestTimeoutMs;
    int busy_ms = 60'000;  // the answer being prepared (an API call's gather)
};

class HttpExchange {
  public:
    explicit HttpExchange(HttpLimits limits = {}) : parser_(limits) {}

    void feed(std::string_view data) {
        if (!closing_) parser_.feed(data);
    }

    // Answers not yet handed to the socket past which pipelined requests
    // wait: a client that sends many requests and reads no answer holds a
    // bounded amount of memory.
    static constexpr std::size_t kMaxUnsentBytes = 256 * 1024;

    enum class Step {
        Idle,      // nothing to do until more bytes arrive, the answer is given or output leaves
        Request,   // request() is the next one to answer; answer() it, now or later
        Refused,   // a malformed request: refusal() was queued, the connection ends after it
        Continue,  // "100 Continue" was queued: the client may send its body
    };
    Step poll();
    // poll() until there is nothing to do: `on_request` gets each request
    // to answer (now, or later: the next one waits for it), `on_refused` a
    // refusal, after which nothing more is read.
    template <class OnRequest, class OnRefused>
    void serve(OnRequest&& on_request, OnRefused&& on_refused) {
        for (;;) {
            switch (poll()) {
                case Step::Request:
                    on_request();
                    break;
                case Step::Refused:
                    on_refused();
                    return;
                case Step::Continue:
                    break;
                case Step::Idle:
                    return;
            }
        }
    }
    // The request to answer; after Refused, what was read of the refused one
    // (its method and target when its request line was whole).
    const HttpRequest& request() const { return request_; }

    // The answer to request(). It closes the connection when the client
    // asked for that, or when `response.close` is set.
    void answer(HttpResponse response);
    // The connection ends once output() is written: no more requests are read.
    void close_after_output() { closing_ = true; }
    const HttpError& refusal() const { return parser_.error(); }

    // Bytes waiting to be written; consume() what was.
    const std::string& output() const { return out_; }
    void consume(std::size_t n) { out_.erase(0, n); }
    bool closing() const { return closing_; }
    // Bytes received after the request being answered (pipelined requests or
    // the first frames after an upgrade).
    std::size_t buffered() const { return parser_.buffered(); }
    std::string take_buffered() { return parser_.take_buffered(); }

    enum class Phase { Idle, Head, Body, Busy, Closing };
    Phase phase() const;

  private:
    HttpParser parser_;
    HttpRequest request_;
    std::string out_;
    bool busy_ = false;  // request_ is being answered
    bool closing_ = false;
    bool continue_sent_ = false;
};

// How long a connection may stay in `phase` before it is closed.
int phase_timeout_ms(HttpExchange::Phase phase, const HttpTimeouts& timeouts);

}  // namespace wsc
