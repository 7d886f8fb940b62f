// Request helpers over lws's parsed headers, and LwsUpgradeRequest.
#include "wsnode/LwsRequest.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "common/Log.hpp"
#include "httpapi/LwsHeaders.hpp"
#include "httpapi/ParamTree.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";
constexpr std::size_t kMaxQueryParams = ParamLimits{}.max_params;
constexpr std::size_t kHttpHeaderRoom = 512;   // status line and headers of a short response
constexpr std::size_t kPeerAddressBytes = 64;  // an IPv6 address in text with room to spare

// Copies a header lws knows by index; "" when absent.
std::string copy_known(lws* wsi, lws_token_indexes token) {
    const int total = lws_hdr_total_length(wsi, token);
    if (total <= 0) return {};
    std::string out(static_cast<std::size_t>(total) + 1, '\0');
    const int got = lws_hdr_copy(wsi, out.data(), static_cast<int>(out.size()), token);
    out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> query_args(lws* wsi) {
    std::vector<std::pair<std::string, std::string>> out;
    const int total = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS);
    if (total <= 0) return out;
    std::vector<char> buf(static_cast<std::size_t>(total) + 1);
    for (int n = 0; out.size() < kMaxQueryParams; ++n) {
        const int got = lws_hdr_copy_fragment(wsi, buf.data(), static_cast<int>(buf.size()),
                                              WSI_TOKEN_HTTP_URI_ARGS, n);
        if (got < 0) break;
        const std::string_view piece(buf.data(), static_cast<std::size_t>(got));
        const auto eq = piece.find('=');
        if (eq == std::string_view::npos) {
            out.emplace_back(std::string(piece), std::string());
        } else {
            out.emplace_back(std::string(piece.substr(0, eq)), std::string(piece.substr(eq + 1)));
        }
    }
    return out;
}

nlohmann::json lenient_query(lws* wsi) {
    nlohmann::json query = nlohmann::json::object();
    for (auto& [key, value] : query_args(wsi)) {
        try {
            add_param(query, key, std::move(value));
        } catch (const ParamError& e) {
            log_debug(kComponent, std::string("upgrade query parameter ignored: ") + e.what());
        }
    }
    return query;
}

std::string request_header(lws* wsi, std::string_view name) {
    // lws names its headers in lower case with the colon: "user-agent:".
    std::string key(name);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    key += ':';
    for (int i = 0; i < WSI_TOKEN_COUNT; ++i) {
        const auto token = static_cast<lws_token_indexes>(i);
        const auto* known = reinterpret_cast<const char*>(lws_token_to_string(token));
        if (known != nullptr && key == known) return copy_known(wsi, token);
    }
    // Headers lws does not know are kept by name (lower-cased as parsed).
    const int length = lws_hdr_custom_length(wsi, key.c_str(), static_cast<int>(key.size()));
    if (length <= 0) return {};
    std::string out(static_cast<std::size_t>(length) + 1, '\0');
    const int got = lws_hdr_custom_copy(wsi, out.data(), static_cast<int>(out.size()), key.c_str(),
                                        static_cast<int>(key.size()));
    out.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return out;
}

bool write_http_response(lws* wsi, unsigned status, std::string_view body,
                         const char* content_type) {
    std::vector<unsigned char> buf(LWS_PRE + kHttpHeaderRoom + body.size());
    unsigned char* start = buf.data() + LWS_PRE;
    unsigned char* p = start;
    unsigned char* end = buf.data() + buf.size();
    if (lws_add_http_common_headers(wsi, status, content_type, body.size(), &p, end) != 0 ||
        add_cors_headers(wsi, &p, end) || lws_finalize_write_http_header(wsi, start, &p, end) != 0)
        return false;
    // The headers are out, so the buffer is free again for the body.
    std::memcpy(start, body.data(), body.size());
    return lws_write(wsi, start, body.size(), LWS_WRITE_HTTP_FINAL) >= 0;
}

LwsUpgradeRequest::LwsUpgradeRequest(lws* wsi)
    : wsi_(wsi), path_(copy_known(wsi, WSI_TOKEN_GET_URI)), query_(lenient_query(wsi)) {}

std::string LwsUpgradeRequest::header(std::string_view name) const {
    return request_header(wsi_, name);
}

std::string LwsUpgradeRequest::peer_address() const {
    char buf[kPeerAddressBytes] = {};
    const char* text = lws_get_peer_simple(wsi_, buf, sizeof buf);
    return text ? std::string(text) : std::string();
}

}  // namespace wsc
