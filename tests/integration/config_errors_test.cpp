// Config errors of the real programs: one line on stderr and exit code 2,
// at once, whatever text the file holds.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/ChildProcess.hpp"

using namespace wsc::test;

namespace {

constexpr int kExitConfig = 2;

class TempFile {
  public:
    explicit TempFile(const std::string& text) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "wsc_config_XXXXXX.ini").string();
        const int fd = ::mkstemps(pattern.data(), 4);
        if (fd < 0) throw std::runtime_error("mkstemps failed");
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    ~TempFile() { std::remove(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Boost's error formatting once looped forever on a line naming one of its
// own placeholders: start-up hung instead of failing.
TEST(ConfigErrors, PlaceholderLineFailsAtOnceWithOneLine) {
    struct Case {
        const char* bin;
        std::string text;
    };
    const Case cases[] = {
        {WSC_REGISTRY_BIN, "[registry]\n%invalid_line%\n"},
        {WSC_REGISTRY_BIN, "[registry]\nbus_port = 0\n%canonical_option% %value%\n"},
        {WSC_WSNODE_BIN, "[wsnode]\n%invalid_line%\n"},
    };
    for (const auto& c : cases) {
        const TempFile file(c.text);
        ChildProcess p(c.bin, {"--config", file.path()},
                       {{"REGISTER_CENTER_PORT", ""}, {"TOKEN", ""}});
        ASSERT_EQ(p.wait_exit(std::chrono::seconds(5)), kExitConfig) << c.bin << ": " << c.text;
        const std::string err = p.stderr_text();
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
        EXPECT_NE(err.find("invalid line"), std::string::npos) << err;
        EXPECT_NE(err.find(file.path()), std::string::npos) << err;
    }
}

}  // namespace
