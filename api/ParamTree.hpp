// PHP-style request parameters: query strings, form bodies and JSON bodies
// turned into one nlohmann::json object.
//
// The seed is a PHP program, so its users write `bindId[id]=u1&bindId[_id]=c1`
// and `sendToGroup[exclude_Ids][]=c2`; these functions give such keys the
// meaning PHP gives them. Everything here reads untrusted network input, so
// every size is capped and every failure is a ParamError with a message fit
// to show the caller — never a crash.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace wsc {

// Caps on what one request may ask the parser to build.
struct ParamLimits {
    size_t max_params = 1000;     // key=value pairs in one query string or form body
    size_t max_depth = 8;         // bracket groups in one key: a[b][c] has 2
    size_t max_key_length = 256;  // bytes of one decoded key
};

// Bad parameters; what() is the message for the caller.
struct ParamError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Percent-decodes `s`. A '%' not followed by two hex digits is kept literally;
// '+' becomes a space when `plus_is_space` (form encoding).
std::string url_decode(std::string_view s, bool plus_is_space = true);

// Adds one decoded key/value to `root` (made an object if it is not one):
//   "a" -> {"a":"v"};  "a[b]" -> {"a":{"b":"v"}};  "a[b][c]" nests;
//   "a[]" appends to the array "a" (an object gets the next integer key);
//   a named key under an array turns the array into an object keyed "0".."n-1".
// A conflict (a=1 then a[b]=2) is resolved by the later pair replacing.
// Throws ParamError for a malformed key ("", "[x]", "a[b", "a[b]c") or a key
// over the length or depth limit.
void add_param(nlohmann::json& root, std::string_view key, std::string value,
               const ParamLimits& limits = {});

// Splits a raw query string or form-urlencoded body on '&', decodes each pair
// and adds it. Empty pieces are skipped; "a" alone means a="". Throws
// ParamError past `max_params` pairs or on a malformed key.
nlohmann::json parse_query_string(std::string_view raw, const ParamLimits& limits = {});

// The same for a query that must not fail (the data of a WebSocket upgrade):
// malformed keys are left out, pairs past `max_params` ignored.
nlohmann::json parse_query_lenient(std::string_view raw, const ParamLimits& limits = {});

// Parses a request body. JSON when the content type mentions "json" or the
// body starts with '{' (after whitespace); form-urlencoded otherwise. An empty
// body gives {}. Throws ParamError "malformed JSON body: <reason>", "JSON body
// must be an object", or for multipart bodies, which are not supported.
// JSON nesting is capped at max_depth * kJsonDepthFactor.
nlohmann::json parse_body(std::string_view content_type, std::string_view body,
                          const ParamLimits& limits = {});

// JSON bodies nest deeper than bracket keys (a msg object inside the event's
// parameters), so they get this many times the bracket depth.
inline constexpr size_t kJsonDepthFactor = 4;

// Deep merge: objects merge key by key, recursively; anything else in
// `overlay` replaces what `base` has. Used to let the body win over the query.
void merge_params(nlohmann::json& base, const nlohmann::json& overlay);

}  // namespace wsc
