// Delivery receipts on a node: which connections a send waits on, which of
// them acknowledged it, and when the wait is over.
//
// A send event of a call made with `ack=<ms>` opens one wait. Each opted-in
// connection it reaches gets the message with the wait's token and is
// awaited; its `{"cmd":"ack","ack":<token>}` counts once. The wait ends when
// every awaited connection has acked or closed, or at its deadline, and is
// then answered on the bus. Acks are matched here, on the node: no bus
// traffic per ack. Memory is bounded per connection and per node: past a
// bound a connection still gets the message but is not awaited (counted).
//
// Pure logic, no sockets; the node's loop thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace wsc {

class AckLedger {
  public:
    using Clock = std::chrono::steady_clock;
    using WaitId = std::uint64_t;

    struct Limits {
        std::size_t per_conn = 64;       // waits one connection may be awaited in at once
        std::size_t per_node = 200'000;  // awaited (wait, connection) pairs on the node
        std::size_t ids_listed = 1000;   // acked connection ids listed in one result
    };
    struct Counters {
        std::uint64_t acked = 0;     // acks that counted
        std::uint64_t unknown = 0;   // forged, repeated or late acks: ignored
        std::uint64_t overflow = 0;  // connections not awaited because of a bound
    };
    // A wait that is over.
    struct Done {
        WaitId id = 0;
        std::size_t acked = 0;
        std::vector<std::string> acked_ids;  // sorted, at most Limits::ids_listed
    };

    explicit AckLedger(Limits limits) : limits_(limits) {}
    AckLedger() : AckLedger(Limits{}) {}

    // Opens a wait that ends at `deadline` at the latest; its token (random,
    // hex) goes to the clients with the message.
    WaitId open(Clock::time_point deadline);
    const std::string& token(WaitId id) const;
    // Awaits `conn` in the wait. False when a bound stops it (counted):
    // the connection is sent the message but not waited for.
    bool expect(WaitId id, const std::string& conn);

    // An ack from `conn` carrying `token`. True when it counted.
    bool ack(const std::string& conn, std::string_view token);
    // The connection closed: no wait waits for it any more.
    void closed(const std::string& conn);

    // The waits that are over at `now` (all acked or closed, or past their
    // deadline), each returned once and forgotten.
    std::vector<Done> take_done(Clock::time_point now);
    std::optional<Clock::time_point> next_deadline() const;

    std::size_t open_waits() const { return waits_.size(); }
    std::size_t awaited() const { return awaited_total_; }
    const Counters& counters() const { return counters_; }

  private:
    struct Wait {
        std::string token;
        Clock::time_point deadline;
        std::unordered_set<std::string> awaited;  // not acked yet
        std::unordered_set<std::string> acked;
    };

    void settle(WaitId id);  // moves a wait with nothing awaited to done_
    Done finish(WaitId id, Wait& wait);

    Limits limits_;
    WaitId next_id_ = 1;
    std::map<WaitId, Wait> waits_;
    std::unordered_map<std::string, WaitId> by_token_;
    std::unordered_map<std::string, std::unordered_set<WaitId>> by_conn_;  // awaited in
    std::vector<WaitId> settled_;  // nothing left to await: done at the next take_done()
    std::size_t awaited_total_ = 0;
    Counters counters_;
};

}  // namespace wsc
