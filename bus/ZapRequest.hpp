// One ZAP (ZeroMQ Authentication Protocol, RFC 27) exchange: the request
// libzmq sends during a CURVE handshake and the answer wscenter gives.
//
// Pure logic on frames, so the rule is tested without sockets: a CURVE
// client whose public key is authorized gets 200, anyone else 400.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace wsc::bus {

struct ZapVerdict {
    bool allowed = false;
    std::string address;             // the client's IP address, as libzmq gives it
    std::string client_key;          // its public key, Z85 (empty when not CURVE)
    std::string reason;              // why it was refused, for the log
    std::vector<std::string> reply;  // the frames to send back
};

// `authorized` holds Z85 public keys. A malformed request gets status 500.
ZapVerdict judge_zap_request(const std::vector<std::string>& request,
                             const std::set<std::string>& authorized);

}  // namespace wsc::bus
