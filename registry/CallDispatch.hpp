// API calls in progress: each call's rounds sent to the nodes, their replies
// gathered, and the finished envelope handed back to whoever asked.
//
// Pure logic, like Gatherer and CallRun which it drives: the broker
// implements Port (the route table, the sends, the answers) and feeds
// replies, node losses and time. Broker thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/ApiRequest.hpp"
#include "registry/CallRun.hpp"
#include "registry/Gatherer.hpp"
#include "registry/Topology.hpp"

namespace wsc {

// Who is waiting for a call's envelope: an HTTP request of this registry's
// API server, or a bus client (the CLI) with the `req` it chose.
struct HttpCaller {
    std::uint64_t http_id;
};
struct BusCaller {
    std::string identity;  // its ROUTER identity
    nlohmann::json req;    // echoed in the ClientResult
};
using Caller = std::variant<HttpCaller, BusCaller>;

class CallDispatch {
  public:
    using Clock = Gatherer::Clock;
    using RouteTable = std::map<std::string, Topology::Route>;

    class Port {
      public:
        virtual ~Port() = default;
        // Every live node of the cluster and how to reach it (valid until the
        // next call into the port).
        virtual const RouteTable& routes() = 0;
        // The nodes of routes(), in its order, as a list a call may keep for
        // its master_ids. Default: a fresh copy each time.
        virtual CallRun::NodeIds node_ids();
        // Sends one round (`events`, a JSON array of {name, params}) as
        // Request `req` to every node of `table`; returns the nodes whose
        // link refused it at once.
        virtual std::vector<std::string> send_round(std::uint64_t req, const nlohmann::json& events,
                                                    const RouteTable& table,
                                                    std::int64_t ttl_ms) = 0;
        // A registry-scope event (nodes, route), answered here.
        virtual nlohmann::json local_event(const std::string& event,
                                           const nlohmann::json& params) = 0;
        // `nodes` slots of a round waited on ended without a reply (its
        // deadline passed or the node left).
        virtual void nodes_missed(std::size_t nodes) = 0;
        // The nodes of `table` that a round of `events` concerns (the others
        // get the events' zero results). Default: all of them.
        virtual std::vector<std::string> targets(const nlohmann::json& events,
                                                 const RouteTable& table);
        // Whether every live registry has seen `node`'s directory change
        // `dseq`, which a round of this call made. Default: yes.
        virtual bool directory_settled(const std::string& node, std::uint64_t dseq);
        // A call stopped waiting for directory acknowledgements at its deadline.
        virtual void directory_unsettled() {}
        // The call is done: `run` holds its envelope; `took` since begin().
        virtual void finished(const Caller& caller, const CallRun& run,
                              std::chrono::microseconds took) = 0;
    };

    // Request numbers start at `first_req` (random per registry, so that a
    // late reply to an earlier incarnation matches nothing).
    CallDispatch(Port& port, std::uint64_t first_req) : port_(port), next_req_(first_req) {}

    // Starts a call: its master_ids are the nodes routed now. Calls that
    // need no node finish (Port::finished) before this returns.
    void begin(ApiCall call, Caller caller);
    // One node's results for Request `req`; `dseq` is the directory change
    // those events made on the node (0: none to wait for).
    void on_reply(std::uint64_t req, const std::string& node, nlohmann::json results,
                  std::uint64_t dseq = 0);
    // Directory changes were seen somewhere: calls waiting on them go on
    // when they are settled.
    void directory_progress();
    // A node has left: rounds waiting on it stop waiting.
    void node_gone(const std::string& node);
    // Ends the rounds whose deadline has passed.
    void expire(Clock::time_point now);

    std::optional<Clock::time_point> next_deadline() const;
    // Calls waiting on nodes (or on directory acknowledgements) now.
    std::size_t in_flight() const { return runs_.size() + fenced_.size(); }

  private:
    struct Run {
        std::unique_ptr<CallRun> run;
        Caller caller;
        Clock::time_point started;
        Clock::time_point deadline;
        // Directory changes of the round in flight: (node, dseq).
        std::vector<std::pair<std::string, std::uint64_t>> fences;
    };
    // A round whose replies are in, held until its directory changes are
    // seen by every registry (or its deadline).
    struct Fenced {
        Run run;
        Gatherer::Outcome outcome;
    };

    // Sends the call's next rounds until one must wait, or finishes it.
    void advance(Run run);
    void on_outcome(const Gatherer::Outcome& outcome);
    bool settled(const Run& run);
    void go_on(Run run, const Gatherer::Outcome& outcome);

    Port& port_;
    Gatherer gatherer_;
    std::unordered_map<std::uint64_t, Run> runs_;  // by the req of their round in flight
    std::vector<Fenced> fenced_;
    std::uint64_t next_req_;
};

}  // namespace wsc
