// Fuzz target: every typed bus body decoder (bus/Messages.hpp), fed the body
// bytes a peer could send under any command.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bus/Messages.hpp"

namespace {

using wsc::bus::DecodeError;

// What a decoder accepted encodes to a body it accepts again, unchanged
// (compared as bytes: NaN != NaN).
void check_stable(nlohmann::json (*normalise)(const nlohmann::json&), const nlohmann::json& body) {
    std::string once;
    try {
        once = wsc::bus::to_msgpack(normalise(body));
    } catch (const DecodeError&) {
        return;  // refused cleanly: the expected outcome for most inputs
    }
    if (wsc::bus::to_msgpack(normalise(wsc::bus::from_msgpack(once))) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    nlohmann::json body;
    try {
        body = wsc::bus::from_msgpack(bytes);
    } catch (const DecodeError&) {
        return 0;
    }
    for (const auto& schema : wsc::bus::message_schemas()) check_stable(schema.normalise, body);
    // The Reply's own packing (results in event order) reads back the same.
    try {
        const auto reply = wsc::bus::Reply::from_json(body);
        const auto again = wsc::bus::decode<wsc::bus::Reply>(wsc::bus::encode(reply));
        if (wsc::bus::to_msgpack(again.to_json()) != wsc::bus::to_msgpack(reply.to_json()))
            std::abort();
    } catch (const DecodeError&) {
    }
    try {
        (void)wsc::bus::Upstream::from_json(body).event_line().dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace);
    } catch (const DecodeError&) {
    }
    (void)wsc::bus::echo_req(body);
    return 0;
}
