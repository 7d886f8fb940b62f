// Reading one bus body with checks: the helper every decoder of
// bus/Messages.hpp uses, so that each refusal says which command and which
// key, in the same words everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace wsc::bus {

class BodyReader {
  public:
    // Throws DecodeError when `body` is not a map.
    BodyReader(const nlohmann::json& body, std::string_view command);

    // The value of `key`, or nullptr when absent.
    const nlohmann::json* find(std::string_view key) const;
    [[noreturn]] void fail(std::string_view key, std::string_view must_be) const;

    // Required keys throw when absent; optional ones return their default.
    std::uint64_t u64(std::string_view key) const;
    std::optional<std::uint64_t> opt_u64(std::string_view key) const;
    std::int64_t opt_i64(std::string_view key) const;  // 0 when absent
    bool opt_bool(std::string_view key) const;         // false when absent
    std::string str(std::string_view key) const;
    std::string opt_str(std::string_view key) const;  // "" when absent
    // A close event's `reason`: at most kMaxCloseReasonBytes; "" when absent.
    std::string close_reason(std::string_view key) const;
    std::string hex_id(std::string_view key) const;      // 32 lowercase hex
    std::string opt_hex_id(std::string_view key) const;  // "" when absent
    std::string opt_hex64(std::string_view key) const;   // 64 lowercase hex, "" when absent
    std::string hex64(std::string_view key) const;
    // An event id (kEventIdLength hex); "" when absent and not required.
    std::string event_id(std::string_view key, bool required) const;
    // An array of ids (32 hex each); optional: empty when absent.
    std::vector<std::string> hex_ids(std::string_view key, bool required) const;
    std::vector<std::string> opt_strings(std::string_view key) const;
    nlohmann::json any(std::string_view key) const;  // null when absent
    nlohmann::json string_or_null(std::string_view key) const;
    const nlohmann::json& map(std::string_view key) const;
    const nlohmann::json& array(std::string_view key) const;
    // A Request's events: each a map with a string `name` and a map
    // `params`, which is added ({}) when absent.
    nlohmann::json events(std::string_view key) const;

  private:
    const nlohmann::json& required(std::string_view key) const;
    std::string hex(std::string_view key, std::size_t size, bool required) const;

    const nlohmann::json& body_;
    std::string_view command_;
};

}  // namespace wsc::bus
