// Report: table and JSON formatting.
#include "bench/Report.hpp"

#include <cmath>
#include <cstdio>

namespace wsc::bench {

namespace {

constexpr std::size_t kKeyColumn = 28;
constexpr double kNsPerMsDouble = 1e6;
// One delivery in a thousand: at 50 000 deliveries/s, fifty a second.
constexpr double kP999 = 99.9;

std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

}  // namespace

Report::Report(std::string scenario) : scenario_(std::move(scenario)) {
    json_["scenario"] = scenario_;
}

void Report::add(const std::string& key, double value, const std::string& unit, int decimals) {
    std::string shown = fixed(value, decimals);
    if (!unit.empty()) shown += " " + unit;
    rows_.push_back({key, shown});
    if (!std::isfinite(value)) {
        json_[key] = nullptr;
    } else if (decimals == 0 && std::abs(value) < 9e15) {
        json_[key] = static_cast<long long>(std::llround(value));
    } else {
        json_[key] = std::stod(fixed(value, decimals));
    }
}

void Report::add(const std::string& key, const std::string& text) {
    rows_.push_back({key, text});
    json_[key] = text;
}

void Report::add_latency(const std::string& key, const Histogram& ns) {
    const auto ms = [&](const char* suffix, std::int64_t value) {
        add(key + suffix, static_cast<double>(value) / kNsPerMsDouble, "ms", 3);
    };
    add(key + "_samples", static_cast<double>(ns.count()));
    ms("_p50_ms", ns.percentile(50));
    ms("_p99_ms", ns.percentile(99));
    ms("_p999_ms", ns.percentile(kP999));
    ms("_max_ms", ns.max());
}

std::string Report::table() const {
    std::string out = "== " + scenario_ + " ==\n";
    for (const auto& row : rows_) {
        std::string key = "  " + row.key;
        if (key.size() < kKeyColumn) key.resize(kKeyColumn, ' ');
        out += key + " " + row.shown + "\n";
    }
    return out;
}

std::string Report::json_line() const {
    return json_.dump();
}

}  // namespace wsc::bench
