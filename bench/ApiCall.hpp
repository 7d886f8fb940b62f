// One API call of the bench (an event and its arguments) and its three
// encodings: an HTTP GET query, an HTTP POST JSON body, and the bus params
// map. The same call thus travels identically over every path measured.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace wsc::bench {

struct ApiCall {
    std::string event;                                      // e.g. "broadcast"
    std::vector<std::pair<std::string, std::string>> args;  // event[key]=value
    int ack_ms = 0;  // the call's `ack`: sends wait this long for delivery receipts; 0 = none
    // Bookkeeping for the CallSource that made it; not sent.
    std::size_t stream = 0;
    std::size_t target = 0;
    std::int64_t intended_ns = 0;  // when it was due to be sent
};

// "/?event=E&E[k]=v...[&ack=MS]" with every key and value percent-encoded.
std::string http_get_target(const ApiCall& call);
// "/?event=E" and {"E":{"k":"v",...}[,"ack":MS]}.
std::string http_post_target(const ApiCall& call);
std::string http_post_body(const ApiCall& call);
// {"event":"E","E":{"k":"v",...}[,"ack":MS]} — the params of a bus ClientCall.
nlohmann::json bus_params(const ApiCall& call);

// Pushpin's HTTP publish command for the same call: POST /publish/ with
// {"items":[{"channel":C,"formats":{"ws-message":{"content":msg}}}]}, where
// C is "all" for a broadcast and "c<_id>" for sendMessageTo_Id (the channels
// bench/peers/pushpin/origin.js subscribes each connection to). Other events
// have no Pushpin equivalent here: std::invalid_argument.
inline constexpr const char* kPushpinPublishTarget = "/publish/";
std::string pushpin_publish_body(const ApiCall& call);

std::string url_encode(std::string_view text);

// Where calls come from. A caller asks next() for each call it is about to
// send and reports done() when the answer arrives.
class CallSource {
  public:
    virtual ~CallSource() = default;
    // Fills `out` for a call sent on `lane` (an HTTP connection; 0 on the
    // bus); false when there are no more calls.
    virtual bool next(std::size_t lane, std::int64_t intended_ns, ApiCall& out) = 0;
    // The envelope answered for a call; ok = code 0 and no node failed.
    virtual void done(const ApiCall& call, bool ok) = 0;
    // Called before done() for an answer envelope_ok() accepted: "" when its
    // results are right, else why not (the call then counts as failed).
    virtual std::string check(const ApiCall& /*call*/, std::string_view /*envelope*/) { return {}; }
};

// Whether an API envelope says success everywhere: code 0 and no per-node
// error slot ({"code":N,...} with N != 0 inside data).
bool envelope_ok(std::string_view envelope);

}  // namespace wsc::bench
