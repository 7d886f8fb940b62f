// Fuzz target: the HTTP API's query/body parsing and validation, which read
// whatever a caller sends.
#include <cstddef>
#include <cstdint>

#include "api/ApiRequest.hpp"
#include "api/Envelope.hpp"
#include "api/ParamTree.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    // First byte picks the parser, the rest is the input.
    const char mode = size > 0 ? input[0] % 3 : 0;
    const std::string_view rest = size > 0 ? input.substr(1) : input;
    nlohmann::json merged;
    try {
        if (mode == 0)
            merged = wsc::parse_query_string(rest);
        else if (mode == 1)
            merged = wsc::parse_body("application/json", rest);
        else
            merged = wsc::parse_body("application/x-www-form-urlencoded", rest);
    } catch (const wsc::ParamError&) {
        return 0;
    }
    const auto built = wsc::build_api_call(merged, {"t"});
    if (const auto* err = std::get_if<wsc::ApiError>(&built))
        (void)wsc::error_envelope(err->code, err->msg);
    const auto open = wsc::build_api_call(merged, {});
    if (const auto* call = std::get_if<wsc::ApiCall>(&open))
        (void)call->params.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return 0;
}
