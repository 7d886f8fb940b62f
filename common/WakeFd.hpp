// A file descriptor that any thread can make readable: how a producer wakes
// the thread that owns a Mailbox when that thread sleeps in poll() (the
// broker polls it beside its zmq sockets).
//
// Wake-ups merge: many notify() calls before one clear() are one wake-up, so
// the owner must take everything waiting each time it wakes.
#pragma once

namespace wsc {

class WakeFd {
  public:
    // Throws std::system_error when the kernel refuses an eventfd.
    WakeFd();
    ~WakeFd();
    WakeFd(const WakeFd&) = delete;
    WakeFd& operator=(const WakeFd&) = delete;

    // Any thread; never blocks.
    void notify();
    // Owner thread: makes the descriptor unreadable again.
    void clear();
    int fd() const { return fd_; }

  private:
    int fd_;
};

}  // namespace wsc
