// The events waiting for one webhook endpoint, and when to POST them.
//
// Pure logic, no sockets and no threads: WebhookSender keeps one per URL on
// its thread and asks it what to send and when. Events (complete JSON object
// texts) wait in FIFO order, at most `max_queue` of them; past that a new
// event is dropped and counted, so a receiver that is down for long costs a
// bounded amount of memory. One batch is in flight at a time: up to
// `max_batch` events from the head, under a fresh batch id. A failed batch
// stays at the head and is sent again, same id and same body, after an
// exponential backoff with equal jitter (from kFirstBackoff, at most
// kMaxBackoff); nothing behind it goes first, so a receiver sees the events
// in order. Time and randomness come from the caller, for the tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

namespace wsc {

class WebhookQueue {
  public:
    using Clock = std::chrono::steady_clock;
    // Uniform in [0, 1): the jitter of a backoff.
    using Random = std::function<double()>;

    // The backoff before the n-th retry in a row is drawn from
    // [b/2, b] with b = min(kFirstBackoff * 2^(n-1), kMaxBackoff).
    static constexpr std::chrono::milliseconds kFirstBackoff{200};
    static constexpr std::chrono::milliseconds kMaxBackoff{10000};

    struct Batch {
        std::string id;          // X-Wscenter-Delivery; the same for every try
        std::string body;        // {"events":[...]}
        std::size_t events = 0;  // how many
    };

    // Batch ids are `<id_prefix>-<n>`, n counting from 1. `random` defaults
    // to a generator seeded from std::random_device.
    WebhookQueue(std::string id_prefix, std::size_t max_batch, std::size_t max_queue,
                 Random random = {});

    // Queues one event; false (and counted as dropped) when `max_queue`
    // events are already waiting.
    bool push(std::string event);

    // The batch to POST at `now`, or nullptr: none while one is in flight,
    // while a failed one waits for its backoff, or when nothing is queued.
    // The batch stays in the queue's hands (valid until done()).
    const Batch* next_batch(Clock::time_point now);
    // The end of the batch in flight: on success its events leave the queue
    // and the backoff starts over; on failure it is retried after a backoff.
    void done(bool ok, Clock::time_point now);

    // When next_batch() will have a batch (a time at or before now: already),
    // or nullopt while one is in flight or nothing is queued.
    std::optional<Clock::time_point> next_due() const;
    bool in_flight() const { return in_flight_; }
    // Events queued, the batch in flight or waiting for a retry included.
    std::size_t depth() const { return events_.size(); }
    // The backoff waited after the last failure (zero after a success).
    Clock::duration last_backoff() const { return last_backoff_; }
    // Failed tries in a row of the batch at the head.
    std::uint64_t failures_in_row() const { return failures_in_row_; }

    std::uint64_t delivered() const { return delivered_; }  // events in a successful POST
    std::uint64_t failed_attempts() const { return failed_attempts_; }
    std::uint64_t dropped() const { return dropped_; }

  private:
    Clock::duration backoff(std::uint64_t failures);

    std::string id_prefix_;
    std::size_t max_batch_;
    std::size_t max_queue_;
    Random random_;
    std::deque<std::string> events_;
    std::optional<Batch> batch_;  // the head's batch, in flight or waiting to be retried
    bool in_flight_ = false;
    Clock::time_point retry_at_{};
    Clock::duration last_backoff_{};
    std::uint64_t next_id_ = 1;
    std::uint64_t failures_in_row_ = 0;
    std::uint64_t delivered_ = 0;
    std::uint64_t failed_attempts_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace wsc
