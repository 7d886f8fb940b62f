// ServiceNotify: notices reach a real AF_UNIX datagram socket, bound to a path
// or in the abstract namespace, and bad or missing sockets are reported.
#include "common/ServiceNotify.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "tests/support/NotifyListener.hpp"

namespace wsc {
namespace {

using test::NotifyListener;
constexpr std::chrono::milliseconds kWait{1000};

// A fresh folder for a socket path; removed when the test ends.
class TempDir {
  public:
    TempDir() {
        path_ = (std::filesystem::temp_directory_path() / "wsc_notify_XXXXXX").string();
        if (::mkdtemp(path_.data()) == nullptr) path_.clear();
    }
    ~TempDir() {
        if (!path_.empty()) std::filesystem::remove_all(path_);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    bool ok() const { return !path_.empty(); }

  private:
    std::string path_;
};

TEST(ServiceNotify, ReachesASocketBoundToAPath) {
    const TempDir dir;
    ASSERT_TRUE(dir.ok());
    const NotifyListener listener(dir.file("notify"));
    ASSERT_TRUE(listener.bound());
    EXPECT_EQ(send_service_notice(listener.name(), "READY=1\nSTATUS=serving"), "");
    EXPECT_EQ(listener.receive(kWait), "READY=1\nSTATUS=serving");
    EXPECT_EQ(send_service_notice(listener.name(), "STOPPING=1"), "");
    EXPECT_EQ(listener.receive(kWait), "STOPPING=1");
}

TEST(ServiceNotify, ReachesASocketInTheAbstractNamespace) {
    const NotifyListener listener(NotifyListener::abstract_name("abstract"));
    ASSERT_TRUE(listener.bound());
    EXPECT_EQ(send_service_notice(listener.name(), "READY=1"), "");
    EXPECT_EQ(listener.receive(kWait), "READY=1");
    // The name is exact: one byte more or less is another socket.
    const std::string& name = listener.name();
    EXPECT_NE(send_service_notice(name + "x", "READY=1"), "");
    EXPECT_NE(send_service_notice(name.substr(0, name.size() - 1), "READY=1"), "");
    EXPECT_EQ(listener.receive(std::chrono::milliseconds(100)), std::nullopt);
}

TEST(ServiceNotify, UsesNotifySocketFromTheEnvironment) {
    const NotifyListener listener(NotifyListener::abstract_name("env"));
    ASSERT_TRUE(listener.bound());
    ASSERT_EQ(::setenv("NOTIFY_SOCKET", listener.name().c_str(), 1), 0);
    EXPECT_TRUE(notify_service_manager("READY=1"));
    EXPECT_EQ(listener.receive(kWait), "READY=1");

    // Not run by a service manager: nothing is sent.
    ASSERT_EQ(::unsetenv("NOTIFY_SOCKET"), 0);
    EXPECT_FALSE(notify_service_manager("READY=1"));
    ASSERT_EQ(::setenv("NOTIFY_SOCKET", "", 1), 0);
    EXPECT_FALSE(notify_service_manager("READY=1"));
    ASSERT_EQ(::unsetenv("NOTIFY_SOCKET"), 0);
    EXPECT_EQ(listener.receive(std::chrono::milliseconds(100)), std::nullopt);
}

TEST(ServiceNotify, ReportsBadAndMissingSockets) {
    EXPECT_NE(send_service_notice("", "READY=1"), "");
    EXPECT_NE(send_service_notice("relative/path", "READY=1"), "");
    EXPECT_NE(send_service_notice("/" + std::string(200, 'x'), "READY=1").find("too long"),
              std::string::npos);
    const TempDir dir;
    ASSERT_TRUE(dir.ok());
    EXPECT_NE(send_service_notice(dir.file("nobody"), "READY=1").find("sendto"), std::string::npos);
}

}  // namespace
}  // namespace wsc
