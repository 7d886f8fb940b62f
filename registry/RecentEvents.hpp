// The last events a registry delivered, numbered, for callers that cannot
// subscribe on the bus (the browser demo polls them with the registry-scope
// event `recentEvents`): presence (online, offline) and connections opening
// and closing, node_lost closes among them. Messages are left out: they
// would push everything else out of a short memory.
//
// Bounded: the oldest go first. Pure; the broker's thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>

#include <nlohmann/json.hpp>

namespace wsc {

class RecentEvents {
  public:
    static constexpr std::size_t kKept = 1000;
    // At most this many in one answer.
    static constexpr std::size_t kPage = 200;

    // Whether events of this kind are kept.
    static bool keeps(std::string_view kind);
    void add(nlohmann::ordered_json event);

    // {"next": n, "events": [...]}: the events numbered `since` and above
    // (the oldest kept when those are gone), each with its number `n`;
    // `next` is what to ask for the next time.
    nlohmann::ordered_json since(std::uint64_t since) const;

  private:
    std::deque<nlohmann::ordered_json> events_;
    std::uint64_t next_ = 1;  // the number of the next event added
};

}  // namespace wsc
