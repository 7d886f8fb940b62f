#include "registry/Presence.hpp"

#include "bus/EventIds.hpp"
#include "bus/Protocol.hpp"

namespace wsc {

namespace {

std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 14695981039346656037ull) {
    for (const unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

// A full-avalanche finish (splitmix64), so that ids differing in one
// character still spread evenly over the registries.
std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

}  // namespace

std::string Presence::decider(const std::string& key, const std::set<std::string>& registries) {
    // Rendezvous hashing: losing a registry moves only the keys it decided.
    const std::uint64_t base = fnv1a(key);
    std::string best;
    std::uint64_t best_score = 0;
    for (const auto& registry : registries) {
        const std::uint64_t score = mix(fnv1a(registry, base ^ 0x9e3779b97f4a7c15ull));
        if (best.empty() || score > best_score) {
            best = registry;
            best_score = score;
        }
    }
    return best;
}

Presence::Events Presence::set_registries(const Uptimes& reachable) {
    std::set<std::string> now;
    std::set<std::string> mature;
    for (const auto& [registry, up] : reachable) {
        now.insert(registry);
        if (up >= maturity_ms_) mature.insert(registry);
    }
    Events out;
    bool lost_one = false;
    for (const auto& registry : reachable_)
        if (now.count(registry) == 0) lost_one = true;
    reachable_ = std::move(now);
    deciders_ = mature.empty() ? reachable_ : std::move(mature);
    if (!lost_one) return out;
    // Users whose decider is gone: what was announced may not be the truth
    // (its last events may have died with it).
    for (auto& [user, u] : users_) {
        if (u.announced == (u.conns > 0) || !decides(user)) continue;
        announce(user, u, out);
    }
    return out;
}

void Presence::on_binding(const Directory::Binding& b, Events& out) {
    if (!b.before.empty()) count(b.before, -1, b.cause, b.learned, out);
    if (!b.after.empty()) count(b.after, +1, b.cause, b.learned, out);
}

void Presence::on_lost(const Directory::LostNode& lost, Events& out) {
    const bool closes = decides(lost.node);
    std::vector<std::pair<std::string, bus::ChangeCause>> unbound;
    for (const auto& [conn, user] : lost.conns) {
        const bus::ChangeCause cause{lost.node, lost.boot, 0, true, conn};
        if (closes) {
            bus::ClusterEvent close;
            close.event = bus::kEventClose;
            close.eid = bus::lost_close_id(cause);
            close.user = user.empty() ? nlohmann::json() : nlohmann::json(user);
            close.node = lost.node;
            close.conn = conn;
            close.reason = bus::kCloseNodeLost;
            // Told already (the same process lost twice over).
            if (remember(close.eid)) out.push_back(std::move(close));
        }
        if (!user.empty()) unbound.emplace_back(user, cause);
    }
    // Every close first, then what they mean for each user.
    for (const auto& [user, cause] : unbound) count(user, -1, cause, false, out);
}

void Presence::count(const std::string& user, int delta, const bus::ChangeCause& cause,
                     bool learned, Events& out) {
    User& u = users_[user];
    const bool was = u.conns > 0;
    if (delta > 0)
        ++u.conns;
    else if (u.conns > 0)
        --u.conns;
    const bool is = u.conns > 0;
    if (was != is) {
        online_ += is ? 1 : 0;
        online_ -= is ? 0 : 1;
        u.cause = cause;
        // A state learned from a snapshot was announced before this
        // registry joined: it is taken as announced, not announced again.
        if (learned) u.announced = is;
        // A node's loss is told by one registry, closes then offlines, in
        // that order: the one deciding the node decides these offlines too.
        // A state already announced (by a registry that saw a change this
        // one missed, or by the other decider of a hand-over) is not
        // announced twice.
        else if (u.announced != is && decides(cause.lost ? cause.node : user))
            announce(user, u, out);
    }
    drop_if_idle(user);
}

void Presence::announce(const std::string& user, User& u, Events& out) {
    const bool is = u.conns > 0;
    bus::ClusterEvent event;
    event.event = is ? bus::kEventOnline : bus::kEventOffline;
    event.eid = bus::presence_id(event.event, user, u.cause);
    event.user = user;
    event.node = u.cause.node;
    event.conn = u.cause.conn;
    u.announced = is;
    remember(event.eid);
    out.push_back(std::move(event));
}

bool Presence::on_event(const bus::ClusterEvent& event) {
    if (!remember(event.eid)) return false;
    if (event.user.is_string() &&
        (event.event == bus::kEventOnline || event.event == bus::kEventOffline)) {
        const std::string user = event.user.get<std::string>();
        users_[user].announced = event.event == bus::kEventOnline;
        drop_if_idle(user);
    }
    return true;
}

bool Presence::online(const std::string& user) const {
    const auto it = users_.find(user);
    return it != users_.end() && it->second.conns > 0;
}

bool Presence::remember(const std::string& eid) {
    if (!seen_.insert(eid).second) return false;
    seen_order_.push_back(eid);
    if (seen_order_.size() > kRememberedEvents) {
        seen_.erase(seen_order_.front());
        seen_order_.pop_front();
    }
    return true;
}

void Presence::drop_if_idle(const std::string& user) {
    // Nothing to remember of a user offline everywhere and announced so.
    const auto it = users_.find(user);
    if (it != users_.end() && it->second.conns == 0 && !it->second.announced) users_.erase(it);
}

}  // namespace wsc
