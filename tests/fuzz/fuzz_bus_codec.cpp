// Fuzz target: the bus body decoder, which reads bytes from the network.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bus/MsgpackJson.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    nlohmann::json value;
    try {
        value = wsc::bus::from_msgpack(bytes);
    } catch (const wsc::bus::DecodeError&) {
        return 0;  // refused cleanly: the expected outcome for most inputs
    }
    // Re-encoding what was decoded is stable (compared as bytes: NaN != NaN).
    const std::string once = wsc::bus::to_msgpack(value);
    if (wsc::bus::to_msgpack(wsc::bus::from_msgpack(once)) != once) std::abort();
    return 0;
}
