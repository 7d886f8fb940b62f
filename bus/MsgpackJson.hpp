// Conversion between msgpack bytes (the bus encoding) and nlohmann::json
// (the API's data model), with limits so hostile bytes cannot exhaust memory
// or the stack.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace wsc::bus {

struct DecodeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Packs a JSON value as msgpack (maps keep their key order).
std::string to_msgpack(const nlohmann::json& value);

// Unpacks exactly one msgpack value filling all of `bytes`; throws DecodeError
// on malformed data, trailing bytes, nesting deeper than kMaxDepth, or
// non-string map keys. Binary and ext values become strings.
nlohmann::json from_msgpack(std::string_view bytes);

}  // namespace wsc::bus
