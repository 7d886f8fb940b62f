// Connection ids (`_id`) that name their node: the first 8 hex characters
// are the owning node's tag, the other 24 are random (96 bits from the
// system's CSPRNG, so an id cannot be guessed from ids already seen).
//
// A registry routes every event addressed to an `_id` to the live node(s)
// with that tag only. Two live nodes with the same tag (a 1 in 2^32 chance
// for random node ids) are both asked: the tag may over-approximate the
// owner, never miss it. See bus/PROTOCOL.md, "Connection ids".
#pragma once

#include <string>
#include <string_view>

namespace wsc::bus {

inline constexpr std::size_t kConnTagLength = 8;

// The tag of a node: FNV-1a (32 bits) of its id text, as 8 lowercase hex
// characters. Hashed rather than cut from the id, so that configured ids
// with a common prefix (0000…0001, 0000…0002) still get distinct tags.
std::string node_tag(std::string_view node_id);

// A fresh connection id for the node with this tag.
std::string new_conn_id(std::string_view tag);

// The tag part of a well-formed `_id` (32 lowercase hex), or an empty view
// when `conn_id` is malformed (then no node can hold it).
std::string_view conn_tag(std::string_view conn_id);

}  // namespace wsc::bus
