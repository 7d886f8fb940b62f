// The bus frame layout over a real zmq ROUTER/DEALER pair (inproc):
// sending, receiving, refusing bad layouts, and unknown peers.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "bus/Frames.hpp"

namespace wsc::bus {
namespace {

// How long a test waits for a message that must arrive (inproc is
// immediate; this only bounds a failure).
constexpr std::chrono::milliseconds kArrival{2000};
constexpr std::uint8_t kUnknownCommand = 200;

class BusFrames : public ::testing::Test {
  protected:
    void SetUp() override {
        endpoint_ = std::string("inproc://bus-frames-") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name();
        router_ = zmq::socket_t(ctx_, zmq::socket_type::router);
        configure_socket(router_);
        router_.bind(endpoint_);
    }

    zmq::socket_t make_dealer(const std::string& identity) {
        zmq::socket_t dealer(ctx_, zmq::socket_type::dealer);
        configure_socket(dealer);
        dealer.set(zmq::sockopt::routing_id, identity);
        dealer.connect(endpoint_);
        return dealer;
    }

    static bool wait_readable(zmq::socket_t& socket) {
        zmq_pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        return zmq::poll(&item, 1, kArrival) > 0;
    }

    // The next message, waiting for it to arrive.
    static Incoming next(zmq::socket_t& socket, bool routed) {
        EXPECT_TRUE(wait_readable(socket)) << "nothing arrived";
        auto in = receive(socket, routed);
        EXPECT_TRUE(in.has_value());
        return in.value_or(Incoming{});
    }

    // Sends `frames` as one multipart message, bypassing the bus layout.
    static void send_raw(zmq::socket_t& socket, const std::vector<std::string>& frames) {
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const auto flags =
                i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
            ASSERT_TRUE(socket.send(zmq::buffer(frames[i]), flags).has_value());
        }
    }

    static std::string cmd(Command c) { return std::string(1, static_cast<char>(c)); }

    zmq::context_t ctx_;
    zmq::socket_t router_;
    std::string endpoint_;
};

TEST_F(BusFrames, ReceiveOnAnIdleSocketReturnsNothing) {
    auto dealer = make_dealer("idle");
    EXPECT_EQ(receive(router_, true), std::nullopt);
    EXPECT_EQ(receive(dealer, false), std::nullopt);
}

TEST_F(BusFrames, MessageGoesToTheRouterAndAReplyComesBack) {
    auto dealer = make_dealer("node-a");
    const std::string body = to_msgpack(nlohmann::json{{"req", 9}, {"events", {"x"}}});
    ASSERT_TRUE(send_message(dealer, Command::Request, body));

    const Incoming in = next(router_, true);
    EXPECT_EQ(in.identity, "node-a");
    EXPECT_EQ(in.command, Command::Request);
    EXPECT_EQ(in.body, body);

    const std::string reply = to_msgpack(nlohmann::json{{"req", 9}, {"results", {}}});
    ASSERT_TRUE(send_routed(router_, in.identity, Command::Reply, reply));
    const Incoming back = next(dealer, false);
    EXPECT_TRUE(back.identity.empty());
    EXPECT_EQ(back.command, Command::Reply);
    EXPECT_EQ(back.body, reply);
    EXPECT_EQ(from_msgpack(back.body), (nlohmann::json{{"req", 9}, {"results", {}}}));
}

TEST_F(BusFrames, EveryCommandAndAnEmptyBodyPassThrough) {
    auto dealer = make_dealer("node-b");
    for (int b = static_cast<int>(Command::NodeReady); b <= static_cast<int>(Command::Challenge);
         ++b) {
        if (!command_from_byte(static_cast<std::uint8_t>(b))) continue;  // reserved
        const auto c = static_cast<Command>(b);
        ASSERT_TRUE(send_message(dealer, c, ""));
        const Incoming in = next(router_, true);
        EXPECT_EQ(in.command, c) << to_string(c);
        EXPECT_TRUE(in.body.empty());
    }
}

TEST_F(BusFrames, BadLayoutsThrowAndLeaveTheSocketUsable) {
    auto dealer = make_dealer("node-c");
    const std::string header(kHeader);
    const std::string good_body = to_msgpack(nlohmann::json{{"ok", true}});
    const std::vector<std::pair<std::string, std::vector<std::string>>> bad = {
        {"1 frame", {header}},
        {"2 frames", {header, cmd(Command::Heartbeat)}},
        {"5 frames", {header, cmd(Command::Heartbeat), "body", "extra"}},
        {"10 frames", std::vector<std::string>(10, "x")},
        {"wrong header", {"WSC2", cmd(Command::Heartbeat), good_body}},
        {"empty header", {"", cmd(Command::Heartbeat), good_body}},
        {"2-byte command", {header, std::string("\x02\x00", 2), good_body}},
        {"empty command", {header, "", good_body}},
        {"unknown command 200",
         {header, std::string(1, static_cast<char>(kUnknownCommand)), good_body}},
        {"command 0", {header, std::string(1, '\0'), good_body}},
    };
    for (const auto& [what, frames] : bad) {
        send_raw(dealer, frames);
        ASSERT_TRUE(wait_readable(router_)) << what;
        EXPECT_THROW(receive(router_, true), DecodeError) << what;
        // Every part was consumed: the next good message reads cleanly.
        ASSERT_TRUE(send_message(dealer, Command::Heartbeat, good_body)) << what;
        const Incoming in = next(router_, true);
        EXPECT_EQ(in.identity, "node-c") << what;
        EXPECT_EQ(in.command, Command::Heartbeat) << what;
        EXPECT_EQ(in.body, good_body) << what;
        EXPECT_EQ(receive(router_, true), std::nullopt) << what << ": leftovers";
    }
}

TEST_F(BusFrames, BadLayoutsOnTheDealerSideThrowToo) {
    auto dealer = make_dealer("node-d");
    ASSERT_TRUE(send_message(dealer, Command::NodeReady, ""));
    next(router_, true);  // the router now knows the dealer
    const std::string header(kHeader);
    const std::vector<std::vector<std::string>> bad = {
        {"node-d", header, cmd(Command::Heartbeat)},                  // 2 frames arrive
        {"node-d", header, cmd(Command::Heartbeat), "body", "more"},  // 4 frames arrive
        {"node-d", "XXXX", cmd(Command::Heartbeat), "body"},          // header
        {"node-d", header, std::string(1, static_cast<char>(kUnknownCommand)), "body"},
    };
    for (const auto& frames : bad) {
        send_raw(router_, frames);
        ASSERT_TRUE(wait_readable(dealer));
        EXPECT_THROW(receive(dealer, false), DecodeError);
        ASSERT_TRUE(send_routed(router_, "node-d", Command::Heartbeat, "ok"));
        const Incoming in = next(dealer, false);
        EXPECT_EQ(in.command, Command::Heartbeat);
        EXPECT_EQ(in.body, "ok");
    }
}

TEST_F(BusFrames, SendToAnUnknownIdentityReturnsFalse) {
    EXPECT_NO_THROW({
        EXPECT_FALSE(send_routed(router_, "nobody", Command::Request, "body"));
        zmq::message_t shared(std::string_view("shared"));
        EXPECT_FALSE(send_routed(router_, "nobody", Command::Request, shared));
    });
    // The router still works afterwards, and nothing half-sent reaches anyone.
    auto dealer = make_dealer("node-e");
    ASSERT_TRUE(send_message(dealer, Command::Heartbeat, "hi"));
    const Incoming in = next(router_, true);
    ASSERT_TRUE(send_routed(router_, in.identity, Command::Heartbeat, "back"));
    EXPECT_EQ(next(dealer, false).body, "back");
    EXPECT_EQ(receive(dealer, false), std::nullopt);
}

TEST_F(BusFrames, SharedBodyGoesToSeveralPeers) {
    auto a = make_dealer("node-a");
    auto b = make_dealer("node-b");
    ASSERT_TRUE(send_message(a, Command::NodeReady, ""));
    ASSERT_TRUE(send_message(b, Command::NodeReady, ""));
    next(router_, true);
    next(router_, true);

    // Large enough that zmq shares the buffer instead of copying it inline.
    const std::string body =
        to_msgpack(nlohmann::json{{"req", 1}, {"pad", std::string(1000, 'p')}});
    zmq::message_t shared(body.data(), body.size());
    ASSERT_TRUE(send_routed(router_, "node-a", Command::Request, shared));
    ASSERT_TRUE(send_routed(router_, "node-b", Command::Request, shared));
    EXPECT_FALSE(send_routed(router_, "node-z", Command::Request, shared));
    // The caller's message is intact and reusable.
    EXPECT_EQ(shared.to_string(), body);

    const Incoming at_a = next(a, false);
    const Incoming at_b = next(b, false);
    EXPECT_EQ(at_a.command, Command::Request);
    EXPECT_EQ(at_b.command, Command::Request);
    EXPECT_EQ(at_a.body, body);
    EXPECT_EQ(at_b.body, body);

    // A small body (copied, not shared) works the same way.
    zmq::message_t small(std::string_view("\x80"));
    ASSERT_TRUE(send_routed(router_, "node-a", Command::Heartbeat, small));
    EXPECT_EQ(next(a, false).body, "\x80");
}

TEST_F(BusFrames, ConfigureSocketSetsTheBusOptions) {
    EXPECT_EQ(router_.get(zmq::sockopt::linger), 0);
    EXPECT_EQ(router_.get(zmq::sockopt::maxmsgsize), kMaxMessageBytes);
    auto dealer = make_dealer("node-f");
    EXPECT_EQ(dealer.get(zmq::sockopt::linger), 0);
    EXPECT_EQ(dealer.get(zmq::sockopt::maxmsgsize), kMaxMessageBytes);
}

}  // namespace
}  // namespace wsc::bus
