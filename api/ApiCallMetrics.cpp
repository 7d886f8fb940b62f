// API calls by event and result: see ApiCallMetrics.hpp.
#include "api/ApiCallMetrics.hpp"

#include <sstream>

#include "api/EventCatalog.hpp"
#include "common/TimeUnits.hpp"

namespace wsc {

ApiCallMetrics::ApiCallMetrics()
    : slots_(all_events().size() + 1),
      calls_(new Counter[slots_ * kResults]()),
      buckets_(new Counter[slots_ * (kBuckets + 1)]()),
      latency_us_sum_(new Counter[slots_]()),
      asked_(new Counter[slots_]()),
      local_(new Counter[slots_]()) {}

std::size_t ApiCallMetrics::slot(std::string_view event) const {
    const auto& events = all_events();
    for (std::size_t i = 0; i < events.size(); ++i)
        if (events[i].name == event) return i;
    return events.size();
}

std::string_view ApiCallMetrics::label(std::size_t s) const {
    const auto& events = all_events();
    return s < events.size() ? events[s].name : kOtherEvent;
}

void ApiCallMetrics::record(const std::vector<std::string>& events, Result result) {
    if (events.empty()) record(kOtherEvent, result);
    for (const auto& e : events) record(e, result);
}

void ApiCallMetrics::record(std::string_view event, Result result) {
    calls_[slot(event) * kResults + static_cast<std::size_t>(result)].fetch_add(
        1, std::memory_order_relaxed);
}

void ApiCallMetrics::observe_latency_us(std::string_view event, std::uint64_t us) {
    const std::size_t s = slot(event);
    latency_us_sum_[s].fetch_add(us, std::memory_order_relaxed);
    std::size_t i = 0;
    while (i < kBuckets && us > kBucketMs[i] * kUsPerMs) ++i;
    buckets_[s * (kBuckets + 1) + i].fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t ApiCallMetrics::calls(std::string_view event, Result result) const {
    return calls_[slot(event) * kResults + static_cast<std::size_t>(result)].load(
        std::memory_order_relaxed);
}

void ApiCallMetrics::record_routing(std::string_view event, std::uint64_t asked,
                                    std::uint64_t local) {
    const std::size_t s = slot(event);
    asked_[s].fetch_add(asked, std::memory_order_relaxed);
    local_[s].fetch_add(local, std::memory_order_relaxed);
}

std::uint64_t ApiCallMetrics::nodes_asked(std::string_view event) const {
    return asked_[slot(event)].load(std::memory_order_relaxed);
}

std::uint64_t ApiCallMetrics::nodes_answered_locally(std::string_view event) const {
    return local_[slot(event)].load(std::memory_order_relaxed);
}

std::string ApiCallMetrics::render() const {
    std::ostringstream out;
    out << "# HELP wscenter_api_calls_total API calls by event and result code (a batch counts"
           " under each of its events; 0 ran, 1 refused, 2 a node timed out, 401 token error,"
           " 413 body too large, 503 overloaded).\n"
        << "# TYPE wscenter_api_calls_total counter\n";
    for (std::size_t s = 0; s < slots_; ++s)
        for (std::size_t r = 0; r < kResults; ++r) {
            const auto n = calls_[s * kResults + r].load(std::memory_order_relaxed);
            if (n == 0) continue;
            out << "wscenter_api_calls_total{event=\"" << label(s) << "\",code=\""
                << kResultCodes[r] << "\"} " << n << '\n';
        }

    const auto per_event = [&](const char* name, const char* help,
                               const std::unique_ptr<Counter[]>& counters) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n";
        for (std::size_t s = 0; s < slots_; ++s) {
            const auto n = counters[s].load(std::memory_order_relaxed);
            if (n != 0) out << name << "{event=\"" << label(s) << "\"} " << n << '\n';
        }
    };
    per_event("wscenter_api_nodes_asked_total",
              "Nodes sent a round of the event (routing asks only the nodes concerned).", asked_);
    per_event("wscenter_api_nodes_answered_locally_total",
              "Nodes not concerned by a round of the event, whose zero result the registry"
              " filled in without asking them.",
              local_);

    out << "# HELP wscenter_api_event_latency_seconds Time from an API call to its answer, by"
           " event.\n"
        << "# TYPE wscenter_api_event_latency_seconds histogram\n";
    for (std::size_t s = 0; s < slots_; ++s) {
        // Read without a lock: a call finishing meanwhile may show in the
        // sum and not yet in the count, as with any lock-free exporter.
        std::uint64_t counts[kBuckets + 1];
        std::uint64_t total = 0;
        for (std::size_t i = 0; i <= kBuckets; ++i) {
            counts[i] = buckets_[s * (kBuckets + 1) + i].load(std::memory_order_relaxed);
            total += counts[i];
        }
        if (total == 0) continue;
        const std::string event(label(s));
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= kBuckets; ++i) {
            cumulative += counts[i];
            out << "wscenter_api_event_latency_seconds_bucket{event=\"" << event << "\",le=\"";
            if (i < kBuckets)
                out << static_cast<double>(kBucketMs[i]) / kMsPerSecond;
            else
                out << "+Inf";
            out << "\"} " << cumulative << '\n';
        }
        out << "wscenter_api_event_latency_seconds_sum{event=\"" << event << "\"} "
            << static_cast<double>(latency_us_sum_[s].load(std::memory_order_relaxed)) /
                   kUsPerSecond
            << '\n'
            << "wscenter_api_event_latency_seconds_count{event=\"" << event << "\"} " << total
            << '\n';
    }
    return out.str();
}

}  // namespace wsc
