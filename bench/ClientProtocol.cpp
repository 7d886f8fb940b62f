// ClientProtocol: the text-frame grammar of each server the bench drives.
#include "bench/ClientProtocol.hpp"

#include "bench/BenchArgs.hpp"

namespace wsc::bench {

namespace {

constexpr std::string_view kOpenPrefix = R"({"cmd":"open","_id":")";
constexpr std::size_t kWscIdBytes = 32;

// Engine.IO v4 packet types (first character) and Socket.IO packet types
// (second character, inside an Engine.IO "message" packet).
constexpr char kEioOpen = '0';
constexpr char kEioClose = '1';
constexpr char kEioPing = '2';
constexpr char kEioMessage = '4';
constexpr char kSioConnect = '0';
constexpr char kSioDisconnect = '1';
constexpr char kSioEvent = '2';
constexpr char kSioConnectError = '4';
constexpr std::string_view kSioConnectRequest = "40";  // connect to the main namespace "/"
constexpr std::string_view kEioPong = "3";
constexpr std::string_view kSidKey = R"("sid":")";
// 42["<event>","<payload>"]: the bench payload needs no JSON escapes.
constexpr std::string_view kEventStart = R"(42[")";
constexpr std::string_view kArgStart = R"(",")";
constexpr std::string_view kArgEnd = R"("])";

TextMeaning meaning(TextKind kind, std::string_view text = {}) {
    return TextMeaning{kind, text};
}

TextMeaning interpret_wscenter(std::string_view frame, bool opened) {
    if (!frame.empty() && frame[0] >= '0' && frame[0] <= '9')
        return meaning(TextKind::payload, frame);
    if (!opened && frame.rfind(kOpenPrefix, 0) == 0 &&
        frame.size() >= kOpenPrefix.size() + kWscIdBytes)
        return meaning(TextKind::open, frame.substr(kOpenPrefix.size(), kWscIdBytes));
    return meaning(TextKind::other);
}

// The value of "sid" in 40{"sid":"..."}.
std::string_view socketio_sid(std::string_view frame) {
    const auto at = frame.find(kSidKey);
    if (at == std::string_view::npos) return {};
    const std::size_t begin = at + kSidKey.size();
    const auto end = frame.find('"', begin);
    return end == std::string_view::npos ? std::string_view{} : frame.substr(begin, end - begin);
}

// The string argument of 42["m","..."], or nothing.
std::string_view socketio_event_arg(std::string_view frame) {
    if (frame.rfind(kEventStart, 0) != 0 || frame.size() < kEventStart.size() + kArgEnd.size())
        return {};
    const auto arg = frame.find(kArgStart, kEventStart.size());
    if (arg == std::string_view::npos || frame.substr(frame.size() - kArgEnd.size()) != kArgEnd)
        return {};
    const std::size_t begin = arg + kArgStart.size();
    if (begin > frame.size() - kArgEnd.size()) return {};
    return frame.substr(begin, frame.size() - kArgEnd.size() - begin);
}

TextMeaning interpret_socketio(std::string_view frame, bool opened) {
    if (frame.empty()) return meaning(TextKind::other);
    switch (frame[0]) {
        case kEioOpen:
            return opened ? meaning(TextKind::other) : meaning(TextKind::reply, kSioConnectRequest);
        case kEioPing:
            return meaning(TextKind::reply, kEioPong);
        case kEioClose:
            return meaning(TextKind::closed, "Engine.IO close packet");
        case kEioMessage:
            break;
        default:
            return meaning(TextKind::other);
    }
    const char type = frame.size() > 1 ? frame[1] : '\0';
    if (type == kSioEvent) {
        const std::string_view arg = socketio_event_arg(frame);
        return arg.empty() ? meaning(TextKind::other) : meaning(TextKind::payload, arg);
    }
    if (type == kSioConnect && !opened) {
        const std::string_view sid = socketio_sid(frame);
        return sid.empty() ? meaning(TextKind::other) : meaning(TextKind::open, sid);
    }
    if (type == kSioDisconnect) return meaning(TextKind::closed, "Socket.IO disconnect packet");
    if (type == kSioConnectError) return meaning(TextKind::closed, frame);
    return meaning(TextKind::other);
}

}  // namespace

ClientProtocol parse_client_protocol(const std::string& name) {
    if (name == "wscenter") return ClientProtocol::wscenter;
    if (name == "socketio") return ClientProtocol::socketio;
    if (name == "pushpin") return ClientProtocol::pushpin;
    throw UsageError("--protocol: expected wscenter, socketio or pushpin, got '" + name + "'");
}

const char* to_string(ClientProtocol protocol) {
    switch (protocol) {
        case ClientProtocol::socketio:
            return "socketio";
        case ClientProtocol::pushpin:
            return "pushpin";
        case ClientProtocol::wscenter:
            break;
    }
    return "wscenter";
}

const char* upgrade_target(ClientProtocol protocol) {
    return protocol == ClientProtocol::socketio ? "/socket.io/?EIO=4&transport=websocket" : "/";
}

TextMeaning interpret_text(ClientProtocol protocol, std::string_view frame, bool opened) {
    // Pushpin's origin opens a connection exactly like a node does.
    return protocol == ClientProtocol::socketio ? interpret_socketio(frame, opened)
                                                : interpret_wscenter(frame, opened);
}

}  // namespace wsc::bench
