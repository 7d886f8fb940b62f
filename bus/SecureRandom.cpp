#include "bus/SecureRandom.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace wsc::bus {

void ensure_sodium() {
    static const int ready = sodium_init();  // thread-safe, idempotent
    if (ready < 0) throw std::runtime_error("libsodium cannot be initialised");
}
void secure_random(void* out, std::size_t size) {
    ensure_sodium();
    randombytes_buf(out, size);
}

std::string secure_random_hex(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    secure_random(raw.data(), raw.size());
    return to_hex(raw.data(), raw.size());
}

std::string to_hex(const unsigned char* data, std::size_t size) {
    constexpr const char* kHex = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += kHex[data[i] >> 4];
        out += kHex[data[i] & 0xf];
    }
    return out;
}

}  // namespace wsc::bus
