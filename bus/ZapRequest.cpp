// ZAP request frames (RFC 27):
//   version "1.0", request id, domain, address, routing id, mechanism,
//   then the mechanism's credentials (CURVE: the 32-byte client public key).
// Reply frames: version, request id, status code, status text, user id,
// metadata.
#include "bus/ZapRequest.hpp"

#include "bus/CurveConfig.hpp"

namespace wsc::bus {

namespace {

constexpr const char* kVersion = "1.0";
constexpr const char* kAllowed = "200";
constexpr const char* kRefused = "400";
constexpr const char* kMalformed = "500";
// Frames before the credentials.
constexpr std::size_t kFixedFrames = 6;
constexpr std::size_t kRequestIdFrame = 1;
constexpr std::size_t kAddressFrame = 3;
constexpr std::size_t kMechanismFrame = 5;

std::vector<std::string> reply(const std::string& request_id, const char* status,
                               const std::string& text, const std::string& user_id) {
    return {kVersion, request_id, status, text, user_id, ""};
}

}  // namespace

ZapVerdict judge_zap_request(const std::vector<std::string>& request,
                             const std::set<std::string>& authorized) {
    ZapVerdict verdict;
    const std::string request_id =
        request.size() > kRequestIdFrame ? request[kRequestIdFrame] : std::string();
    if (request.size() < kFixedFrames || request[0] != kVersion) {
        verdict.reason = "malformed ZAP request";
        verdict.reply = reply(request_id, kMalformed, verdict.reason, "");
        return verdict;
    }
    verdict.address = request[kAddressFrame];
    if (request[kMechanismFrame] != "CURVE" || request.size() != kFixedFrames + 1) {
        verdict.reason = "mechanism " + request[kMechanismFrame] + " instead of CURVE";
        verdict.reply = reply(request_id, kRefused, verdict.reason, "");
        return verdict;
    }
    verdict.client_key = curve_key_text(request[kFixedFrames]);
    if (verdict.client_key.empty()) {
        verdict.reason = "malformed CURVE credentials";
        verdict.reply = reply(request_id, kMalformed, verdict.reason, "");
        return verdict;
    }
    if (authorized.count(verdict.client_key) == 0) {
        verdict.reason = "key " + verdict.client_key + " is not authorized";
        verdict.reply = reply(request_id, kRefused, "key not authorized", "");
        return verdict;
    }
    verdict.allowed = true;
    verdict.reply = reply(request_id, kAllowed, "OK", verdict.client_key);
    return verdict;
}

}  // namespace wsc::bus
