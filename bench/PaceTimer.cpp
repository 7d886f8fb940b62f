// PaceTimer: due times and an absolute CLOCK_MONOTONIC timerfd.
#include "bench/PaceTimer.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "bench/Clock.hpp"

namespace wsc::bench {

PaceTimer::PaceTimer(double rate) : rate_(rate) {
    if (rate_ <= 0) return;
    fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(std::string("timerfd_create: ") + std::strerror(errno));
}

PaceTimer::~PaceTimer() {
    if (fd_ >= 0) ::close(fd_);
}

std::int64_t PaceTimer::due(std::int64_t now_ns) const {
    if (rate_ <= 0) return now_ns;
    return start_ns_ + static_cast<std::int64_t>(static_cast<double>(count_) *
                                                 static_cast<double>(kNsPerSecond) / rate_);
}

void PaceTimer::arm() {
    if (fd_ < 0) return;
    const std::int64_t at = std::max<std::int64_t>(due(0), 1);  // 0 would disarm
    itimerspec spec{};
    spec.it_value.tv_sec = at / kNsPerSecond;
    spec.it_value.tv_nsec = at % kNsPerSecond;
    ::timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void PaceTimer::disarm() {
    if (fd_ < 0) return;
    const itimerspec off{};
    ::timerfd_settime(fd_, 0, &off, nullptr);
}

void PaceTimer::drain() {
    if (fd_ < 0) return;
    std::uint64_t expirations = 0;
    while (::read(fd_, &expirations, sizeof expirations) > 0) {
    }
}

}  // namespace wsc::bench
