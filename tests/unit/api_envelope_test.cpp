// The exact response bodies of the HTTP API.
#include <gtest/gtest.h>

#include "api/Envelope.hpp"

namespace wsc {
namespace {

using nlohmann::ordered_json;

TEST(Envelope, ErrorEnvelopeIsExact) {
    EXPECT_EQ(error_envelope(kCodeError, "token error"),
              R"({"code":1,"msg":"token error","data":[]})");
    EXPECT_EQ(error_envelope(kCodeError, "event error"),
              R"({"code":1,"msg":"event error","data":[]})");
    EXPECT_EQ(error_envelope(kCodeTimeout, "timeout"), R"({"code":2,"msg":"timeout","data":[]})");
}

TEST(Envelope, CodesMatchTheSeed) {
    EXPECT_EQ(kCodeOk, 0);
    EXPECT_EQ(kCodeError, 1);
    EXPECT_EQ(kCodeTimeout, 2);
}

TEST(Envelope, OkEnvelopeKeepsKeyOrderAndDataInsertionOrder) {
    ordered_json data = ordered_json::object();
    data["getIds"]["de5d37e88761c59d61bd6b38822de96f"] = {"u2", "u1"};
    data["getIds"]["98b95842c9e26e8fb113cf8342526f5d"] = ordered_json::array();
    data["getConnectionCount"]["de5d37e88761c59d61bd6b38822de96f"] = 5;
    data["getConnectionCount"]["98b95842c9e26e8fb113cf8342526f5d"] = node_error(2, "timeout");
    std::vector<std::string> masters = {"de5d37e88761c59d61bd6b38822de96f",
                                        "98b95842c9e26e8fb113cf8342526f5d"};
    EXPECT_EQ(
        ok_envelope(masters, data),
        R"({"code":0,"msg":"ok","extra":[],)"
        R"("master_ids":["de5d37e88761c59d61bd6b38822de96f","98b95842c9e26e8fb113cf8342526f5d"],)"
        R"("data":{"getIds":{"de5d37e88761c59d61bd6b38822de96f":["u2","u1"],)"
        R"("98b95842c9e26e8fb113cf8342526f5d":[]},)"
        R"("getConnectionCount":{"de5d37e88761c59d61bd6b38822de96f":5,)"
        R"("98b95842c9e26e8fb113cf8342526f5d":{"code":2,"msg":"timeout","data":[]}}}})");
}

TEST(Envelope, OkEnvelopeWithNothing) {
    EXPECT_EQ(ok_envelope({}, ordered_json()),
              R"({"code":0,"msg":"ok","extra":[],"master_ids":[],"data":{}})");
    EXPECT_EQ(ok_envelope({}, ordered_json::object()),
              R"({"code":0,"msg":"ok","extra":[],"master_ids":[],"data":{}})");
}

TEST(Envelope, NodeErrorSlot) {
    ordered_json slot = node_error(kCodeTimeout, "timeout");
    ASSERT_TRUE(slot.is_object());
    EXPECT_EQ(dump_compact(slot), R"({"code":2,"msg":"timeout","data":[]})");
    EXPECT_EQ(slot.begin().key(), "code");
}

TEST(Envelope, InvalidUtf8IsReplacedNotThrown) {
    std::string bad =
        "unknown event 'a\xff\xfe"
        "b'";
    std::string out;
    ASSERT_NO_THROW(out = error_envelope(1, bad));
    EXPECT_EQ(out,
              "{\"code\":1,\"msg\":\"unknown event 'a\xEF\xBF\xBD\xEF\xBF\xBD"
              "b'\",\"data\":[]}");

    ordered_json data;
    data["get_IdData"]["n1"] = {{"k", std::string("\xc3")}};  // truncated 2-byte sequence
    ASSERT_NO_THROW(out = ok_envelope({"n1"}, data));
    EXPECT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(Envelope, EscapesAndUtf8) {
    EXPECT_EQ(error_envelope(1, "a\"b\nc\\"), R"({"code":1,"msg":"a\"b\nc\\","data":[]})");
    // Valid UTF-8 goes out as it is, not as \u escapes.
    EXPECT_EQ(error_envelope(1, "caf\xC3\xA9"), "{\"code\":1,\"msg\":\"caf\xC3\xA9\",\"data\":[]}");
}

}  // namespace
}  // namespace wsc
