// Validation and normalisation of HTTP API calls.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "api/ApiRequest.hpp"
#include "api/ParamTree.hpp"

namespace wsc {
namespace {

using nlohmann::json;

const std::vector<std::string> kNoTokens;

// The call built from `merged`; fails the test if it was refused.
ApiCall accepted(const json& merged, const std::vector<std::string>& tokens = kNoTokens,
                 const ApiLimits& limits = {}) {
    auto result = build_api_call(merged, tokens, limits);
    if (auto* error = std::get_if<ApiError>(&result)) {
        ADD_FAILURE() << "refused: " << error->msg << " for " << merged.dump();
        return {};
    }
    return std::get<ApiCall>(result);
}

// The message the call is refused with; fails the test if it was accepted.
std::string refused(const json& merged, const std::vector<std::string>& tokens = kNoTokens,
                    const ApiLimits& limits = {}) {
    auto result = build_api_call(merged, tokens, limits);
    if (auto* error = std::get_if<ApiError>(&result)) {
        EXPECT_EQ(error->code, 1);
        return error->msg;
    }
    ADD_FAILURE() << "accepted: " << merged.dump();
    return "";
}

json query(std::string_view raw) {
    return parse_query_string(raw);
}

// ---- whole calls ----------------------------------------------------------

TEST(ApiRequest, SpecQueryExample) {
    ApiCall call = accepted(query("event=bindId&bindId[id]=u1&bindId[_id]=c1"));
    EXPECT_EQ(call.events, std::vector<std::string>{"bindId"});
    EXPECT_EQ(call.params, json::parse(R"({"bindId":{"id":"u1","_id":"c1"}})"));
    EXPECT_EQ(call.timeout_ms, 3000);
}

TEST(ApiRequest, QueryMergedWithJsonBody) {
    json merged = query("event=sendToGroup&token=t1&sendToGroup[exclude_Ids][]=c2");
    merge_params(merged, parse_body("application/json",
                                    R"({"sendToGroup":{"groupId":"room1","msg":{"hi":1}}})"));
    ApiCall call = accepted(merged, {"t1"});
    EXPECT_EQ(call.params["sendToGroup"],
              json::parse(R"({"groupId":"room1","msg":"{\"hi\":1}","exclude_Ids":["c2"]})"));
}

TEST(ApiRequest, BatchKeepsOrderTrimsAndDropsDuplicates) {
    ApiCall call = accepted(query("event=+getIds+,getConnectionCount,,getIds,+get_Ids"));
    EXPECT_EQ(call.events, (std::vector<std::string>{"getIds", "getConnectionCount", "get_Ids"}));
    EXPECT_EQ(call.params, json::parse(R"({"getIds":{},"getConnectionCount":{},"get_Ids":{}})"));
}

TEST(ApiRequest, SeedBatchExample) {
    json merged = query("event=getConnectionCount,getIds&token=your_token");
    merge_params(merged, json::parse(R"({"getConnectionCount":{},"getIds":{}})"));
    ApiCall call = accepted(merged, {"your_token"});
    EXPECT_EQ(call.events.size(), 2u);
}

TEST(ApiRequest, EveryPublicEventAcceptsItsParameters) {
    for (const auto& spec : all_events()) {
        if (spec.scope == EventScope::Internal) continue;
        json given = json::object();
        for (const auto& p : spec.params) {
            std::string name(p.name);
            switch (p.type) {
                case ParamType::Text:
                    given[name] = "x1";
                    break;
                case ParamType::TextList:
                    given[name] = "a,b";
                    break;
                case ParamType::Message:
                    given[name] = "hello";
                    break;
            }
        }
        json merged = {{"event", std::string(spec.name)}, {std::string(spec.name), given}};
        ApiCall call = accepted(merged);
        json expected = json::object();
        for (const auto& p : spec.params) {
            std::string name(p.name);
            expected[name] = p.type == ParamType::TextList ? json::array({"a", "b"}) : given[name];
        }
        EXPECT_EQ(call.params[std::string(spec.name)], expected) << spec.name;
    }
}

// ---- token ------------------------------------------------------------------

TEST(ApiRequest, NoTokensConfiguredMeansNoCheck) {
    EXPECT_EQ(accepted(query("event=getIds")).events.size(), 1u);
    EXPECT_EQ(accepted(query("event=getIds&token=anything")).events.size(), 1u);
}

TEST(ApiRequest, TokenChecks) {
    std::vector<std::string> tokens = {"alpha", "beta"};
    EXPECT_EQ(refused(query("event=getIds"), tokens), "token error");
    EXPECT_EQ(refused(query("event=getIds&token="), tokens), "token error");
    EXPECT_EQ(refused(query("event=getIds&token=gamma"), tokens), "token error");
    EXPECT_EQ(refused(query("event=getIds&token=alph"), tokens), "token error");
    EXPECT_EQ(refused(query("event=getIds&token=alphaa"), tokens), "token error");
    EXPECT_EQ(refused(query("event=getIds&token[]=alpha"), tokens), "token error");
    EXPECT_EQ(refused(json{{"event", "getIds"}, {"token", true}}, tokens), "token error");
    accepted(query("event=getIds&token=alpha"), tokens);
    accepted(query("event=getIds&token=beta"), tokens);
}

TEST(ApiRequest, OnlyTheTokenRefusalIsMarkedAsSuch) {
    const std::vector<std::string> tokens = {"alpha"};
    auto bad_token = build_api_call(query("event=getIds"), tokens);
    ASSERT_TRUE(std::holds_alternative<ApiError>(bad_token));
    EXPECT_TRUE(std::get<ApiError>(bad_token).token);
    auto bad_event = build_api_call(query("event=nope&token=alpha"), tokens);
    ASSERT_TRUE(std::holds_alternative<ApiError>(bad_event));
    EXPECT_FALSE(std::get<ApiError>(bad_event).token);
}

TEST(ApiRequest, NamedEventsKeepsOnlyKnownPublicEventsOnce) {
    EXPECT_EQ(named_events(query("event=getIds, nope,broadcast,getIds,sendToGroups")),
              (std::vector<std::string>{"getIds", "broadcast"}));
    EXPECT_TRUE(named_events(query("token=x")).empty());
    EXPECT_TRUE(named_events(json{{"event", 7}}).empty());
    EXPECT_TRUE(named_events(json("not an object")).empty());
}

TEST(ApiRequest, NumberToken) {
    std::vector<std::string> tokens = {"123"};
    accepted(json{{"event", "getIds"}, {"token", 123}}, tokens);
    accepted(json{{"event", "getIds"}, {"token", "123"}}, tokens);
    EXPECT_EQ(refused(json{{"event", "getIds"}, {"token", 124}}, tokens), "token error");
}

TEST(ApiRequest, TokenIsCheckedBeforeEvent) {
    EXPECT_EQ(refused(query("event=nope"), {"t"}), "token error");
    EXPECT_EQ(refused(json::object(), {"t"}), "token error");
}

// ---- event ------------------------------------------------------------------

TEST(ApiRequest, EventErrors) {
    EXPECT_EQ(refused(json::object()), "event error");
    EXPECT_EQ(refused(json()), "event error");
    EXPECT_EQ(refused(json::array()), "event error");
    EXPECT_EQ(refused(query("event=")), "event error");
    EXPECT_EQ(refused(query("event=,+,%20,")), "event error");
    EXPECT_EQ(refused(query("event[]=getIds")), "event error");
    EXPECT_EQ(refused(json{{"event", 5}}), "event error");
    EXPECT_EQ(refused(json{{"event", nullptr}}), "event error");
}

TEST(ApiRequest, TooManyEvents) {
    std::string names;
    for (int i = 0; i < 65; ++i) names += "e" + std::to_string(i) + ",";
    EXPECT_EQ(refused(json{{"event", names}}), "event error: too many events (65 > 64)");

    ApiLimits two;
    two.max_batch = 2;
    EXPECT_EQ(refused(query("event=getIds,get_Ids,getGroupIds"), kNoTokens, two),
              "event error: too many events (3 > 2)");
    // Duplicates are dropped before counting.
    EXPECT_EQ(accepted(query("event=getIds,getIds,get_Ids,getIds"), kNoTokens, two).events.size(),
              2u);
}

TEST(ApiRequest, UnknownEvents) {
    EXPECT_EQ(refused(query("event=foo")), "unknown event 'foo'");
    EXPECT_EQ(refused(query("event=getIds,foo")), "unknown event 'foo'");
    EXPECT_EQ(refused(query("event=getids")), "unknown event 'getids'");
    // Bus-only helpers are not part of the API.
    EXPECT_EQ(refused(json{{"event", std::string(kSendToGroupsEvent)},
                           {std::string(kSendToGroupsEvent), {{"groupIds", "g"}, {"msg", "m"}}}}),
              "unknown event 'sendToGroups'");
    // A huge name is cut in the message.
    std::string long_name(1000, 'x');
    EXPECT_EQ(refused(json{{"event", long_name}}),
              "unknown event '" + std::string(64, 'x') + "...'");
}

TEST(ApiRequest, NothingOfABatchRunsWhenOneEventIsInvalid) {
    EXPECT_EQ(refused(query("event=getIds,bindId&bindId[id]=u1")),
              "bindId: missing parameter '_id'");
}

// ---- parameters ---------------------------------------------------------------

TEST(ApiRequest, MissingParameters) {
    EXPECT_EQ(refused(query("event=bindId")), "bindId: missing parameter 'id'");
    EXPECT_EQ(refused(query("event=bindId&bindId[id]=u1")), "bindId: missing parameter '_id'");
    EXPECT_EQ(refused(query("event=bindId&bindId[id]=u1&bindId[_id]=")),
              "bindId: missing parameter '_id'");
    EXPECT_EQ(refused(json::parse(R"({"event":"broadcast","broadcast":{"msg":null}})")),
              "broadcast: missing parameter 'msg'");
    EXPECT_EQ(refused(json::parse(R"({"event":"broadcast","broadcast":{"msg":""}})")),
              "broadcast: missing parameter 'msg'");
    EXPECT_EQ(refused(query("event=joinGroupById&joinGroupById[id]=u&joinGroupById[groupId]=,+,")),
              "joinGroupById: missing parameter 'groupId'");
    EXPECT_EQ(refused(json::parse(
                  R"({"event":"joinGroupById","joinGroupById":{"id":"u","groupId":[]}})")),
              "joinGroupById: missing parameter 'groupId'");
}

TEST(ApiRequest, ParametersMustBeAnObject) {
    EXPECT_EQ(refused(query("event=bindId&bindId=u1")), "bindId: parameters must be an object");
    EXPECT_EQ(refused(json::parse(R"({"event":"bindId","bindId":5})")),
              "bindId: parameters must be an object");
    EXPECT_EQ(refused(json::parse(R"({"event":"bindId","bindId":["u1","c1"]})")),
              "bindId: parameters must be an object");
    // Empty values mean "no parameters", which is fine for events without any.
    accepted(query("event=getIds&getIds="));
    accepted(json::parse(R"({"event":"getIds","getIds":[]})"));
    accepted(json::parse(R"({"event":"getIds","getIds":null})"));
}

TEST(ApiRequest, TextTypeErrors) {
    for (const char* bad : {"true", "null", "{}", "[\"u1\"]"}) {
        json merged = json::parse(std::string(R"({"event":"bindId","bindId":{"_id":"c1","id":)") +
                                  bad + "}}");
        EXPECT_EQ(refused(merged), "bindId: parameter 'id' must be a string or number") << bad;
    }
}

TEST(ApiRequest, NumbersBecomeDecimalText) {
    ApiCall call = accepted(json::parse(R"({"event":"bindId","bindId":{"id":123,"_id":-5}})"));
    EXPECT_EQ(call.params["bindId"], json::parse(R"({"id":"123","_id":"-5"})"));
    call = accepted(json::parse(R"({"event":"bindId","bindId":{"id":123.0,"_id":1.5}})"));
    EXPECT_EQ(call.params["bindId"], json::parse(R"({"id":"123","_id":"1.5"})"));
    call = accepted(
        json::parse(R"({"event":"bindId","bindId":{"id":18446744073709551615,"_id":1e300}})"));
    EXPECT_EQ(call.params["bindId"]["id"], "18446744073709551615");
    EXPECT_EQ(call.params["bindId"]["_id"], "1e+300");
}

TEST(ApiRequest, UnknownParametersAreIgnored) {
    ApiCall call = accepted(query("event=isOnlineId&isOnlineId[id]=u&isOnlineId[other]=z"));
    EXPECT_EQ(call.params["isOnlineId"], json::parse(R"({"id":"u"})"));
}

TEST(ApiRequest, TextListForms) {
    auto groups = [](const json& groupId) {
        json merged = {{"event", "joinGroupById"},
                       {"joinGroupById", {{"id", "u"}, {"groupId", groupId}}}};
        return accepted(merged).params["joinGroupById"]["groupId"];
    };
    EXPECT_EQ(groups("g1"), json::array({"g1"}));
    EXPECT_EQ(groups(" g1 , g2,,g3 ,"), json::array({"g1", "g2", "g3"}));
    EXPECT_EQ(groups(json::array({"a", 1, "", 2.5})), json::array({"a", "1", "2.5"}));
    EXPECT_EQ(groups(7), json::array({"7"}));
    // PHP's a[0]=x&a[1]=y arrives as an object; values come in index order.
    EXPECT_EQ(groups(json::parse(R"({"0":"x","1":"y","10":"z","2":"w","k":"n"})")),
              json::array({"x", "y", "w", "z", "n"}));
    ApiCall call =
        accepted(query("event=joinGroupById&joinGroupById[id]=u&joinGroupById[groupId][0]=a&"
                       "joinGroupById[groupId][1]=b"));
    EXPECT_EQ(call.params["joinGroupById"]["groupId"], json::array({"a", "b"}));
}

TEST(ApiRequest, TextListTypeErrors) {
    const std::string expected =
        "joinGroupById: parameter 'groupId' must be a string, a number or a list of them";
    for (const char* bad : {"true", "[true]", "[[\"a\"]]", "[{\"a\":1}]", "[null]", "{\"0\":{}}"}) {
        json merged = json::parse(
            std::string(R"({"event":"joinGroupById","joinGroupById":{"id":"u","groupId":)") + bad +
            "}}");
        EXPECT_EQ(refused(merged), expected) << bad;
    }
}

TEST(ApiRequest, OptionalListParameters) {
    ApiCall call =
        accepted(query("event=sendToGroup&sendToGroup[groupId]=room1&sendToGroup[msg]=hi"
                       "&sendToGroup[exclude_Ids][]=c2"));
    EXPECT_EQ(call.params["sendToGroup"],
              json::parse(R"({"groupId":"room1","msg":"hi","exclude_Ids":["c2"]})"));

    call = accepted(query("event=broadcast&broadcast[msg]=hi&broadcast[exclude_Ids]="));
    EXPECT_EQ(call.params["broadcast"], json::parse(R"({"msg":"hi"})"));
    call = accepted(query("event=broadcast&broadcast[msg]=hi&broadcast[exclude_Ids]=c1,c2"));
    EXPECT_EQ(call.params["broadcast"]["exclude_Ids"], json::array({"c1", "c2"}));
    call = accepted(query("event=broadcast&broadcast[msg]=hi"));
    EXPECT_FALSE(call.params["broadcast"].contains("exclude_Ids"));
}

TEST(ApiRequest, MessageForms) {
    auto message = [](const json& msg) {
        json merged = {{"event", "broadcast"}, {"broadcast", {{"msg", msg}}}};
        return accepted(merged).params["broadcast"]["msg"];
    };
    EXPECT_EQ(message("Hello World"), "Hello World");
    EXPECT_EQ(message(" spaces kept "), " spaces kept ");
    EXPECT_EQ(message(42), "42");
    EXPECT_EQ(message(-0.25), "-0.25");
    EXPECT_EQ(message(true), "true");
    EXPECT_EQ(message(false), "false");
    EXPECT_EQ(message(json::parse(R"({"type":"chat","n":[1,2],"o":{}})")),
              R"({"n":[1,2],"o":{},"type":"chat"})");
    EXPECT_EQ(message(json::array({1, "a"})), R"([1,"a"])");
    EXPECT_EQ(message(json::array()), "[]");
    // A PHP-style bracket msg (an object of strings) also becomes JSON text.
    ApiCall call = accepted(query("event=broadcast&broadcast[msg][a]=1"));
    EXPECT_EQ(call.params["broadcast"]["msg"], R"({"a":"1"})");
}

TEST(ApiRequest, MessageWithInvalidUtf8DoesNotThrow) {
    json msg = {{"k", std::string("\xff\xfe")}};
    json merged = {{"event", "broadcast"}, {"broadcast", {{"msg", msg}}}};
    ApiCall call;
    ASSERT_NO_THROW(call = accepted(merged));
    EXPECT_EQ(call.params["broadcast"]["msg"], "{\"k\":\"\xEF\xBF\xBD\xEF\xBF\xBD\"}");
}

TEST(ApiRequest, NormaliseEventParamsDirectly) {
    const EventSpec* spec = find_event("sendMessageToId");
    ASSERT_NE(spec, nullptr);
    json out;
    EXPECT_EQ(normalise_event_params(*spec, json::parse(R"({"id":9,"msg":{"a":1}})"), out),
              std::nullopt);
    EXPECT_EQ(out, json::parse(R"({"id":"9","msg":"{\"a\":1}"})"));
    EXPECT_EQ(normalise_event_params(*spec, json::parse(R"({"id":"u"})"), out),
              "sendMessageToId: missing parameter 'msg'");
    EXPECT_EQ(normalise_event_params(*spec, json("text"), out),
              "sendMessageToId: parameters must be an object");

    const EventSpec* count = find_event("getConnectionCount");
    ASSERT_NE(count, nullptr);
    out = json("stale");
    EXPECT_EQ(normalise_event_params(*count, json(), out), std::nullopt);
    EXPECT_EQ(out, json::object());
}

// ---- timeout --------------------------------------------------------------------

int timeout_of(const json& timeout, const ApiLimits& limits = {}) {
    json merged = {{"event", "getIds"}, {"timeout", timeout}};
    return accepted(merged, kNoTokens, limits).timeout_ms;
}

std::string timeout_error(const json& timeout) {
    return refused(json{{"event", "getIds"}, {"timeout", timeout}});
}

TEST(ApiRequest, TimeoutAcceptedAndClamped) {
    EXPECT_EQ(accepted(query("event=getIds")).timeout_ms, 3000);
    EXPECT_EQ(accepted(query("event=getIds&timeout=1500")).timeout_ms, 1500);
    EXPECT_EQ(timeout_of(1500), 1500);
    EXPECT_EQ(timeout_of(1), 1);
    EXPECT_EQ(timeout_of(2000.0), 2000);
    EXPECT_EQ(timeout_of("30000"), 30000);
    EXPECT_EQ(timeout_of("30001"), 30000);
    EXPECT_EQ(timeout_of("99999999"), 30000);
    EXPECT_EQ(timeout_of("123456789012345678901234567890"), 30000);
    EXPECT_EQ(timeout_of(std::uint64_t{18446744073709551615u}), 30000);
    EXPECT_EQ(timeout_of(1e300), 30000);
    EXPECT_EQ(timeout_of(""), 3000);  // an empty form field is "not given"
    EXPECT_EQ(timeout_of(nullptr), 3000);
}

TEST(ApiRequest, AckGoesToEverySendEventAndStretchesTheGather) {
    const ApiCall call =
        accepted(query("event=broadcast,getIds,sendMessageToId&broadcast[msg]=m&"
                       "sendMessageToId[id]=u&sendMessageToId[msg]=m&ack=5000&timeout=100"));
    EXPECT_EQ(call.ack_ms, 5000);
    EXPECT_EQ(call.params["broadcast"]["ack"], 5000);
    EXPECT_EQ(call.params["sendMessageToId"]["ack"], 5000);
    EXPECT_FALSE(call.params["getIds"].contains("ack"));
    EXPECT_EQ(call.timeout_ms, 5000 + kAckGatherMarginMs);
    // A timeout longer than the ack time stays.
    EXPECT_EQ(accepted(query("event=broadcast&broadcast[msg]=m&ack=10&timeout=900")).timeout_ms,
              900);
    EXPECT_EQ(accepted(query("event=broadcast&broadcast[msg]=m&ack=99999")).ack_ms, 30000);
    EXPECT_EQ(accepted(query("event=broadcast&broadcast[msg]=m")).ack_ms, 0);
    for (const char* bad : {"0", "-1", "x", "1.5"})
        EXPECT_EQ(refused(query(std::string("event=broadcast&broadcast[msg]=m&ack=") + bad)),
                  "ack must be a positive integer (ms)")
            << bad;
}

TEST(ApiRequest, TimeoutLimitsAreConfigurable) {
    ApiLimits limits;
    limits.default_timeout_ms = 100;
    limits.max_timeout_ms = 200;
    EXPECT_EQ(accepted(query("event=getIds"), kNoTokens, limits).timeout_ms, 100);
    EXPECT_EQ(timeout_of(150, limits), 150);
    EXPECT_EQ(timeout_of(250, limits), 200);
    limits.default_timeout_ms = 500;  // a default above the cap is cut too
    EXPECT_EQ(accepted(query("event=getIds"), kNoTokens, limits).timeout_ms, 200);
}

TEST(ApiRequest, TimeoutErrors) {
    const std::string expected = "timeout must be a positive integer (ms)";
    EXPECT_EQ(timeout_error(0), expected);
    EXPECT_EQ(timeout_error("0"), expected);
    EXPECT_EQ(timeout_error("000"), expected);
    EXPECT_EQ(timeout_error(-5), expected);
    EXPECT_EQ(timeout_error("-5"), expected);
    EXPECT_EQ(timeout_error("abc"), expected);
    EXPECT_EQ(timeout_error("12a"), expected);
    EXPECT_EQ(timeout_error(" 12"), expected);
    EXPECT_EQ(timeout_error(1.5), expected);
    EXPECT_EQ(timeout_error(0.5), expected);
    EXPECT_EQ(timeout_error(true), expected);
    EXPECT_EQ(timeout_error(json::array({100})), expected);
    EXPECT_EQ(timeout_error(json::object()), expected);
}

TEST(ApiRequest, TimeoutIsCheckedAfterEvents) {
    EXPECT_EQ(refused(query("event=foo&timeout=x")), "unknown event 'foo'");
    EXPECT_EQ(refused(query("event=getIds&timeout=x"), {"t"}), "token error");
}

// ---- malformed input --------------------------------------------------------

TEST(ApiRequest, RandomQueriesNeverCrash) {
    static const std::vector<std::string> kPieces = {"event=bindId",
                                                     "event=getIds,bindId",
                                                     "event=broadcast",
                                                     "event=joinGroupById",
                                                     "bindId[id]=",
                                                     "bindId[_id]=c",
                                                     "bindId=",
                                                     "bindId[]=x",
                                                     "broadcast[msg][a]=1",
                                                     "broadcast[msg]=%ff",
                                                     "broadcast[exclude_Ids][]=",
                                                     "broadcast[exclude_Ids][x][]=1",
                                                     "joinGroupById[groupId]=,",
                                                     "joinGroupById[groupId][][]=g",
                                                     "joinGroupById[id][]=u",
                                                     "timeout=",
                                                     "timeout=5",
                                                     "timeout[]=1",
                                                     "token=t",
                                                     "token[a]=t",
                                                     "event[]=x"};
    std::mt19937 rng(7);
    std::uniform_int_distribution<size_t> pick(0, kPieces.size() - 1);
    std::uniform_int_distribution<int> count(0, 8);
    for (int i = 0; i < 3000; ++i) {
        std::string raw;
        for (int n = count(rng); n > 0; --n) raw += kPieces[pick(rng)] + "&";
        json merged = parse_query_string(raw);
        for (const auto& tokens : {kNoTokens, std::vector<std::string>{"t"}}) {
            try {
                auto result = build_api_call(merged, tokens);
                if (auto* call = std::get_if<ApiCall>(&result)) {
                    EXPECT_FALSE(call->events.empty()) << raw;
                    EXPECT_GE(call->timeout_ms, 1);
                    for (const auto& e : call->events) EXPECT_TRUE(call->params[e].is_object());
                } else {
                    EXPECT_FALSE(std::get<ApiError>(result).msg.empty()) << raw;
                }
            } catch (const std::exception& e) {
                ADD_FAILURE() << "unexpected " << e.what() << " for " << raw;
            }
        }
    }
}

}  // namespace
}  // namespace wsc

TEST(ApiRequest, MessageMustBeValidUtf8) {
    auto bad = wsc::build_api_call(
        nlohmann::json{{"event", "broadcast"}, {"broadcast", {{"msg", std::string("a\xff")}}}}, {});
    ASSERT_TRUE(std::holds_alternative<wsc::ApiError>(bad));
    EXPECT_EQ(std::get<wsc::ApiError>(bad).msg,
              "broadcast: parameter 'msg' must be valid UTF-8 text");
    for (const char* s : {"\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"}) {
        auto r = wsc::build_api_call(
            nlohmann::json{{"event", "broadcast"}, {"broadcast", {{"msg", std::string(s)}}}}, {});
        EXPECT_TRUE(std::holds_alternative<wsc::ApiError>(r)) << s;
    }
    auto good = wsc::build_api_call(
        nlohmann::json{{"event", "broadcast"},
                       {"broadcast", {{"msg", "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"}}}},
        {});
    EXPECT_TRUE(std::holds_alternative<wsc::ApiCall>(good));
}
