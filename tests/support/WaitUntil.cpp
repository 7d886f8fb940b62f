// Polling helper for integration tests (see WaitUntil.hpp).
#include "tests/support/WaitUntil.hpp"

#include <thread>

namespace wsc::test {

namespace {
// Short enough to keep tests fast, long enough not to burn a core while polling.
constexpr std::chrono::milliseconds kPollInterval{10};
}  // namespace

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (pred()) return true;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return pred();
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(kPollInterval, deadline - now));
    }
}

}  // namespace wsc::test
