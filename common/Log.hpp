// Leveled one-line logging to stderr, safe to call from any thread.
//
// A line looks like `2026-11-25T20:00:00.123Z INFO  registry: message`. Each
// call produces exactly one line written with one write(2): control
// characters in the component or message are escaped, so text that came from
// the network can never start a forged line of its own.
#pragma once

#include <functional>
#include <string_view>

#include "common/ConfigError.hpp"

namespace wsc {

enum class LogLevel { debug = 0, info, warn, error, off };

// "debug", "info", "warn"/"warning", "error" or "off" (any case); else ConfigError.
LogLevel parse_log_level(std::string_view text);

// The least severe level written; starts at info.
void set_log_level(LogLevel level);
LogLevel log_level();
// Whether a message at `level` would be written (lets callers skip building it).
bool log_enabled(LogLevel level);

void log(LogLevel level, std::string_view component, std::string_view message);
void log_debug(std::string_view component, std::string_view message);
void log_info(std::string_view component, std::string_view message);
void log_warn(std::string_view component, std::string_view message);
void log_error(std::string_view component, std::string_view message);

// For tests: send each finished line (ending in '\n') to `sink` instead of
// stderr. Pass nullptr to restore stderr. The sink is called with the log's
// lock held, one line at a time, so it must not log itself.
void set_log_sink(std::function<void(std::string_view line)> sink);

}  // namespace wsc
