// Log: one global level, one lock that serialises lines, and the line format.
#include "common/Log.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace wsc {

namespace {

constexpr LogLevel kDefaultLevel = LogLevel::info;
constexpr int kMillisPerSecond = 1000;
constexpr unsigned char kFirstPrintable = 0x20;
constexpr unsigned char kDelete = 0x7f;
// Room for the timestamp, level and separators around component and message.
constexpr std::size_t kLineOverhead = 40;
constexpr std::size_t kTimestampBuffer = 32;

std::atomic<LogLevel> g_level{kDefaultLevel};

// Guards g_sink and keeps whole lines from different threads apart.
std::mutex g_mutex;
std::function<void(std::string_view)> g_sink;  // empty = stderr

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "DEBUG";
        case LogLevel::info:
            return "INFO ";
        case LogLevel::warn:
            return "WARN ";
        case LogLevel::error:
            return "ERROR";
        case LogLevel::off:
            break;
    }
    return "?????";
}

std::string lower(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

// Appends `text` with control characters escaped (\n, \r, \t, else \xHH).
void append_escaped(std::string& out, std::string_view text) {
    constexpr const char* kHex = "0123456789abcdef";
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= kFirstPrintable && c != kDelete) {
            out += ch;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
}

// "2026-11-25T20:00:00.123Z"
void append_timestamp(std::string& out) {
    const auto now = std::chrono::system_clock::now();
    const auto since_epoch = now.time_since_epoch();
    const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    const std::time_t time = static_cast<std::time_t>(seconds.count());
    std::tm utc{};
    gmtime_r(&time, &utc);
    char buffer[kTimestampBuffer];
    const std::size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    out.append(buffer, length);
    std::snprintf(buffer, sizeof buffer, ".%03dZ", static_cast<int>(millis % kMillisPerSecond));
    out += buffer;
}

void write_stderr(std::string_view line) {
    // One write(2) per line; the loop only finishes a short write or retries EINTR.
    while (!line.empty()) {
        const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return;  // nowhere left to report a broken stderr
        }
        line.remove_prefix(static_cast<std::size_t>(written));
    }
}

}  // namespace

LogLevel parse_log_level(std::string_view text) {
    const std::string name = lower(text);
    if (name == "debug") return LogLevel::debug;
    if (name == "info") return LogLevel::info;
    if (name == "warn" || name == "warning") return LogLevel::warn;
    if (name == "error") return LogLevel::error;
    if (name == "off") return LogLevel::off;
    std::string shown;
    append_escaped(shown, text);
    throw ConfigError("unknown log level '" + shown +
                      "' (expected debug, info, warn, error or off)");
}

void set_log_level(LogLevel level) {
    g_level.store(level, std::memory_order_relaxed);
}

LogLevel log_level() {
    return g_level.load(std::memory_order_relaxed);
}

bool log_enabled(LogLevel level) {
    return level != LogLevel::off && static_cast<int>(level) >= static_cast<int>(log_level());
}

void log(LogLevel level, std::string_view component, std::string_view message) {
    if (!log_enabled(level)) return;
    std::string line;
    line.reserve(component.size() + message.size() + kLineOverhead);
    append_timestamp(line);
    line += ' ';
    line += level_name(level);
    line += ' ';
    append_escaped(line, component);
    line += ": ";
    append_escaped(line, message);
    line += '\n';

    const std::lock_guard lock(g_mutex);
    if (g_sink) {
        g_sink(line);
    } else {
        write_stderr(line);
    }
}

void log_debug(std::string_view component, std::string_view message) {
    log(LogLevel::debug, component, message);
}

void log_info(std::string_view component, std::string_view message) {
    log(LogLevel::info, component, message);
}

void log_warn(std::string_view component, std::string_view message) {
    log(LogLevel::warn, component, message);
}

void log_error(std::string_view component, std::string_view message) {
    log(LogLevel::error, component, message);
}

void set_log_sink(std::function<void(std::string_view line)> sink) {
    const std::lock_guard lock(g_mutex);
    g_sink = std::move(sink);
}

}  // namespace wsc
