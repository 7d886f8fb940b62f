// ClientProtocol: the text-frame grammar of each server the bench drives.
#include "bench/ClientProtocol.hpp"

#include "bench/BenchArgs.hpp"

namespace wsc::bench {

namespace {

constexpr std::string_view kOpenPrefix = R"({"cmd":"open","_id":")";
constexpr std::size_t kWscIdBytes = 32;
// {"cmd":"msg","ack":"<token>","data":<msg>}; a bench payload is a JSON string
// that needs no escapes, so its text lies between the quotes.
constexpr std::string_view kAckedPrefix = R"({"cmd":"msg","ack":")";
constexpr std::string_view kAckedData = R"(","data":)";
constexpr std::string_view kAckPrefix = R"({"cmd":"ack","ack":")";
constexpr std::string_view kAckSuffix = R"("})";

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
    return TextMeaning{kind, text, {}};
}

bool is_token_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_';
}

// A message wrapped for a receipt: the token, and the message when it is a
// JSON string without escapes (the bench's payloads), else "other".
TextMeaning interpret_acked(std::string_view frame) {
    const std::size_t token_at = kAckedPrefix.size();
    const auto token_end = frame.find('"', token_at);
    if (token_end == std::string_view::npos || token_end == token_at)
        return meaning(TextKind::other);
    const std::string_view token = frame.substr(token_at, token_end - token_at);
    for (const char c : token)
        if (!is_token_char(c)) return meaning(TextKind::other);
    if (frame.substr(token_end, kAckedData.size()) != kAckedData) return meaning(TextKind::other);
    TextMeaning m = meaning(TextKind::other);
    m.ack = token;
    const std::string_view data = frame.substr(token_end + kAckedData.size());
    // "<text>"} with no quote or backslash inside.
    if (data.size() >= 3 && data.front() == '"' && data.substr(data.size() - 2) == kAckSuffix) {
        const std::string_view text = data.substr(1, data.size() - 3);
        if (text.find_first_of("\\\"") == std::string_view::npos) {
            m.kind = TextKind::payload;
            m.text = text;
        }
    }
    return m;
}

TextMeaning interpret_wscenter(std::string_view frame, bool opened) {
    if (!frame.empty() && frame[0] >= '0' && frame[0] <= '9')
        return meaning(TextKind::payload, frame);
    if (opened && frame.rfind(kAckedPrefix, 0) == 0) return interpret_acked(frame);
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

const char* upgrade_target(ClientProtocol protocol, bool acks) {
    if (protocol == ClientProtocol::socketio) return "/socket.io/?EIO=4&transport=websocket";
    return acks && protocol == ClientProtocol::wscenter ? "/?acks=1" : "/";
}

TextMeaning interpret_text(ClientProtocol protocol, std::string_view frame, bool opened) {
    // Pushpin's origin opens a connection exactly like a node does.
    return protocol == ClientProtocol::socketio ? interpret_socketio(frame, opened)
                                                : interpret_wscenter(frame, opened);
}

std::string ack_frame_text(std::string_view token) {
    std::string out;
    out.reserve(kAckPrefix.size() + token.size() + kAckSuffix.size());
    out.append(kAckPrefix).append(token).append(kAckSuffix);
    return out;
}

}  // namespace wsc::bench
