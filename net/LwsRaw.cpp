#include "net/LwsRaw.hpp"

#include <algorithm>
#include <vector>

namespace wsc {

namespace {
constexpr std::size_t kPeerAddressBytes = 64;  // an IPv6 address in text with room to spare
constexpr int kMsPerS = 1000;
}  // namespace

void accept_raw(lws_context_creation_info& info, const char* protocol) {
    info.options |= LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG;
    info.listen_accept_role = "raw-skt";
    info.listen_accept_protocol = protocol;
}

bool write_raw(lws* wsi, const std::string& bytes) {
    if (bytes.empty()) return true;
    // A raw write needs no LWS_PRE headroom, but lws may write into the
    // buffer it is given: hand it a copy.
    std::vector<unsigned char> buf(bytes.begin(), bytes.end());
    return lws_write(wsi, buf.data(), buf.size(), LWS_WRITE_RAW) == static_cast<int>(buf.size());
}

void apply_phase_timeout(lws* wsi, const HttpExchange& exchange, HttpExchange::Phase& applied,
                         const HttpTimeouts& timeouts) {
    const HttpExchange::Phase now = exchange.phase();
    if (now == applied) return;
    applied = now;
    // lws times connections in whole seconds (lws_set_timeout_us is not
    // exported by Debian's build): a timeout is rounded up to the next one.
    const int ms = phase_timeout_ms(now, timeouts);
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, std::max(1, (ms + kMsPerS - 1) / kMsPerS));
}

std::string peer_address(lws* wsi) {
    char buf[kPeerAddressBytes] = {};
    const char* text = lws_get_peer_simple(wsi, buf, sizeof buf);
    return text ? std::string(text) : std::string();
}

}  // namespace wsc
