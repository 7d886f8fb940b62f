// UTF-8 validation: the sequences of the Autobahn TestSuite's group 6 (valid
// text, boundaries, overlongs, surrogates, code points past U+10FFFF), fed
// whole and byte by byte, and the byte at which invalid input is first refused.
#include "common/Utf8Validator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wsc {
namespace {

// "κόσμε", the Greek word the Autobahn cases build on.
const std::string kKosme = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";

// Index of the byte at which byte-by-byte feeding first fails; -1 if it never does.
int fail_index(const std::string& s) {
    Utf8Validator v;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!v.feed(s.substr(i, 1))) return static_cast<int>(i);
    }
    return -1;
}

void expect_valid(const std::string& s) {
    EXPECT_TRUE(Utf8Validator::is_valid(s)) << testing::PrintToString(s);
    EXPECT_EQ(fail_index(s), -1) << testing::PrintToString(s);
    // Split at every offset into two pieces.
    for (std::size_t cut = 0; cut <= s.size(); ++cut) {
        Utf8Validator v;
        EXPECT_TRUE(v.feed(s.substr(0, cut)));
        EXPECT_TRUE(v.feed(s.substr(cut)));
        EXPECT_TRUE(v.complete()) << "cut at " << cut;
    }
}

void expect_invalid(const std::string& s) {
    EXPECT_FALSE(Utf8Validator::is_valid(s)) << testing::PrintToString(s);
}

TEST(Utf8Validator, EmptyAndAscii) {
    expect_valid("");
    expect_valid("Hello, world!");
    expect_valid(std::string("\x00\x7F", 2));
}

TEST(Utf8Validator, ValidMultiByteText) {  // 6.2, 6.5
    expect_valid("Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!");
    expect_valid(kKosme);
    expect_valid("\xF0\x9F\x98\x80 emoji");
}

TEST(Utf8Validator, PrefixesAreIncompleteButNotInvalid) {  // 6.6
    for (std::size_t n = 0; n <= kKosme.size(); ++n) {
        Utf8Validator v;
        EXPECT_TRUE(v.feed(kKosme.substr(0, n)));
        EXPECT_TRUE(v.ok());
    }
    Utf8Validator v;
    v.feed("\xCE");
    EXPECT_TRUE(v.ok());
    EXPECT_FALSE(v.complete());
    v.feed("\xBA");
    EXPECT_TRUE(v.complete());
}

TEST(Utf8Validator, Boundaries) {  // 6.7 - 6.11
    // First and last possible sequence of each length.
    for (const char* s : {"\x00", "\xC2\x80", "\xE0\xA0\x80", "\xF0\x90\x80\x80", "\x7F",
                          "\xDF\xBF", "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF"}) {
        expect_valid(std::string(s, std::max<std::size_t>(1, std::char_traits<char>::length(s))));
    }
    // Other boundary conditions.
    for (const char* s : {"\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBD"}) expect_valid(s);
    // Five and six byte forms, and past U+10FFFF.
    for (const char* s : {"\xF8\x88\x80\x80\x80", "\xFC\x84\x80\x80\x80\x80", "\xF7\xBF\xBF\xBF",
                          "\xFB\xBF\xBF\xBF\xBF", "\xFD\xBF\xBF\xBF\xBF\xBF", "\xF4\x90\x80\x80"}) {
        expect_invalid(s);
    }
}

TEST(Utf8Validator, UnexpectedContinuationAndLonelyStartBytes) {  // 6.12 - 6.13
    for (const char* s : {"\x80", "\xBF", "\x80\xBF", "\x80\xBF\x80", "\xC0\x20", "\xC1\x20",
                          "\xDF\x20", "\xE0\x20", "\xEF\x20", "\xF0\x20", "\xF4\x20"}) {
        expect_invalid(s);
        EXPECT_LE(fail_index(s), 1) << testing::PrintToString(std::string(s));
    }
}

TEST(Utf8Validator, MissingLastContinuationByte) {  // 6.14 - 6.15
    for (const char* s : {"\xC2", "\xE0\xA0", "\xF0\x90\x80", "\xDF", "\xEF\xBF", "\xF4\x8F\xBF"}) {
        expect_invalid(s);
        EXPECT_EQ(fail_index(s), -1);  // a prefix of something valid: only the end refuses it
    }
    expect_invalid("\xC2\xE0\xA0\xF0\x90\x80");
}

TEST(Utf8Validator, ImpossibleBytes) {  // 6.16
    for (const char* s : {"\xFE", "\xFF", "\xFE\xFE\xFF\xFF"}) {
        expect_invalid(s);
        EXPECT_EQ(fail_index(s), 0);
    }
}

TEST(Utf8Validator, OverlongFormsFailAtTheFirstByteThatShowsThem) {  // 6.17 - 6.19
    struct Case {
        std::string bytes;
        int fails_at;
    };
    const std::vector<Case> cases{
        {"\xC0\xAF", 0},
        {"\xE0\x80\xAF", 1},
        {"\xF0\x80\x80\xAF", 1},
        {"\xC1\xBF", 0},
        {"\xE0\x9F\xBF", 1},
        {"\xF0\x8F\xBF\xBF", 1},
        {"\xC0\x80", 0},
        {"\xE0\x80\x80", 1},
        {"\xF0\x80\x80\x80", 1},
        {"\xF8\x80\x80\x80\xAF", 0},
        {"\xFC\x80\x80\x80\x80\xAF", 0},
    };
    for (const auto& c : cases) {
        expect_invalid(c.bytes);
        EXPECT_EQ(fail_index(c.bytes), c.fails_at) << testing::PrintToString(c.bytes);
    }
}

TEST(Utf8Validator, SurrogatesAreRefused) {  // 6.20 - 6.21
    for (const char* s :
         {"\xED\xA0\x80", "\xED\xAD\xBF", "\xED\xAE\x80", "\xED\xAF\xBF", "\xED\xB0\x80",
          "\xED\xBE\x80", "\xED\xBF\xBF", "\xED\xA0\x80\xED\xB0\x80", "\xED\xAF\xBF\xED\xBF\xBF"}) {
        expect_invalid(s);
        EXPECT_EQ(fail_index(s), 1);
    }
}

TEST(Utf8Validator, NoncharactersAreValid) {  // 6.22 - 6.23
    for (const char* s : {"\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xF0\x9F\xBF\xBE", "\xF0\x9F\xBF\xBF",
                          "\xF4\x8F\xBF\xBE", "\xEF\xB7\x90", "\xEF\xBF\xBD"}) {
        expect_valid(s);
    }
}

TEST(Utf8Validator, FailFastInsideText) {  // 6.3, 6.4
    // κόσμε, then a surrogate, then "edited": refused at the surrogate's second byte.
    const std::string s3 = kKosme + "\xED\xA0\x80" + "edited";
    expect_invalid(s3);
    EXPECT_EQ(fail_index(s3), static_cast<int>(kKosme.size()) + 1);
    // κόσμε, then a code point past U+10FFFF: refused at F4 90, before "edited" arrives.
    const std::string s4 = kKosme + "\xF4\x90\x80\x80" + "edited";
    EXPECT_EQ(fail_index(s4), static_cast<int>(kKosme.size()) + 1);
    Utf8Validator v;
    EXPECT_TRUE(v.feed(kKosme + "\xF4"));
    EXPECT_FALSE(v.feed("\x90"));
    EXPECT_FALSE(v.feed("edited"));  // stays failed
    v.reset();
    EXPECT_TRUE(v.feed("ok"));
}

}  // namespace
}  // namespace wsc
