// The interest directory: for every node of the cluster, which user ids and
// group ids have a connection there, as the nodes themselves report it.
//
// A routing hint, never the state (that stays on the nodes): it may say a
// node holds a user it no longer holds (the node then answers 0), but it
// must never miss one. So a node whose changes are not all known here — just
// seen, restarted, a change lost (a gap in its numbering, or a heartbeat or
// a peer saying it is further on) — is *unsynced* and may hold anything,
// until a snapshot of the node makes it exact again.
//
// Pure logic; registry's thread only. Messages are bus::Directory (deltas and
// snapshots, numbered per node boot).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "bus/Messages.hpp"

namespace wsc {

class Directory {
  public:
    using Clock = std::chrono::steady_clock;

    struct Settings {
        // How long a node may stay behind what a peer registry has applied
        // before a change counts as lost (changes in flight take far less).
        std::chrono::milliseconds lag_grace{1000};
        // At most one snapshot asked per node per this interval.
        std::chrono::milliseconds want_interval{500};
        // Deltas kept while waiting for a snapshot; past it they are dropped
        // (the snapshot that comes covers them or another is asked).
        std::size_t max_buffered = 1024;
    };

    struct Applied {
        bool fresh = false;  // first sight of this message: pass it on to the peers
        bool want = false;   // ask the node for a snapshot now
    };

    struct NodeStat {
        bool synced = false;
        std::uint64_t boot = 0;
        std::uint64_t seq = 0;
        std::size_t users = 0;
        std::size_t groups = 0;
    };

    Directory() : Directory(Settings{}) {}
    explicit Directory(Settings settings) : settings_(settings) {}

    Applied apply(const bus::Directory& message, Clock::time_point now);
    // The node itself says where its changes are (its heartbeat, which
    // follows every change it sent on the same link): true when a snapshot
    // must be asked.
    bool check_exact(const std::string& node, std::uint64_t boot, std::uint64_t seq,
                     Clock::time_point now);
    // Another registry says how far it has the node: being behind for longer
    // than lag_grace means a lost change. True when a snapshot must be asked.
    bool check_lagging(const std::string& node, std::uint64_t boot, std::uint64_t seq,
                       Clock::time_point now);

    // Whether `node` may have a connection of the user / a member of the group.
    bool may_hold_user(const std::string& node, const std::string& user) const;
    bool may_hold_group(const std::string& node, const std::string& group) const;

    // Drops what is known of nodes not in `live` (they left the cluster).
    void retain(const std::set<std::string>& live);
    void forget(const std::string& node) { entries_.erase(node); }

    NodeStat stat(const std::string& node) const;
    std::size_t synced_nodes() const;
    std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::uint64_t boot = 0;
        bool synced = false;
        std::uint64_t seq = 0;        // applied (when synced)
        std::uint64_t seen_seq = 0;   // highest delta seen, for passing on once
        std::uint64_t seen_snap = 0;  // highest snapshot seen, likewise
        std::unordered_set<std::string> users;
        std::unordered_set<std::string> groups;
        std::map<std::uint64_t, bus::Directory> buffered;  // deltas waiting for a snapshot
        std::optional<Clock::time_point> behind_since;
        std::optional<Clock::time_point> wanted_at;
    };

    Entry& entry(const std::string& node, std::uint64_t boot);
    void apply_delta(Entry& e, const bus::Directory& d);
    // Applies buffered deltas that follow on; false when a gap remains.
    bool catch_up(Entry& e);
    // Marks the entry unsynced; true when a snapshot should be asked now.
    bool lose_sync(Entry& e, Clock::time_point now);
    bool want_now(Entry& e, Clock::time_point now);

    Settings settings_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace wsc
