// Runs one API event against a node's ConnectionIndex and Transport.
//
// This is the per-node half of every event in SPEC §4: the bus hands the node
// an event name and its parameters, the executor returns that node's result.
// It is pure (no sockets of its own) so that every event is unit tested with
// a fake Transport. Called on the node's lws thread only.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "wsnode/ConnectionIndex.hpp"
#include "wsnode/Transport.hpp"

namespace wsc {

class CommandExecutor {
  public:
    CommandExecutor(ConnectionIndex& index, Transport& transport);

    // Runs one event with params already normalised by the API layer (ids
    // and msg are strings, list params are arrays of strings). Returns the
    // per-node result of SPEC §4 (int, bool, sorted list, string or null,
    // or the stored query object for get_IdData).
    //
    // Never throws. Bad bus input gets {"code":1,"msg":...,"data":[]}:
    //   a missing or mistyped parameter: "<event>: missing parameter '<p>'";
    //   an event nodes do not run (including "route"): "unknown event '<e>'".
    nlohmann::json run(std::string_view event, const nlohmann::json& params);

  private:
    ConnectionIndex& index_;
    Transport& transport_;
};

}  // namespace wsc
