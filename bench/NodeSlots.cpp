// NodeSlots: the per-node results of an answer against what they should be.
#include "bench/NodeSlots.hpp"

#include <nlohmann/json.hpp>

namespace wsc::bench {

namespace {

constexpr std::size_t kExcerpt = 200;  // characters of a wrong answer kept for the report

std::string excerpt(std::string_view text) {
    return std::string(text.substr(0, kExcerpt));
}

}  // namespace

std::string check_node_slots(std::string_view envelope, const std::string& event,
                             const NodeCounts& expected) {
    const auto answer = nlohmann::json::parse(envelope, nullptr, false);
    if (answer.is_discarded() || !answer.is_object())
        return "answer is not JSON: " + excerpt(envelope);
    const auto data = answer.find("data");
    if (data == answer.end() || !data->is_object() || !data->contains(event) ||
        !(*data)[event].is_object())
        return "no node slots for " + event + ": " + excerpt(envelope);
    const auto& slots = (*data)[event];
    const std::string wrong = event + " results " + excerpt(slots.dump()) + ", expected ";
    for (const auto& [node, value] : slots.items()) {
        const auto want = expected.find(node);
        const long long n = want == expected.end() ? 0 : want->second;
        if (!value.is_number_integer() || value.get<long long>() != n)
            return wrong + node.substr(0, 8) + "…=" + std::to_string(n);
    }
    for (const auto& [node, n] : expected)
        if (n != 0 && !slots.contains(node))
            return wrong + node.substr(0, 8) + "…=" + std::to_string(n);
    return {};
}

}  // namespace wsc::bench
