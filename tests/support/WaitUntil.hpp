// Polling helper for integration tests: wait for a condition instead of sleeping.
//
// Distributed behaviour (a node joining, a message arriving) takes an unknown
// but short time; tests poll for the outcome with a deadline so they are both
// fast when things work and bounded when they do not.
#pragma once

#include <chrono>
#include <functional>

namespace wsc::test {

// Polls pred every 10 ms until it returns true or the timeout passes; returns the
// last value of pred() (so `EXPECT_TRUE(wait_until(...))` reads naturally).
bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace wsc::test
