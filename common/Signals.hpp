// Termination signals for programs with worker threads.
//
// The main thread blocks SIGINT/SIGTERM/SIGHUP before it starts any thread,
// so no worker is ever interrupted by them; it then waits for them
// synchronously and runs an orderly shutdown.
#pragma once

#include <functional>

namespace wsc {

// Blocks SIGINT/SIGTERM/SIGHUP in the calling thread (call in main() before
// starting threads, so every thread inherits the mask) and ignores SIGPIPE
// (a peer closing a socket must be an error code, not a dead process).
// Throws std::system_error if the mask cannot be changed.
void block_termination_signals();

// Waits until SIGINT or SIGTERM arrives or `stop_requested()` becomes true
// (polled every 100 ms; an empty function means never). Returns the signal
// number, or 0 when stop_requested fired. A SIGHUP calls `on_hangup` (the
// program reloads what it can, e.g. its TLS certificate) or is ignored.
// Call only after block_termination_signals().
int wait_for_termination(const std::function<bool()>& stop_requested = {},
                         const std::function<void()>& on_hangup = {});

}  // namespace wsc
