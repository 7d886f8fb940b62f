// The node-local API: a plain HTTP request to a node's WebSocket port runs
// the events on this node alone (the seed's node-local middleware). Same
// parameters, tokens and validation as a registry's API; results are not
// keyed by node id and there is no master_ids.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/ApiRequest.hpp"
#include "wsnode/CommandExecutor.hpp"

namespace wsc {

// `merged` is the query merged with the body. Returns the response body:
// {"code":0,"msg":"ok","extra":[],"data":{"<event>":<result>,...}} or the
// error envelope.
std::string run_local_api(const nlohmann::json& merged, const std::vector<std::string>& tokens,
                          CommandExecutor& executor, const ApiLimits& limits = {});

}  // namespace wsc
