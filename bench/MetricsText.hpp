// Reads one value out of a Prometheus text exposition (a registry's /metrics).
#pragma once

#include <optional>
#include <string_view>

namespace wsc::bench {

// The value of the unlabelled sample `name` ("name 123"), nullopt when absent.
std::optional<double> metric_value(std::string_view text, std::string_view name);

}  // namespace wsc::bench
