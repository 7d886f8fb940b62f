// The numbering of a node's interest directory.
#include "wsnode/DirectoryFeed.hpp"

#include <utility>

namespace wsc {

bus::Directory DirectoryFeed::delta(InterestChanges changes, std::string ack) {
    bus::Directory d;
    d.node = node_id_;
    d.boot = boot_;
    d.seq = ++seq_;
    d.users_add = std::move(changes.users_add);
    d.users_del = std::move(changes.users_del);
    d.groups_add = std::move(changes.groups_add);
    d.groups_del = std::move(changes.groups_del);
    d.conns_add = std::move(changes.conns_add);
    d.conns_user = std::move(changes.conns_user);
    d.conns_del = std::move(changes.conns_del);
    d.ack = std::move(ack);
    return d;
}

bus::Directory DirectoryFeed::snapshot(InterestChanges all) {
    bus::Directory d;
    d.node = node_id_;
    d.boot = boot_;
    d.seq = seq_;
    d.snap = ++snap_;
    d.users_add = std::move(all.users_add);
    d.groups_add = std::move(all.groups_add);
    d.conns_add = std::move(all.conns_add);
    d.conns_user = std::move(all.conns_user);
    return d;
}

}  // namespace wsc
