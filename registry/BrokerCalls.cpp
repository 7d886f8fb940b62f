// The broker's part in API calls: taking them (HTTP mailbox, bus clients),
// the CallDispatch::Port it offers (routes, sends, answers), and the rounds
// of other registries' calls it relays.
#include <algorithm>

#include "api/Envelope.hpp"
#include "bus/Frames.hpp"
#include "bus/Messages.hpp"
#include "common/Ids.hpp"
#include "registry/Broker.hpp"
#include "registry/LocalEvents.hpp"

namespace wsc {

const Broker::RouteTable& Broker::routes() {
    const std::pair generations{nodes_.generation(), federation_->generation()};
    if (route_cache_.generations != generations) {
        route_cache_.table =
            federation_->topology().routes(local_nodes(), federation_->live_peers());
        std::vector<std::string> ids;
        ids.reserve(route_cache_.table.size());
        for (const auto& [node, route] : route_cache_.table) ids.push_back(node);
        route_cache_.live = std::make_shared<const LiveNodes>(std::move(ids));
        route_cache_.generations = generations;
    }
    return route_cache_.table;
}

CallRun::NodeIds Broker::node_ids() {
    routes();  // brings the cache up to date
    // The ids inside the shared node list, which they keep alive.
    return {route_cache_.live, &route_cache_.live->ids};
}

void Broker::on_reply(const bus::Incoming& in, const Federation::Source& from,
                      const nlohmann::json& body) {
    metrics_.replies.fetch_add(1, std::memory_order_relaxed);
    auto reply = bus::Reply::from_json(body);
    // A node may only answer for itself, on its own link.
    if (!speaks_for(in, from, reply.node)) {
        ignore_unproven(
            in, "reply for node '" + reply.node + "' from a link that does not speak for it");
        return;
    }
    if (!reply.origin.empty() && reply.origin != registry_id_) {
        // Someone else's call: pass the reply back the way the request came.
        if (const auto* upstream = relay_.upstream_of(reply.origin, reply.req))
            federation_->send(*upstream, bus::Command::Reply, in.body);
        return;
    }
    const auto dseq = reply.dseq;
    dispatch_.on_reply(reply.req, reply.node, std::move(reply).results_map(), dseq);
}

void Broker::on_forward(const Federation::Source& from, const nlohmann::json& body) {
    const auto upstream = federation_->peer_of(from);
    if (!upstream) throw bus::DecodeError("request from a link that is not a peer");
    auto request = bus::ForwardedRequest::from_json(body);
    // A peer cannot make us hold state longer than any caller may wait.
    const std::int64_t ttl_ms = std::min<std::int64_t>(request.ttl, config_.limits.max_timeout_ms);
    if (ttl_ms <= 0) return;  // the caller has given up already
    relay_.remember(request.origin, request.req, *upstream,
                    Clock::now() + std::chrono::milliseconds(ttl_ms));
    // Follow the path the origin chose; never decide anew here.
    const auto leg = RequestRelay::onward(std::move(request.hops), std::move(request.targets));
    if (leg.next.empty())
        send_direct(request.origin, request.req, request.events, leg.nodes);
    else
        forward(leg, request.origin, request.req, request.events, ttl_ms);
}

std::vector<std::string> Broker::send_direct(const std::string& origin, std::uint64_t req,
                                             const nlohmann::json& events,
                                             const std::vector<std::string>& nodes) {
    std::vector<std::string> failed;
    if (nodes.empty()) return failed;
    zmq::message_t body(bus::encode(bus::Request{req, origin, events}));
    for (const auto& node : nodes) {
        const auto* entry = nodes_.find(node);
        metrics_.requests_sent.fetch_add(1, std::memory_order_relaxed);
        if (!entry || !bus::send_routed(*router_, entry->route, bus::Command::Request, body)) {
            metrics_.send_failures.fetch_add(1, std::memory_order_relaxed);
            failed.push_back(node);
        }
    }
    return failed;
}

void Broker::forward(const RequestRelay::Leg& leg, const std::string& origin, std::uint64_t req,
                     const nlohmann::json& events, std::int64_t ttl_ms) {
    federation_->send(
        leg.next, bus::Command::Request,
        bus::encode(bus::ForwardedRequest{req, origin, events, leg.nodes, leg.hops, ttl_ms}));
}

std::vector<std::string> Broker::send_round(std::uint64_t req, const nlohmann::json& events,
                                            const RouteTable& table, std::int64_t ttl_ms) {
    const auto plan = RequestRelay::split(table);
    for (const auto& leg : plan.remote) forward(leg, registry_id_, req, events, ttl_ms);
    return send_direct(registry_id_, req, events, plan.local);
}

void Broker::on_client_call(const bus::Incoming& in, const nlohmann::json& body) {
    bus::ClientCall call;
    try {
        call = bus::ClientCall::from_json(body);
    } catch (const bus::DecodeError&) {
        metrics_.api.record(ApiCallMetrics::kOtherEvent, ApiCallMetrics::Result::Refused);
        answer(BusCaller{in.identity, bus::echo_req(body)},
               error_envelope(kCodeError, "params must be a map"));
        return;
    }
    BusCaller caller{in.identity, std::move(call.req)};
    const auto* params = &call.params;
    auto built = build_api_call(*params, config_.tokens, config_.limits);
    if (auto* err = std::get_if<ApiError>(&built)) {
        metrics_.api.record(named_events(*params), err->token ? ApiCallMetrics::Result::BadToken
                                                              : ApiCallMetrics::Result::Refused);
        answer(caller, error_envelope(err->code, err->msg));
        return;
    }
    // Every call waiting on nodes holds memory until its deadline: past the
    // bound a caller is told at once, exactly as an HTTP caller is.
    if (dispatch_.in_flight() >= config_.max_pending) {
        metrics_.api.record(std::get<ApiCall>(built).events, ApiCallMetrics::Result::Overloaded);
        answer(caller, error_envelope(kCodeError, "overloaded, try again"));
        return;
    }
    dispatch_.begin(std::move(std::get<ApiCall>(built)), std::move(caller));
}

void Broker::take_submitted() {
    // Swapped out first: an answer given at once may let its connection
    // submit the next call of its pipeline.
    std::vector<Submitted> taken;
    taken.swap(submitted_);
    for (auto& s : taken) dispatch_.begin(std::move(s.call), HttpCaller{s.http_id});
}

void Broker::nodes_missed(std::size_t nodes) {
    metrics_.node_timeouts.fetch_add(nodes, std::memory_order_relaxed);
}

void Broker::finished(const Caller& caller, const CallRun& run, std::chrono::microseconds took) {
    const auto us = static_cast<std::uint64_t>(took.count());
    metrics_.observe_latency_us(us);
    for (const auto& event : run.call().events) {
        metrics_.api.record(event, run.timed_out(event) ? ApiCallMetrics::Result::NodeTimeout
                                                        : ApiCallMetrics::Result::Ok);
        metrics_.api.observe_latency_us(event, us);
    }
    answer(caller, run.envelope());
}

void Broker::answer(const Caller& caller, const std::string& envelope) {
    if (const auto* http = std::get_if<HttpCaller>(&caller)) {
        deliver_(http->http_id, envelope);
        return;
    }
    const auto& client = std::get<BusCaller>(caller);
    if (!bus::send_routed(*router_, client.identity, bus::Command::ClientResult,
                          bus::encode(bus::ClientResult{client.req, envelope})))
        metrics_.send_failures.fetch_add(1, std::memory_order_relaxed);
}

nlohmann::json Broker::local_event(const std::string& event, const nlohmann::json& params) {
    const auto local = local_nodes();
    const auto peers = federation_->live_peers();
    return wsc::local_event(
        {registry_id_, federation_->topology(), local, peers, &directory_, &recent_}, event,
        params);
}

}  // namespace wsc
