// Ids: a per-thread 64-bit Mersenne Twister, fully seeded from random_device.
//
// Ids only need to be unique, not secret, so a fast seeded PRNG is enough;
// seeding every state word keeps two threads or two processes from colliding.
#include "common/Ids.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace wsc {

namespace {

constexpr std::size_t kIdLength = 32;
constexpr std::size_t kHexDigitsPerWord = 16;
constexpr int kBitsPerHexDigit = 4;
constexpr std::uint64_t kHexDigitMask = 0xf;
constexpr const char* kHexDigits = "0123456789abcdef";

std::mt19937_64 make_generator() {
    std::random_device device;
    std::array<std::uint32_t, std::mt19937_64::state_size * 2> seed_words{};
    std::generate(seed_words.begin(), seed_words.end(), [&device] { return device(); });
    std::seed_seq seed(seed_words.begin(), seed_words.end());
    return std::mt19937_64(seed);
}

}  // namespace

std::string random_hex_id() {
    thread_local std::mt19937_64 generator = make_generator();
    std::string id(kIdLength, '0');
    for (std::size_t word_start = 0; word_start < kIdLength; word_start += kHexDigitsPerWord) {
        std::uint64_t word = generator();
        for (std::size_t i = 0; i < kHexDigitsPerWord; ++i) {
            id[word_start + i] = kHexDigits[word & kHexDigitMask];
            word >>= kBitsPerHexDigit;
        }
    }
    return id;
}

bool is_lower_hex(std::string_view s, std::size_t length) {
    return s.size() == length && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

bool is_hex_id(std::string_view s) {
    return is_lower_hex(s, kIdLength);
}

}  // namespace wsc
