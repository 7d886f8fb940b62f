// Plain HTTP requests (not upgrades) to a node's WebSocket port: the
// node-local API, which runs the events on this node alone (SPEC §5), and
// /metrics. It answers a parsed request with a response and touches no
// socket, so that who may call the API and what each path answers are unit
// tested; WsServer reads the request and writes the answer.
//
// Used on the lws thread only, like the executor and index it holds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/HttpParser.hpp"
#include "net/HttpResponse.hpp"
#include "wsnode/CommandExecutor.hpp"
#include "wsnode/ConnectionIndex.hpp"
#include "wsnode/NodeCounters.hpp"

namespace wsc {

class LocalHttp {
  public:
    // `tokens`: the WebSocket clients' tokens; `api_tokens`: the node-local
    // API's. With no api_tokens the API is off when clients need a token
    // (anyone could call it otherwise) and loopback-only when they do not.
    LocalHttp(std::vector<std::string> tokens, std::vector<std::string> api_tokens,
              CommandExecutor& executor, const ConnectionIndex& index, NodeCounters& counters);

    // The answer to `request`; `from_loopback`: its peer's address is a
    // loopback one. Counts refused API calls in counters.api_refused.
    HttpResponse answer(const HttpRequest& request, bool from_loopback);

  private:
    // The 403 for a caller the API is closed to; nullopt when the call may go on.
    std::optional<HttpResponse> refusal(bool from_loopback);

    const std::vector<std::string> tokens_;      // lws thread
    const std::vector<std::string> api_tokens_;  // lws thread
    CommandExecutor& executor_;                  // lws thread
    const ConnectionIndex& index_;               // lws thread: its count for /metrics
    NodeCounters& counters_;                     // lws thread writes, any thread reads
};

}  // namespace wsc
