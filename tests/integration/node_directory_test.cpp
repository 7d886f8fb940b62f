// The node's interest directory on the bus (bus/PROTOCOL.md, "Routing"): a
// raw ROUTER plays the registry to a real wscenter-wsnode, real WebSocket
// clients change what the node holds, and every Directory message, Reply
// and hello is checked as it leaves the node.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "bus/ConnIds.hpp"
#include "bus/Frames.hpp"
#include "bus/Messages.hpp"
#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationSupport.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Strings = std::vector<std::string>;

const std::string kOrigin = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const std::string kOtherNode = "00000000000000000000000000000001";
constexpr auto kWait = 5s;
// How long we wait for a message that must not come.
constexpr auto kSilence = 1s;
// Our keep-alives, well within the node's patience (3 x 200 ms in tests).
constexpr auto kKeepAlive = 100ms;

struct Message {
    bus::Command command;
    json body;
};

using Match = std::function<bool(const Message&)>;

// An unsigned key of a body, 0 when absent.
std::uint64_t u64(const json& body, const char* key) {
    return body.value(key, std::uint64_t{0});
}

Match is(bus::Command command) {
    return [command](const Message& m) { return m.command == command; };
}

Match reply_to(std::uint64_t req) {
    return [req](const Message& m) {
        return m.command == bus::Command::Reply && u64(m.body, "req") == req;
    };
}

// A registry made by hand: a ROUTER on an ephemeral port that records what
// the node sends and keeps its link alive.
class FakeRegistry {
  public:
    FakeRegistry() : socket_(ctx_, zmq::socket_type::router) {
        bus::configure_socket(socket_);
        socket_.bind("tcp://127.0.0.1:*");
        const std::string endpoint = socket_.get(zmq::sockopt::last_endpoint);
        port_ = static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
    }

    std::uint16_t port() const { return port_; }

    // Reads until a message passing `match` arrives and returns it (nullopt
    // on timeout). Every message read on the way, that one included, is
    // appended to trail().
    std::optional<Message> next(const Match& match, std::chrono::milliseconds timeout = kWait) {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            keep_alive();
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(20));
            while (auto in = bus::receive(socket_, true)) {
                identity_ = in->identity;
                trail_.push_back(Message{in->command, bus::from_msgpack(in->body)});
                if (match(trail_.back())) return trail_.back();
            }
        }
        return std::nullopt;
    }

    // The Directory messages in the trail, decoded (which checks them).
    std::vector<bus::Directory> directories() const {
        std::vector<bus::Directory> out;
        for (const auto& m : trail_)
            if (m.command == bus::Command::Directory)
                out.push_back(bus::Directory::from_json(m.body));
        return out;
    }

    const std::vector<Message>& trail() const { return trail_; }
    void clear_trail() { trail_.clear(); }

    void send(bus::Command command, const json& body) {
        ASSERT_FALSE(identity_.empty()) << "the node has not said hello";
        ASSERT_TRUE(bus::send_routed(socket_, identity_, command, bus::to_msgpack(body)));
    }

    void request(std::uint64_t req, json events) {
        send(bus::Command::Request, bus::Request{req, kOrigin, std::move(events)}.to_json());
    }

  private:
    void keep_alive() {
        if (identity_.empty() || Clock::now() < next_keep_alive_) return;
        bus::send_routed(socket_, identity_, bus::Command::Heartbeat,
                         bus::to_msgpack(json::object()));
        next_keep_alive_ = Clock::now() + kKeepAlive;
    }

    zmq::context_t ctx_;
    zmq::socket_t socket_;
    std::uint16_t port_ = 0;
    std::string identity_;  // the node's link
    std::vector<Message> trail_;
    Clock::time_point next_keep_alive_{};
};

json bind_id(const std::string& user, const std::string& conn) {
    return bus::request_event("bindId", {{"id", user}, {"_id", conn}});
}

json join_group(const std::string& group, const std::string& conn) {
    return bus::request_event("joinGroupBy_Id", {{"groupId", group}, {"_id", conn}});
}

std::size_t count_of(const std::vector<Message>& trail, bus::Command command) {
    std::size_t n = 0;
    for (const auto& m : trail)
        if (m.command == command) ++n;
    return n;
}

class NodeDirectory : public ::testing::Test {
  protected:
    void SetUp() override {
        node_ = start_wsnode({registry_.port()});
        const auto hello = registry_.next(is(bus::Command::NodeReady));
        ASSERT_TRUE(hello.has_value()) << node_.proc->stderr_text();
        // Nothing changed yet: a boot, and no directory message to speak of.
        boot_ = u64(hello->body, "boot");
        EXPECT_NE(boot_, 0u);
        EXPECT_FALSE(hello->body.contains("dseq")) << hello->body.dump();
        registry_.clear_trail();
    }

    // Runs `events` as request `req`; the node's Reply, with everything
    // received before it in trail().
    json run(std::uint64_t req, json events) {
        registry_.clear_trail();
        registry_.request(req, std::move(events));
        const auto reply = registry_.next(reply_to(req));
        if (!reply) {
            ADD_FAILURE() << "no reply to request " << req;
            return json();
        }
        return reply->body;
    }

    // Reads the Directory messages that announce the connections `ids`
    // (a connection opening is a change too); the seq of the last one.
    std::uint64_t opened(const Strings& ids) {
        std::set<std::string> waiting(ids.begin(), ids.end());
        std::uint64_t seq = 0;
        while (!waiting.empty()) {
            const auto d = next_directory();
            if (!d) {
                ADD_FAILURE() << "no Directory message announced the connections";
                return 0;
            }
            for (const auto& id : d->conns_add) waiting.erase(id);
            seq = d->seq;
        }
        return seq;
    }

    // The next Directory message, the messages before it in trail().
    std::optional<bus::Directory> next_directory() {
        registry_.clear_trail();
        const auto m = registry_.next(is(bus::Command::Directory));
        if (!m) return std::nullopt;
        return bus::Directory::from_json(m->body);
    }

    FakeRegistry registry_;
    NodeProc node_;
    std::uint64_t boot_ = 0;
};

TEST_F(NodeDirectory, ConnectionIdsNameTheirNode) {
    auto first = connect_client(node_);
    auto second = connect_client(node_);
    const std::string tag = bus::node_tag(node_.node_id);
    for (const auto* client : {first.get(), second.get()}) {
        EXPECT_TRUE(std::regex_match(client->id, std::regex("[0-9a-f]{32}"))) << client->id;
        EXPECT_EQ(client->id.substr(0, tag.size()), tag) << client->id;
        EXPECT_EQ(bus::conn_tag(client->id), tag);
    }
    EXPECT_NE(first->id, second->id);
}

TEST_F(NodeDirectory, AConnectionOpeningIsAChangeWithItsUserLeftEmpty) {
    auto client = connect_client(node_);
    const auto d = next_directory();
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->seq, 1u);
    EXPECT_EQ(d->conns_add, Strings{client->id});
    EXPECT_EQ(d->conns_user, Strings{""});
    EXPECT_TRUE(d->users_add.empty());
    EXPECT_TRUE(d->ack.empty());  // nobody waits for it
}

TEST_F(NodeDirectory, ARequestsAddsComeBeforeItsReplyAndAreAcknowledged) {
    auto client = connect_client(node_);
    const std::uint64_t s0 = opened({client->id});
    const json reply =
        run(1, json::array({bind_id("u1", client->id), join_group("g1", client->id)}));
    EXPECT_EQ(u64(reply, "dseq"), s0 + 1) << reply.dump();
    EXPECT_EQ(reply["results"]["bindId"], 1) << reply.dump();

    const auto directories = registry_.directories();
    ASSERT_EQ(directories.size(), 1u);  // came before the Reply, not after
    const bus::Directory& d = directories[0];
    EXPECT_EQ(d.node, node_.node_id);
    EXPECT_EQ(d.boot, boot_);
    EXPECT_EQ(d.seq, s0 + 1);
    EXPECT_EQ(d.snap, 0u);
    EXPECT_EQ(d.users_add, Strings{"u1"});
    EXPECT_EQ(d.groups_add, Strings{"g1"});
    EXPECT_EQ(d.conns_add, Strings{client->id});
    EXPECT_EQ(d.conns_user, Strings{"u1"});
    EXPECT_TRUE(d.users_del.empty());
    EXPECT_TRUE(d.groups_del.empty());
    EXPECT_EQ(d.ack, kOrigin);

    // The heartbeats say how far the directory is.
    const auto beat = registry_.next(is(bus::Command::Heartbeat));
    ASSERT_TRUE(beat.has_value());
    EXPECT_EQ(u64(beat->body, "boot"), boot_);
    EXPECT_EQ(u64(beat->body, "dseq"), s0 + 1) << beat->body.dump();

    // A request that changes nothing the registries route by: no message,
    // and nothing to wait for.
    const json quiet = run(2, json::array({bind_id("u1", client->id)}));
    EXPECT_FALSE(quiet.contains("dseq")) << quiet.dump();
    EXPECT_EQ(count_of(registry_.trail(), bus::Command::Directory), 0u);
}

TEST_F(NodeDirectory, ASecondConnectionOfAUserAddsNothing) {
    auto first = connect_client(node_);
    auto second = connect_client(node_);
    opened({first->id, second->id});
    run(1, json::array({bind_id("u1", first->id)}));
    const json reply = run(2, json::array({bind_id("u1", second->id)}));
    EXPECT_FALSE(reply.contains("dseq")) << reply.dump();  // nothing to wait for
    auto directories = registry_.directories();
    ASSERT_EQ(directories.size(), 1u);  // the connection's new user, no interest
    EXPECT_TRUE(directories[0].users_add.empty());
    EXPECT_EQ(directories[0].conns_add, Strings{second->id});
    EXPECT_EQ(directories[0].conns_user, Strings{"u1"});

    // Nor does losing one of two; losing the last one does, once.
    first->ws->close();
    second->ws->close();
    std::set<std::string> closed;
    Strings users_gone;
    while (closed.size() < 2) {
        const auto gone = next_directory();
        ASSERT_TRUE(gone.has_value());
        EXPECT_TRUE(gone->users_add.empty());
        closed.insert(gone->conns_del.begin(), gone->conns_del.end());
        users_gone.insert(users_gone.end(), gone->users_del.begin(), gone->users_del.end());
    }
    EXPECT_EQ(users_gone, Strings{"u1"});
}

TEST_F(NodeDirectory, AClientClosingIsPublishedWithoutAck) {
    auto client = connect_client(node_);
    const std::uint64_t s0 = opened({client->id});
    run(1, json::array({bind_id("u1", client->id), join_group("g1", client->id)}));
    client->ws->close();
    const auto gone = next_directory();
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(gone->seq, s0 + 2);
    EXPECT_EQ(gone->conns_del, Strings{client->id});
    EXPECT_EQ(gone->boot, boot_);
    EXPECT_EQ(gone->users_del, Strings{"u1"});
    EXPECT_EQ(gone->groups_del, Strings{"g1"});
    EXPECT_TRUE(gone->users_add.empty());
    EXPECT_TRUE(gone->groups_add.empty());
    EXPECT_TRUE(gone->ack.empty());
    const auto beat = registry_.next([&](const Message& m) {
        return m.command == bus::Command::Heartbeat && u64(m.body, "dseq") == s0 + 2;
    });
    EXPECT_TRUE(beat.has_value());
}

TEST_F(NodeDirectory, ARequestThatOnlyRemovesIsNotWaitedFor) {
    auto client = connect_client(node_);
    const std::uint64_t s0 = opened({client->id});
    run(1, json::array({bind_id("u1", client->id), join_group("g1", client->id)}));
    const json reply =
        run(2, json::array({bus::request_event("closeBy_Id", {{"_id", client->id}})}));
    EXPECT_FALSE(reply.contains("dseq")) << reply.dump();
    const auto directories = registry_.directories();
    ASSERT_EQ(directories.size(), 1u);
    EXPECT_EQ(directories[0].seq, s0 + 2);
    EXPECT_EQ(directories[0].conns_del, Strings{client->id});
    EXPECT_EQ(directories[0].users_del, Strings{"u1"});
    EXPECT_EQ(directories[0].groups_del, Strings{"g1"});
    EXPECT_TRUE(directories[0].ack.empty());
}

TEST_F(NodeDirectory, AWantGetsASnapshotOfWhatIsHeld) {
    auto first = connect_client(node_);
    auto second = connect_client(node_);
    const std::uint64_t s0 = opened({first->id, second->id});
    run(1, json::array(
               {bind_id("u2", first->id), bind_id("u1", second->id), join_group("g1", first->id)}));
    // A want naming another node is not ours to answer.
    registry_.send(bus::Command::DirectoryWant,
                   bus::DirectoryWant{kOtherNode, kOrigin, 1}.to_json());
    EXPECT_FALSE(registry_.next(is(bus::Command::Directory), kSilence).has_value());

    registry_.send(bus::Command::DirectoryWant,
                   bus::DirectoryWant{node_.node_id, kOrigin, 2}.to_json());
    const auto snap = next_directory();
    ASSERT_TRUE(snap.has_value());
    EXPECT_EQ(snap->snap, 1u);
    EXPECT_EQ(snap->seq, s0 + 1);  // as of the last delta
    EXPECT_EQ(snap->boot, boot_);
    EXPECT_EQ(snap->users_add, (Strings{"u1", "u2"}));
    EXPECT_EQ(snap->groups_add, Strings{"g1"});
    Strings ids{first->id, second->id};
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(snap->conns_add, ids);
    EXPECT_EQ(snap->conns_user, (ids[0] == first->id ? Strings{"u2", "u1"} : Strings{"u1", "u2"}));
    EXPECT_TRUE(snap->users_del.empty());
    EXPECT_TRUE(snap->ack.empty());

    // Deltas carry on from there; the next snapshot is numbered on.
    second->ws->close();
    const auto gone = next_directory();
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(gone->seq, s0 + 2);
    EXPECT_EQ(gone->snap, 0u);
    registry_.send(bus::Command::DirectoryWant,
                   bus::DirectoryWant{node_.node_id, kOrigin, 3}.to_json());
    const auto again = next_directory();
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->snap, 2u);
    EXPECT_EQ(again->seq, s0 + 2);
    EXPECT_EQ(again->users_add, Strings{"u2"});
    EXPECT_EQ(again->conns_add, Strings{first->id});
    EXPECT_EQ(again->conns_user, Strings{"u2"});
}

TEST(NodeDirectoryRegistries, EveryRegistryGetsEachDeltaAndOnlyTheAskerTheReply) {
    FakeRegistry asker;
    FakeRegistry other;
    auto node = start_wsnode({asker.port(), other.port()});
    ASSERT_TRUE(asker.next(is(bus::Command::NodeReady)).has_value());
    ASSERT_TRUE(other.next(is(bus::Command::NodeReady)).has_value());
    auto client = connect_client(node);
    asker.request(1, json::array({bind_id("u1", client->id)}));
    ASSERT_TRUE(asker.next(reply_to(1)).has_value());
    // The connection's opening, then the bind, both before the Reply.
    const auto asked = asker.directories();
    ASSERT_EQ(asked.size(), 2u);
    EXPECT_EQ(asked[1].users_add, Strings{"u1"});
    const auto adds_user = [](const Message& m) {
        return m.command == bus::Command::Directory &&
               !bus::Directory::from_json(m.body).users_add.empty();
    };
    const auto seen = other.next(adds_user);
    ASSERT_TRUE(seen.has_value());
    const auto d = bus::Directory::from_json(seen->body);
    EXPECT_EQ(d.seq, asked[1].seq);
    EXPECT_EQ(d.users_add, Strings{"u1"});
    EXPECT_EQ(d.ack, kOrigin);
    EXPECT_FALSE(other.next(is(bus::Command::Reply), kSilence).has_value());
    const auto beat = other.next(is(bus::Command::Heartbeat));
    ASSERT_TRUE(beat.has_value());
    EXPECT_EQ(u64(beat->body, "dseq"), asked[1].seq);
}

}  // namespace
}  // namespace wsc::test
