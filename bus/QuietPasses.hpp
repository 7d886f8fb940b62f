// Serving zmq sockets from an event loop that watches their ZMQ_FD.
//
// That descriptor is edge-like: it signals when the socket's state changes,
// and a send on the socket may take in the notice of a message that arrived
// meanwhile, after which the descriptor stays quiet although the message
// waits. So whoever serves the sockets repeats its passes over all of them
// until one pass receives nothing: that pass sent nothing either, so every
// socket was last touched by an empty receive and will signal again. The
// one home of that rule (the wsnode's BusLink and the registry's Broker).
#pragma once

namespace wsc::bus {

// What one pass over the sockets did.
struct PassCount {
    int received = 0;   // messages taken
    bool full = false;  // a socket stopped at its burst: it has more waiting

    // One socket's share: `n` messages, of at most `burst` a pass.
    void add(int n, int burst) {
        received += n;
        full = full || n >= burst;
    }
};

// Passes before the loop gets a turn again, however busy the sockets.
inline constexpr int kMaxQuietPasses = 4;

// Runs `pass` (returning a PassCount) until one receives nothing. Returns
// true when work is left (a socket stopped at its burst, or the passes ran
// out): the loop must then not sleep before serving again.
template <class Pass>
bool serve_until_quiet(Pass&& pass) {
    for (int i = 0; i < kMaxQuietPasses; ++i) {
        const PassCount count = pass();
        if (count.received == 0) return false;
        if (count.full) return true;  // the loop's other work gets a turn first
    }
    return true;
}

}  // namespace wsc::bus
