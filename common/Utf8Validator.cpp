// Incremental UTF-8 validation; see Utf8Validator.hpp.
//
// The table of well-formed sequences (RFC 3629 §4, Unicode table 3-7) narrows
// the range of the byte after a lead byte: E0 needs A0-BF (no overlong
// three-byte form), ED needs 80-9F (no surrogate), F0 needs 90-BF (no overlong
// four-byte form), F4 needs 80-8F (nothing above U+10FFFF). Every other
// continuation byte is 80-BF. C0, C1 and F5-FF never occur.
#include "common/Utf8Validator.hpp"

namespace wsc {

namespace {

constexpr unsigned char kAsciiEnd = 0x80;
constexpr unsigned char kContLo = 0x80;
constexpr unsigned char kContHi = 0xBF;

}  // namespace

bool Utf8Validator::feed(const unsigned char* data, std::size_t len) {
    if (failed_) return false;
    std::size_t i = 0;
    while (i < len) {
        const unsigned char b = data[i++];
        if (pending_ == 0) {
            if (b < kAsciiEnd) {
                // Runs of ASCII are the common case: skip them without state changes.
                while (i < len && data[i] < kAsciiEnd) ++i;
                continue;
            }
            lo_ = kContLo;
            hi_ = kContHi;
            if (b >= 0xC2 && b <= 0xDF) {
                pending_ = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                pending_ = 2;
                if (b == 0xE0) lo_ = 0xA0;
                if (b == 0xED) hi_ = 0x9F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                pending_ = 3;
                if (b == 0xF0) lo_ = 0x90;
                if (b == 0xF4) hi_ = 0x8F;
            } else {
                failed_ = true;
                return false;
            }
            continue;
        }
        if (b < lo_ || b > hi_) {
            failed_ = true;
            return false;
        }
        lo_ = kContLo;
        hi_ = kContHi;
        --pending_;
    }
    return true;
}

bool Utf8Validator::is_valid(std::string_view bytes) {
    Utf8Validator v;
    return v.feed(bytes) && v.complete();
}

}  // namespace wsc
