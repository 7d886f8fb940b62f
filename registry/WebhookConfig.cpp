// The webhook options; see WebhookConfig.hpp.
#include "registry/WebhookConfig.hpp"

#include <algorithm>

namespace wsc {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// http:// or https://, a host, and nothing libcurl would take apart differently
// from what the operator meant (spaces, control characters).
bool plausible_url(const std::string& url) {
    std::size_t rest = 0;
    if (starts_with(url, "http://"))
        rest = 7;
    else if (starts_with(url, "https://"))
        rest = 8;
    else
        return false;
    if (url.size() == rest || url[rest] == '/') return false;
    return std::none_of(url.begin(), url.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f;
    });
}

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

}  // namespace

const std::set<std::string>& webhook_event_kinds() {
    static const std::set<std::string> kinds{"online", "offline", "open", "message", "close"};
    return kinds;
}

std::vector<OptionSpec> webhook_option_specs(const std::string& section) {
    const WebhookConfig d;
    return {
        {section + ".webhook_url",
         "",
         "URLs (http:// or https://, comma list) that cluster events are POSTed to as JSON "
         "(empty: no webhooks)",
         {}},
        {section + ".webhook_events",
         join(d.events),
         "events POSTed, comma list of " + join(webhook_event_kinds()),
         {}},
        {section + ".webhook_secret",
         "",
         "key of the X-Wscenter-Signature header, HMAC-SHA256 of the body (empty: unsigned)",
         {}},
        {section + ".webhook_timeout_ms",
         std::to_string(d.timeout_ms),
         "ms one webhook POST may take; then it is retried",
         {}},
        {section + ".webhook_max_batch",
         std::to_string(d.max_batch),
         "most events in one webhook POST",
         {}},
        {section + ".webhook_queue",
         std::to_string(d.max_queue),
         "events waiting per webhook URL; past that new ones are dropped",
         {}},
    };
}

WebhookConfig read_webhook_options(const Options& options, const std::string& section) {
    WebhookConfig c;
    const std::string url_key = section + ".webhook_url";
    for (const auto& url : options.get_list(url_key)) {
        if (!plausible_url(url))
            throw ConfigError(url_key + ": expected URLs starting with http:// or https://, got '" +
                              redact_url(url) + "'");
        if (std::find(c.urls.begin(), c.urls.end(), url) != c.urls.end())
            throw ConfigError(url_key + ": '" + redact_url(url) + "' is listed twice");
        c.urls.push_back(url);
    }
    const std::string events_key = section + ".webhook_events";
    c.events.clear();
    for (const auto& kind : options.get_list(events_key)) {
        if (!webhook_event_kinds().count(kind))
            throw ConfigError(events_key + ": expected a comma list of " +
                              join(webhook_event_kinds()) + ", got '" + kind + "'");
        c.events.insert(kind);
    }
    if (c.events.empty())
        throw ConfigError(events_key + ": expected at least one of " + join(webhook_event_kinds()));
    c.secret = options.get(section + ".webhook_secret");
    c.timeout_ms = static_cast<int>(options.get_int(section + ".webhook_timeout_ms", 1, 60000));
    c.max_batch =
        static_cast<std::size_t>(options.get_int(section + ".webhook_max_batch", 1, 10000));
    c.max_queue =
        static_cast<std::size_t>(options.get_int(section + ".webhook_queue", 1, 10000000));
    return c;
}

std::string redact_url(const std::string& url) {
    std::string shown = url;
    // A query often carries a token: its value is not for logs.
    if (const auto query = shown.find('?'); query != std::string::npos)
        shown.replace(query + 1, std::string::npos, "***");
    const auto scheme = shown.find("://");
    if (scheme == std::string::npos) return shown;
    const auto authority = scheme + 3;
    const auto end = shown.find_first_of("/?#", authority);
    const auto at = shown.rfind('@', end);
    if (at == std::string::npos || at < authority) return shown;
    return shown.substr(0, authority) + "***@" + shown.substr(at + 1);
}

}  // namespace wsc
