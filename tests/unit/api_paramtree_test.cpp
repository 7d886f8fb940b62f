// PHP-style parameter parsing: query strings, form and JSON bodies, merging.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "api/ParamTree.hpp"

namespace wsc {
namespace {

using nlohmann::json;

// The message of the ParamError `f` throws, or "" (and a failure) if none.
template <typename F>
std::string param_error(F f) {
    try {
        f();
    } catch (const ParamError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected a ParamError";
    return "";
}

// ---- url_decode -----------------------------------------------------------

TEST(ParamTree, UrlDecodePlusAndPercent) {
    EXPECT_EQ(url_decode("Hello+World"), "Hello World");
    EXPECT_EQ(url_decode("Hello+World", false), "Hello+World");
    EXPECT_EQ(url_decode("Hello%20World"), "Hello World");
    EXPECT_EQ(url_decode("a%26b%3Dc"), "a&b=c");
    EXPECT_EQ(url_decode("%2b%2B"), "++");
    EXPECT_EQ(url_decode("%E4%BD%A0%e5%a5%bd"), "\xE4\xBD\xA0\xE5\xA5\xBD");
    EXPECT_EQ(url_decode(""), "");
}

TEST(ParamTree, UrlDecodeKeepsMalformedPercentLiterally) {
    EXPECT_EQ(url_decode("%"), "%");
    EXPECT_EQ(url_decode("100%"), "100%");
    EXPECT_EQ(url_decode("%2"), "%2");
    EXPECT_EQ(url_decode("%zz"), "%zz");
    EXPECT_EQ(url_decode("%g1x"), "%g1x");
    EXPECT_EQ(url_decode("%%41"), "%A");
    EXPECT_EQ(url_decode("a%2"), "a%2");
}

TEST(ParamTree, UrlDecodeNulByte) {
    std::string out = url_decode("a%00b");
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[1], '\0');
}

// ---- add_param ------------------------------------------------------------

TEST(ParamTree, AddPlainAndBracketKeys) {
    json root;
    add_param(root, "a", "v");
    add_param(root, "b[c]", "w");
    add_param(root, "d[e][f]", "x");
    EXPECT_EQ(root, json::parse(R"({"a":"v","b":{"c":"w"},"d":{"e":{"f":"x"}}})"));
}

TEST(ParamTree, AddAppendsToArrays) {
    json root;
    add_param(root, "a[]", "1");
    add_param(root, "a[]", "2");
    add_param(root, "b[c][]", "x");
    add_param(root, "b[c][]", "y");
    EXPECT_EQ(root, json::parse(R"({"a":["1","2"],"b":{"c":["x","y"]}})"));
}

TEST(ParamTree, AddAppendOfObjectsAndIndexes) {
    json root;
    add_param(root, "a[][x]", "1");
    add_param(root, "a[][x]", "2");
    EXPECT_EQ(root, json::parse(R"({"a":[{"x":"1"},{"x":"2"}]})"));

    // PHP: a[0]=x gives an object; a following a[] takes the next index.
    json php;
    add_param(php, "a[0]", "x");
    add_param(php, "a[5]", "y");
    add_param(php, "a[]", "z");
    EXPECT_EQ(php, json::parse(R"({"a":{"0":"x","5":"y","6":"z"}})"));

    // Leading-zero and non-digit keys are names, not indexes.
    json names;
    add_param(names, "a[07]", "x");
    add_param(names, "a[k]", "y");
    add_param(names, "a[]", "z");
    EXPECT_EQ(names, json::parse(R"({"a":{"07":"x","k":"y","0":"z"}})"));
}

TEST(ParamTree, AddNamedKeyUnderArrayKeepsBoth) {
    json root;
    add_param(root, "a[]", "x");
    add_param(root, "a[b]", "y");
    EXPECT_EQ(root, json::parse(R"({"a":{"0":"x","b":"y"}})"));
}

TEST(ParamTree, AddConflictsLaterWins) {
    json root;
    add_param(root, "a", "1");
    add_param(root, "a[b]", "2");
    EXPECT_EQ(root, json::parse(R"({"a":{"b":"2"}})"));
    add_param(root, "a", "3");
    EXPECT_EQ(root, json::parse(R"({"a":"3"})"));
    add_param(root, "a[]", "4");
    EXPECT_EQ(root, json::parse(R"({"a":["4"]})"));
    add_param(root, "a[x][y]", "5");
    add_param(root, "a[x]", "6");
    EXPECT_EQ(root, json::parse(R"({"a":{"0":"4","x":"6"}})"));
}

TEST(ParamTree, AddMakesANonObjectRootAnObject) {
    json root = json::array({1, 2});
    add_param(root, "a", "v");
    EXPECT_EQ(root, json::parse(R"({"a":"v"})"));
}

TEST(ParamTree, AddRejectsMalformedKeys) {
    json root;
    EXPECT_EQ(param_error([&] { add_param(root, "", "v"); }), "empty parameter name");
    EXPECT_EQ(param_error([&] { add_param(root, "[x]", "v"); }), "malformed parameter name '[x]'");
    EXPECT_EQ(param_error([&] { add_param(root, "a[b", "v"); }), "malformed parameter name 'a[b'");
    EXPECT_EQ(param_error([&] { add_param(root, "a[b]c", "v"); }),
              "malformed parameter name 'a[b]c'");
    EXPECT_EQ(param_error([&] { add_param(root, "a[b[c]]", "v"); }),
              "malformed parameter name 'a[b[c]]'");
    EXPECT_EQ(param_error([&] { add_param(root, "a[b]]", "v"); }),
              "malformed parameter name 'a[b]]'");
    EXPECT_EQ(param_error([&] { add_param(root, "a[", "v"); }), "malformed parameter name 'a['");
    EXPECT_EQ(param_error([&] { add_param(root, "[]", "v"); }), "malformed parameter name '[]'");
    EXPECT_TRUE(root.is_null() || root.empty()) << root.dump();
}

TEST(ParamTree, AddKeyLengthLimit) {
    json root;
    std::string at_limit(256, 'k');
    EXPECT_NO_THROW(add_param(root, at_limit, "v"));
    EXPECT_EQ(root[at_limit], "v");
    EXPECT_EQ(param_error([&] { add_param(root, std::string(257, 'k'), "v"); }),
              "parameter name longer than 256 bytes");
    ParamLimits small;
    small.max_key_length = 3;
    EXPECT_NO_THROW(add_param(root, "abc", "v", small));
    EXPECT_EQ(param_error([&] { add_param(root, "a[b]", "v", small); }),
              "parameter name longer than 3 bytes");
}

TEST(ParamTree, AddDepthLimit) {
    json root;
    EXPECT_NO_THROW(add_param(root, "a[1][2][3][4][5][6][7][8]", "v"));
    EXPECT_EQ(root["a"]["1"]["2"]["3"]["4"]["5"]["6"]["7"]["8"], "v");
    EXPECT_EQ(param_error([&] { add_param(root, "a[1][2][3][4][5][6][7][8][9]", "v"); }),
              "parameter 'a[1][2][3][4][5][6][7][8][9]' nests deeper than 8 levels");
    EXPECT_EQ(param_error([&] { add_param(root, "a[][][][][][][][][]", "v"); }),
              "parameter 'a[][][][][][][][][]' nests deeper than 8 levels");
    ParamLimits flat;
    flat.max_depth = 0;
    EXPECT_NO_THROW(add_param(root, "plain", "v", flat));
    EXPECT_THROW(add_param(root, "a[b]", "v", flat), ParamError);
}

// ---- parse_query_string ---------------------------------------------------

TEST(ParamTree, QuerySpecExamples) {
    json q = parse_query_string("event=bindId&token=t&bindId[id]=u1&bindId[_id]=c1");
    EXPECT_EQ(q, json::parse(R"({"event":"bindId","token":"t","bindId":{"id":"u1","_id":"c1"}})"));

    q = parse_query_string(
        "event=sendToGroup&sendToGroup[groupId]=room1&sendToGroup[msg]=Hello%20Group"
        "&sendToGroup[exclude_Ids][]=c2&sendToGroup[exclude_Ids][]=c3");
    EXPECT_EQ(q["sendToGroup"],
              json::parse(R"({"groupId":"room1","msg":"Hello Group","exclude_Ids":["c2","c3"]})"));
}

TEST(ParamTree, QuerySeedExamples) {
    json q = parse_query_string(
        "event=sendMessageToId&token=your_token&sendMessageToId[id]=user123"
        "&sendMessageToId[msg]=Hello%20World");
    EXPECT_EQ(q["sendMessageToId"]["msg"], "Hello World");
    q = parse_query_string("event=getConnectionCount,getIds&token=your_token");
    EXPECT_EQ(q["event"], "getConnectionCount,getIds");
}

TEST(ParamTree, QueryDecodesKeysAndValues) {
    json q = parse_query_string("msg=a%26b%3Dc&sp=a+b&eq=x=y&bindId%5Bid%5D=u%2B1");
    EXPECT_EQ(q["msg"], "a&b=c");
    EXPECT_EQ(q["sp"], "a b");
    EXPECT_EQ(q["eq"], "x=y");
    EXPECT_EQ(q["bindId"]["id"], "u+1");
}

TEST(ParamTree, QueryEmptyPiecesAndBareKeys) {
    EXPECT_EQ(parse_query_string(""), json::object());
    EXPECT_EQ(parse_query_string("&&&"), json::object());
    EXPECT_EQ(parse_query_string("?a=1"), json::parse(R"({"a":"1"})"));
    EXPECT_EQ(parse_query_string("&a=1&&b=&c&"), json::parse(R"({"a":"1","b":"","c":""})"));
    EXPECT_EQ(parse_query_string("a=1&a=2"), json::parse(R"({"a":"2"})"));
}

TEST(ParamTree, QueryMalformedKeysThrow) {
    EXPECT_EQ(param_error([] { parse_query_string("=v"); }), "empty parameter name");
    EXPECT_EQ(param_error([] { parse_query_string("a=1&b[c=2"); }),
              "malformed parameter name 'b[c'");
    EXPECT_EQ(param_error([] { parse_query_string("%5Bx%5D=1"); }),
              "malformed parameter name '[x]'");
}

TEST(ParamTree, QueryParamCountLimit) {
    std::string at_limit;
    for (int i = 0; i < 1000; ++i) at_limit += "k" + std::to_string(i) + "=v&&";
    EXPECT_EQ(parse_query_string(at_limit).size(), 1000u);
    EXPECT_EQ(param_error([&] { parse_query_string(at_limit + "one=more"); }),
              "too many parameters (more than 1000)");

    // Appends count too, so one array cannot grow without bound.
    std::string appends;
    for (int i = 0; i < 1001; ++i) appends += "a[]=v&";
    EXPECT_THROW(parse_query_string(appends), ParamError);

    ParamLimits two;
    two.max_params = 2;
    EXPECT_NO_THROW(parse_query_string("a=1&b=2", two));
    EXPECT_THROW(parse_query_string("a=1&b=2&c=3", two), ParamError);
}

// ---- parse_body -----------------------------------------------------------

TEST(ParamTree, BodyJsonByContentType) {
    json b = parse_body("application/json", R"({"bindId":{"id":"u1","_id":123}})");
    EXPECT_EQ(b, json::parse(R"({"bindId":{"id":"u1","_id":123}})"));
    EXPECT_EQ(parse_body("Application/JSON; charset=utf-8", R"({"a":1})"),
              json::parse(R"({"a":1})"));
    EXPECT_EQ(parse_body("application/vnd.api+json", "{}"), json::object());
}

TEST(ParamTree, BodyJsonBySniffing) {
    EXPECT_EQ(parse_body("", "  \n{\"a\":[1,2]}"), json::parse(R"({"a":[1,2]})"));
    EXPECT_EQ(parse_body("application/x-www-form-urlencoded", R"({"a":"b"})"),
              json::parse(R"({"a":"b"})"));
    EXPECT_EQ(parse_body("text/plain", "\t{\"a\":true}"), json::parse(R"({"a":true})"));
}

TEST(ParamTree, BodyFormUrlencoded) {
    json b =
        parse_body("application/x-www-form-urlencoded",
                   "event=broadcast&broadcast%5Bmsg%5D=Hello+Everyone&broadcast[exclude_Ids][]=c1");
    EXPECT_EQ(
        b,
        json::parse(
            R"({"event":"broadcast","broadcast":{"msg":"Hello Everyone","exclude_Ids":["c1"]}})"));
    EXPECT_EQ(parse_body("", "a=1&b=2\r\n"), json::parse(R"({"a":"1","b":"2"})"));
    EXPECT_EQ(param_error([] { parse_body("", "a[=1"); }), "malformed parameter name 'a['");
}

TEST(ParamTree, BodyEmpty) {
    EXPECT_EQ(parse_body("", ""), json::object());
    EXPECT_EQ(parse_body("application/json", ""), json::object());
    EXPECT_EQ(parse_body("application/json", " \r\n\t "), json::object());
    EXPECT_EQ(parse_body("application/x-www-form-urlencoded", "\n"), json::object());
}

TEST(ParamTree, BodyMalformedJson) {
    std::string truncated = param_error([] { parse_body("application/json", R"({"a":{"b":)"); });
    EXPECT_EQ(truncated.rfind("malformed JSON body: ", 0), 0u) << truncated;
    EXPECT_NE(truncated.find("parse error"), std::string::npos) << truncated;
    EXPECT_EQ(truncated.find("[json.exception"), std::string::npos) << truncated;

    EXPECT_EQ(param_error([] { parse_body("", R"({"a":1,})"); }).rfind("malformed JSON body: ", 0),
              0u);
    EXPECT_EQ(param_error([] {
                  parse_body("", R"({"a":1} trailing)");
              }).rfind("malformed JSON body: ", 0),
              0u);
    EXPECT_EQ(param_error([] {
                  parse_body("application/json", "{'a':1}");
              }).rfind("malformed JSON body: ", 0),
              0u);
    // Out-of-range numbers are nlohmann out_of_range errors, not parse errors.
    EXPECT_EQ(param_error([] {
                  parse_body("application/json", R"({"a":1e400})");
              }).rfind("malformed JSON body: ", 0),
              0u);
    // Invalid UTF-8 inside a JSON string.
    EXPECT_EQ(param_error([] {
                  parse_body("application/json", "{\"a\":\"\xff\"}");
              }).rfind("malformed JSON body: ", 0),
              0u);
}

TEST(ParamTree, BodyJsonMustBeAnObject) {
    EXPECT_EQ(param_error([] { parse_body("application/json", "[1,2]"); }),
              "JSON body must be an object");
    EXPECT_EQ(param_error([] { parse_body("application/json", "\"str\""); }),
              "JSON body must be an object");
    EXPECT_EQ(param_error([] { parse_body("application/json", "42"); }),
              "JSON body must be an object");
    EXPECT_EQ(param_error([] { parse_body("application/json", "null"); }),
              "JSON body must be an object");
}

TEST(ParamTree, BodyDeepNestingIsAnErrorNotACrash) {
    std::string arrays(100000, '[');
    EXPECT_EQ(param_error([&] { parse_body("application/json", arrays); }),
              "malformed JSON body: nested deeper than 32 levels");
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
    EXPECT_EQ(param_error([&] { parse_body("", objects); }),
              "malformed JSON body: nested deeper than 32 levels");
    std::string balanced = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_THROW(parse_body("application/json", balanced), ParamError);
}

TEST(ParamTree, BodyNestingWithinLimitIsFine) {
    // 32 levels: the outer object plus 31 nested arrays.
    std::string body = "{\"a\":" + std::string(31, '[') + std::string(31, ']') + "}";
    EXPECT_NO_THROW(parse_body("application/json", body));
    std::string too_deep = "{\"a\":" + std::string(32, '[') + std::string(32, ']') + "}";
    EXPECT_THROW(parse_body("application/json", too_deep), ParamError);
    // Brackets inside strings (escaped quotes included) do not count.
    std::string in_string = "{\"msg\":\"\\\"" + std::string(1000, '[') + "\"}";
    json b = parse_body("application/json", in_string);
    EXPECT_EQ(b["msg"].get<std::string>().size(), 1001u);
}

TEST(ParamTree, BodyMultipartIsRefused) {
    std::string msg = param_error(
        [] { parse_body("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: a\r\n"); });
    EXPECT_NE(msg.find("unsupported body content type"), std::string::npos) << msg;
}

// ---- merge_params ---------------------------------------------------------

TEST(ParamTree, MergeBodyWins) {
    json base = parse_query_string("event=getIds&token=q&bindId[id]=u1&bindId[_id]=c1&x[]=1");
    json overlay = json::parse(R"({"event":"bindId","bindId":{"_id":"c9","extra":1},"x":{"k":2}})");
    merge_params(base, overlay);
    EXPECT_EQ(base, json::parse(R"({"event":"bindId","token":"q",
        "bindId":{"id":"u1","_id":"c9","extra":1},"x":{"k":2}})"));
}

TEST(ParamTree, MergeReplacesAcrossTypes) {
    json base = json::parse(R"({"a":{"b":1},"c":"s","d":[1]})");
    merge_params(base, json::parse(R"({"a":"flat","c":{"deep":true},"d":[2,3]})"));
    EXPECT_EQ(base, json::parse(R"({"a":"flat","c":{"deep":true},"d":[2,3]})"));

    json empty = json::object();
    merge_params(empty, json::parse(R"({"a":{"b":{"c":1}}})"));
    EXPECT_EQ(empty, json::parse(R"({"a":{"b":{"c":1}}})"));

    json unchanged = json::parse(R"({"a":1})");
    merge_params(unchanged, json::object());
    EXPECT_EQ(unchanged, json::parse(R"({"a":1})"));

    json not_object;
    merge_params(not_object, json::parse(R"({"a":1})"));
    EXPECT_EQ(not_object, json::parse(R"({"a":1})"));
}

// ---- malformed input --------------------------------------------------------

// Random bytes, biased towards the characters the parsers care about.
std::string random_input(std::mt19937& rng) {
    static const std::string kInteresting = "[]%&=+{}\":,\\ab0 \n\xff\xc3";
    std::uniform_int_distribution<int> length(0, 120);
    std::uniform_int_distribution<int> coin(0, 2);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<size_t> pick(0, kInteresting.size() - 1);
    std::string s;
    int n = length(rng);
    for (int i = 0; i < n; ++i)
        s.push_back(coin(rng) == 0 ? static_cast<char>(byte(rng)) : kInteresting[pick(rng)]);
    return s;
}

template <typename F>
void expect_only_param_errors(F f, const std::string& input) {
    try {
        json result = f();
        EXPECT_TRUE(result.is_object());
        // What was parsed must print, whatever bytes it holds.
        EXPECT_NO_THROW(result.dump(-1, ' ', false, json::error_handler_t::replace));
    } catch (const ParamError&) {
    } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected " << e.what() << " for input of size " << input.size();
    }
}

TEST(ParamTree, MalformedInputNeverCrashes) {
    std::mt19937 rng(20240607);
    for (int i = 0; i < 4000; ++i) {
        std::string input = random_input(rng);
        expect_only_param_errors([&] { return parse_query_string(input); }, input);
        expect_only_param_errors([&] { return parse_body("", input); }, input);
        expect_only_param_errors([&] { return parse_body("application/json", input); }, input);
        expect_only_param_errors([&] { return parse_body("application/json", "{" + input); },
                                 input);
        expect_only_param_errors(
            [&] { return parse_body("application/x-www-form-urlencoded", input); }, input);
    }
}

}  // namespace
}  // namespace wsc

TEST(ParamTree, JsonBodyObjectMessageKeepsTheCallersKeyOrder) {
    const auto p =
        wsc::parse_body("application/json",
                        R"({"sendMessageToId":{"id":"u","msg":{"z":1,"a":[1,{"y":2,"b":3}]}}})");
    EXPECT_EQ(p["sendMessageToId"]["msg"], R"({"z":1,"a":[1,{"y":2,"b":3}]})");
    EXPECT_EQ(p["sendMessageToId"]["id"], "u");
}
