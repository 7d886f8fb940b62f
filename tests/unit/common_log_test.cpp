// Log: line format, level filtering, escaping of control characters, the
// test sink, stderr output and whole lines under concurrent logging.
#include "common/Log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <ctime>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wsc {
namespace {

// Captures lines through the sink and restores the defaults afterwards.
class LogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        set_log_level(LogLevel::debug);
        set_log_sink([this](std::string_view line) { lines_.emplace_back(line); });
    }
    void TearDown() override {
        set_log_sink(nullptr);
        set_log_level(LogLevel::info);
    }
    std::vector<std::string> lines_;
};

// One parsed log line; std::regex is avoided (GCC 12 warns inside it under -O1 sanitizers).
struct Line {
    std::string level;
    std::string component;
    std::string message;
};

// Parses "YYYY-MM-DDTHH:MM:SS.mmmZ LEVEL component: message\n" or returns nullopt.
std::optional<Line> parse_line(const std::string& line) {
    const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ ";
    constexpr std::size_t kLevelWidth = 5;
    if (line.size() < shape.size() + kLevelWidth + 1 || line.back() != '\n') return std::nullopt;
    if (line.find('\n') != line.size() - 1) return std::nullopt;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const bool ok = shape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(line[i])) != 0
                                        : line[i] == shape[i];
        if (!ok) return std::nullopt;
    }
    Line parsed;
    parsed.level = line.substr(shape.size(), kLevelWidth);
    if (parsed.level != "DEBUG" && parsed.level != "INFO " && parsed.level != "WARN " &&
        parsed.level != "ERROR") {
        return std::nullopt;
    }
    const std::size_t rest = shape.size() + kLevelWidth;
    if (line[rest] != ' ') return std::nullopt;
    const std::size_t colon = line.find(": ", rest + 1);
    if (colon == std::string::npos) return std::nullopt;
    parsed.component = line.substr(rest + 1, colon - rest - 1);
    parsed.message = line.substr(colon + 2, line.size() - colon - 3);
    return parsed;
}

TEST_F(LogTest, LineHasTimestampPaddedLevelComponentAndMessage) {
    log_info("registry", "hello world");
    ASSERT_EQ(lines_.size(), 1u);
    const auto parsed = parse_line(lines_[0]);
    ASSERT_TRUE(parsed) << lines_[0];
    EXPECT_EQ(parsed->level, "INFO ");
    EXPECT_EQ(parsed->component, "registry");
    EXPECT_EQ(parsed->message, "hello world");
    EXPECT_NE(lines_[0].find("Z INFO  registry: hello world\n"), std::string::npos);
}

TEST_F(LogTest, TimestampIsCurrentUtc) {
    const std::time_t before = std::time(nullptr);
    log_info("c", "m");
    const std::time_t after = std::time(nullptr);
    ASSERT_EQ(lines_.size(), 1u);
    std::tm parsed{};
    ASSERT_NE(strptime(lines_[0].c_str(), "%Y-%m-%dT%H:%M:%S", &parsed), nullptr) << lines_[0];
    const std::time_t logged = timegm(&parsed);
    EXPECT_GE(logged, before);
    EXPECT_LE(logged, after);
}

TEST_F(LogTest, EachLevelHasItsPaddedName) {
    log_debug("c", "d");
    log_info("c", "i");
    log_warn("c", "w");
    log_error("c", "e");
    ASSERT_EQ(lines_.size(), 4u);
    EXPECT_NE(lines_[0].find("Z DEBUG c: d\n"), std::string::npos) << lines_[0];
    EXPECT_NE(lines_[1].find("Z INFO  c: i\n"), std::string::npos) << lines_[1];
    EXPECT_NE(lines_[2].find("Z WARN  c: w\n"), std::string::npos) << lines_[2];
    EXPECT_NE(lines_[3].find("Z ERROR c: e\n"), std::string::npos) << lines_[3];
}

TEST_F(LogTest, LinesBelowTheLevelAreDropped) {
    set_log_level(LogLevel::warn);
    EXPECT_EQ(log_level(), LogLevel::warn);
    EXPECT_FALSE(log_enabled(LogLevel::debug));
    EXPECT_FALSE(log_enabled(LogLevel::info));
    EXPECT_TRUE(log_enabled(LogLevel::warn));
    EXPECT_TRUE(log_enabled(LogLevel::error));
    log_debug("c", "no");
    log_info("c", "no");
    log_warn("c", "yes");
    log_error("c", "yes");
    ASSERT_EQ(lines_.size(), 2u);
    EXPECT_NE(lines_[0].find("WARN "), std::string::npos);
    EXPECT_NE(lines_[1].find("ERROR"), std::string::npos);
}

TEST_F(LogTest, OffSilencesEverything) {
    set_log_level(LogLevel::off);
    log_error("c", "no");
    EXPECT_FALSE(log_enabled(LogLevel::error));
    set_log_level(LogLevel::debug);
    log(LogLevel::off, "c", "a message at level off is never written");
    EXPECT_FALSE(log_enabled(LogLevel::off));
    EXPECT_TRUE(lines_.empty());
}

TEST_F(LogTest, ControlCharactersCannotForgeLines) {
    log_info("reg\nistry", "user said: x\n2026-01-01T00:00:00.000Z ERROR forged: y\r\t\x01\x7f!");
    ASSERT_EQ(lines_.size(), 1u);
    const std::string& line = lines_[0];
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos);
    EXPECT_NE(line.find("reg\\nistry: user said: x\\n2026-01-01T00:00:00.000Z ERROR forged: "
                        "y\\r\\t\\x01\\x7f!\n"),
              std::string::npos)
        << line;
}

TEST_F(LogTest, Utf8PassesThrough) {
    log_info("c", "caf\xc3\xa9 \xe2\x9c\x93");
    ASSERT_EQ(lines_.size(), 1u);
    EXPECT_NE(lines_[0].find("c: caf\xc3\xa9 \xe2\x9c\x93\n"), std::string::npos);
}

TEST_F(LogTest, ConcurrentLinesStayWhole) {
    constexpr int kThreads = 4;
    constexpr int kLinesPerThread = 200;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([t] {
            for (int i = 0; i < kLinesPerThread; ++i) {
                log_info("thread" + std::to_string(t), "line " + std::to_string(i));
            }
        });
    }
    for (auto& thread : threads) thread.join();
    ASSERT_EQ(lines_.size(), static_cast<std::size_t>(kThreads * kLinesPerThread));
    for (const auto& line : lines_) {
        EXPECT_TRUE(parse_line(line)) << line;
    }
}

TEST_F(LogTest, WritesToStderrWithoutSink) {
    set_log_sink(nullptr);
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const int saved = ::dup(STDERR_FILENO);
    ASSERT_GE(saved, 0);
    ::dup2(fds[1], STDERR_FILENO);
    log_warn("stderr", "to the real fd");
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    ::close(fds[1]);
    std::string output;
    char buffer[256];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) output.append(buffer, n);
    ::close(fds[0]);
    EXPECT_TRUE(parse_line(output)) << output;
    EXPECT_NE(output.find("WARN  stderr: to the real fd\n"), std::string::npos) << output;
}

TEST(Log, ParseLogLevel) {
    EXPECT_EQ(parse_log_level("debug"), LogLevel::debug);
    EXPECT_EQ(parse_log_level("info"), LogLevel::info);
    EXPECT_EQ(parse_log_level("warn"), LogLevel::warn);
    EXPECT_EQ(parse_log_level("warning"), LogLevel::warn);
    EXPECT_EQ(parse_log_level("error"), LogLevel::error);
    EXPECT_EQ(parse_log_level("off"), LogLevel::off);
    EXPECT_EQ(parse_log_level("WARNING"), LogLevel::warn);
    for (const char* bad : {"", "verbose", "inf", "info ", "errors"}) {
        EXPECT_THROW(parse_log_level(bad), ConfigError) << bad;
    }
    try {
        parse_log_level("loud");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("'loud'"), std::string::npos) << e.what();
    }
}

TEST(Log, DefaultLevelIsInfo) {
    // Runs in its own process under ctest; the fixture above restores info as well.
    EXPECT_EQ(log_level(), LogLevel::info);
    EXPECT_TRUE(log_enabled(LogLevel::info));
    EXPECT_FALSE(log_enabled(LogLevel::debug));
}

}  // namespace
}  // namespace wsc
