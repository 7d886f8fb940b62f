// Who is online in the whole cluster, and the events that say so.
//
// Fed by the interest directory's binding changes (every registry applies
// every node's changes in that node's order), it counts each user's bound
// connections across the cluster. A user going from none to one is
// `online`, from one to none `offline`. Registries may see two nodes'
// changes in different orders, so each user has one *deciding* registry —
// the winner of a rendezvous hash of the user id over the live registries —
// and only it makes the user's events; the others record what it announced
// (its events reach them down the federation's tree). Likewise one registry,
// by the node id, makes the `close` events (reason `node_lost`) of a node
// that left the cluster without closing its connections, and the offlines
// they cause, after them.
//
// Handing over: a registry that has run for less than `maturity` (its
// PeerState says how long it has run) does not decide while an older one is
// there: by then it knows every node's state and what was announced. A
// registry sees itself older a little before the others do, so deciders
// overlap for a moment rather than leave a gap. When a
// registry disappears, each user it decided is checked by its new decider:
// a state that differs from what was announced is announced now, with the
// event id the old decider would have given it when both saw the same change
// last (bus/EventIds.hpp), so a receiver can drop the copy.
//
// Pure logic, no sockets; the broker's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bus/Messages.hpp"
#include "registry/Directory.hpp"

namespace wsc {

class Presence {
  public:
    using Events = std::vector<bus::ClusterEvent>;
    // Reachable registries (this one included) -> how long each has run.
    using Uptimes = std::map<std::string, std::uint64_t>;

    Presence(std::string self, std::chrono::milliseconds maturity)
        : self_(std::move(self)), maturity_ms_(static_cast<std::uint64_t>(maturity.count())) {}

    // The registries reachable now. Returns the events this registry must
    // make because a registry that decided them is gone.
    Events set_registries(const Uptimes& reachable);

    // A connection's user changed (Directory::take_bindings()).
    void on_binding(const Directory::Binding& binding, Events& out);
    // A node left the cluster or restarted holding connections.
    void on_lost(const Directory::LostNode& lost, Events& out);
    // An event made by another registry: false when it was seen already
    // (it came by two paths), true when it is new (it is then recorded).
    bool on_event(const bus::ClusterEvent& event);

    bool online(const std::string& user) const;
    std::size_t users_online() const { return online_; }
    // The registry that decides `key` (a user id, or a node id for its loss)
    // among `registries`; "" when there is none. Same answer everywhere.
    static std::string decider(const std::string& key, const std::set<std::string>& registries);
    // Before the registries are known, this one decides alone.
    bool decides(const std::string& key) const {
        return deciders_.empty() || decider(key, deciders_) == self_;
    }
    // Events made or passed on whose ids are remembered, to drop copies.
    static constexpr std::size_t kRememberedEvents = 1 << 17;

  private:
    struct User {
        std::size_t conns = 0;   // bound connections known
        bool announced = false;  // online, as last announced (by anyone)
        // The change that made the last transition seen here, and where.
        bus::ChangeCause cause;
    };

    // One bound connection more (+1) or less (-1) for `user`.
    void count(const std::string& user, int delta, const bus::ChangeCause& cause, bool learned,
               Events& out);
    void announce(const std::string& user, User& u, Events& out);
    // Remembers an event id; false when it was remembered already.
    bool remember(const std::string& eid);
    void drop_if_idle(const std::string& user);

    std::string self_;
    std::uint64_t maturity_ms_;
    std::set<std::string> reachable_;
    // The reachable registries old enough to decide (all of them when none is).
    std::set<std::string> deciders_;
    std::unordered_map<std::string, User> users_;
    std::size_t online_ = 0;  // users with conns > 0
    // Recent event ids, to drop an event that came twice.
    std::unordered_set<std::string> seen_;
    std::deque<std::string> seen_order_;
};

}  // namespace wsc
