// API calls counted by event and by result, with the latency of each event,
// for the registry's /metrics.
//
// Written on the registry's thread (the calls the HTTP side refuses and
// the calls the broker runs) and readable from any thread (an embedding
// program, tests): every counter is a relaxed atomic in fixed arrays
// indexed by (event, result),
// allocated once from the event catalog, so nothing is ever inserted or
// moved while another thread reads. Labels only ever take catalog names,
// never the caller's input.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wsc {

class ApiCallMetrics {
  public:
    // What became of a call, shown as the `code` label: the envelope codes
    // for calls that got one, the HTTP meaning for the refusals that are not
    // about the call's content.
    enum class Result : std::size_t {
        Ok,           // "0": ran, every node answered
        Refused,      // "1": refused by validation (event, parameters, body, timeout)
        NodeTimeout,  // "2": ran, but a node's slot is the timeout result
        BadToken,     // "401": token error (answered as code 1 with HTTP 200, as the seed)
        TooLarge,     // "413": body over the limit
        Overloaded,   // "503": too many calls in flight, or shutting down
    };
    static constexpr std::size_t kResults = 6;
    static constexpr std::array<std::string_view, kResults> kResultCodes = {"0",   "1",   "2",
                                                                            "401", "413", "503"};
    // Label of calls naming no known event (missing, unknown, or not parsed).
    static constexpr std::string_view kOtherEvent = "other";
    // Upper bounds of the latency buckets, in ms; one more bucket is +Inf.
    static constexpr std::size_t kBuckets = 7;
    static constexpr std::array<std::uint64_t, kBuckets> kBucketMs = {1, 2, 5, 10, 50, 250, 1000};

    ApiCallMetrics();

    // Counts one call under each of its events (a batch once per event); an
    // empty list counts once under event="other".
    void record(const std::vector<std::string>& events, Result result);
    void record(std::string_view event, Result result);
    // The time from a call to its answer, for one of its events.
    void observe_latency_us(std::string_view event, std::uint64_t us);
    std::uint64_t calls(std::string_view event, Result result) const;
    // How one round of `event` was routed: `asked` nodes were sent it, the
    // registry answered for `local` others (zero results, nothing sent).
    void record_routing(std::string_view event, std::uint64_t asked, std::uint64_t local);
    std::uint64_t nodes_asked(std::string_view event) const;
    std::uint64_t nodes_answered_locally(std::string_view event) const;

    // Prometheus text: wscenter_api_calls_total{event,code} and the
    // histogram wscenter_api_event_latency_seconds{event}. Only series that
    // have counted something are printed (every event × every code would
    // be some 200 lines of zeros). Also wscenter_api_nodes_asked_total{event}
    // and wscenter_api_nodes_answered_locally_total{event}.
    std::string render() const;

  private:
    using Counter = std::atomic<std::uint64_t>;

    // Catalog index of `event`, or the "other" slot past the catalog.
    std::size_t slot(std::string_view event) const;
    std::string_view label(std::size_t slot) const;

    std::size_t slots_;                          // catalog events + "other"
    std::unique_ptr<Counter[]> calls_;           // slots_ × kResults
    std::unique_ptr<Counter[]> buckets_;         // slots_ × (kBuckets + 1), not cumulative
    std::unique_ptr<Counter[]> latency_us_sum_;  // slots_
    std::unique_ptr<Counter[]> asked_;           // slots_
    std::unique_ptr<Counter[]> local_;           // slots_
};

}  // namespace wsc
