#include "bus/ConnIds.hpp"

#include <array>
#include <cstdint>

#include "bus/SecureRandom.hpp"
#include "common/Ids.hpp"

namespace wsc::bus {

namespace {

constexpr std::uint32_t kFnvOffset = 2166136261u;
constexpr std::uint32_t kFnvPrime = 16777619u;
constexpr std::size_t kIdLength = 32;
constexpr std::size_t kRandomBytes = (kIdLength - kConnTagLength) / 2;

}  // namespace

std::string node_tag(std::string_view node_id) {
    std::uint32_t h = kFnvOffset;
    for (const char c : node_id) {
        h ^= static_cast<unsigned char>(c);
        h *= kFnvPrime;
    }
    const std::array<unsigned char, 4> bytes{
        static_cast<unsigned char>(h >> 24), static_cast<unsigned char>(h >> 16),
        static_cast<unsigned char>(h >> 8), static_cast<unsigned char>(h)};
    return to_hex(bytes.data(), bytes.size());
}

std::string new_conn_id(std::string_view tag) {
    std::string id(tag.substr(0, kConnTagLength));
    id += secure_random_hex(kRandomBytes);
    return id;
}

std::string_view conn_tag(std::string_view conn_id) {
    if (!is_hex_id(conn_id)) return {};
    return conn_id.substr(0, kConnTagLength);
}

}  // namespace wsc::bus
