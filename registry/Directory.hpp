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
// It also keeps each node's connections and their user ids, exactly as far
// as it knows them (kept while a node is unsynced, so that the snapshot that
// syncs it again is compared with them): what presence and the closes of a
// lost node are computed from. Each change of a connection's user is
// reported once (take_bindings()), and so is what a node held when it left
// or restarted (take_lost()).
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
#include <utility>
#include <vector>

#include "bus/EventIds.hpp"
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

    // A connection's user changed, from `before` to `after` ("" for none:
    // not bound, not open). `learned`: the first state known of a node this
    // registry joined late (a snapshot), not a change anyone saw happen.
    struct Binding {
        bus::ChangeCause cause;
        std::string before;
        std::string after;
        bool learned = false;
    };
    // What a node held when it left the cluster or restarted: connection
    // id -> user id ("" when unbound), sorted.
    struct LostNode {
        std::string node;
        std::uint64_t boot = 0;
        std::map<std::string, std::string> conns;
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

    // Drops what is known of nodes not in `live` for lag_grace (they left
    // the cluster; a moment's absence while routes change is no departure).
    void retain(const std::set<std::string>& live, Clock::time_point now);

    // The changes since the last take, in the order they were applied.
    std::vector<Binding> take_bindings() { return std::exchange(bindings_, {}); }
    std::vector<LostNode> take_lost() { return std::exchange(lost_, {}); }
    std::size_t connections() const;
    // Whether this process of the node was reported lost here: it must
    // start anew (bus NodeLost), and its connections are not taken.
    bool was_lost(const std::string& node, std::uint64_t boot) const;

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
        // Connections as last known exactly (conn id -> user id, "" when
        // unbound); `known` once they are known for this boot.
        std::unordered_map<std::string, std::string> conns;
        bool known = false;
        // A process reported lost, back: what it still holds is gone for
        // good (it is told to close it), so none of it is taken.
        bool fenced = false;
        std::map<std::uint64_t, bus::Directory> buffered;  // deltas waiting for a snapshot
        std::optional<Clock::time_point> behind_since;
        std::optional<Clock::time_point> absent_since;  // not live since
        std::optional<Clock::time_point> wanted_at;
    };

    Entry& entry(const std::string& node, std::uint64_t boot);
    void apply_delta(const std::string& node, Entry& e, const bus::Directory& d);
    // Connections (DirectoryConns.cpp): a delta's changes; a snapshot's
    // state compared with what was known; what a node held, as lost.
    void apply_conns(const std::string& node, Entry& e, const bus::Directory& d);
    void replace_conns(const std::string& node, Entry& e, const bus::Directory& snapshot);
    void set_user(const std::string& node, Entry& e, std::uint64_t seq, const std::string& conn,
                  const std::string& user);
    void record_lost(const std::string& node, Entry& e);
    // Applies buffered deltas that follow on; false when a gap remains.
    bool catch_up(const std::string& node, Entry& e);
    // The node's process is known from its start: it held nothing then.
    void start_known(Entry& e);
    // Marks the entry unsynced; true when a snapshot should be asked now.
    bool lose_sync(Entry& e, Clock::time_point now);
    bool want_now(Entry& e, Clock::time_point now);

    Settings settings_;
    std::unordered_map<std::string, Entry> entries_;
    std::vector<Binding> bindings_;
    std::vector<LostNode> lost_;
    // Processes reported lost (node -> boot), so that one coming back (a
    // partition healed) is fenced. Bounded: past it, one is forgotten.
    std::map<std::string, std::uint64_t> lost_boots_;
    static constexpr std::size_t kLostBootsKept = 4096;
};

}  // namespace wsc
