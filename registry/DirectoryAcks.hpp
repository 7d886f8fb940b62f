// Which registries have seen which directory change: what an API call that
// added interests waits for, so that routing at *every* registry sees the
// change before the caller gets its answer ("writes pay, sends stay cheap").
// Pure logic; registry's thread only.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "bus/Messages.hpp"

namespace wsc {

class DirectoryAcks {
  public:
    // Records `ack`; true when it is newer than what was known of that
    // registry and node (the broker then passes it on to its peers).
    bool record(const bus::DirectoryAck& ack);
    // Whether each of `registries` has seen `node`'s change `seq`.
    bool settled(const std::string& node, std::uint64_t seq,
                 const std::set<std::string>& registries) const;
    // Forgets nodes not in `live`.
    void retain(const std::set<std::string>& live);

  private:
    struct Seen {
        std::uint64_t boot = 0;
        std::map<std::string, std::uint64_t> by_registry;
    };
    std::unordered_map<std::string, Seen> nodes_;
};

}  // namespace wsc
