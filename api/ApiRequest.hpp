// Validation and normalisation of one HTTP API call, before anything runs.
//
// The HTTP server parses the query and body (ParamTree), merges them and
// hands the result here; what comes back is either a call ready for the bus
// — event names and their parameters normalised to the types the nodes
// expect — or the code-1 error to answer with. A batch is refused whole:
// nothing runs unless every event in it is valid.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/EventCatalog.hpp"

namespace wsc {

struct ApiLimits {
    int default_timeout_ms = 3000;  // gathering time when the call names none
    int max_timeout_ms = 30000;     // larger "timeout" values are cut to this
    size_t max_batch = 64;          // distinct events in one call
};

struct ApiCall {
    std::vector<std::string> events;  // request order, duplicates removed (first kept)
    nlohmann::json params;            // event name -> normalised params object (maybe {})
    int timeout_ms = 0;               // in [1, max_timeout_ms], or ack_ms + a margin
    int ack_ms = 0;                   // 0: no receipts asked; else in [1, max_timeout_ms]
};

// How much longer than its ack time a call gathers, for the nodes' answers
// (sent when the ack time has passed on the node) to travel back.
inline constexpr int kAckGatherMarginMs = 250;

struct ApiError {
    int code = 1;
    std::string msg;
    bool token = false;  // refused by the token check (metrics count it apart)
};

// Checks `merged` (query merged with body, body winning), in this order:
//   token   — when `tokens` is non-empty, merged["token"] (string or number)
//             must equal one of them: "token error";
//   event   — a non-empty string; a comma list is split, trimmed, empties and
//             duplicates dropped: "event error", or "event error: too many
//             events (N > max)";
//   each event — known and not internal ("unknown event 'foo'"), its
//             parameters in merged[event] valid (see normalise_event_params);
//   timeout — when given, a positive integer in ms (digits or a JSON number),
//             clamped to max_timeout_ms: "timeout must be a positive integer (ms)";
//   ack     — the same for the receipts' wait ("ack must be ..."): it goes
//             into the params of every send event as "ack" (ms), and the
//             call gathers for at least ack_ms + kAckGatherMarginMs.
std::variant<ApiCall, ApiError> build_api_call(const nlohmann::json& merged,
                                               const std::vector<std::string>& tokens,
                                               const ApiLimits& limits = {});

// The known API events named by merged["event"], in order, duplicates
// dropped; unknown and internal names are left out. For counting a refused
// call under its events: the names are the caller's input, and only catalog
// names may become metric labels.
std::vector<std::string> named_events(const nlohmann::json& merged);

// Splits a comma list: "a, b,,c" -> a, b, c (items trimmed of spaces, tabs
// and line ends; empty ones dropped). Every place a list may come as one
// string splits it so: API parameters, event names, the node's bus input.
std::vector<std::string> split_list(std::string_view text);

// Normalises `given` (the parameters of one event) into `out` by the
// ParamTypes of `spec`; shared by the HTTP API, the CLI and the wsnode.
//   Text:     string kept; a number becomes its decimal text (1 -> "1");
//             bool, null, object, array are a type error.
//   TextList: array of strings/numbers -> array of strings; a string is split
//             on ',' and trimmed; an object (PHP's a[0]=x) gives its values in
//             index order; empty items are dropped.
//   Message:  string kept; number -> text; object/array -> compact JSON text;
//             bool -> "true"/"false"; null counts as missing.
// A required parameter that is missing, empty or an empty list is an error;
// an absent optional parameter is left out of `out`; unknown keys are ignored.
// `given` must be an object (null, "" and [] count as no parameters).
// Returns the error message ("bindId: missing parameter '_id'") or nullopt.
std::optional<std::string> normalise_event_params(const EventSpec& spec,
                                                  const nlohmann::json& given, nlohmann::json& out);

}  // namespace wsc
