// PHP-style request parameters: see ParamTree.hpp.
#include "api/ParamTree.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace wsc {

namespace {

using nlohmann::json;

// Digits of the largest integer key considered when "a[]" appends to an
// object: longer digit runs are not indexes and cannot overflow the counter.
constexpr size_t kMaxIndexDigits = 9;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// A key split PHP's way: "a[b][]" is base "a" and segments "b", "" (append).
struct ParsedKey {
    std::string base;
    std::vector<std::string> segments;
};

ParamError malformed(std::string_view key) {
    return ParamError("malformed parameter name '" + std::string(key) + "'");
}

ParsedKey parse_key(std::string_view key, const ParamLimits& limits) {
    if (key.empty()) throw ParamError("empty parameter name");
    if (key.size() > limits.max_key_length)
        throw ParamError("parameter name longer than " + std::to_string(limits.max_key_length) +
                         " bytes");
    ParsedKey parsed;
    size_t pos = key.find('[');
    parsed.base = std::string(key.substr(0, pos));
    if (parsed.base.empty()) throw malformed(key);
    while (pos != std::string_view::npos && pos < key.size()) {
        // Here key[pos] == '['; the segment runs to the next ']'.
        size_t close = key.find(']', pos + 1);
        if (close == std::string_view::npos) throw malformed(key);
        std::string_view segment = key.substr(pos + 1, close - pos - 1);
        if (segment.find('[') != std::string_view::npos) throw malformed(key);
        parsed.segments.emplace_back(segment);
        pos = close + 1;
        if (pos < key.size() && key[pos] != '[') throw malformed(key);
    }
    if (parsed.segments.size() > limits.max_depth)
        throw ParamError("parameter '" + std::string(key) + "' nests deeper than " +
                         std::to_string(limits.max_depth) + " levels");
    return parsed;
}

// The index "a[]" gets when "a" is an object: one past the largest integer
// key, as PHP does, or 0.
std::string next_index(const json& object) {
    std::optional<size_t> largest;
    for (const auto& item : object.items()) {
        const std::string& k = item.key();
        if (k.empty() || k.size() > kMaxIndexDigits) continue;
        if (!std::all_of(k.begin(), k.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
        if (k.size() > 1 && k[0] == '0') continue;  // "01" is a name, not an index
        size_t n = std::stoul(k);
        if (!largest || n > *largest) largest = n;
    }
    return std::to_string(largest ? *largest + 1 : 0);
}

// "a[]=x&a[b]=y": PHP keeps both, as the array {0: x, b: y}.
json array_to_object(const json& array) {
    json object = json::object();
    for (size_t i = 0; i < array.size(); ++i) object[std::to_string(i)] = array[i];
    return object;
}

// The slot `segment` names inside `container` (an object or array), made if
// missing. An empty segment appends.
json& child_slot(json& container, const std::string& segment) {
    if (segment.empty()) {
        if (container.is_array()) {
            container.push_back(nullptr);
            return container.back();
        }
        return container[next_index(container)];
    }
    if (container.is_array()) container = array_to_object(container);
    return container[segment];
}

// Rejects JSON that nests deeper than `max_depth` before the parser sees it,
// so that "[[[[..." cannot exhaust memory or the stack. Brackets inside
// strings do not count.
void check_json_depth(std::string_view body, size_t max_depth) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : body) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                throw ParamError("malformed JSON body: nested deeper than " +
                                 std::to_string(max_depth) + " levels");
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
}

// nlohmann's what() starts with "[json.exception.parse_error.101] "; the
// caller only needs what follows.
std::string json_reason(const nlohmann::json::exception& e) {
    std::string_view what = e.what();
    size_t end = what.find("] ");
    if (!what.empty() && what[0] == '[' && end != std::string_view::npos)
        what.remove_prefix(end + 2);
    return std::string(what);
}

json parse_json_body(std::string_view body, const ParamLimits& limits) {
    check_json_depth(body, std::max<size_t>(1, limits.max_depth * kJsonDepthFactor));
    nlohmann::ordered_json parsed;
    try {
        parsed = nlohmann::ordered_json::parse(body.begin(), body.end());
    } catch (const nlohmann::json::exception& e) {
        throw ParamError("malformed JSON body: " + json_reason(e));
    }
    if (!parsed.is_object()) throw ParamError("JSON body must be an object");
    // An object or array "msg" is delivered as its JSON text: take that text
    // now, while the caller's key order is still known.
    for (auto& [event, params] : parsed.items()) {
        if (!params.is_object()) continue;
        auto msg = params.find("msg");
        if (msg != params.end() && msg->is_structured())
            *msg = msg->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return json::parse(parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

std::string url_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

void add_param(json& root, std::string_view key, std::string value, const ParamLimits& limits) {
    ParsedKey parsed = parse_key(key, limits);
    if (!root.is_object()) root = json::object();
    json* slot = &root[parsed.base];
    for (size_t i = 0; i < parsed.segments.size(); ++i) {
        const std::string& segment = parsed.segments[i];
        if (!slot->is_object() && !slot->is_array())
            *slot = segment.empty() ? json::array() : json::object();
        slot = &child_slot(*slot, segment);
    }
    *slot = std::move(value);
}

namespace {

// Calls add(key, value) for each decoded pair of a query string, at most
// `max_pairs` (then returns false).
template <class Add>
bool for_each_pair(std::string_view raw, size_t max_pairs, Add&& add) {
    if (!raw.empty() && raw.front() == '?') raw.remove_prefix(1);
    size_t count = 0;
    size_t start = 0;
    while (start <= raw.size()) {
        size_t end = raw.find('&', start);
        if (end == std::string_view::npos) end = raw.size();
        std::string_view piece = raw.substr(start, end - start);
        if (!piece.empty()) {
            if (++count > max_pairs) return false;
            size_t eq = piece.find('=');
            add(url_decode(piece.substr(0, eq)),
                eq == std::string_view::npos ? std::string() : url_decode(piece.substr(eq + 1)));
        }
        start = end + 1;
    }
    return true;
}

}  // namespace

json parse_query_string(std::string_view raw, const ParamLimits& limits) {
    json root = json::object();
    if (!for_each_pair(raw, limits.max_params, [&](const std::string& key, std::string value) {
            add_param(root, key, std::move(value), limits);
        }))
        throw ParamError("too many parameters (more than " + std::to_string(limits.max_params) +
                         ")");
    return root;
}

json parse_query_lenient(std::string_view raw, const ParamLimits& limits) {
    json root = json::object();
    for_each_pair(raw, limits.max_params, [&](const std::string& key, std::string value) {
        if (key.empty()) return;
        try {
            add_param(root, key, std::move(value), limits);
        } catch (const ParamError&) {
            // A malformed key is left out rather than refusing the whole query.
        }
    });
    return root;
}

json parse_body(std::string_view content_type, std::string_view body, const ParamLimits& limits) {
    size_t first = 0;
    while (first < body.size() && is_space(body[first])) ++first;
    if (first == body.size()) return json::object();

    std::string type = to_lower(content_type);
    if (type.find("multipart/") != std::string::npos)
        throw ParamError("unsupported body content type '" + std::string(content_type) +
                         "': send a JSON object or a form-urlencoded body");
    if (type.find("json") != std::string::npos || body[first] == '{')
        return parse_json_body(body, limits);

    // Whitespace is never part of form encoding (a space is '+'), so a
    // trailing newline some clients add is not part of the last value.
    size_t last = body.size();
    while (last > first && is_space(body[last - 1])) --last;
    return parse_query_string(body.substr(first, last - first), limits);
}

void merge_params(json& base, const json& overlay) {
    if (!base.is_object() || !overlay.is_object()) {
        base = overlay;
        return;
    }
    for (const auto& item : overlay.items()) {
        auto it = base.find(item.key());
        if (it != base.end() && it->is_object() && item.value().is_object())
            merge_params(*it, item.value());
        else
            base[item.key()] = item.value();
    }
}

}  // namespace wsc
