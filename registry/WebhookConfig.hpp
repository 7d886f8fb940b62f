// What a registry POSTs to webhook endpoints, and the options that say so.
//
// `[registry] webhook_url` (comma list of http:// or https:// URLs; empty:
// webhooks off), `webhook_events`, `webhook_secret`, `webhook_timeout_ms`,
// `webhook_max_batch` and `webhook_queue`; read_webhook_options() checks
// them and throws ConfigError with one line naming the option.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "common/Options.hpp"

namespace wsc {

struct WebhookConfig {
    std::vector<std::string> urls;  // empty: webhooks off
    std::set<std::string> events{"online", "offline", "close"};
    std::string secret;              // HMAC key; empty: no signature header
    int timeout_ms = 5000;           // per POST
    std::size_t max_batch = 100;     // events per POST
    std::size_t max_queue = 100000;  // events queued per endpoint
    bool enabled() const { return !urls.empty(); }
};

// The kinds of event that can be POSTed: online, offline, open, message, close.
const std::set<std::string>& webhook_event_kinds();

// The webhook options of `section` ("registry"), for Options::parse().
std::vector<OptionSpec> webhook_option_specs(const std::string& section);
// Reads and checks them; ConfigError with one line naming the option.
WebhookConfig read_webhook_options(const Options& options, const std::string& section);

// `url` without its user:password@ part and its query ("?***"), for logs.
std::string redact_url(const std::string& url);

}  // namespace wsc
