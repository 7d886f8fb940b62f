// The inproc messages from the lws thread (BusLink::Outbox) and from stop()
// to the bus thread (BusLink::drain_inbox): their one definition.
//
//   [kReplyKind][registry index, decimal text][Reply body, msgpack]
//   [kUpstreamKind][Upstream body, msgpack]
//   [kDirectoryKind][seq, decimal text][Directory body, msgpack]: a delta
//   [kSnapshotKind][seq, decimal text][Directory body, msgpack]: a snapshot
//   [kStopKind]
//
// The seq travels as a frame of its own so that the bus thread need not
// decode the body it passes on.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

namespace wsc::inproc {

inline constexpr std::string_view kReplyKind = "R";
inline constexpr std::string_view kUpstreamKind = "U";
inline constexpr std::string_view kDirectoryKind = "D";
inline constexpr std::string_view kSnapshotKind = "DS";
inline constexpr std::string_view kStopKind = "S";

// Replies and directory messages waiting in the pipe before the lws
// thread's sends fail.
inline constexpr int kOutboxHighWater = 100'000;

// A number frame, or false when it is not exactly a decimal number.
template <class Unsigned>
bool parse_number(std::string_view text, Unsigned& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace wsc::inproc
