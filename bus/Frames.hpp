// The frame layout of a bus message — the only place that knows it.
//
//   DEALER side:  [header "WSC1"] [command: 1 byte] [body: msgpack map]
//   ROUTER side:  [identity] + the same three frames
//
// Bodies are kept as bytes here; callers decode them with from_msgpack, or
// forward them untouched (one serialisation, many sends).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "bus/MsgpackJson.hpp"
#include "bus/Protocol.hpp"

namespace wsc::bus {

struct Incoming {
    std::string identity;  // empty on a DEALER socket
    Command command;
    std::string body;  // msgpack bytes
};

// Sends [header][command][body] on a DEALER. Never blocks: returns false
// when the message could not be queued (peer gone or queue full).
bool send_message(zmq::socket_t& socket, Command command, std::string_view body);

// Sends [identity][header][command][body] on a ROUTER (router_mandatory):
// returns false, never blocks or throws, when the peer is unknown or slow.
bool send_routed(zmq::socket_t& socket, std::string_view identity, Command command,
                 std::string_view body);

// Same, sharing an already built body message (zmq reference-counts it), so
// that one command fanned out to N nodes is serialised once.
bool send_routed(zmq::socket_t& socket, std::string_view identity, Command command,
                 zmq::message_t& shared_body);

// Receives one whole multipart message without blocking. Returns nullopt when
// nothing is waiting. Throws DecodeError (after consuming every part) when
// the layout, header or command is wrong.
std::optional<Incoming> receive(zmq::socket_t& socket, bool routed);

// Applies the options every bus socket needs: linger 0, max message size,
// and router_mandatory on ROUTER sockets.
void configure_socket(zmq::socket_t& socket);

}  // namespace wsc::bus
