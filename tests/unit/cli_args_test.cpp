#include <gtest/gtest.h>

#include "cli/CliArgs.hpp"

using wsc::parse_cli_args;

TEST(CliArgs, SingleEventTakesPlainKeysAsItsParameters) {
    auto a = parse_cli_args({"sendMessageTo_Id", "_id=abc", "msg=hi there"});
    EXPECT_EQ(a.command, "call");
    EXPECT_EQ(a.params["event"], "sendMessageTo_Id");
    EXPECT_EQ(a.params["sendMessageTo_Id"]["_id"], "abc");
    EXPECT_EQ(a.params["sendMessageTo_Id"]["msg"], "hi there");
}

TEST(CliArgs, BracketsAndListsNestUnderTheEvent) {
    auto a = parse_cli_args({"sendToGroup", "groupId=g", "msg=m", "exclude_Ids[]=c1",
                             "exclude_Ids[]=c2", "sendToGroup[excludeIds][]=u1"});
    EXPECT_EQ(a.params["sendToGroup"]["exclude_Ids"], nlohmann::json({"c1", "c2"}));
    EXPECT_EQ(a.params["sendToGroup"]["excludeIds"], nlohmann::json({"u1"}));
}

TEST(CliArgs, BatchRequiresNamedEvents) {
    auto a = parse_cli_args({"bindId,getIds", "bindId[id]=u1", "bindId[_id]=c1"});
    EXPECT_EQ(a.params["event"], "bindId,getIds");
    EXPECT_EQ(a.params["bindId"]["id"], "u1");
    EXPECT_THROW(parse_cli_args({"bindId,getIds", "id=u1"}), wsc::CliUsageError);
}

TEST(CliArgs, OptionsTokenTimeoutRegistryAndJson) {
    auto a = parse_cli_args({"--registry", "tcp://127.0.0.1:9", "--token=t", "--timeout", "500",
                             "--json", R"({"bindId":{"id":7}})", "bindId", "_id=c"});
    EXPECT_EQ(a.registry, "tcp://127.0.0.1:9");
    EXPECT_EQ(a.params["token"], "t");
    EXPECT_EQ(a.params["timeout"], 500);
    EXPECT_EQ(a.params["bindId"]["id"], 7);
    EXPECT_EQ(a.params["bindId"]["_id"], "c");
}

TEST(CliArgs, BadArgumentsAreClearErrors) {
    EXPECT_THROW(parse_cli_args({}), wsc::CliUsageError);
    EXPECT_THROW(parse_cli_args({"--bogus", "getIds"}), wsc::CliUsageError);
    EXPECT_THROW(parse_cli_args({"getIds", "novalue"}), wsc::CliUsageError);
    EXPECT_THROW(parse_cli_args({"--timeout", "-5", "getIds"}), wsc::CliUsageError);
    EXPECT_THROW(parse_cli_args({"--timeout"}), wsc::CliUsageError);
    EXPECT_EQ(parse_cli_args({"--ack", "750", "broadcast", "msg=m"}).params["ack"], 750);
    EXPECT_EQ(parse_cli_args({"--ack", "750", "broadcast", "msg=m"}).ack_ms, 750);
    EXPECT_FALSE(parse_cli_args({"broadcast", "msg=m"}).params.contains("ack"));
    EXPECT_THROW(parse_cli_args({"--ack", "0", "broadcast"}), wsc::CliUsageError);
    EXPECT_THROW(parse_cli_args({"--ack", "5x", "broadcast"}), wsc::CliUsageError);
    EXPECT_THROW(parse_cli_args({"--json", "{bad", "getIds"}), wsc::CliUsageError);
    EXPECT_THROW(parse_cli_args({"nodes", "x=1"}), wsc::CliUsageError);
    EXPECT_TRUE(parse_cli_args({"--help"}).help);
}

TEST(CliArgs, NodesCommand) {
    auto a = parse_cli_args({"nodes"});
    EXPECT_EQ(a.command, "nodes");
}

TEST(CliArgs, CurveKeysFromFlagsOrEnvironmentAndKeygen) {
    const std::map<std::string, std::string> env{{"WSCENTER_CLI_CURVE_SERVER_KEY", "S-env"},
                                                 {"WSCENTER_CLI_CURVE_SECRET_KEY", "K-env"}};
    auto a = parse_cli_args({"getIds"}, env);
    EXPECT_EQ(a.curve_server_key, "S-env");
    EXPECT_EQ(a.curve_secret_key, "K-env");
    auto b = parse_cli_args({"--curve-server-key", "S", "--curve-secret-key=K", "nodes"}, env);
    EXPECT_EQ(b.curve_server_key, "S");
    EXPECT_EQ(b.curve_secret_key, "K");
    EXPECT_FALSE(b.params.contains("curve-server-key"));
    EXPECT_EQ(parse_cli_args({"keygen"}).command, "keygen");
    EXPECT_THROW(parse_cli_args({"keygen", "x=1"}), wsc::CliUsageError);
}
