#include "registry/Directory.hpp"

#include <algorithm>

namespace wsc {

Directory::Entry& Directory::entry(const std::string& node, std::uint64_t boot) {
    auto [it, created] = entries_.try_emplace(node);
    Entry& e = it->second;
    // Another boot is another process: nothing known of the old one holds,
    // and what it held is gone with it.
    if (!created && e.boot != boot) {
        record_lost(node, e);
        e = Entry{};
    }
    if (created || e.boot != boot) {
        // A process reported lost that is back: it holds nothing as far
        // as the cluster is concerned.
        if (was_lost(node, boot)) e.known = e.fenced = true;
    }
    e.boot = boot;
    return e;
}

Directory::Applied Directory::apply(const bus::Directory& m, Clock::time_point now) {
    Entry& e = entry(m.node, m.boot);
    Applied out;
    if (m.snap > 0) {
        out.fresh = m.snap > e.seen_snap;
        e.seen_snap = std::max(e.seen_snap, m.snap);
        // An older snapshot than what is applied would undo later changes.
        if (e.synced && m.seq < e.seq) return out;
        e.users = {m.users_add.begin(), m.users_add.end()};
        e.groups = {m.groups_add.begin(), m.groups_add.end()};
        replace_conns(m.node, e, m);
        e.seq = m.seq;
        e.synced = true;
        e.behind_since.reset();
        if (!catch_up(m.node, e)) out.want = lose_sync(e, now);
        return out;
    }
    out.fresh = m.seq > e.seen_seq;
    e.seen_seq = std::max(e.seen_seq, m.seq);
    if (e.synced) {
        if (m.seq <= e.seq) return out;  // seen already (it came by two paths)
        if (m.seq == e.seq + 1) {
            apply_delta(m.node, e, m);
            return out;
        }
    }
    // A gap, or waiting for a snapshot: keep it for when the snapshot comes.
    if (e.buffered.size() >= settings_.max_buffered) e.buffered.clear();
    e.buffered.emplace(m.seq, m);
    // A process starts with nothing: holding its changes from the first,
    // this registry knows it exactly without a snapshot.
    if (!e.known && e.buffered.begin()->first == 1) {
        start_known(e);
        if (catch_up(m.node, e)) return out;
    }
    out.want = e.synced ? lose_sync(e, now) : want_now(e, now);
    return out;
}

void Directory::start_known(Entry& e) {
    e.users.clear();
    e.groups.clear();
    e.conns.clear();
    e.seq = 0;
    e.synced = true;
    e.known = true;
    e.behind_since.reset();
}

void Directory::apply_delta(const std::string& node, Entry& e, const bus::Directory& d) {
    for (const auto& u : d.users_add) e.users.insert(u);
    for (const auto& u : d.users_del) e.users.erase(u);
    for (const auto& g : d.groups_add) e.groups.insert(g);
    for (const auto& g : d.groups_del) e.groups.erase(g);
    apply_conns(node, e, d);
    e.seq = d.seq;
}

bool Directory::catch_up(const std::string& node, Entry& e) {
    while (!e.buffered.empty()) {
        auto first = e.buffered.begin();
        if (first->first <= e.seq) {
            e.buffered.erase(first);
        } else if (first->first == e.seq + 1) {
            apply_delta(node, e, first->second);
            e.buffered.erase(first);
        } else {
            return false;
        }
    }
    return true;
}

bool Directory::lose_sync(Entry& e, Clock::time_point now) {
    e.synced = false;
    e.users.clear();
    e.groups.clear();
    e.behind_since.reset();
    return want_now(e, now);
}

bool Directory::want_now(Entry& e, Clock::time_point now) {
    if (e.wanted_at && now - *e.wanted_at < settings_.want_interval) return false;
    e.wanted_at = now;
    return true;
}

bool Directory::check_exact(const std::string& node, std::uint64_t boot, std::uint64_t seq,
                            Clock::time_point now) {
    if (boot == 0) return false;  // a node that keeps no directory: always unsynced
    Entry& e = entry(node, boot);
    // A process that has sent no change yet holds nothing.
    if (!e.known && seq == 0 && e.buffered.empty()) {
        start_known(e);
        return false;
    }
    if (!e.synced) return want_now(e, now);
    // The heartbeat follows, on the same link, every change it counts; it
    // may lag a change that came faster through a peer, never lead one.
    if (e.seq < seq) return lose_sync(e, now);
    return false;
}

bool Directory::check_lagging(const std::string& node, std::uint64_t boot, std::uint64_t seq,
                              Clock::time_point now) {
    if (boot == 0) return false;
    Entry& e = entry(node, boot);
    if (!e.synced) return want_now(e, now);
    if (e.seq >= seq) {
        e.behind_since.reset();
        return false;
    }
    if (!e.behind_since) {
        e.behind_since = now;
        return false;
    }
    if (now - *e.behind_since < settings_.lag_grace) return false;
    return lose_sync(e, now);
}

bool Directory::may_hold_user(const std::string& node, const std::string& user) const {
    const auto it = entries_.find(node);
    return it == entries_.end() || !it->second.synced || it->second.users.count(user) != 0;
}

bool Directory::may_hold_group(const std::string& node, const std::string& group) const {
    const auto it = entries_.find(node);
    return it == entries_.end() || !it->second.synced || it->second.groups.count(group) != 0;
}

void Directory::retain(const std::set<std::string>& live, Clock::time_point now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        auto& absent = it->second.absent_since;
        if (live.count(it->first) != 0) {
            absent.reset();
            ++it;
            continue;
        }
        if (!absent) absent = now;
        if (now - *absent < settings_.lag_grace) {
            ++it;
            continue;
        }
        record_lost(it->first, it->second);
        it = entries_.erase(it);
    }
}

Directory::NodeStat Directory::stat(const std::string& node) const {
    const auto it = entries_.find(node);
    if (it == entries_.end()) return {};
    const Entry& e = it->second;
    return {e.synced, e.boot, e.seq, e.users.size(), e.groups.size()};
}

std::size_t Directory::synced_nodes() const {
    return static_cast<std::size_t>(std::count_if(
        entries_.begin(), entries_.end(), [](const auto& item) { return item.second.synced; }));
}

}  // namespace wsc
