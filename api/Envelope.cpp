// The exact JSON bodies of the HTTP API: see Envelope.hpp.
#include "api/Envelope.hpp"

namespace wsc {

namespace {

constexpr int kCompact = -1;  // dump(): no indentation, no newlines
constexpr char kIndentChar = ' ';
constexpr bool kEnsureAscii = false;  // UTF-8 goes out as UTF-8, as the seed's clients expect

}  // namespace

std::string dump_compact(const nlohmann::ordered_json& value) {
    return value.dump(kCompact, kIndentChar, kEnsureAscii,
                      nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json node_error(int code, std::string_view msg) {
    nlohmann::ordered_json slot = nlohmann::ordered_json::object();
    slot["code"] = code;
    slot["msg"] = std::string(msg);
    slot["data"] = nlohmann::ordered_json::array();
    return slot;
}

std::string error_envelope(int code, std::string_view msg) {
    return dump_compact(node_error(code, msg));
}

std::string ok_envelope(const std::vector<std::string>& master_ids,
                        const nlohmann::ordered_json& data) {
    nlohmann::ordered_json envelope = nlohmann::ordered_json::object();
    envelope["code"] = kCodeOk;
    envelope["msg"] = "ok";
    envelope["extra"] = nlohmann::ordered_json::array();
    envelope["master_ids"] = master_ids;
    envelope["data"] = data.is_null() ? nlohmann::ordered_json::object() : data;
    return dump_compact(envelope);
}

nlohmann::ordered_json to_ordered(const nlohmann::json& value) {
    using T = nlohmann::json::value_t;
    switch (value.type()) {
        case T::object: {
            auto o = nlohmann::ordered_json::object();
            for (auto it = value.begin(); it != value.end(); ++it)
                o[it.key()] = to_ordered(it.value());
            return o;
        }
        case T::array: {
            auto a = nlohmann::ordered_json::array();
            for (const auto& item : value) a.push_back(to_ordered(item));
            return a;
        }
        case T::string:
            return value.get_ref<const std::string&>();
        case T::boolean:
            return value.get<bool>();
        case T::number_integer:
            return value.get<std::int64_t>();
        case T::number_unsigned:
            return value.get<std::uint64_t>();
        case T::number_float:
            return value.get<double>();
        default:
            return nullptr;
    }
}

}  // namespace wsc
