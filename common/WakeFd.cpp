#include "common/WakeFd.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace wsc {

WakeFd::WakeFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

WakeFd::~WakeFd() {
    ::close(fd_);
}

void WakeFd::notify() {
    const std::uint64_t one = 1;
    // Only fails (EAGAIN) when the counter is saturated: it is readable then.
    [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
}

void WakeFd::clear() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(fd_, &count, sizeof count);
}

}  // namespace wsc
