#include "bus/BodyReader.hpp"

#include <limits>

#include "bus/MsgpackJson.hpp"
#include "bus/Protocol.hpp"
#include "common/Ids.hpp"

namespace wsc::bus {

namespace {
constexpr std::size_t kIdSize = 32;
constexpr std::size_t kNonceSize = 64;

}  // namespace

BodyReader::BodyReader(const nlohmann::json& body, std::string_view command)
    : body_(body), command_(command) {
    if (!body.is_object()) throw DecodeError(std::string(command) + ": body is not a map");
}

const nlohmann::json* BodyReader::find(std::string_view key) const {
    const auto it = body_.find(key);
    return it == body_.end() ? nullptr : &*it;
}

void BodyReader::fail(std::string_view key, std::string_view must_be) const {
    throw DecodeError(std::string(command_) + ": '" + std::string(key) + "' must be " +
                      std::string(must_be));
}

const nlohmann::json& BodyReader::required(std::string_view key) const {
    const auto* v = find(key);
    if (!v) throw DecodeError(std::string(command_) + ": missing '" + std::string(key) + "'");
    return *v;
}

std::uint64_t BodyReader::u64(std::string_view key) const {
    const auto& v = required(key);
    // A signed integer that is not negative counts: some encoders (and json
    // built in memory) use the signed formats for small numbers.
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
        fail(key, "an unsigned integer");
    return v.get<std::uint64_t>();
}

std::optional<std::uint64_t> BodyReader::opt_u64(std::string_view key) const {
    if (!find(key)) return std::nullopt;
    return u64(key);
}

std::int64_t BodyReader::opt_i64(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return 0;
    if (!v->is_number_integer() ||
        (v->is_number_unsigned() &&
         v->get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max())))
        fail(key, "a 64-bit integer");
    return v->get<std::int64_t>();
}

bool BodyReader::opt_bool(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return false;
    if (!v->is_boolean()) fail(key, "a boolean");
    return v->get<bool>();
}

std::string BodyReader::str(std::string_view key) const {
    const auto& v = required(key);
    if (!v.is_string()) fail(key, "a string");
    return v.get<std::string>();
}

std::string BodyReader::opt_str(std::string_view key) const {
    return find(key) ? str(key) : std::string();
}

std::string BodyReader::hex(std::string_view key, std::size_t size, bool required) const {
    if (!required && !find(key)) return std::string();
    std::string s = str(key);
    if (!is_lower_hex(s, size)) fail(key, std::to_string(size) + " lowercase hex characters");
    return s;
}

std::string BodyReader::hex_id(std::string_view key) const {
    return hex(key, kIdSize, true);
}

std::string BodyReader::opt_hex_id(std::string_view key) const {
    return hex(key, kIdSize, false);
}

std::string BodyReader::close_reason(std::string_view key) const {
    std::string reason = opt_str(key);
    if (reason.size() > kMaxCloseReasonBytes)
        fail(key, "a string of at most " + std::to_string(kMaxCloseReasonBytes) + " bytes");
    return reason;
}

std::string BodyReader::event_id(std::string_view key, bool required) const {
    return hex(key, kEventIdLength, required);
}

std::string BodyReader::hex64(std::string_view key) const {
    return hex(key, kNonceSize, true);
}

std::string BodyReader::opt_hex64(std::string_view key) const {
    return hex(key, kNonceSize, false);
}

std::vector<std::string> BodyReader::hex_ids(std::string_view key, bool required) const {
    std::vector<std::string> out;
    if (!required && !find(key)) return out;
    for (const auto& item : array(key)) {
        if (!item.is_string() || !is_hex_id(item.get_ref<const std::string&>()))
            fail(key, "an array of ids of 32 lowercase hex characters");
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::vector<std::string> BodyReader::opt_strings(std::string_view key) const {
    std::vector<std::string> out;
    if (!find(key)) return out;
    for (const auto& item : array(key)) {
        if (!item.is_string()) fail(key, "an array of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

nlohmann::json BodyReader::any(std::string_view key) const {
    const auto* v = find(key);
    return v ? *v : nlohmann::json();
}

nlohmann::json BodyReader::string_or_null(std::string_view key) const {
    const auto* v = find(key);
    if (!v) return nullptr;
    if (!v->is_string() && !v->is_null()) fail(key, "a string or null");
    return *v;
}

const nlohmann::json& BodyReader::map(std::string_view key) const {
    const auto& v = required(key);
    if (!v.is_object()) fail(key, "a map");
    return v;
}

const nlohmann::json& BodyReader::array(std::string_view key) const {
    const auto& v = required(key);
    if (!v.is_array()) fail(key, "an array");
    return v;
}

nlohmann::json BodyReader::events(std::string_view key) const {
    nlohmann::json out = array(key);
    for (auto& event : out) {
        if (!event.is_object()) fail(key, "an array of maps");
        const auto name = event.find("name");
        if (name == event.end() || !name->is_string())
            fail(key, "an array of maps with a string 'name'");
        const auto params = event.find("params");
        if (params == event.end())
            event["params"] = nlohmann::json::object();
        else if (!params->is_object())
            fail(key,
                 "an array of maps whose 'params' is a map (" + name->get<std::string>() + ")");
    }
    return out;
}

}  // namespace wsc::bus
