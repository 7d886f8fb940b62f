// Bookkeeping of the soak test: which messages were sent, which connections
// the API promised them to, and what every connection received.
//
// A message is promised to a connection when the call's result says the
// node holding it ran the send and counted it (see soak_test.cpp): such a
// message must arrive there exactly once, and the promised messages of one
// sender must arrive in the order they were sent. No message may ever
// arrive twice on any connection, promised or not. Thread-safe: the driver
// lanes, the churn threads and the readers of the stable clients all write
// here at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace wsc::test {

class SoakLedger {
  public:
    // The text of message `seq` of sender `lane`, naming the event that sent it.
    static std::string message(int lane, std::uint64_t seq, const std::string& event);

    // Before the call: the message may arrive from now on.
    void attempted(const std::string& msg);
    // After the call: `conns` are the connections it was promised to.
    void promised(const std::string& msg, const std::vector<std::string>& conns);
    // A connection received `msg`.
    void received(const std::string& conn, const std::string& msg);

    // Every promised message has arrived (at least once).
    bool all_promised_arrived() const;

    struct Report {
        std::size_t attempted = 0;   // messages sent (calls made)
        std::size_t promises = 0;    // (message, connection) pairs promised
        std::size_t deliveries = 0;  // messages received, every connection
        std::size_t duplicates = 0;  // a message received again on the same connection
        std::size_t missing = 0;     // promised, never received
        std::size_t out_of_order = 0;
        std::size_t unknown = 0;            // received, never sent
        std::vector<std::string> problems;  // the first few, described
    };
    Report check() const;

  private:
    struct Parsed {
        int lane;
        std::uint64_t seq;
    };
    static std::optional<Parsed> parse(const std::string& msg);
    void note(Report& r, const std::string& problem) const;

    mutable std::mutex mutex_;
    std::set<std::string> attempted_;
    std::map<std::string, std::set<std::string>> promised_;  // conn -> messages
    std::map<std::string, std::vector<std::string>> got_;    // conn -> arrivals in order
    std::map<std::string, std::set<std::string>> got_once_;  // conn -> distinct arrivals
};

}  // namespace wsc::test
