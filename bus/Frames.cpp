#include "bus/Frames.hpp"

#include <vector>

namespace wsc::bus {

namespace {

bool try_send(zmq::socket_t& socket, zmq::message_t& msg, bool more) {
    const auto flags =
        more ? (zmq::send_flags::dontwait | zmq::send_flags::sndmore) : zmq::send_flags::dontwait;
    try {
        return socket.send(msg, flags).has_value();
    } catch (const zmq::error_t&) {
        // EHOSTUNREACH from router_mandatory: the peer is gone.
        return false;
    }
}

bool send_frames(zmq::socket_t& socket, std::string_view identity, Command command,
                 zmq::message_t& body) {
    const auto cmd = static_cast<std::uint8_t>(command);
    zmq::message_t id(identity.data(), identity.size());
    zmq::message_t header(kHeader.data(), kHeader.size());
    zmq::message_t cmd_frame(&cmd, 1);
    // Only the first part can be refused: once it is accepted, zmq queues the
    // whole multipart message atomically.
    if (!identity.empty() && !try_send(socket, id, true)) return false;
    if (!try_send(socket, header, true) && identity.empty()) return false;
    try_send(socket, cmd_frame, true);
    return try_send(socket, body, false);
}

}  // namespace

bool send_message(zmq::socket_t& socket, Command command, std::string_view body) {
    zmq::message_t msg(body.data(), body.size());
    return send_frames(socket, {}, command, msg);
}

bool send_routed(zmq::socket_t& socket, std::string_view identity, Command command,
                 std::string_view body) {
    zmq::message_t msg(body.data(), body.size());
    return send_frames(socket, identity, command, msg);
}

bool send_routed(zmq::socket_t& socket, std::string_view identity, Command command,
                 zmq::message_t& shared_body) {
    zmq::message_t msg;
    msg.copy(shared_body);
    return send_frames(socket, identity, command, msg);
}

std::optional<Incoming> receive(zmq::socket_t& socket, bool routed) {
    std::vector<zmq::message_t> parts;
    zmq::message_t part;
    if (!socket.recv(part, zmq::recv_flags::dontwait)) return std::nullopt;
    bool more = part.more();
    std::size_t count = 1;
    parts.push_back(std::move(part));
    // Drain every part so a bad message never leaves the socket mid-message.
    while (more) {
        zmq::message_t next;
        (void)socket.recv(next, zmq::recv_flags::none);
        more = next.more();
        ++count;
        if (parts.size() < kMaxFrames) parts.push_back(std::move(next));
    }
    const std::size_t expected = routed ? 4 : 3;
    if (count != expected)
        throw DecodeError("expected " + std::to_string(expected) + " frames, got " +
                          std::to_string(count));
    std::size_t i = 0;
    Incoming in;
    if (routed) in.identity = parts[i++].to_string();
    if (parts[i].to_string_view() != kHeader)
        throw DecodeError("bad protocol header (expected " + std::string(kHeader) + ")");
    ++i;
    if (parts[i].size() != 1) throw DecodeError("command frame must be one byte");
    const auto command = command_from_byte(*parts[i].data<std::uint8_t>());
    if (!command)
        throw DecodeError("unknown command " + std::to_string(*parts[i].data<std::uint8_t>()));
    in.command = *command;
    ++i;
    in.body = parts[i].to_string();
    return in;
}

void configure_socket(zmq::socket_t& socket) {
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, kMaxMessageBytes);
    if (socket.get(zmq::sockopt::type) == ZMQ_ROUTER) socket.set(zmq::sockopt::router_mandatory, 1);
}

}  // namespace wsc::bus
