// Rate limiting of repeated log lines; see LogThrottle.hpp.
#include "common/LogThrottle.hpp"

namespace wsc {

bool LogThrottle::admit(Clock::time_point now) {
    if (now < next_) {
        ++held_back_;
        return false;
    }
    next_ = now + interval_;
    return true;
}

std::string LogThrottle::held_back_note(const std::string& what) {
    if (held_back_ == 0) return {};
    std::string note =
        " (" + std::to_string(held_back_) + " more " + what + " since the last report)";
    held_back_ = 0;
    return note;
}

}  // namespace wsc
