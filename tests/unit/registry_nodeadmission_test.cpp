// Node hellos: the proof of the cluster secret, and node ids first come,
// first served.
#include <gtest/gtest.h>

#include "registry/NodeAdmission.hpp"

namespace wsc {
namespace {

using namespace std::chrono_literals;
using Verdict = NodeAdmission::Verdict;
const NodeAdmission::Clock::time_point kT0{};
const std::string kNode(32, 'a');
constexpr auto kExpiry = 3s;

// A proof is "right" when it is "proof:" + nonce + ":" + node.
bool fake_verify(const std::string& nonce, const std::string& node, const std::string& proof) {
    return proof == "proof:" + nonce + ":" + node;
}

NodeAdmission::Hello hello(const std::string& node, std::string nonce = {},
                           std::string proof = {}) {
    NodeAdmission::Hello h;
    h.node = node;
    h.url = "ws://127.0.0.1:1/";
    h.nonce = std::move(nonce);
    h.proof = std::move(proof);
    return h;
}

class NodeAdmissionTest : public ::testing::Test {
  protected:
    NodeTable nodes_{kExpiry};
    int nonces_ = 0;
    LinkChallenges challenges_{kExpiry, 100, [this] { return "n" + std::to_string(++nonces_); }};
};

TEST_F(NodeAdmissionTest, WithoutASecretTheFirstHelloJoins) {
    NodeAdmission admission(nodes_, {}, challenges_);
    auto d = admission.hello("route1", hello(kNode), kT0);
    EXPECT_EQ(d.verdict, Verdict::Joined);
    EXPECT_FALSE(d.confirm);
    EXPECT_EQ(admission.hello("route1", hello(kNode), kT0 + 1s).verdict, Verdict::Refreshed);
}

TEST_F(NodeAdmissionTest, ALiveIdCannotBeClaimedByAnotherLink) {
    NodeAdmission admission(nodes_, {}, challenges_);
    admission.hello("route1", hello(kNode), kT0);
    EXPECT_EQ(admission.hello("route2", hello(kNode), kT0 + 1s).verdict, Verdict::Refused);
    // Once the first link has been silent past the expiry, the id is free.
    nodes_.expire(kT0 + kExpiry + 1s);
    EXPECT_EQ(admission.hello("route2", hello(kNode), kT0 + kExpiry + 1s).verdict, Verdict::Joined);
}

TEST_F(NodeAdmissionTest, WithASecretALinkIsChallengedThenJoinsWithTheRightProof) {
    NodeAdmission admission(nodes_, fake_verify, challenges_);
    auto d = admission.hello("route1", hello(kNode), kT0);
    ASSERT_EQ(d.verdict, Verdict::Challenge);
    EXPECT_EQ(d.nonce, "n1");
    EXPECT_EQ(nodes_.find(kNode), nullptr);
    d = admission.hello("route1", hello(kNode, "n1", "proof:n1:" + kNode), kT0);
    EXPECT_EQ(d.verdict, Verdict::Joined);
    EXPECT_TRUE(d.confirm) << "a node that just proved itself is told at once";
    // Proven: its heartbeats need no proof any more.
    d = admission.hello("route1", hello(kNode), kT0 + 1s);
    EXPECT_EQ(d.verdict, Verdict::Refreshed);
    EXPECT_FALSE(d.confirm);
}

TEST_F(NodeAdmissionTest, AWrongProofOrAnotherLinksNonceIsUnproven) {
    NodeAdmission admission(nodes_, fake_verify, challenges_);
    const auto nonce = admission.hello("route1", hello(kNode), kT0).nonce;
    auto d = admission.hello("route2", hello(kNode, nonce, "proof:" + nonce + ":" + kNode), kT0);
    EXPECT_EQ(d.verdict, Verdict::Unproven);
    EXPECT_NE(d.why.find("not handed to this link"), std::string::npos) << d.why;
    d = admission.hello("route1", hello(kNode, nonce, "wrong"), kT0);
    EXPECT_EQ(d.verdict, Verdict::Unproven);
    EXPECT_NE(d.why.find("wrong proof"), std::string::npos) << d.why;
    // The nonce was used up by the wrong proof: the right one is now too late.
    d = admission.hello("route1", hello(kNode, nonce, "proof:" + nonce + ":" + kNode), kT0);
    EXPECT_EQ(d.verdict, Verdict::Unproven);
    EXPECT_EQ(nodes_.find(kNode), nullptr);
}

}  // namespace
}  // namespace wsc
