// Validation and normalisation of one HTTP API call: see ApiRequest.hpp.
#include "api/ApiRequest.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "api/Envelope.hpp"

namespace wsc {

namespace {

using nlohmann::json;

// An event name echoed in an error is cut to this many bytes: it is the
// caller's own input and may be huge.
constexpr size_t kMaxNameShown = 64;
// Integral JSON floats below this (2^53) are exact, so 123.0 can become "123".
constexpr double kExactIntegerLimit = 9007199254740992.0;
// More digits than this in a timeout string cannot fit an int: clamp at once.
constexpr size_t kMaxTimeoutDigits = 9;

constexpr std::string_view kTokenKey = "token";
constexpr std::string_view kEventKey = "event";
constexpr std::string_view kTimeoutKey = "timeout";
constexpr std::string_view kAckKey = "ack";

const json* find_key(const json& object, std::string_view key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(std::string(key));
    return it == object.end() ? nullptr : &*it;
}

std::string shown(std::string_view name) {
    if (name.size() <= kMaxNameShown) return std::string(name);
    return std::string(name.substr(0, kMaxNameShown)) + "...";
}

bool is_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

// The decimal text of a JSON number: integers as they are, integral floats
// without ".0", other floats in nlohmann's shortest round-trip form.
std::string number_text(const json& number) {
    if (number.is_number_unsigned()) return std::to_string(number.get<std::uint64_t>());
    if (number.is_number_integer()) return std::to_string(number.get<std::int64_t>());
    double d = number.get<double>();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < kExactIntegerLimit)
        return std::to_string(static_cast<std::int64_t>(d));
    return number.dump();
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// Digit keys ("0", "2", "10") sort as numbers and before any other key, so
// PHP's a[0]=x&a[1]=y&...&a[10]=z keeps its order.
bool index_key_less(const std::string& a, const std::string& b) {
    bool a_index = is_digits(a);
    bool b_index = is_digits(b);
    if (a_index != b_index) return a_index;
    if (a_index && a.size() != b.size()) return a.size() < b.size();
    return a < b;
}

// A parameter's value after normalisation: absent, a value, or a type error.
enum class Outcome { Absent, Value, TypeError };

Outcome normalise_text(const json& v, json& out) {
    if (v.is_string()) {
        if (v.get_ref<const std::string&>().empty()) return Outcome::Absent;
        out = v;
        return Outcome::Value;
    }
    if (v.is_number()) {
        out = number_text(v);
        return Outcome::Value;
    }
    return Outcome::TypeError;
}

// One element of a list: a string or number, empty strings dropped.
bool append_list_item(const json& v, json& list) {
    if (v.is_string()) {
        if (!v.get_ref<const std::string&>().empty()) list.push_back(v);
        return true;
    }
    if (v.is_number()) {
        list.push_back(number_text(v));
        return true;
    }
    return false;
}

Outcome normalise_text_list(const json& v, json& out) {
    json list = json::array();
    if (v.is_null()) return Outcome::Absent;
    if (v.is_string()) {
        for (auto& item : split_list(v.get_ref<const std::string&>())) list.push_back(item);
    } else if (v.is_number()) {
        list.push_back(number_text(v));
    } else if (v.is_array()) {
        for (const auto& item : v)
            if (!append_list_item(item, list)) return Outcome::TypeError;
    } else if (v.is_object()) {
        std::vector<std::pair<std::string, const json*>> items;
        for (const auto& item : v.items()) items.emplace_back(item.key(), &item.value());
        std::sort(items.begin(), items.end(),
                  [](const auto& a, const auto& b) { return index_key_less(a.first, b.first); });
        for (const auto& item : items)
            if (!append_list_item(*item.second, list)) return Outcome::TypeError;
    } else {
        return Outcome::TypeError;
    }
    if (list.empty()) return Outcome::Absent;
    out = std::move(list);
    return Outcome::Value;
}

bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else
            return false;
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size()) return false;
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += n + 1;
    }
    return true;
}

Outcome normalise_message(const json& v, json& out) {
    if (v.is_null()) return Outcome::Absent;
    if (v.is_string()) {
        if (v.get_ref<const std::string&>().empty()) return Outcome::Absent;
        out = v;
    } else if (v.is_number()) {
        out = number_text(v);
    } else if (v.is_boolean()) {
        out = v.get<bool>() ? "true" : "false";
    } else {
        // The client receives exactly this text; invalid UTF-8 from a query
        // string must not make the dump throw.
        out = v.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    return Outcome::Value;
}

std::string type_error(const EventSpec& spec, const ParamSpec& param) {
    std::string prefix = std::string(spec.name) + ": parameter '" + std::string(param.name);
    if (param.type == ParamType::TextList)
        return prefix + "' must be a string, a number or a list of them";
    return prefix + "' must be a string or number";
}

// Reads merged[key] ("timeout" or "ack"): nullopt if absent, -1 if invalid,
// else the value (possibly beyond the cap, which the caller applies).
std::optional<long long> read_ms(const json& merged, std::string_view key) {
    const json* t = find_key(merged, key);
    if (t == nullptr || t->is_null()) return std::nullopt;
    if (t->is_string()) {
        const auto& s = t->get_ref<const std::string&>();
        if (s.empty()) return std::nullopt;
        if (!is_digits(s)) return -1;
        if (s.size() > kMaxTimeoutDigits) return std::numeric_limits<long long>::max();
        long long value = std::stoll(s);
        return value > 0 ? value : -1;
    }
    if (t->is_number_unsigned()) {
        auto value = t->get<std::uint64_t>();
        if (value == 0) return -1;
        return value > static_cast<std::uint64_t>(std::numeric_limits<long long>::max())
                   ? std::numeric_limits<long long>::max()
                   : static_cast<long long>(value);
    }
    if (t->is_number_integer()) {
        auto value = t->get<std::int64_t>();
        return value > 0 ? value : -1;
    }
    if (t->is_number_float()) {
        double d = t->get<double>();
        if (!std::isfinite(d) || d != std::trunc(d) || d < 1) return -1;
        return d >= kExactIntegerLimit ? std::numeric_limits<long long>::max()
                                       : static_cast<long long>(d);
    }
    return -1;
}

ApiError refuse(std::string msg) {
    return ApiError{kCodeError, std::move(msg)};
}

}  // namespace

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find(',', start);
        if (end == std::string_view::npos) end = s.size();
        std::string_view item = trim(s.substr(start, end - start));
        if (!item.empty()) items.emplace_back(item);
        start = end + 1;
    }
    return items;
}

std::optional<std::string> normalise_event_params(const EventSpec& spec, const json& given,
                                                  json& out) {
    out = json::object();
    bool no_params = given.is_null() ||
                     (given.is_string() && given.get_ref<const std::string&>().empty()) ||
                     (given.is_array() && given.empty());
    if (!given.is_object() && !no_params)
        return std::string(spec.name) + ": parameters must be an object";

    for (const auto& param : spec.params) {
        const json* value = find_key(given, param.name);
        json normalised;
        Outcome outcome = Outcome::Absent;
        if (value != nullptr) {
            switch (param.type) {
                case ParamType::Text:
                    outcome = normalise_text(*value, normalised);
                    break;
                case ParamType::TextList:
                    outcome = normalise_text_list(*value, normalised);
                    break;
                case ParamType::Message:
                    outcome = normalise_message(*value, normalised);
                    break;
            }
        }
        if (outcome == Outcome::TypeError) return type_error(spec, param);
        // A text frame must be UTF-8: browsers drop the connection otherwise.
        if (param.type == ParamType::Message && outcome != Outcome::Absent &&
            !is_valid_utf8(normalised.get_ref<const std::string&>()))
            return std::string(spec.name) + ": parameter 'msg' must be valid UTF-8 text";
        if (outcome == Outcome::Absent) {
            if (param.required)
                return std::string(spec.name) + ": missing parameter '" + std::string(param.name) +
                       "'";
            continue;
        }
        out[std::string(param.name)] = std::move(normalised);
    }
    return std::nullopt;
}

std::vector<std::string> named_events(const json& merged) {
    std::vector<std::string> out;
    const json* event = find_key(merged, kEventKey);
    if (event == nullptr || !event->is_string()) return out;
    std::unordered_set<std::string> seen;
    for (auto& name : split_list(event->get_ref<const std::string&>())) {
        const EventSpec* spec = find_event(name);
        if (spec == nullptr || spec->scope == EventScope::Internal) continue;
        if (seen.insert(name).second) out.push_back(std::move(name));
    }
    return out;
}

std::variant<ApiCall, ApiError> build_api_call(const json& merged,
                                               const std::vector<std::string>& tokens,
                                               const ApiLimits& limits) {
    if (!tokens.empty()) {
        const json* token = find_key(merged, kTokenKey);
        std::optional<std::string> given;
        if (token != nullptr && token->is_string()) given = token->get<std::string>();
        if (token != nullptr && token->is_number()) given = number_text(*token);
        bool accepted = false;
        if (given)
            for (const auto& t : tokens) accepted = constant_time_equal(*given, t) || accepted;
        if (!accepted) {
            ApiError error = refuse("token error");
            error.token = true;
            return error;
        }
    }

    const json* event = find_key(merged, kEventKey);
    if (event == nullptr || !event->is_string()) return refuse("event error");
    ApiCall call;
    std::unordered_set<std::string> seen;
    for (auto& name : split_list(event->get_ref<const std::string&>()))
        if (seen.insert(name).second) call.events.push_back(std::move(name));
    if (call.events.empty()) return refuse("event error");
    if (call.events.size() > limits.max_batch)
        return refuse("event error: too many events (" + std::to_string(call.events.size()) +
                      " > " + std::to_string(limits.max_batch) + ")");

    call.params = json::object();
    for (const auto& name : call.events) {
        const EventSpec* spec = find_event(name);
        if (spec == nullptr || spec->scope == EventScope::Internal)
            return refuse("unknown event '" + shown(name) + "'");
        const json* given = find_key(merged, name);
        json normalised;
        if (auto error = normalise_event_params(*spec, given ? *given : json(), normalised))
            return refuse(std::move(*error));
        call.params[name] = std::move(normalised);
    }

    const int cap = std::max(1, limits.max_timeout_ms);
    std::optional<long long> timeout = read_ms(merged, kTimeoutKey);
    if (timeout && *timeout < 0) return refuse("timeout must be a positive integer (ms)");
    call.timeout_ms = timeout ? static_cast<int>(std::min<long long>(*timeout, cap))
                              : std::clamp(limits.default_timeout_ms, 1, cap);
    const std::optional<long long> ack = read_ms(merged, kAckKey);
    if (ack && *ack < 0) return refuse("ack must be a positive integer (ms)");
    if (ack) {
        call.ack_ms = static_cast<int>(std::min<long long>(*ack, cap));
        // Each send event carries the ack time to the nodes, which answer
        // by then; the gather waits for them a little longer.
        for (const auto& name : call.events)
            if (is_send_event(*find_event(name))) call.params[name][kAckKey] = call.ack_ms;
        call.timeout_ms = std::max(call.timeout_ms, call.ack_ms + kAckGatherMarginMs);
    }
    return call;
}

}  // namespace wsc
