// The scenarios of wscenter-bench. Each fills a Report and returns
// whether its checks passed (every client opened, every message delivered
// once and in order).
#pragma once

#include "bench/BenchArgs.hpp"
#include "bench/Report.hpp"

namespace wsc::bench {

bool run_connections(const BenchArgs& args, Report& report);
bool run_fanout(const BenchArgs& args, Report& report);
bool run_unicast(const BenchArgs& args, Report& report);
bool run_scaleout(const BenchArgs& args, Report& report);
bool run_ceiling(const BenchArgs& args, Report& report);
bool run_floor(const BenchArgs& args, Report& report);

}  // namespace wsc::bench
