// Fuzz target: what a client or caller can make a node do — the node-local
// API (query parsing, validation, every event on the connection index).
#include <cstddef>
#include <cstdint>

#include "api/ParamTree.hpp"
#include "wsnode/LocalApi.hpp"

namespace {
struct NullTransport : wsc::Transport {
    bool send(const std::string&, const wsc::Payload&) override { return true; }
    std::size_t send_to_all(const wsc::Payload&, const std::unordered_set<std::string>&) override {
        return 0;
    }
    void close(const std::string&) override {}
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    wsc::ConnectionIndex index;
    NullTransport transport;
    wsc::CommandExecutor executor(index, transport);
    for (const char* id : {"a", "b", "c"}) index.add(id, nlohmann::json{{"q", id}});
    index.bind("u", "a");
    index.join("g", "b");
    nlohmann::json merged;
    try {
        merged =
            wsc::parse_query_string(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const wsc::ParamError&) {
        return 0;
    }
    (void)wsc::run_local_api(merged, {}, executor);
    // Raw bus input reaches the executor unvalidated: it must cope too.
    if (merged.contains("event") && merged["event"].is_string())
        (void)executor.run(merged["event"].get<std::string>(), merged);
    return 0;
}
