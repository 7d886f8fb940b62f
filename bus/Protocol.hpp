// Bus protocol constants: version header, commands, limits, heartbeat defaults.
//
// Every constant of the wire protocol lives here; bus/PROTOCOL.md describes
// the same protocol in prose for implementers in other languages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wsc::bus {

// First frame of every bus message (after the ROUTER identity). The digit is
// the protocol version: a peer speaking another version is refused.
inline constexpr std::string_view kHeader = "WSC1";

enum class Command : std::uint8_t {
    NodeReady = 1,     // node -> registry: register (or re-register) a node
    Heartbeat = 2,     // both ways on every link
    NodeBye = 3,       // node -> registry: leaving now (graceful drain)
    Request = 4,       // registry -> node: run events
    Reply = 5,         // node -> registry: results of a Request
    ClientCall = 6,    // client (CLI) -> registry: run an API call
    ClientResult = 7,  // registry -> client: the API envelope
    PeerHello = 8,     // registry -> registry: open or refresh a federation link
    PeerState = 9,     // registry -> registry: the nodes reachable through the sender
    Subscribe = 10,    // client -> registry: start/refresh receiving upstream events
    Upstream = 11,     // node -> registry -> peers/subscribers: a client event
    // 12 is reserved (it was Disconnect, never sent): not a command; a
    // message carrying it is refused like any unknown byte.
    Challenge = 13,      // registry -> node/peer: prove the cluster secret with this nonce
    Directory = 14,      // node -> registry -> peers: a change (or snapshot) of a node's interests
    DirectoryWant = 15,  // registry -> peers -> node: send a snapshot of your interests
    DirectoryAck = 16,   // registry -> peers: a directory change asked for is applied here
    Event = 17,  // registry -> peers/subscribers: an event the cluster made (presence, node loss)
    NodeLost = 18,  // registry -> node: the cluster declared this process lost; start anew
};

// The byte of the withdrawn Disconnect: never to be given another meaning.
inline constexpr std::uint8_t kReservedCommand = 12;

std::string_view to_string(Command c);
std::optional<Command> command_from_byte(std::uint8_t b);

// Limits that protect every decoder from hostile input.
inline constexpr std::int64_t kMaxMessageBytes = 16 * 1024 * 1024;  // zmq maxmsgsize
inline constexpr std::size_t kMaxFrames = 4;                        // identity + 3

// Why a connection ended, in the `reason` of an Upstream close event:
inline constexpr const char* kCloseClient = "client";       // the client closed, broke the
                                                            // protocol or vanished
inline constexpr const char* kCloseServer = "server";       // closed through the API or a handler
inline constexpr const char* kCloseSlow = "slow";           // its send queue passed the cap
inline constexpr const char* kCloseOversize = "oversize";   // a message over the limits
inline constexpr const char* kCloseDrain = "drain";         // the node is shutting down
inline constexpr const char* kCloseNodeLost = "node_lost";  // the node died: no registry
                                                            // could reach it any more
inline constexpr std::size_t kMaxCloseReasonBytes = 32;
// The kinds of the events the cluster itself makes (the Event command).
inline constexpr const char* kEventOnline = "online";    // a user's first connection is bound
inline constexpr const char* kEventOffline = "offline";  // a user's last connection is gone
inline constexpr const char* kEventClose = "close";      // a connection of a lost node
// An event id (`eid`): 24 lowercase hex characters.
inline constexpr std::size_t kEventIdLength = 24;
inline constexpr std::size_t kMaxDepth = 32;             // msgpack nesting
inline constexpr std::size_t kMaxContainer = 1'000'000;  // items per array/map

// Liveness defaults: a link is dead after kDefaultLiveness silent intervals.
inline constexpr int kDefaultHeartbeatMs = 1000;
inline constexpr int kDefaultLiveness = 3;
// How often a subscriber renews its Subscribe (the CLI, the Python client).
inline constexpr int kSubscriptionRenewalMs = 1000;

}  // namespace wsc::bus
