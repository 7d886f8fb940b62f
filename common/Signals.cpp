// Signals: pthread_sigmask + sigtimedwait, so no async signal handler exists
// and the shutdown runs as ordinary code on the main thread.
#include "common/Signals.hpp"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <ctime>
#include <system_error>

#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr long kPollNanoseconds = 100'000'000;  // how often stop_requested is checked

sigset_t termination_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

}  // namespace

void block_termination_signals() {
    const sigset_t set = termination_set();
    if (const int rc = pthread_sigmask(SIG_BLOCK, &set, nullptr); rc != 0) {
        throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
    }
    if (::signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        throw std::system_error(errno, std::generic_category(), "signal(SIGPIPE)");
    }
}

int wait_for_termination(const std::function<bool()>& stop_requested,
                         const std::function<void()>& on_hangup) {
    const sigset_t set = termination_set();
    const timespec poll{0, kPollNanoseconds};
    while (true) {
        if (stop_requested && stop_requested()) return 0;
        const int signal_number = ::sigtimedwait(&set, nullptr, &poll);
        if (signal_number == SIGINT || signal_number == SIGTERM) return signal_number;
        if (signal_number == SIGHUP) {
            if (on_hangup)
                on_hangup();
            else
                log_info("signals", "SIGHUP ignored (restart the program to reload its config)");
            continue;
        }
        if (signal_number < 0 && errno != EAGAIN && errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "sigtimedwait");
        }
    }
}

}  // namespace wsc
