#include "bus/Protocol.hpp"

namespace wsc::bus {

std::string_view to_string(Command c) {
    switch (c) {
        case Command::NodeReady:
            return "NodeReady";
        case Command::Heartbeat:
            return "Heartbeat";
        case Command::NodeBye:
            return "NodeBye";
        case Command::Request:
            return "Request";
        case Command::Reply:
            return "Reply";
        case Command::ClientCall:
            return "ClientCall";
        case Command::ClientResult:
            return "ClientResult";
        case Command::PeerHello:
            return "PeerHello";
        case Command::PeerState:
            return "PeerState";
        case Command::Subscribe:
            return "Subscribe";
        case Command::Upstream:
            return "Upstream";
        case Command::Challenge:
            return "Challenge";
        case Command::Directory:
            return "Directory";
        case Command::DirectoryWant:
            return "DirectoryWant";
        case Command::DirectoryAck:
            return "DirectoryAck";
        case Command::Event:
            return "Event";
        case Command::NodeLost:
            return "NodeLost";
    }
    return "?";
}

std::optional<Command> command_from_byte(std::uint8_t b) {
    if (b < static_cast<std::uint8_t>(Command::NodeReady) ||
        b > static_cast<std::uint8_t>(Command::NodeLost) || b == kReservedCommand)
        return std::nullopt;
    return static_cast<Command>(b);
}

}  // namespace wsc::bus
