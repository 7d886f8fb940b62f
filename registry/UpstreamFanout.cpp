#include "registry/UpstreamFanout.hpp"

namespace wsc {

bool UpstreamFanout::subscribe(const std::string& identity, std::set<std::string> events,
                               Clock::time_point expires) {
    return subscribers_.insert_or_assign(identity, Subscriber{std::move(events), expires}).second;
}

void UpstreamFanout::expire(Clock::time_point now) {
    std::erase_if(subscribers_, [now](const auto& s) { return s.second.expires <= now; });
}

}  // namespace wsc
