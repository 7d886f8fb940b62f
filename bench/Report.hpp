// The result of one scenario: named figures in the order they were added,
// printed as a human table and as one JSON line (for scripts).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/Histogram.hpp"

namespace wsc::bench {

class Report {
  public:
    explicit Report(std::string scenario);

    void add(const std::string& key, double value, const std::string& unit = "", int decimals = 0);
    void add(const std::string& key, const std::string& text);
    // key_p50_ms, key_p99_ms, key_p999_ms (p99.9), key_max_ms (and the sample
    // count) of a ns histogram.
    void add_latency(const std::string& key, const Histogram& ns);

    std::string table() const;
    std::string json_line() const;

  private:
    struct Row {
        std::string key;
        std::string shown;  // value as printed in the table, with its unit
    };
    std::string scenario_;
    std::vector<Row> rows_;
    nlohmann::ordered_json json_;
};

}  // namespace wsc::bench
