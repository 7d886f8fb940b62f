// What the bench's WebSocket clients speak, so that one load generator drives
// wscenter and the peers it is compared with (scripts/bench-peers.sh):
//
//   wscenter  the node's frames: {"cmd":"open","_id":"<32 hex>"} first, then
//             each message as one text frame. A client that opted in to
//             delivery receipts (upgrade target "/?acks=1") gets a message
//             sent with `ack` as {"cmd":"msg","ack":"<token>","data":<msg>}
//             and answers {"cmd":"ack","ack":"<token>"}.
//   socketio  Socket.IO 4 over a WebSocket (Engine.IO v4): the server's open
//             packet 0{...} is answered with the namespace connect "40", its
//             40{"sid":"..."} opens the client, pings "2" get pongs "3", and a
//             message arrives as 42["m","<bench payload>"].
//   pushpin   what Pushpin relays: plain text frames. The peer's origin opens
//             each connection with the same open frame as a node.
//
// Only the text of a frame is interpreted here; ClientPool owns the sockets.
#pragma once

#include <string>
#include <string_view>

namespace wsc::bench {

enum class ClientProtocol { wscenter, socketio, pushpin };

// "wscenter", "socketio" or "pushpin"; anything else is a UsageError.
ClientProtocol parse_client_protocol(const std::string& name);
const char* to_string(ClientProtocol protocol);

// The request target of the WebSocket upgrade; `acks` opts the connection in
// to delivery receipts (wscenter only).
const char* upgrade_target(ClientProtocol protocol, bool acks = false);

enum class TextKind {
    payload,  // text = a bench message (not yet checked)
    open,     // text = the connection id the server gave the client
    reply,    // text = what the client must send back (a text frame)
    closed,   // text = why the server ended the session
    other,    // nothing to do
};

struct TextMeaning {
    TextKind kind = TextKind::other;
    std::string_view text;  // points into the frame, or at a constant
    // A message that asks for a delivery receipt: its token (points into the
    // frame), to answer with ack_frame_text() whatever `kind` is.
    std::string_view ack;
};

// What a text frame from the server means to a client that is (or is not
// yet) open.
TextMeaning interpret_text(ClientProtocol protocol, std::string_view frame, bool opened);

// {"cmd":"ack","ack":"<token>"}: the receipt a wscenter client sends back.
std::string ack_frame_text(std::string_view token);

}  // namespace wsc::bench
