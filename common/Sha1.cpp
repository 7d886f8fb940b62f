// SHA-1 as specified in FIPS 180-4 (see Sha1.hpp for why it is here).
#include "common/Sha1.hpp"

#include <array>
#include <cstdint>

namespace wsc {

namespace {

constexpr std::size_t kBlockBytes = 64;
constexpr std::size_t kLengthBytes = 8;
constexpr std::size_t kRounds = 80;
constexpr std::array<uint32_t, 5> kInitialState = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu,
                                                   0x10325476u, 0xC3D2E1F0u};

uint32_t rotl(uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

void process_block(std::array<uint32_t, 5>& h, const unsigned char* block) {
    std::array<uint32_t, kRounds> w{};
    for (std::size_t i = 0; i < 16; ++i) {
        w[i] = (uint32_t{block[4 * i]} << 24) | (uint32_t{block[4 * i + 1]} << 16) |
               (uint32_t{block[4 * i + 2]} << 8) | uint32_t{block[4 * i + 3]};
    }
    for (std::size_t i = 16; i < kRounds; ++i) {
        w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (std::size_t i = 0; i < kRounds; ++i) {
        uint32_t f = 0;
        uint32_t k = 0;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        const uint32_t t = rotl(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

}  // namespace

std::string sha1(std::string_view data) {
    auto h = kInitialState;
    // Padding: 0x80, zeros up to 56 mod 64, then the bit length as 64-bit big-endian.
    std::string msg(data);
    const uint64_t bit_length = static_cast<uint64_t>(data.size()) * 8;
    msg.push_back(static_cast<char>(0x80));
    while (msg.size() % kBlockBytes != kBlockBytes - kLengthBytes) msg.push_back('\0');
    for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bit_length >> (8 * i)) & 0xFF));

    for (std::size_t off = 0; off < msg.size(); off += kBlockBytes) {
        process_block(h, reinterpret_cast<const unsigned char*>(msg.data() + off));
    }
    std::string digest;
    for (const uint32_t word : h) {
        for (int i = 3; i >= 0; --i) digest.push_back(static_cast<char>((word >> (8 * i)) & 0xFF));
    }
    return digest;
}

}  // namespace wsc
