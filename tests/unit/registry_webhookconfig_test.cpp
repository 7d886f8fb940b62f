// WebhookConfig: the webhook options, their defaults and their errors.
#include "registry/WebhookConfig.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wsc {
namespace {

WebhookConfig read(const std::vector<std::string>& args) {
    std::vector<const char*> argv{"wscenter-test"};
    for (const auto& arg : args) argv.push_back(arg.c_str());
    const auto options = Options::parse("wscenter-test", webhook_option_specs("registry"),
                                        static_cast<int>(argv.size()), argv.data(), {});
    return read_webhook_options(options, "registry");
}

// The ConfigError message, or "" when the options were taken.
std::string error_of(const std::vector<std::string>& args) {
    try {
        read(args);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(WebhookConfig, DefaultsAreOff) {
    const auto c = read({});
    EXPECT_FALSE(c.enabled());
    EXPECT_EQ(c.events, (std::set<std::string>{"online", "offline", "close"}));
    EXPECT_EQ(c.secret, "");
    EXPECT_EQ(c.timeout_ms, 5000);
    EXPECT_EQ(c.max_batch, 100u);
    EXPECT_EQ(c.max_queue, 100000u);
}

TEST(WebhookConfig, EveryOptionIsRead) {
    const auto c = read({"--registry.webhook_url=http://a.example/h, https://b.example:8443/x?y=1",
                         "--registry.webhook_events=open,message", "--registry.webhook_secret=s",
                         "--registry.webhook_timeout_ms=250", "--registry.webhook_max_batch=7",
                         "--registry.webhook_queue=9"});
    EXPECT_TRUE(c.enabled());
    EXPECT_EQ(c.urls,
              (std::vector<std::string>{"http://a.example/h", "https://b.example:8443/x?y=1"}));
    EXPECT_EQ(c.events, (std::set<std::string>{"open", "message"}));
    EXPECT_EQ(c.secret, "s");
    EXPECT_EQ(c.timeout_ms, 250);
    EXPECT_EQ(c.max_batch, 7u);
    EXPECT_EQ(c.max_queue, 9u);
}

TEST(WebhookConfig, BadValuesNameTheirOption) {
    const struct {
        std::string arg;
        std::string says;
    } cases[] = {
        {"--registry.webhook_url=ftp://x",
         "registry.webhook_url: expected URLs starting with http:// or https://, got 'ftp://x'"},
        {"--registry.webhook_url=example.com/hook", "registry.webhook_url: expected URLs"},
        {"--registry.webhook_url=http://", "registry.webhook_url: expected URLs"},
        {"--registry.webhook_url=http://a b/", "registry.webhook_url: expected URLs"},
        {"--registry.webhook_url=http://a/,http://a/",
         "registry.webhook_url: 'http://a/' is listed twice"},
        {"--registry.webhook_events=online,presence",
         "registry.webhook_events: expected a comma list of close,message,offline,online,open, "
         "got 'presence'"},
        {"--registry.webhook_events=", "registry.webhook_events: expected at least one of"},
        {"--registry.webhook_timeout_ms=0", "registry.webhook_timeout_ms: expected an integer"},
        {"--registry.webhook_timeout_ms=60001", "registry.webhook_timeout_ms: expected"},
        {"--registry.webhook_max_batch=0", "registry.webhook_max_batch: expected an integer"},
        {"--registry.webhook_max_batch=10001", "registry.webhook_max_batch: expected"},
        {"--registry.webhook_queue=0", "registry.webhook_queue: expected an integer"},
        {"--registry.webhook_queue=many", "registry.webhook_queue: expected"},
    };
    for (const auto& c : cases) {
        const std::string error = error_of({c.arg});
        EXPECT_EQ(error.rfind(c.says, 0), 0u) << c.arg << " -> " << error;
    }
}

TEST(WebhookConfig, CredentialsInAUrlStayOutOfMessagesAndLogs) {
    EXPECT_EQ(redact_url("https://user:pw@h.example:1/p@q"), "https://***@h.example:1/p@q");
    EXPECT_EQ(redact_url("http://h.example/a@b"), "http://h.example/a@b");
    EXPECT_EQ(redact_url("http://h.example"), "http://h.example");
    EXPECT_EQ(redact_url("https://h.example/x?token=abc&y=1"), "https://h.example/x?***");
    EXPECT_EQ(redact_url("https://u@h.example?t=a@b"), "https://***@h.example?***");
    const std::string error = error_of({"--registry.webhook_url=gopher://u:secretpw@h/"});
    EXPECT_EQ(error.find("secretpw"), std::string::npos) << error;
}

}  // namespace
}  // namespace wsc
