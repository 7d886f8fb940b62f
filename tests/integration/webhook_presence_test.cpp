// Presence and node loss reach a plain HTTP endpoint: two real registries
// with webhook_url set, real wsnodes, a real HTTP receiver. A wsnode killed
// with SIGKILL has every connection's node_lost close and the offline of its
// users POSTed once, signed, within 5 s; a receiver down for 10 s gets
// everything afterwards, in order per user, with no event twice.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/WebhookSignature.hpp"
#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationSupport.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WebhookReceiver.hpp"
#include "tests/support/WsClient.hpp"

using namespace wsc::test;
using nlohmann::json;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

namespace {

const std::string kSecret = "webhook-secret-for-tests";

void bind(std::uint16_t http_port, const std::string& user, const Client& c) {
    const auto r = api(http_port, "event=bindId&bindId[id]=" + user + "&bindId[_id]=" + c.id);
    ASSERT_EQ(r["code"], 0) << r.dump();
}

// Every event POSTed so far, in arrival order; each request's signature and
// delivery id checked on the way.
std::vector<json> posted(const WebhookReceiver& receiver) {
    std::vector<json> out;
    for (const auto& r : receiver.requests()) {
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.header("x-wscenter-signature"),
                  "sha256=" + wsc::hmac_sha256_hex(kSecret, r.body))
            << r.body;
        EXPECT_FALSE(r.header("x-wscenter-delivery").empty());
        const json body = json::parse(r.body);
        for (const auto& e : body.at("events")) out.push_back(e);
    }
    return out;
}

// One user's online/offline events, in order.
Strings presence_of(const std::vector<json>& events, const std::string& user) {
    Strings out;
    for (const auto& e : events) {
        const std::string kind = e.value("event", "");
        if ((kind == "online" || kind == "offline") && e.value("id", json()) == user)
            out.push_back(kind);
    }
    return out;
}

class WebhookCluster : public ::testing::Test {
  protected:
    void SetUp() override {
        const Flags hooks{{"registry.webhook_url", receiver_.url()},
                          {"registry.webhook_secret", kSecret},
                          {"registry.webhook_timeout_ms", "1000"}};
        r1_ = start_registry({}, hooks);
        r2_ = start_registry({r1_.bus_port}, hooks);
        a_ = start_wsnode({r1_.bus_port});
        b_ = start_wsnode({r2_.bus_port});
        ASSERT_TRUE(wait_for_nodes(r1_.http_port, 2));
        ASSERT_TRUE(wait_for_nodes(r2_.http_port, 2));
        // Past the age (3 heartbeats) at which registries start deciding
        // alone: while both count each other young, both may decide.
        std::this_thread::sleep_for(1s);
    }

    WebhookReceiver receiver_;
    RegistryProc r1_, r2_;
    NodeProc a_, b_;
};

TEST_F(WebhookCluster, AKilledNodesClosesAndOfflinesArePostedOnceSigned) {
    auto c1 = connect_client(a_);
    auto c2 = connect_client(a_);
    auto c3 = connect_client(a_);  // never bound
    auto d1 = connect_client(b_);  // carol's other device
    bind(r1_.http_port, "dave", *c1);
    bind(r2_.http_port, "carol", *c2);
    bind(r1_.http_port, "carol", *d1);
    ASSERT_TRUE(wait_until(
        [&] {
            const auto events = posted(receiver_);
            return presence_of(events, "dave").size() == 1 &&
                   presence_of(events, "carol").size() == 1;
        },
        5s));

    const auto killed_at = std::chrono::steady_clock::now();
    a_.proc->signal(SIGKILL);
    const auto lost = [&] {
        std::map<std::string, std::vector<json>> out;
        for (const auto& e : posted(receiver_))
            if (e.value("reason", "") == "node_lost") out[e.value("_id", "")].push_back(e);
        return out;
    };
    ASSERT_TRUE(wait_until(
        [&] { return lost().size() == 3 && presence_of(posted(receiver_), "dave").size() == 2; },
        5s));
    EXPECT_LT(std::chrono::steady_clock::now() - killed_at, 5s);
    std::this_thread::sleep_for(1500ms);  // anything more would show now

    const auto closes = lost();
    const std::map<std::string, json> expected{
        {c1->id, "dave"}, {c2->id, "carol"}, {c3->id, nullptr}};
    ASSERT_EQ(closes.size(), expected.size());
    for (const auto& [conn, user] : expected) {
        ASSERT_EQ(closes.at(conn).size(), 1u) << conn;  // one registry posted it, once
        EXPECT_EQ(closes.at(conn)[0]["id"], user);
        EXPECT_EQ(closes.at(conn)[0]["node"], a_.node_id);
    }
    const auto events = posted(receiver_);
    EXPECT_EQ(presence_of(events, "dave"), (Strings{"online", "offline"}));
    EXPECT_EQ(presence_of(events, "carol"), Strings{"online"});
    std::set<std::string> eids;
    for (const auto& e : events) EXPECT_TRUE(eids.insert(e.value("eid", "")).second) << e.dump();
}

TEST_F(WebhookCluster, AReceiverDownForTenSecondsGetsEverythingInOrder) {
    receiver_.stop();
    const auto down_at = std::chrono::steady_clock::now();
    // Users come and go through both registries while nobody listens.
    const int users = 6;
    for (int round = 0; round < 2; ++round) {
        std::vector<std::unique_ptr<Client>> clients;
        for (int u = 0; u < users; ++u) {
            clients.push_back(connect_client(u % 2 ? a_ : b_));
            bind(u % 2 ? r1_.http_port : r2_.http_port, "user" + std::to_string(u),
                 *clients.back());
        }
        std::this_thread::sleep_for(500ms);
        for (auto& c : clients) c->ws->close();
        std::this_thread::sleep_for(500ms);
    }
    std::this_thread::sleep_until(down_at + 10s);
    receiver_.start();
    const auto back_at = std::chrono::steady_clock::now();
    const Strings want{"online", "offline", "online", "offline"};
    ASSERT_TRUE(wait_until(
        [&] {
            const auto events = posted(receiver_);
            for (int u = 0; u < users; ++u)
                if (presence_of(events, "user" + std::to_string(u)).size() < want.size())
                    return false;
            return true;
        },
        15s));
    // Served within seconds of coming back (the backoff is capped at 10 s).
    EXPECT_LT(std::chrono::steady_clock::now() - back_at, 12s);
    std::this_thread::sleep_for(1s);
    const auto events = posted(receiver_);
    for (int u = 0; u < users; ++u)
        EXPECT_EQ(presence_of(events, "user" + std::to_string(u)), want) << "user" << u;
    std::set<std::string> eids;
    for (const auto& e : events) EXPECT_TRUE(eids.insert(e.value("eid", "")).second) << e.dump();
    // The closes of the clients came too (posted by the registry each entered at).
    std::size_t closes = 0;
    for (const auto& e : events)
        if (e.value("event", "") == "close") ++closes;
    EXPECT_GE(closes, static_cast<std::size_t>(2 * users));
}

}  // namespace
