#include "wsnode/LocalApi.hpp"

#include "api/Envelope.hpp"
#include "api/EventCatalog.hpp"

namespace wsc {

std::string run_local_api(const nlohmann::json& merged, const std::vector<std::string>& tokens,
                          CommandExecutor& executor, const ApiLimits& limits) {
    auto built = build_api_call(merged, tokens, limits);
    if (const auto* err = std::get_if<ApiError>(&built)) return error_envelope(err->code, err->msg);
    const auto& call = std::get<ApiCall>(built);
    nlohmann::ordered_json out;
    out["code"] = kCodeOk;
    out["msg"] = "ok";
    out["extra"] = nlohmann::ordered_json::array();
    auto& data = out["data"] = nlohmann::ordered_json::object();
    for (const auto& name : call.events) {
        const EventSpec* spec = find_event(name);
        if (spec && spec->scope == EventScope::Registry) {
            data[name] = node_error(kCodeError, "event '" + name + "' is answered by a registry");
            continue;
        }
        data[name] = to_ordered(executor.run(name, call.params[name]));
    }
    return dump_compact(out);
}

}  // namespace wsc
