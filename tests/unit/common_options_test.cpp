// Options: precedence of default/file/env/flag, legacy env aliases, errors
// for bad files, flags and values, typed getters and the help text.
#include "common/Options.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace wsc {
namespace {

using Env = std::map<std::string, std::string>;

std::vector<OptionSpec> test_specs() {
    return {
        {"registry.bus_port", "8010", "Port of the bus ROUTER.", {"REGISTER_CENTER_PORT"}},
        {"registry.http_port", "8011", "Port of the HTTP API.", {"HTTP_PORT"}},
        {"registry.peers", "", "Peer registry ports.", {"OTHER_REGISTER_CENTER_PORT"}},
        {"registry.tokens", "", "HTTP API tokens.", {"TOKEN"}},
        {"log.level", "info", "Least severe level logged.", {}},
        {"http.cors", "false", "Send CORS headers.", {}},
    };
}

Options parse_args(const std::vector<std::string>& args, const Env& env = {}) {
    std::vector<const char*> argv{"wscenter-test"};
    for (const auto& arg : args) argv.push_back(arg.c_str());
    return Options::parse("wscenter-test", test_specs(), static_cast<int>(argv.size()), argv.data(),
                          env);
}

// The ConfigError message of parse_args, or "" when it succeeded.
std::string parse_error(const std::vector<std::string>& args, const Env& env = {}) {
    try {
        parse_args(args, env);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

// A uniquely named INI file that is removed again at the end of the test.
class TempIni {
  public:
    explicit TempIni(const std::string& text) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "wsc_options_XXXXXX.ini").string();
        const int fd = ::mkstemps(pattern.data(), 4);
        if (fd < 0) throw std::runtime_error("mkstemps failed");
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    ~TempIni() { std::remove(path_.c_str()); }
    TempIni(const TempIni&) = delete;
    TempIni& operator=(const TempIni&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

TEST(Options, DefaultsApplyWhenNothingIsSet) {
    const Options options = parse_args({});
    EXPECT_EQ(options.get("registry.bus_port"), "8010");
    EXPECT_EQ(options.get("registry.peers"), "");
    EXPECT_EQ(options.source("registry.bus_port"), "default");
    EXPECT_FALSE(options.help_requested());
    EXPECT_FALSE(options.version_requested());
}

TEST(Options, FlagBeatsEnvBeatsFileBeatsDefault) {
    const TempIni ini(
        "[registry]\n"
        "bus_port = 1001\n"
        "http_port = 1002\n"
        "peers = 1003\n");
    const Env env{{"WSCENTER_REGISTRY_BUS_PORT", "2001"}, {"WSCENTER_REGISTRY_HTTP_PORT", "2002"}};
    const Options options = parse_args({"--config", ini.path(), "--registry.bus_port=3001"}, env);

    EXPECT_EQ(options.get_port("registry.bus_port"), 3001);  // flag over env and file
    EXPECT_EQ(options.source("registry.bus_port"), "flag");
    EXPECT_EQ(options.get_port("registry.http_port"), 2002);  // env over file
    EXPECT_EQ(options.source("registry.http_port"), "env");
    EXPECT_EQ(options.get("registry.peers"), "1003");  // file over default
    EXPECT_EQ(options.source("registry.peers"), "file");
    EXPECT_EQ(options.get("log.level"), "info");
    EXPECT_EQ(options.source("log.level"), "default");
}

TEST(Options, FlagAcceptsSeparateValue) {
    const Options options = parse_args({"--registry.bus_port", "9000", "--log.level", "debug"});
    EXPECT_EQ(options.get_port("registry.bus_port"), 9000);
    EXPECT_EQ(options.get("log.level"), "debug");
}

TEST(Options, EmptyFlagValueSetsEmpty) {
    const Env env{{"TOKEN", "secret"}};
    const Options options = parse_args({"--registry.tokens="}, env);
    EXPECT_EQ(options.get("registry.tokens"), "");
    EXPECT_EQ(options.source("registry.tokens"), "flag");
    EXPECT_TRUE(options.get_list("registry.tokens").empty());
}

TEST(Options, LegacyEnvAliasIsUsed) {
    const Env env{{"REGISTER_CENTER_PORT", "8020"},
                  {"HTTP_PORT", "8021"},
                  {"OTHER_REGISTER_CENTER_PORT", "8012,8014"}};
    const Options options = parse_args({}, env);
    EXPECT_EQ(options.get_port("registry.bus_port"), 8020);
    EXPECT_EQ(options.get_port("registry.http_port"), 8021);
    EXPECT_EQ(options.get_list("registry.peers"), (std::vector<std::string>{"8012", "8014"}));
    EXPECT_EQ(options.source("registry.bus_port"), "env");
}

TEST(Options, WscenterEnvNameBeatsAlias) {
    const Env env{{"REGISTER_CENTER_PORT", "8020"}, {"WSCENTER_REGISTRY_BUS_PORT", "8030"}};
    EXPECT_EQ(parse_args({}, env).get_port("registry.bus_port"), 8030);
}

TEST(Options, EmptyEnvValuesAreIgnored) {
    const Env env{
        {"WSCENTER_REGISTRY_BUS_PORT", ""}, {"REGISTER_CENTER_PORT", "8020"}, {"HTTP_PORT", ""}};
    const Options options = parse_args({}, env);
    EXPECT_EQ(options.get_port("registry.bus_port"), 8020);
    EXPECT_EQ(options.get_port("registry.http_port"), 8011);
    EXPECT_EQ(options.source("registry.http_port"), "default");
}

TEST(Options, UnrelatedEnvIsIgnored) {
    const Env env{{"PATH", "/bin"}, {"WSCENTER_NOT_AN_OPTION", "1"}, {"PORT", "1234"}};
    const Options options = parse_args({}, env);
    EXPECT_EQ(options.get_port("registry.bus_port"), 8010);
    EXPECT_EQ(options.source("registry.bus_port"), "default");
}

TEST(Options, EnvOverridesFile) {
    const TempIni ini("[registry]\nbus_port = 1001\n");
    const Options options =
        parse_args({"--config", ini.path()}, Env{{"REGISTER_CENTER_PORT", "2001"}});
    EXPECT_EQ(options.get_port("registry.bus_port"), 2001);
}

TEST(Options, IniCommentsAndSections) {
    const TempIni ini(
        "# hash comment\n"
        "; semicolon comment\n"
        "[registry]\n"
        "  ; indented semicolon comment\n"
        "bus_port = 1001   # trailing comment\n"
        "[log]\n"
        "level=warn\n");
    const Options options = parse_args({"--config=" + ini.path()});
    EXPECT_EQ(options.get("registry.bus_port"), "1001");
    EXPECT_EQ(options.get("log.level"), "warn");
}

TEST(Options, UnknownIniKeyNamesKeyAndFile) {
    const TempIni ini("[registry]\nbogus = 1\n");
    EXPECT_EQ(parse_error({"--config", ini.path()}),
              "unknown option 'registry.bogus' in " + ini.path());
}

TEST(Options, IniKeyOutsideSectionIsUnknown) {
    const TempIni ini("bus_port = 1\n");
    EXPECT_EQ(parse_error({"--config", ini.path()}), "unknown option 'bus_port' in " + ini.path());
}

TEST(Options, IniSyntaxErrorNamesFile) {
    const TempIni ini("[registry]\nthis line has no equals sign\n");
    const std::string error = parse_error({"--config", ini.path()});
    EXPECT_NE(error.find("this line has no equals sign"), std::string::npos) << error;
    EXPECT_NE(error.find(ini.path()), std::string::npos) << error;
}

// Boost fills its error texts by replacing placeholders such as
// %invalid_line% again and again: a line that is itself a placeholder once
// made that loop forever. The error must come back at once, quote the line
// as written and stay one line.
TEST(Options, IniLineThatLooksLikeAPlaceholderIsQuotedAsWritten) {
    for (const std::string line :
         {"%invalid_line%", "%canonical_option%", "%value%", "%prefix_option%", "%option%",
          "%original_token%", "%prefix%", "a %invalid_line% b %value%", "%%", "%", "100%"}) {
        const TempIni ini("[registry]\n" + line + "\n");
        const std::string error = parse_error({"--config", ini.path()});
        EXPECT_EQ(error, "the options configuration file contains an invalid line '" + line +
                             "' in " + ini.path())
            << line;
    }
}

TEST(Options, IniPlaceholderInKeyOrSectionIsQuotedAsWritten) {
    const TempIni key("[registry]\n%canonical_option% = 1\n");
    EXPECT_EQ(parse_error({"--config", key.path()}),
              "unknown option 'registry.%canonical_option%' in " + key.path());
    const TempIni section("[%option%]\nbus_port = 1\n");
    EXPECT_EQ(parse_error({"--config", section.path()}),
              "unknown option '%option%.bus_port' in " + section.path());
}

TEST(Options, FlagThatLooksLikeAPlaceholderIsQuotedAsWritten) {
    EXPECT_EQ(parse_error({"--%canonical_option%"}), "unknown option '--%canonical_option%'");
    EXPECT_EQ(parse_error({"-%"}), "unknown option '-%'");
    const std::string repeated =
        parse_error({"--registry.peers=%canonical_option%", "--registry.peers=%value%"});
    EXPECT_NE(repeated.find("--registry.peers"), std::string::npos) << repeated;
    EXPECT_EQ(repeated.find('\n'), std::string::npos) << repeated;
    EXPECT_EQ(parse_args({"--registry.peers=%value%"}).get("registry.peers"), "%value%");
}

TEST(Options, IniInvalidLineWithControlCharactersStaysOneLine) {
    const TempIni ini("[registry]\nbad\rline %invalid_line%\n");
    const std::string error = parse_error({"--config", ini.path()});
    EXPECT_EQ(error.find('\r'), std::string::npos) << error;
    EXPECT_NE(error.find("bad\\x0dline %invalid_line%"), std::string::npos) << error;
}

TEST(Options, IniDuplicateKeyIsAnError) {
    const TempIni ini("[registry]\nbus_port = 1\nbus_port = 2\n");
    EXPECT_EQ(parse_error({"--config", ini.path()}),
              "option 'registry.bus_port' is set more than once in " + ini.path());
}

TEST(Options, UnreadableConfigFile) {
    EXPECT_EQ(parse_error({"--config", "/nonexistent/wsc.ini"}),
              "cannot read config file '/nonexistent/wsc.ini'");
    const std::string dir = std::filesystem::temp_directory_path().string();
    EXPECT_EQ(parse_error({"--config", dir}),
              "cannot read config file '" + dir + "': it is a directory");
}

TEST(Options, UnknownFlag) {
    EXPECT_EQ(parse_error({"--foo"}), "unknown option '--foo'");
    EXPECT_EQ(parse_error({"--registry.bogus=1"}), "unknown option '--registry.bogus'");
    EXPECT_EQ(parse_error({"-x"}), "unknown option '-x'");
}

TEST(Options, AbbreviatedFlagIsNotGuessed) {
    EXPECT_EQ(parse_error({"--registry.bus=1"}), "unknown option '--registry.bus'");
}

TEST(Options, PositionalArgumentIsRejected) {
    const std::string error = parse_error({"stray"});
    EXPECT_EQ(error.rfind("unexpected argument 'stray'", 0), 0u) << error;
    EXPECT_NE(parse_error({"--registry.bus_port", "1", "extra"}), "");
}

TEST(Options, FlagWithoutValueIsAnError) {
    EXPECT_NE(parse_error({"--registry.bus_port"}).find("--registry.bus_port"), std::string::npos);
    EXPECT_EQ(parse_error({"--registry.peers", "--registry.bus_port=1"}),
              "option '--registry.peers' needs a value (use --registry.peers=VALUE)");
}

TEST(Options, RepeatedFlagIsAnError) {
    const std::string error = parse_error({"--registry.bus_port=1", "--registry.bus_port=2"});
    EXPECT_NE(error.find("--registry.bus_port"), std::string::npos) << error;
}

TEST(Options, HelpAndVersionFlags) {
    EXPECT_TRUE(parse_args({"--help"}).help_requested());
    EXPECT_TRUE(parse_args({"-h"}).help_requested());
    EXPECT_TRUE(parse_args({"--version"}).version_requested());
    EXPECT_FALSE(parse_args({"--version"}).help_requested());
}

TEST(Options, HelpWorksEvenWithBadConfigFile) {
    EXPECT_TRUE(parse_args({"--config", "/nonexistent/wsc.ini", "--help"}).help_requested());
}

TEST(Options, HelpTextListsEveryOptionWithDefaultAndEnv) {
    const std::string help = parse_args({}).help_text();
    EXPECT_NE(help.find("Usage: wscenter-test"), std::string::npos);
    EXPECT_NE(help.find("--config FILE"), std::string::npos);
    EXPECT_NE(help.find("--help"), std::string::npos);
    EXPECT_NE(help.find("--version"), std::string::npos);
    for (const auto& spec : test_specs()) {
        const auto at = help.find("--" + spec.key + "=VALUE");
        ASSERT_NE(at, std::string::npos) << spec.key;
        const std::string entry = help.substr(at, help.find("\n  --", at + 1) - at);
        EXPECT_NE(entry.find(spec.help), std::string::npos) << entry;
        const std::string shown_default = spec.default_value.empty() ? "empty" : spec.default_value;
        EXPECT_NE(entry.find("(default: " + shown_default + ")"), std::string::npos) << entry;
        for (const auto& alias : spec.env_aliases) {
            EXPECT_NE(entry.find(alias), std::string::npos) << entry;
        }
    }
    EXPECT_NE(help.find("WSCENTER_REGISTRY_BUS_PORT, REGISTER_CENTER_PORT"), std::string::npos);
    EXPECT_NE(help.find("WSCENTER_LOG_LEVEL"), std::string::npos);
}

TEST(Options, GetIntChecksRangeAndSyntax) {
    const auto value_of = [](const std::string& text) {
        return parse_args({"--registry.bus_port=" + text}).get_int("registry.bus_port", -5, 100);
    };
    EXPECT_EQ(value_of("42"), 42);
    EXPECT_EQ(value_of(" 7 "), 7);
    EXPECT_EQ(value_of("+8"), 8);
    EXPECT_EQ(value_of("-5"), -5);
    EXPECT_EQ(value_of("100"), 100);
    for (const std::string bad :
         {"101", "-6", "abc", "12x", "", "1.5", "+-1", "99999999999999999999999"}) {
        EXPECT_THROW(value_of(bad), ConfigError) << bad;
    }
}

TEST(Options, BadIntegerMessageNamesKeyRangeValueAndOrigin) {
    const Options options = parse_args({}, Env{{"REGISTER_CENTER_PORT", "abc"}});
    try {
        options.get_port("registry.bus_port");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(),
                     "registry.bus_port: expected an integer in [0, 65535], got 'abc' "
                     "(from $REGISTER_CENTER_PORT)");
    }
}

TEST(Options, GetPortRejectsOutOfRange) {
    for (const std::string bad : {"70000", "65536", "-1", "x"}) {
        const Options options = parse_args({"--registry.bus_port=" + bad});
        EXPECT_THROW(options.get_port("registry.bus_port"), ConfigError) << bad;
    }
    EXPECT_EQ(parse_args({"--registry.bus_port=0"}).get_port("registry.bus_port"), 0);
    EXPECT_EQ(parse_args({"--registry.bus_port=65535"}).get_port("registry.bus_port"), 65535);
}

TEST(Options, ErrorMessageStaysOneLine) {
    const Options options = parse_args({}, Env{{"HTTP_PORT", "80\nFAKE LINE"}});
    try {
        options.get_port("registry.http_port");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        EXPECT_NE(message.find("80\\x0aFAKE LINE"), std::string::npos) << message;
    }
}

TEST(Options, GetListTrimsAndDropsEmpties) {
    const auto list_of = [](const std::string& text) {
        return parse_args({"--registry.peers=" + text}).get_list("registry.peers");
    };
    EXPECT_EQ(list_of(" 8012 , ,8014,, tcp://h:1 "),
              (std::vector<std::string>{"8012", "8014", "tcp://h:1"}));
    EXPECT_EQ(list_of("one"), (std::vector<std::string>{"one"}));
    EXPECT_TRUE(list_of(" , ,").empty());
    EXPECT_TRUE(parse_args({}).get_list("registry.peers").empty());
}

TEST(Options, GetBoolAcceptsCommonSpellings) {
    const auto bool_of = [](const std::string& text) {
        return parse_args({"--http.cors=" + text}).get_bool("http.cors");
    };
    for (const std::string yes : {"true", "1", "yes", "on", "TRUE", " Yes "}) {
        EXPECT_TRUE(bool_of(yes)) << yes;
    }
    for (const std::string no : {"false", "0", "no", "off", "Off"}) {
        EXPECT_FALSE(bool_of(no)) << no;
    }
    for (const std::string bad : {"maybe", "", "2", "y"}) {
        EXPECT_THROW(bool_of(bad), ConfigError) << bad;
    }
    EXPECT_FALSE(parse_args({}).get_bool("http.cors"));
}

TEST(Options, UndeclaredKeyIsAProgrammingError) {
    const Options options = parse_args({});
    try {
        options.get("registry.nope");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("not declared"), std::string::npos) << e.what();
    }
    EXPECT_THROW(options.get_int("nope.x", 0, 1), ConfigError);
    EXPECT_THROW(options.source("nope.x"), ConfigError);
}

TEST(Options, BadSpecsAreRejected) {
    const char* argv[] = {"prog"};
    const auto parse_specs = [&](std::vector<OptionSpec> specs) {
        return Options::parse("prog", std::move(specs), 1, argv, {});
    };
    EXPECT_THROW(parse_specs({{"nodot", "", "", {}}}), ConfigError);
    EXPECT_THROW(parse_specs({{"a.b", "", "", {}}, {"a.b", "", "", {}}}), ConfigError);
    EXPECT_THROW(parse_specs({{"a.b,c", "", "", {}}}), ConfigError);
    EXPECT_NO_THROW(parse_specs({{"a.b", "", "", {}}}));
}

TEST(Options, ProcessEnvironmentSnapshotsEnviron) {
    ASSERT_EQ(::setenv("WSC_OPTIONS_TEST_VAR", "a=b", 1), 0);
    const auto env = Options::process_environment();
    ::unsetenv("WSC_OPTIONS_TEST_VAR");
    const auto it = env.find("WSC_OPTIONS_TEST_VAR");
    ASSERT_NE(it, env.end());
    EXPECT_EQ(it->second, "a=b");
}

}  // namespace
}  // namespace wsc
