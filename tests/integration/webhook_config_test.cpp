// The webhook options of a real wscenter-registry: bad values stop it at
// once with one line naming the option (exit code 2); good ones start it
// with the sender running and its metrics on /metrics.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/Cluster.hpp"
#include "tests/support/ChildProcess.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WebhookReceiver.hpp"

using namespace wsc::test;

namespace {

constexpr int kExitConfig = 2;

TEST(WebhookConfig, BadOptionsStopTheRegistryWithOneLine) {
    struct Case {
        std::string arg;
        std::string says;
    };
    const std::vector<Case> cases = {
        {"--registry.webhook_url=ftp://hooks.example/x",
         "registry.webhook_url: expected URLs starting with http:// or https://, got "
         "'ftp://hooks.example/x'"},
        {"--registry.webhook_url=http://a.example/,hooks.example",
         "registry.webhook_url: expected URLs starting with http:// or https://, got "
         "'hooks.example'"},
        {"--registry.webhook_events=online,typing",
         "registry.webhook_events: expected a comma list of close,message,offline,online,open, "
         "got 'typing'"},
        {"--registry.webhook_timeout_ms=0",
         "registry.webhook_timeout_ms: expected an integer in [1, 60000], got '0'"},
        {"--registry.webhook_max_batch=100000",
         "registry.webhook_max_batch: expected an integer in [1, 10000], got '100000'"},
        {"--registry.webhook_queue=-1",
         "registry.webhook_queue: expected an integer in [1, 10000000], got '-1'"},
    };
    for (const auto& c : cases) {
        ChildProcess p(WSC_REGISTRY_BIN,
                       {"--registry.bus_port=0", "--registry.http_port=0", c.arg,
                        "--registry.webhook_secret=topsecretvalue"},
                       {{"REGISTER_CENTER_PORT", ""}, {"HTTP_PORT", ""}, {"TOKEN", ""}});
        EXPECT_EQ(p.wait_exit(std::chrono::seconds(5)), kExitConfig) << c.arg;
        const std::string err = p.stderr_text();
        EXPECT_NE(err.find(c.says), std::string::npos) << err;
        EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
        EXPECT_EQ(err.find("topsecretvalue"), std::string::npos) << "secret echoed: " << err;
    }
}

TEST(WebhookConfig, RegistryRunsTheSenderAndShowsItsMetrics) {
    WebhookReceiver rx;
    auto reg = start_registry({}, {{"registry.webhook_url", rx.url()},
                                   {"registry.webhook_events", "online,close,message"},
                                   {"registry.webhook_secret", "topsecretvalue"}});
    const std::string log = reg.proc->stderr_text();
    EXPECT_NE(log.find("POSTing close,message,online events to " + rx.url() + " (signed)"),
              std::string::npos)
        << log;
    EXPECT_EQ(log.find("topsecretvalue"), std::string::npos) << "secret logged: " << log;
    const auto metrics = http_get(reg.http_port, "/metrics");
    ASSERT_EQ(metrics.status, 200);
    for (const char* line :
         {"wscenter_webhook_deliveries_total{result=\"ok\"} 0\n",
          "wscenter_webhook_events_total 0\n", "wscenter_webhook_queue_depth 0\n",
          "wscenter_webhook_dropped_total 0\n"})
        EXPECT_NE(metrics.body.find(line), std::string::npos) << line << metrics.body;
    EXPECT_EQ(reg.proc->stop(), 0);
}

}  // namespace
