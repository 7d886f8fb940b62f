// Incremental UTF-8 validation (RFC 3629): bytes may arrive in any pieces, and
// the validator says as soon as the input can never become valid — at the
// first byte that no completion could make well-formed. Overlong forms,
// UTF-16 surrogates (U+D800-U+DFFF) and code points above U+10FFFF are
// rejected, each at the earliest byte that shows it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wsc {

class Utf8Validator {
  public:
    // Checks more bytes; returns false once the input so far can never be the
    // start of valid UTF-8 (and keeps returning false until reset()).
    bool feed(const unsigned char* data, std::size_t len);
    bool feed(std::string_view bytes) {
        return feed(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    }

    // True while no invalid byte was seen.
    bool ok() const { return !failed_; }
    // True when the input so far is valid and ends on a character boundary.
    bool complete() const { return !failed_ && pending_ == 0; }

    void reset() { *this = Utf8Validator(); }

    // Whole-string check.
    static bool is_valid(std::string_view bytes);

  private:
    std::uint8_t pending_ = 0;  // continuation bytes still expected
    std::uint8_t lo_ = 0x80;    // allowed range of the next continuation byte
    std::uint8_t hi_ = 0xBF;
    bool failed_ = false;
};

}  // namespace wsc
