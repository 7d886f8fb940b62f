// Reading an HTTP request lws has parsed, and writing a short response:
// shared by the upgrade check, the upgrade middleware and the node-local API.
// lws thread only, while the request's wsi is alive.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libwebsockets.h>
#include <nlohmann/json.hpp>

#include "wsnode/Handlers.hpp"

namespace wsc {

// The URL's query as decoded (key, value) pairs, split on the first '='
// (lws has already split on '&' and percent-decoded each piece); at most the
// ParamTree's max_params pairs.
std::vector<std::pair<std::string, std::string>> query_args(lws* wsi);

// The query as PHP-style parameters; a malformed key is skipped (logged at
// debug level) rather than refusing the connection.
nlohmann::json lenient_query(lws* wsi);

// A request header ("" when absent), the name matched without regard to case.
std::string request_header(lws* wsi, std::string_view name);

// Writes a whole short HTTP response with the CORS headers of SPEC §4.
// False if the connection failed.
bool write_http_response(lws* wsi, unsigned status, std::string_view body,
                         const char* content_type = "text/plain; charset=utf-8");

// The upgrade request behind lws's HTTP_CONFIRM_UPGRADE callback.
class LwsUpgradeRequest final : public UpgradeRequest {
  public:
    explicit LwsUpgradeRequest(lws* wsi);

    const std::string& path() const override { return path_; }
    const nlohmann::json& query() const override { return query_; }
    std::string header(std::string_view name) const override;
    std::string peer_address() const override;

  private:
    lws* wsi_;
    std::string path_;
    nlohmann::json query_;
};

}  // namespace wsc
