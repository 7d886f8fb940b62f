// Proof of the cluster secret: HMAC-SHA256 over the link's nonce and id.
#include "bus/LinkProof.hpp"

#include <gtest/gtest.h>

#include <set>

namespace wsc::bus {
namespace {

const std::string kSecret = "0123456789abcdef-cluster";
const std::string kNode = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

TEST(LinkProof, IsHmacSha256OfTheDomainRoleNonceAndId) {
    // HMAC-SHA256(key, "wscenter-link-v1\0node\0n\0id"), computed independently:
    // printf 'wscenter-link-v1\0node\0n\0id' | openssl dgst -sha256 -hmac key
    EXPECT_EQ(link_proof("key", kRoleNode, "n", "id"),
              "b4640d637ddba239cfd89acb19ffd59d3fffcd2acb2ed7203999e32a4dae188f");
}

TEST(LinkProof, DependsOnEveryInput) {
    const auto base = link_proof(kSecret, kRoleNode, "nonce", kNode);
    EXPECT_EQ(base.size(), 64u);
    EXPECT_EQ(base, link_proof(kSecret, kRoleNode, "nonce", kNode));
    EXPECT_NE(base, link_proof(kSecret + "x", kRoleNode, "nonce", kNode));
    EXPECT_NE(base, link_proof(kSecret, kRolePeer, "nonce", kNode));
    EXPECT_NE(base, link_proof(kSecret, kRoleNode, "nonce2", kNode));
    EXPECT_NE(base, link_proof(kSecret, kRoleNode, "nonce", "b" + kNode.substr(1)));
    // The separators keep the fields apart: no shifting text between them.
    EXPECT_NE(link_proof(kSecret, kRoleNode, "ab", "c"), link_proof(kSecret, kRoleNode, "a", "bc"));
}

TEST(LinkProof, MatchesOnlyTheExactProof) {
    const auto proof = link_proof(kSecret, kRoleNode, "n1", kNode);
    EXPECT_TRUE(proof_matches(kSecret, kRoleNode, "n1", kNode, proof));
    EXPECT_FALSE(proof_matches(kSecret, kRoleNode, "n2", kNode, proof));  // another nonce
    EXPECT_FALSE(proof_matches("another-secret-value", kRoleNode, "n1", kNode, proof));
    EXPECT_FALSE(proof_matches(kSecret, kRolePeer, "n1", kNode, proof));
    EXPECT_FALSE(proof_matches(kSecret, kRoleNode, "n1", kNode, proof.substr(1)));
    EXPECT_FALSE(proof_matches(kSecret, kRoleNode, "n1", kNode, ""));
    std::string flipped = proof;
    flipped[10] = flipped[10] == '0' ? '1' : '0';
    EXPECT_FALSE(proof_matches(kSecret, kRoleNode, "n1", kNode, flipped));
}

TEST(LinkProof, NoncesAreFreshHex) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const auto n = make_nonce();
        EXPECT_EQ(n.size(), 64u);
        EXPECT_EQ(n.find_first_not_of("0123456789abcdef"), std::string::npos) << n;
        EXPECT_TRUE(seen.insert(n).second);
    }
}

TEST(LinkProof, RoutingIdsAreRandomAndNeverStartWithZero) {
    std::set<std::string> seen;
    for (int i = 0; i < 300; ++i) {
        const auto id = random_routing_id();
        EXPECT_EQ(id.size(), 16u);
        EXPECT_NE(id[0], '\0');
        EXPECT_TRUE(seen.insert(id).second);
    }
}

TEST(LinkProof, ClusterSecretNeedsSixteenPrintableCharacters) {
    EXPECT_EQ(check_cluster_secret(""), "");  // off
    EXPECT_EQ(check_cluster_secret("0123456789abcdef"), "");
    EXPECT_EQ(check_cluster_secret("short"), "expected at least 16 characters, got 5");
    EXPECT_EQ(check_cluster_secret("0123456789abcde"), "expected at least 16 characters, got 15");
    EXPECT_EQ(check_cluster_secret("0123456789abcdef\n"), "expected printable characters only");
}

}  // namespace
}  // namespace wsc::bus
