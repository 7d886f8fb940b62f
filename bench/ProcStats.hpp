// Readings about processes from /proc: resident memory and CPU time of the
// nodes under test, the bench's own CPU time (to show it is not the
// bottleneck) and the machine's load average (other work on a shared box).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace wsc::bench {

// VmRSS of a process in bytes; nullopt when it cannot be read.
std::optional<long long> resident_bytes(pid_t pid);
// User + system CPU seconds of a process (all threads); nullopt when unreadable.
std::optional<double> cpu_seconds(pid_t pid);
// This process's CPU seconds (all threads).
double self_cpu_seconds();
// The calling thread's CPU seconds.
double thread_cpu_seconds();
// "1.23 0.98 0.75" from /proc/loadavg.
std::string load_average();

// Sum over several processes; nullopt if any reading failed.
std::optional<double> total_cpu_seconds(const std::vector<pid_t>& pids);

}  // namespace wsc::bench
