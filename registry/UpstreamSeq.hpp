// Which client events of a node are new: the last `seq` delivered per node.
// Pure bookkeeping, no sockets.
//
// A node numbers its events 1, 2, 3… from its start, and tags them with
// `boot`, a random number of that process. An event is delivered when its
// seq is above the last one delivered for that node and boot — at most
// kMaxJump above it: a node skips numbers only for the events it could not
// send or sent to another registry, never billions of them. A seq that
// jumps further is refused and does not move the mark, so one forged event
// cannot silence a node. A new boot (the node restarted with the same id)
// starts a new sequence.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace wsc {

class UpstreamSeq {
  public:
    static constexpr std::uint64_t kMaxJump = std::uint64_t{1} << 32;

    enum class Verdict {
        Deliver,  // new: delivered, mark moved
        Repeat,   // already delivered (a copy on another path): dropped
        Refused,  // impossible seq: dropped, mark unchanged
    };

    Verdict check(const std::string& node, std::uint64_t boot, std::uint64_t seq);
    void forget(const std::string& node) { last_.erase(node); }
    std::size_t size() const { return last_.size(); }

  private:
    struct Mark {
        std::uint64_t boot = 0;
        std::uint64_t seq = 0;
    };
    std::unordered_map<std::string, Mark> last_;
};

}  // namespace wsc
