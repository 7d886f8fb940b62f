// Whether a node's hello (NodeReady or Heartbeat) registers it: the proof of
// the cluster secret when one is required, then node ids first come, first
// served (NodeTable). Pure: the broker sends what the decision says.
// Broker thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "registry/LinkChallenges.hpp"
#include "registry/NodeTable.hpp"

namespace wsc {

class NodeAdmission {
  public:
    using Clock = std::chrono::steady_clock;
    // True when `proof` proves the cluster secret for `nonce` and `node`.
    using Verify = std::function<bool(const std::string& nonce, const std::string& node,
                                      const std::string& proof)>;

    struct Hello {
        std::string node;  // 32 lowercase hex, checked by the decoder
        std::string url;
        std::int64_t conns = 0;
        std::string nonce;  // with the proof: the answer to a Challenge
        std::string proof;
    };
    enum class Verdict {
        Challenge,  // send Challenge{nonce}: the link must prove itself first
        Unproven,   // ignore and count: a wrong proof or a nonce not ours
        Refused,    // the id is live on another link
        Joined,     // registered now (new, or back on a new link)
        Refreshed,  // already registered on this link
    };
    struct Decision {
        Verdict verdict;
        std::string nonce;     // Challenge: the one to send
        std::string why;       // Unproven: for the log
        bool confirm = false;  // just proved itself: tell it at once (a Heartbeat)
    };

    // `verify` null: no proof is asked (no secret, or CURVE keys instead).
    NodeAdmission(NodeTable& nodes, Verify verify, LinkChallenges& challenges)
        : nodes_(nodes), verify_(std::move(verify)), challenges_(challenges) {}

    Decision hello(const std::string& route, const Hello& hello, Clock::time_point now);

  private:
    NodeTable& nodes_;
    Verify verify_;
    LinkChallenges& challenges_;
};

}  // namespace wsc
