#include "registry/NodeAdmission.hpp"

namespace wsc {

NodeAdmission::Decision NodeAdmission::hello(const std::string& route, const Hello& hello,
                                             Clock::time_point now) {
    const bool proven = nodes_.node_of_route(route) == hello.node;
    const bool proving = verify_ && !proven;
    if (proving) {
        if (hello.nonce.empty()) {
            // A new link, or we restarted and forgot it: ask for proof. Only
            // a hello without one is answered, so a wrong proof never loops.
            return {Verdict::Challenge, challenges_.issue(route, now), {}};
        }
        const bool redeemed = challenges_.redeem(route, hello.nonce, now);
        if (!redeemed || !verify_(hello.nonce, hello.node, hello.proof))
            return {Verdict::Unproven,
                    {},
                    "node " + hello.node + ": " +
                        (redeemed ? "wrong proof of the cluster secret"
                                  : "proof for a nonce not handed to this link")};
    }
    switch (nodes_.upsert(hello.node, route, hello.url, hello.conns, now)) {
        case NodeTable::Upsert::Refused:
            return {Verdict::Refused, {}, {}};
        case NodeTable::Upsert::Joined:
        case NodeTable::Upsert::Moved:
            return {Verdict::Joined, {}, {}, proving};
        case NodeTable::Upsert::Refreshed:
            break;
    }
    return {Verdict::Refreshed, {}, {}, proving};
}

}  // namespace wsc
