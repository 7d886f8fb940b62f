#include "registry/DirectoryAcks.hpp"

namespace wsc {

bool DirectoryAcks::record(const bus::DirectoryAck& ack) {
    Seen& seen = nodes_[ack.node];
    if (seen.boot != ack.boot) {
        // A restarted node numbers from 1 again: earlier acks say nothing.
        seen = Seen{};
        seen.boot = ack.boot;
    }
    auto& mark = seen.by_registry[ack.registry];
    if (ack.seq <= mark) return false;
    mark = ack.seq;
    return true;
}

bool DirectoryAcks::settled(const std::string& node, std::uint64_t seq,
                            const std::set<std::string>& registries) const {
    const auto it = nodes_.find(node);
    if (it == nodes_.end()) return registries.empty();
    for (const auto& registry : registries) {
        const auto mark = it->second.by_registry.find(registry);
        if (mark == it->second.by_registry.end() || mark->second < seq) return false;
    }
    return true;
}

void DirectoryAcks::retain(const std::set<std::string>& live) {
    std::erase_if(nodes_, [&](const auto& item) { return live.count(item.first) == 0; });
}

}  // namespace wsc
