// Runs one API event against a node's ConnectionIndex and Transport.
//
// This is the per-node half of every event in SPEC §4: the bus hands the node
// an event name and its parameters, the executor returns that node's result.
// It is pure (no sockets of its own) so that every event is unit tested with
// a fake Transport. Called on the node's lws thread only.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "wsnode/AckLedger.hpp"
#include "wsnode/ConnectionIndex.hpp"
#include "wsnode/Transport.hpp"

namespace wsc {

// The longest receipt wait a node keeps (a bus client may ask more).
inline constexpr long long kMaxAckMs = 3'600'000;

class CommandExecutor {
  public:
    // Without `acks`, receipts are not kept: sends ignore their "ack".
    CommandExecutor(ConnectionIndex& index, Transport& transport, AckLedger* acks = nullptr);

    // Runs one event with params already normalised by the API layer (ids
    // and msg are strings, list params are arrays of strings). Returns the
    // per-node result of SPEC §4 (int, bool, sorted list, string or null,
    // or the stored query object for get_IdData).
    //
    // Never throws. Bad bus input gets {"code":1,"msg":...,"data":[]}:
    //   a missing or mistyped parameter: "<event>: missing parameter '<p>'";
    //   an event nodes do not run (including "route"): "unknown event '<e>'".
    nlohmann::json run(std::string_view event, const nlohmann::json& params);
    // The same; a send event whose params ask for receipts ("ack": ms) opens
    // a wait in the ledger, set in `*wait`, and its result becomes
    // {"sent":n,"acked":0,"_ids":[]}, for the caller to complete when the
    // wait is over.
    nlohmann::json run(std::string_view event, const nlohmann::json& params,
                       std::optional<AckLedger::WaitId>* wait);

  private:
    ConnectionIndex& index_;
    Transport& transport_;
    AckLedger* acks_;
};

}  // namespace wsc
