#include "registry/RecentEvents.hpp"

#include <algorithm>

namespace wsc {

bool RecentEvents::keeps(std::string_view kind) {
    return kind == "online" || kind == "offline" || kind == "open" || kind == "close";
}

void RecentEvents::add(nlohmann::ordered_json event) {
    event["n"] = next_++;
    events_.push_back(std::move(event));
    if (events_.size() > kKept) events_.pop_front();
}

nlohmann::ordered_json RecentEvents::since(std::uint64_t since) const {
    const std::uint64_t first = next_ - events_.size();
    const std::uint64_t from = std::clamp(since, first, next_);
    const std::uint64_t to = std::min<std::uint64_t>(next_, from + kPage);
    auto list = nlohmann::ordered_json::array();
    for (std::uint64_t n = from; n < to; ++n) list.push_back(events_[n - first]);
    return {{"next", to}, {"events", std::move(list)}};
}

}  // namespace wsc
