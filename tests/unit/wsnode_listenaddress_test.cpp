// Unit tests of the listen-host helpers that feed libwebsockets.
#include "wsnode/ListenAddress.hpp"

#include <netinet/in.h>

#include <gtest/gtest.h>

namespace wsc {
namespace {

TEST(WsnodeListenAddress, EmptyHostMeansAllInterfaces) {
    const auto address = resolve_listen_host("");
    EXPECT_EQ(address.iface, "");
    EXPECT_FALSE(address.ipv4_only);
}

TEST(WsnodeListenAddress, Ipv4LiteralRunsLwsWithoutIpv6) {
    const auto address = resolve_listen_host("127.0.0.1");
    EXPECT_EQ(address.iface, "127.0.0.1");
    EXPECT_TRUE(address.ipv4_only);
}

TEST(WsnodeListenAddress, LocalhostResolvesToLoopbackIpv4) {
    const auto address = resolve_listen_host("localhost");
    EXPECT_EQ(address.iface, "127.0.0.1");
    EXPECT_TRUE(address.ipv4_only);
}

TEST(WsnodeListenAddress, InterfaceNameIsPassedThrough) {
    const auto address = resolve_listen_host("lo");
    EXPECT_EQ(address.iface, "lo");
    EXPECT_FALSE(address.ipv4_only);
}

TEST(WsnodeListenAddress, AddressOfAnotherMachineIsRefused) {
    // 192.0.2.0/24 is reserved for documentation: never a local address.
    try {
        resolve_listen_host("192.0.2.1");
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("192.0.2.1"), std::string::npos) << e.what();
    }
}

TEST(WsnodeListenAddress, ListenErrorNamesThePortInUse) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t size = sizeof sa;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &size), 0);
    const auto port = ntohs(sa.sin_port);

    const std::string message = listen_error("127.0.0.1", port);
    ::close(fd);
    EXPECT_EQ(message,
              "cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use");
}

}  // namespace
}  // namespace wsc
