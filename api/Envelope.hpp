// The exact JSON bodies the HTTP API (and the CLI) answer with.
//
// Keys come in the seed's order — code, msg, extra, master_ids, data — so
// the envelopes are built from nlohmann::ordered_json and printed compact.
// Strings may hold invalid UTF-8 (they come from the network); printing
// replaces it with U+FFFD instead of throwing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace wsc {

inline constexpr int kCodeOk = 0;       // the call ran
inline constexpr int kCodeError = 1;    // refused: token, event, parameters, body
inline constexpr int kCodeTimeout = 2;  // a node did not answer in time

// {"code":1,"msg":"token error","data":[]}
std::string error_envelope(int code, std::string_view msg);

// {"code":0,"msg":"ok","extra":[],"master_ids":[...],"data":{...}}
// `data` keeps its insertion order; a null `data` is printed as {}.
std::string ok_envelope(const std::vector<std::string>& master_ids,
                        const nlohmann::ordered_json& data);

// A failed node's slot inside "data": {"code":N,"msg":"...","data":[]}
nlohmann::ordered_json node_error(int code, std::string_view msg);

// Compact text of `value`, invalid UTF-8 replaced rather than thrown on.
std::string dump_compact(const nlohmann::ordered_json& value);

// Results arrive as nlohmann::json; the envelope is an ordered_json so that
// its own keys keep the documented order. Converts without a text round trip.
nlohmann::ordered_json to_ordered(const nlohmann::json& value);

}  // namespace wsc
