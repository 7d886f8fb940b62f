// A bounded multi-producer queue drained in one go by its owning thread.
//
// The one bridge between threads: a producer pushes, then wakes the owner
// (lws_cancel_service() for an lws loop, a zmq poke for the broker). Wakeups
// merge (many pushes may produce one wakeup), so the owner always takes the
// whole queue at once, swapping it out under the lock and working on it
// outside the lock.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

namespace wsc {

template <class T>
class Mailbox {
  public:
    explicit Mailbox(std::size_t capacity) : capacity_(capacity) {}

    // False when `capacity` items are already waiting (a stuck consumer must
    // not make the producer grow memory without bound); `item` is then left
    // as it was, so that the producer can still say what it refused.
    bool push(T&& item) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (items_.size() >= capacity_) return false;
        items_.push_back(std::move(item));
        return true;
    }

    // Everything pushed so far, oldest first; the mailbox is left empty.
    std::deque<T> take_all() {
        std::deque<T> out;
        std::lock_guard<std::mutex> lock(mutex_);
        out.swap(items_);
        return out;
    }

  private:
    const std::size_t capacity_;
    std::mutex mutex_;
    std::deque<T> items_;
};

}  // namespace wsc
