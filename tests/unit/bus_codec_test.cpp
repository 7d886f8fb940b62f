// The bus body codec: msgpack <-> JSON round trips and refusal of hostile bytes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <random>

#include "bus/MsgpackJson.hpp"
#include "bus/Protocol.hpp"

namespace wsc::bus {
namespace {

using nlohmann::json;

// Nested arrays [[[...[1]...]]] `levels` containers deep.
json nested(std::size_t levels) {
    json j = 1;
    for (std::size_t i = 0; i < levels; ++i) j = json::array({j});
    return j;
}

std::string bytes(std::initializer_list<unsigned char> list) {
    return std::string(list.begin(), list.end());
}

TEST(BusCodec, RoundTripsNestedJson) {
    const json value = {
        {"text", "plain"},
        {"nul", std::string("a\0b\0", 4)},
        {"unicode", "héllo ✓ 日本 \xF0\x9F\x98\x80"},
        {"empty", ""},
        {"zero", 0},
        {"small", 7},
        {"negative", -42},
        {"int64_min", std::numeric_limits<std::int64_t>::min()},
        {"int64_max", std::numeric_limits<std::int64_t>::max()},
        {"uint64_max", std::numeric_limits<std::uint64_t>::max()},
        {"float", 3.25},
        {"negative_float", -1e-300},
        {"whole_float", 2.0},
        {"yes", true},
        {"no", false},
        {"nothing", nullptr},
        {"list", {1, "two", nullptr, false, json::array(), json::object()}},
        {"map", {{"inner", {{"deeper", {1, 2, 3}}}}, {"k", "v"}}},
        {"empty_list", json::array()},
        {"empty_map", json::object()},
    };
    const json back = from_msgpack(to_msgpack(value));
    EXPECT_EQ(back, value);
    // Types the API cares about survive exactly.
    EXPECT_EQ(back.at("nul").get<std::string>().size(), 4u);
    EXPECT_EQ(back.at("uint64_max").get<std::uint64_t>(),
              std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(back.at("int64_min").get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
    EXPECT_TRUE(back.at("float").is_number_float());
    EXPECT_TRUE(back.at("negative").is_number_integer());
    EXPECT_TRUE(back.at("yes").is_boolean());
    EXPECT_TRUE(back.at("nothing").is_null());
}

TEST(BusCodec, WholeFloatsStayFloats) {
    // A JSON 2.0 must not arrive as the integer 2: a message object sent
    // through the bus before normalisation would print differently ("2").
    // msgpack-c's pack_double() packs whole-valued doubles as integers.
    for (double d : {2.0, -0.0, 1e15, -3.0}) {
        const json back = from_msgpack(to_msgpack(json(d)));
        EXPECT_TRUE(back.is_number_float()) << json(d).dump() << " came back as " << back.dump();
        EXPECT_EQ(back.dump(), json(d).dump());
    }
}

TEST(BusCodec, RoundTripsScalarsAtTopLevel) {
    for (const json& v : {json(nullptr), json(true), json(-1), json(1u), json(0.5), json("s"),
                          json::array(), json::object()}) {
        EXPECT_EQ(from_msgpack(to_msgpack(v)), v) << v.dump();
    }
}

TEST(BusCodec, EncodesTheDocumentedWireFormat) {
    // An empty map is the single byte 0x80 (PROTOCOL.md).
    EXPECT_EQ(to_msgpack(json::object()), bytes({0x80}));
    EXPECT_EQ(to_msgpack(json{{"a", 1}}), bytes({0x81, 0xa1, 'a', 0x01}));
    EXPECT_EQ(from_msgpack(bytes({0x81, 0xa1, 'a', 0x01})), (json{{"a", 1}}));
}

TEST(BusCodec, BinaryAndExtBecomeStrings) {
    EXPECT_EQ(from_msgpack(bytes({0xc4, 0x02, 'h', 'i'})), json("hi"));  // bin 8
    EXPECT_EQ(from_msgpack(bytes({0xd4, 0x01, 'x'})), json("x"));        // fixext 1
}

TEST(BusCodec, RejectsEmptyAndTruncatedInput) {
    EXPECT_THROW(from_msgpack(""), DecodeError);
    const std::string whole = to_msgpack(json{{"req", 5}, {"events", {"a", "b"}}});
    for (std::size_t n = 1; n < whole.size(); ++n)
        EXPECT_THROW(from_msgpack(whole.substr(0, n)), DecodeError) << "length " << n;
    EXPECT_THROW(from_msgpack(bytes({0x92, 0x01})), DecodeError);        // array of 2, one given
    EXPECT_THROW(from_msgpack(bytes({0xa5, 'a', 'b'})), DecodeError);    // str of 5, two given
    EXPECT_THROW(from_msgpack(bytes({0xcb, 0x00, 0x00})), DecodeError);  // float64 cut short
}

TEST(BusCodec, RejectsTrailingBytes) {
    EXPECT_THROW(from_msgpack(bytes({0xc0, 0xc0})), DecodeError);
    EXPECT_THROW(from_msgpack(to_msgpack(json{{"a", 1}}) + "x"), DecodeError);
}

TEST(BusCodec, AcceptsNestingUpToTheLimit) {
    EXPECT_EQ(from_msgpack(to_msgpack(nested(kMaxDepth))), nested(kMaxDepth));
}

TEST(BusCodec, RejectsNestingDeeperThanTheLimit) {
    EXPECT_THROW(from_msgpack(to_msgpack(nested(kMaxDepth + 1))), DecodeError);
    // Maps count as well as arrays.
    json deep_map = 1;
    for (std::size_t i = 0; i <= kMaxDepth; ++i) deep_map = json{{"k", deep_map}};
    EXPECT_THROW(from_msgpack(to_msgpack(deep_map)), DecodeError);
    // A long run of "array of one" headers must not exhaust the stack.
    std::string bomb(100000, static_cast<char>(0x91));
    bomb.push_back(static_cast<char>(0xc0));
    EXPECT_THROW(from_msgpack(bomb), DecodeError);
}

TEST(BusCodec, RejectsNonStringMapKeys) {
    EXPECT_THROW(from_msgpack(bytes({0x81, 0x01, 0x02})), DecodeError);             // {1: 2}
    EXPECT_THROW(from_msgpack(bytes({0x81, 0xc0, 0x02})), DecodeError);             // {nil: 2}
    EXPECT_THROW(from_msgpack(bytes({0x81, 0x90, 0x02})), DecodeError);             // {[]: 2}
    EXPECT_THROW(from_msgpack(bytes({0x81, 0xc4, 0x01, 'k', 0x02})), DecodeError);  // bin key
    // Nested inside a valid outer map too.
    EXPECT_THROW(from_msgpack(bytes({0x81, 0xa1, 'a', 0x81, 0xc3, 0x00})), DecodeError);
}

TEST(BusCodec, TinyMessageDeclaringAHugeContainerFailsFast) {
    const auto start = std::chrono::steady_clock::now();
    // array 32 / map 32 declaring 2^32-1 items, with nothing after them.
    EXPECT_THROW(from_msgpack(bytes({0xdd, 0xff, 0xff, 0xff, 0xff})), DecodeError);
    EXPECT_THROW(from_msgpack(bytes({0xdf, 0xff, 0xff, 0xff, 0xff})), DecodeError);
    // Declared sizes that would be legal for a big message, in a tiny one.
    EXPECT_THROW(from_msgpack(bytes({0xdd, 0x00, 0x0f, 0x42, 0x40, 0xc0})), DecodeError);
    EXPECT_THROW(from_msgpack(bytes({0xdc, 0xff, 0xff, 0xc0, 0xc0})), DecodeError);
    // A huge string or binary with no body.
    EXPECT_THROW(from_msgpack(bytes({0xdb, 0xff, 0xff, 0xff, 0xff})), DecodeError);
    EXPECT_THROW(from_msgpack(bytes({0xc6, 0xff, 0xff, 0xff, 0xff})), DecodeError);
    EXPECT_THROW(from_msgpack(bytes({0xc9, 0xff, 0xff, 0xff, 0xff, 0x01})), DecodeError);
    // Quick means no gigabyte allocation happened on the way (generous bound
    // for a debug build on a loaded machine).
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(BusCodec, RandomBytesOnlyEverRaiseDecodeError) {
    constexpr int kCases = 5000;
    constexpr std::size_t kMaxLen = 64;
    std::mt19937 rng(12345);  // fixed seed: a failure is reproducible
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<std::size_t> len(0, kMaxLen);
    // Bias toward container and length headers, where the bugs would be.
    const unsigned char interesting[] = {0x80, 0x81, 0x8f, 0x90, 0x91, 0x9f, 0xdc, 0xdd,
                                         0xde, 0xdf, 0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6,
                                         0xc7, 0xc8, 0xc9, 0xd4, 0xd8, 0xff, 0xa0, 0xbf};
    std::uniform_int_distribution<std::size_t> pick(0, sizeof(interesting) - 1);
    int decoded = 0;
    for (int i = 0; i < kCases; ++i) {
        std::string input(len(rng), '\0');
        for (auto& c : input)
            c = static_cast<char>(byte(rng) < 96 ? interesting[pick(rng)] : byte(rng));
        try {
            const json j = from_msgpack(input);
            ++decoded;
            // Whatever decodes must encode and decode again to the same
            // value (compared as bytes: NaN != NaN as JSON).
            const std::string packed = to_msgpack(j);
            EXPECT_EQ(to_msgpack(from_msgpack(packed)), packed) << "case " << i;
        } catch (const DecodeError&) {
            // the only acceptable failure
        } catch (const std::exception& e) {
            ADD_FAILURE() << "case " << i << " threw a non-DecodeError: " << e.what();
        }
    }
    EXPECT_GT(decoded, 0);  // the generator does reach valid values
}

}  // namespace
}  // namespace wsc::bus
