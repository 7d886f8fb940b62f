// Standard base64 with padding (see Base64.hpp).
#include "common/Base64.hpp"

#include <cstdint>
#include <stdexcept>

namespace wsc {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kPad = '=';
constexpr std::size_t kGroupChars = 4;

int decode_char(char c) {
    const auto pos = kAlphabet.find(c);
    return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

std::string base64_encode(std::string_view data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * kGroupChars);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const uint32_t v = (uint32_t{static_cast<unsigned char>(data[i])} << 16) |
                           (uint32_t{static_cast<unsigned char>(data[i + 1])} << 8) |
                           uint32_t{static_cast<unsigned char>(data[i + 2])};
        out += kAlphabet[(v >> 18) & 0x3F];
        out += kAlphabet[(v >> 12) & 0x3F];
        out += kAlphabet[(v >> 6) & 0x3F];
        out += kAlphabet[v & 0x3F];
    }
    const std::size_t rest = data.size() - i;
    if (rest > 0) {
        uint32_t v = uint32_t{static_cast<unsigned char>(data[i])} << 16;
        if (rest == 2) v |= uint32_t{static_cast<unsigned char>(data[i + 1])} << 8;
        out += kAlphabet[(v >> 18) & 0x3F];
        out += kAlphabet[(v >> 12) & 0x3F];
        out += rest == 2 ? kAlphabet[(v >> 6) & 0x3F] : kPad;
        out += kPad;
    }
    return out;
}

std::string base64_decode(std::string_view text) {
    if (text.size() % kGroupChars != 0) {
        throw std::runtime_error("base64: length " + std::to_string(text.size()) +
                                 " is not a multiple of 4");
    }
    std::string out;
    out.reserve(text.size() / kGroupChars * 3);
    for (std::size_t i = 0; i < text.size(); i += kGroupChars) {
        const bool last = i + kGroupChars == text.size();
        const int pads = (text[i + 3] == kPad) + (text[i + 2] == kPad);
        if (pads > 0 && (!last || (pads == 1 && text[i + 2] == kPad))) {
            throw std::runtime_error("base64: misplaced padding");
        }
        uint32_t v = 0;
        for (std::size_t j = 0; j < kGroupChars - static_cast<std::size_t>(pads); ++j) {
            const int d = decode_char(text[i + j]);
            if (d < 0) throw std::runtime_error("base64: invalid character");
            v |= static_cast<uint32_t>(d) << (18 - 6 * j);
        }
        out += static_cast<char>((v >> 16) & 0xFF);
        if (pads < 2) out += static_cast<char>((v >> 8) & 0xFF);
        if (pads < 1) out += static_cast<char>(v & 0xFF);
    }
    return out;
}

}  // namespace wsc
