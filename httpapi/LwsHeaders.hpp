// Response headers every wscenter HTTP answer carries, for the two lws
// servers (the registry's API and a node's local API).
#pragma once

#include <libwebsockets.h>

#include <cstring>

namespace wsc {

// Adds one header; true on failure (no room), like the lws calls it wraps.
inline bool add_http_header(lws* wsi, const char* name, const char* value, unsigned char** p,
                            unsigned char* end) {
    return lws_add_http_header_by_name(wsi, reinterpret_cast<const unsigned char*>(name),
                                       reinterpret_cast<const unsigned char*>(value),
                                       static_cast<int>(std::strlen(value)), p, end) != 0;
}

// The API is called from browsers on other origins: allow every one.
inline bool add_cors_headers(lws* wsi, unsigned char** p, unsigned char* end) {
    return add_http_header(wsi, "access-control-allow-origin:", "*", p, end) ||
           add_http_header(wsi, "access-control-allow-methods:", "*", p, end) ||
           add_http_header(wsi, "access-control-allow-headers:", "*", p, end) ||
           add_http_header(wsi, "access-control-expose-headers:", "*", p, end);
}

}  // namespace wsc
