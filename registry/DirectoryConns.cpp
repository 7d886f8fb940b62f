// The interest directory's connections: each node's connections and their
// user ids, and every change of a connection's user, reported once.
#include "registry/Directory.hpp"

namespace wsc {

void Directory::set_user(const std::string& node, Entry& e, std::uint64_t seq,
                         const std::string& conn, const std::string& user) {
    // A connection with no entry is not open; open with "" is not bound.
    auto it = e.conns.find(conn);
    const std::string before = it == e.conns.end() ? std::string() : it->second;
    if (before != user)
        bindings_.push_back(Binding{bus::ChangeCause{node, e.boot, seq, false, conn}, before, user,
                                    /*learned=*/false});
}

void Directory::apply_conns(const std::string& node, Entry& e, const bus::Directory& d) {
    if (e.fenced) return;
    for (const auto& conn : d.conns_del) {
        set_user(node, e, d.seq, conn, {});
        e.conns.erase(conn);
    }
    for (std::size_t i = 0; i < d.conns_add.size() && i < d.conns_user.size(); ++i) {
        set_user(node, e, d.seq, d.conns_add[i], d.conns_user[i]);
        e.conns[d.conns_add[i]] = d.conns_user[i];
    }
}

void Directory::replace_conns(const std::string& node, Entry& e, const bus::Directory& snapshot) {
    if (e.fenced) return;
    // Compared with what was known: the changes this registry missed. A
    // node never known before is learned, not changed.
    const bool learned = !e.known;
    std::unordered_map<std::string, std::string> now;
    for (std::size_t i = 0; i < snapshot.conns_add.size() && i < snapshot.conns_user.size(); ++i)
        now[snapshot.conns_add[i]] = snapshot.conns_user[i];
    const auto report = [&](const std::string& conn, const std::string& before,
                            const std::string& after) {
        if (before != after)
            bindings_.push_back(Binding{bus::ChangeCause{node, e.boot, snapshot.seq, false, conn},
                                        before, after, learned});
    };
    for (const auto& [conn, user] : e.conns)
        if (now.count(conn) == 0) report(conn, user, {});
    for (const auto& [conn, user] : now) {
        const auto old = e.conns.find(conn);
        report(conn, old == e.conns.end() ? std::string() : old->second, user);
    }
    e.conns = std::move(now);
    e.known = true;
}

void Directory::record_lost(const std::string& node, Entry& e) {
    if (e.conns.empty()) return;
    if (lost_boots_.size() >= kLostBootsKept) lost_boots_.erase(lost_boots_.begin());
    lost_boots_[node] = e.boot;
    LostNode lost{node, e.boot, {e.conns.begin(), e.conns.end()}};
    lost_.push_back(std::move(lost));
    e.conns.clear();
}

bool Directory::was_lost(const std::string& node, std::uint64_t boot) const {
    const auto it = lost_boots_.find(node);
    return it != lost_boots_.end() && it->second == boot;
}

std::size_t Directory::connections() const {
    std::size_t n = 0;
    for (const auto& [node, e] : entries_) n += e.conns.size();
    return n;
}

}  // namespace wsc
