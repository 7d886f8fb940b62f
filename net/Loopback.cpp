#include "net/Loopback.hpp"

namespace wsc {

bool is_loopback_address(std::string_view address) {
    constexpr std::string_view kMapped = "::ffff:";
    if (address.substr(0, kMapped.size()) == kMapped) address.remove_prefix(kMapped.size());
    if (address == "::1") return true;
    // A dotted quad starting with 127 and nothing but digits and dots.
    if (address.substr(0, 4) != "127.") return false;
    int dots = 0;
    for (char c : address) {
        if (c == '.') {
            ++dots;
        } else if (c < '0' || c > '9') {
            return false;
        }
    }
    return dots == 3;
}

}  // namespace wsc
