#include "registry/UpstreamSeq.hpp"

namespace wsc {

UpstreamSeq::Verdict UpstreamSeq::check(const std::string& node, std::uint64_t boot,
                                        std::uint64_t seq) {
    auto it = last_.find(node);
    const bool fresh = it == last_.end() || it->second.boot != boot;
    const std::uint64_t last = fresh ? 0 : it->second.seq;
    if (seq == 0) return Verdict::Refused;
    if (!fresh && seq <= last) return Verdict::Repeat;
    if (seq - last > kMaxJump) return Verdict::Refused;
    last_[node] = Mark{boot, seq};
    return Verdict::Deliver;
}

}  // namespace wsc
