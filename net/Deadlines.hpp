// Deadlines of many connections, ordered: set, clear, and take those that
// have passed. The node keeps its own because lws's timers do not fire when
// lws runs on a foreign libev loop (Debian's 4.1.6).
//
// Socket-free; `Key` is any hashable handle (the node uses its peers).
#pragma once

#include <chrono>
#include <map>
#include <unordered_map>
#include <vector>

namespace wsc {

template <class Key>
class Deadlines {
  public:
    using Clock = std::chrono::steady_clock;

    // Sets (or moves) the deadline of `key`.
    void set(Key key, Clock::time_point when) {
        clear(key);
        by_key_.emplace(key, by_time_.emplace(when, key));
    }
    void clear(Key key) {
        const auto it = by_key_.find(key);
        if (it == by_key_.end()) return;
        by_time_.erase(it->second);
        by_key_.erase(it);
    }
    bool has(Key key) const { return by_key_.count(key) != 0; }
    // Removes and returns the keys whose deadline is at or before `now`,
    // earliest first.
    std::vector<Key> take_expired(Clock::time_point now) {
        std::vector<Key> out;
        while (!by_time_.empty() && by_time_.begin()->first <= now) {
            const Key key = by_time_.begin()->second;
            by_time_.erase(by_time_.begin());
            by_key_.erase(key);
            out.push_back(key);
        }
        return out;
    }
    std::size_t size() const { return by_key_.size(); }

  private:
    std::multimap<Clock::time_point, Key> by_time_;
    std::unordered_map<Key, typename std::multimap<Clock::time_point, Key>::iterator> by_key_;
};

}  // namespace wsc
