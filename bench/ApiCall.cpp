// ApiCall: encodings for HTTP and the bus.
#include "bench/ApiCall.hpp"

#include <stdexcept>

namespace wsc::bench {

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

// Appending piece by piece (rather than "literal" + string) also sidesteps a
// false -Wrestrict of GCC 12's operator+.
std::string http_get_target(const ApiCall& call) {
    const std::string event = url_encode(call.event);
    std::string out = http_post_target(call);
    for (const auto& [key, value] : call.args) {
        out.append("&").append(event).append("%5B").append(url_encode(key));
        out.append("%5D=").append(url_encode(value));
    }
    if (call.ack_ms > 0) out.append("&ack=").append(std::to_string(call.ack_ms));
    return out;
}

std::string http_post_target(const ApiCall& call) {
    std::string out("/?event=");
    out.append(url_encode(call.event));
    return out;
}

std::string http_post_body(const ApiCall& call) {
    nlohmann::ordered_json args = nlohmann::ordered_json::object();
    for (const auto& [key, value] : call.args) args[key] = value;
    nlohmann::ordered_json body = nlohmann::ordered_json::object();
    body[call.event] = std::move(args);
    if (call.ack_ms > 0) body["ack"] = call.ack_ms;
    return body.dump();
}

std::string pushpin_publish_body(const ApiCall& call) {
    std::string channel;
    std::string msg;
    for (const auto& [key, value] : call.args) {
        if (key == "msg") msg = value;
        if (key == "_id") channel = "c" + value;
    }
    if (call.event == "broadcast") channel = "all";
    if (channel.empty() || (call.event != "broadcast" && call.event != "sendMessageTo_Id"))
        throw std::invalid_argument("no Pushpin publish equivalent for " + call.event);
    const nlohmann::json item = {{"channel", channel},
                                 {"formats", {{"ws-message", {{"content", msg}}}}}};
    return nlohmann::json{{"items", nlohmann::json::array({item})}}.dump();
}

nlohmann::json bus_params(const ApiCall& call) {
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [key, value] : call.args) args[key] = value;
    nlohmann::json params{{"event", call.event}, {call.event, std::move(args)}};
    if (call.ack_ms > 0) params["ack"] = call.ack_ms;
    return params;
}

bool envelope_ok(std::string_view envelope) {
    constexpr std::string_view kOk = R"({"code":0,)";
    if (envelope.rfind(kOk, 0) != 0) return false;
    // A node's failure slot is the only other place a "code" key appears.
    for (auto pos = envelope.find(R"("code":)", kOk.size()); pos != std::string_view::npos;
         pos = envelope.find(R"("code":)", pos + 1)) {
        if (envelope.substr(pos + 7, 1) != "0") return false;
    }
    return true;
}

}  // namespace wsc::bench
