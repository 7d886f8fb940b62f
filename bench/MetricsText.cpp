// MetricsText: one sample of a Prometheus text exposition.
#include "bench/MetricsText.hpp"

#include <cstdlib>
#include <string>

namespace wsc::bench {

std::optional<double> metric_value(std::string_view text, std::string_view name) {
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (line.size() <= name.size() || line.substr(0, name.size()) != name ||
            line[name.size()] != ' ')
            continue;
        const std::string value(line.substr(name.size() + 1));
        char* parsed_end = nullptr;
        const double out = std::strtod(value.c_str(), &parsed_end);
        if (parsed_end == value.c_str()) return std::nullopt;
        return out;
    }
    return std::nullopt;
}

}  // namespace wsc::bench
