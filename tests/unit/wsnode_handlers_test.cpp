// Unit tests of the embedding API's pure half: Context (events called from a
// handler), Connection (what a handler sees) and HandlerChain (order,
// handled messages, failures, middleware), against a fake Transport.
#include "wsnode/HandlerChain.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "wsnode/CommandExecutor.hpp"
#include "wsnode/ConnectionIndex.hpp"
#include "wsnode/Handlers.hpp"
#include "wsnode/Transport.hpp"

namespace wsc {
namespace {

using json = nlohmann::json;
using Strings = std::vector<std::string>;

const std::string kNodeId(32, 'a');

class FakeTransport : public Transport {
  public:
    bool send(const std::string& conn_id, const Payload& text) override {
        sent.push_back(conn_id + " " + *text);
        return conn_id != "full";
    }
    // No handler here broadcasts.
    std::size_t send_to_all(const Payload&, const std::unordered_set<std::string>&) override {
        return 0;
    }
    void close(const std::string& conn_id) override { closed.push_back(conn_id); }

    Strings sent;
    Strings closed;
};

class FakeUpgrade : public UpgradeRequest {
  public:
    explicit FakeUpgrade(std::string path) : path_(std::move(path)) {}
    const std::string& path() const override { return path_; }
    const json& query() const override { return query_; }
    std::string header(std::string_view) const override { return {}; }
    std::string peer_address() const override { return "127.0.0.1"; }

  private:
    std::string path_;
    json query_ = json::object();
};

class WsnodeHandlers : public ::testing::Test {
  protected:
    void SetUp() override {
        index.add("c1", {{"room", "7"}});
        index.add("c2", json::object());
    }

    ConnectionIndex index;
    FakeTransport transport;
    CommandExecutor executor{index, transport};
    Context context{executor, transport, kNodeId};
    const std::string c1 = "c1";
};

TEST_F(WsnodeHandlers, CallRunsAnEventWithApiStyleParams) {
    EXPECT_EQ(context.call("bindId", {{"id", 42}, {"_id", "c1"}}), 1);  // a number id is text
    EXPECT_EQ(index.user_of("c1"), "42");
    EXPECT_EQ(context.call("joinGroupBy_Id", {{"groupId", "g"}, {"_id", "c1"}}), 1);
    EXPECT_EQ(context.call("sendToGroup", {{"groupId", "g"}, {"msg", {{"a", 1}}}}), 1);
    EXPECT_EQ(transport.sent, Strings({R"(c1 {"a":1})"}));  // an object msg goes as JSON text
    EXPECT_EQ(context.call("getConnectionCount"), 2);
    EXPECT_EQ(context.call("get_IdData", {{"_id", "c1"}}), json({{"room", "7"}}));
    EXPECT_EQ(context.node_id(), kNodeId);
}

TEST_F(WsnodeHandlers, CallRefusesWhatItCannotRun) {
    EXPECT_THROW(context.call("nope"), EventError);
    EXPECT_THROW(context.call("route", {{"id", "u1"}}), EventError);         // a registry event
    EXPECT_THROW(context.call("sendToGroups", json::object()), EventError);  // internal
    try {
        context.call("bindId", {{"id", "u1"}});
        FAIL() << "no exception";
    } catch (const EventError& e) {
        EXPECT_STREQ(e.what(), "bindId: missing parameter '_id'");
    }
    EXPECT_THROW(context.call("bindId", {{"id", true}, {"_id", "c1"}}), EventError);
    EXPECT_FALSE(index.user_of("c1"));
}

TEST_F(WsnodeHandlers, SendAndCloseReachTheTransportAndTheIndex) {
    EXPECT_TRUE(context.send("c1", "hi"));
    EXPECT_FALSE(context.send("full", "hi"));
    EXPECT_EQ(transport.sent, Strings({"c1 hi", "full hi"}));
    EXPECT_TRUE(context.close("c2"));
    EXPECT_FALSE(context.close("c2"));
    EXPECT_EQ(transport.closed, Strings({"c2"}));
    EXPECT_FALSE(index.has("c2"));
}

TEST_F(WsnodeHandlers, ConnectionSeesTheIndexLiveAndFallsBackOnceRemoved) {
    const Connection conn(c1, index);
    EXPECT_EQ(conn.id(), "c1");
    EXPECT_FALSE(conn.user());
    context.call("bindId", {{"id", "alice"}, {"_id", "c1"}});
    EXPECT_EQ(conn.user(), "alice");
    EXPECT_EQ(conn.query(), json({{"room", "7"}}));

    std::optional<std::string> user_at_close;
    std::optional<json> query_at_close;
    const Connection closed(c1, index, &user_at_close, &query_at_close);
    index.remove("c1");
    EXPECT_FALSE(closed.user());
    EXPECT_EQ(closed.query(), json::object());
    // Filled in after the Connection was made, as the node does on close.
    user_at_close = "alice";
    query_at_close = json{{"room", "7"}};
    EXPECT_EQ(closed.user(), "alice");
    EXPECT_EQ(closed.query(), json({{"room", "7"}}));
    EXPECT_FALSE(conn.user());
    EXPECT_EQ(conn.query(), json::object());
}

TEST_F(WsnodeHandlers, MessageChainRunsInOrderUntilOneHandlesIt) {
    HandlerChain chain;
    Strings order;
    chain.add_message(ping_pong_handler());
    chain.add_message([&](Context&, const Connection&, std::string_view data, bool) {
        order.push_back("first:" + std::string(data));
        return data == "mine";
    });
    chain.add_message([&](Context&, const Connection&, std::string_view data, bool binary) {
        order.push_back(std::string("second:") + (binary ? "bin" : "text") + ":" +
                        std::string(data));
        return false;
    });
    const Connection conn(c1, index);
    auto outcome = chain.message(context, conn, "mine", false);
    EXPECT_TRUE(outcome.handled);
    EXPECT_FALSE(outcome.failed);
    outcome = chain.message(context, conn, "other", true);
    EXPECT_FALSE(outcome.handled);
    EXPECT_EQ(order, Strings({"first:mine", "first:other", "second:bin:other"}));
}

TEST_F(WsnodeHandlers, PingGetsPongAndGoesNoFurther) {
    HandlerChain chain;
    chain.add_message(ping_pong_handler());
    int later = 0;
    chain.add_message([&](Context&, const Connection&, std::string_view, bool) {
        ++later;
        return false;
    });
    const Connection conn(c1, index);
    EXPECT_TRUE(chain.message(context, conn, "ping", false).handled);
    EXPECT_EQ(transport.sent, Strings({R"(c1 {"cmd":"pong","_id":"c1"})"}));
    EXPECT_FALSE(chain.message(context, conn, "ping", true).handled);  // binary is data
    EXPECT_FALSE(chain.message(context, conn, "ping ", false).handled);
    EXPECT_EQ(later, 2);
    EXPECT_EQ(transport.sent.size(), 1u);
}

TEST_F(WsnodeHandlers, AFailingHandlerStopsItsChainAndIsReported) {
    HandlerChain chain;
    int after = 0;
    chain.add_open([](Context& ctx, const Connection&) { ctx.call("bindId"); });  // throws
    chain.add_open([&](Context&, const Connection&) { ++after; });
    chain.add_message([](Context&, const Connection&, std::string_view, bool) -> bool {
        throw std::runtime_error("boom");
    });
    chain.add_message([&](Context&, const Connection&, std::string_view, bool) {
        ++after;
        return true;
    });
    chain.add_close([](Context&, const Connection&) { throw 7; });
    chain.add_close([&](Context&, const Connection&) { ++after; });
    const Connection conn(c1, index);
    EXPECT_TRUE(chain.open(context, conn).failed);
    const auto outcome = chain.message(context, conn, "x", false);
    EXPECT_TRUE(outcome.failed);
    EXPECT_FALSE(outcome.handled);
    EXPECT_EQ(after, 0);
    chain.close(context, conn);  // close handlers all run
    EXPECT_EQ(after, 1);
}

TEST_F(WsnodeHandlers, MiddlewareFirstRefusalWinsAndBadAnswersRefuseWith500) {
    HandlerChain chain;
    EXPECT_FALSE(chain.has_middleware());
    EXPECT_EQ(chain.upgrade(FakeUpgrade("/")), std::nullopt);
    int calls = 0;
    chain.add_middleware([&](const UpgradeRequest& r) -> std::optional<int> {
        ++calls;
        if (r.path() == "/private") return 401;
        if (r.path() == "/odd") return 200;  // not a refusal status
        if (r.path() == "/throw") throw std::runtime_error("auth backend down");
        return std::nullopt;
    });
    chain.add_middleware([&](const UpgradeRequest& r) -> std::optional<int> {
        ++calls;
        return r.path() == "/" ? std::nullopt : std::optional<int>(403);
    });
    EXPECT_TRUE(chain.has_middleware());
    EXPECT_EQ(chain.upgrade(FakeUpgrade("/")), std::nullopt);
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(chain.upgrade(FakeUpgrade("/private")), 401);
    EXPECT_EQ(calls, 3);  // the second middleware did not run
    EXPECT_EQ(chain.upgrade(FakeUpgrade("/other")), 403);
    EXPECT_EQ(chain.upgrade(FakeUpgrade("/odd")), 500);
    EXPECT_EQ(chain.upgrade(FakeUpgrade("/throw")), 500);
}

TEST(WsnodeHandlerChain, EmptyFunctionsAreRefused) {
    HandlerChain chain;
    EXPECT_THROW(chain.add_open(nullptr), std::invalid_argument);
    EXPECT_THROW(chain.add_message(MessageHandler()), std::invalid_argument);
    EXPECT_THROW(chain.add_close(CloseHandler()), std::invalid_argument);
    EXPECT_THROW(chain.add_middleware(UpgradeMiddleware()), std::invalid_argument);
}

}  // namespace
}  // namespace wsc
