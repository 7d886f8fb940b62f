// HandlerChain: running the embedding program's handlers and middleware.
#include "wsnode/HandlerChain.hpp"

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";
constexpr int kFirstErrorStatus = 400;
constexpr int kLastErrorStatus = 599;
constexpr int kInternalErrorStatus = 500;

template <class F>
void require(const F& f, const char* what) {
    if (!f) throw std::invalid_argument(std::string(what) + " must not be empty");
}

// Runs f; false (with one log line naming the connection) if it threw.
template <class F>
bool contained(std::string_view what, const std::string& conn_id, F&& f) {
    try {
        f();
        return true;
    } catch (const std::exception& e) {
        log_error(kComponent,
                  std::string(what) + " handler failed for " + conn_id + ": " + e.what());
    } catch (...) {
        log_error(kComponent, std::string(what) + " handler failed for " + conn_id);
    }
    return false;
}

}  // namespace

void HandlerChain::add_open(OpenHandler handler) {
    require(handler, "open handler");
    open_.push_back(std::move(handler));
}

void HandlerChain::add_message(MessageHandler handler) {
    require(handler, "message handler");
    message_.push_back(std::move(handler));
}

void HandlerChain::add_close(CloseHandler handler) {
    require(handler, "close handler");
    close_.push_back(std::move(handler));
}

void HandlerChain::add_middleware(UpgradeMiddleware middleware) {
    require(middleware, "upgrade middleware");
    middleware_.push_back(std::move(middleware));
}

HandlerChain::Outcome HandlerChain::open(Context& context, const Connection& conn) const {
    Outcome outcome;
    for (const auto& handler : open_) {
        if (!contained("open", conn.id(), [&] { handler(context, conn); })) {
            outcome.failed = true;
            break;
        }
    }
    return outcome;
}

HandlerChain::Outcome HandlerChain::message(Context& context, const Connection& conn,
                                            std::string_view data, bool binary) const {
    Outcome outcome;
    for (const auto& handler : message_) {
        const bool ran = contained("message", conn.id(),
                                   [&] { outcome.handled = handler(context, conn, data, binary); });
        if (!ran) outcome.failed = true;
        if (!ran || outcome.handled) break;
    }
    return outcome;
}

void HandlerChain::close(Context& context, const Connection& conn) const {
    for (const auto& handler : close_)
        contained("close", conn.id(), [&] { handler(context, conn); });
}

std::optional<int> HandlerChain::upgrade(const UpgradeRequest& request) const {
    for (const auto& middleware : middleware_) {
        std::optional<int> status;
        try {
            status = middleware(request);
        } catch (const std::exception& e) {
            log_error(kComponent,
                      "upgrade middleware failed on " + request.path() + ": " + e.what());
            return kInternalErrorStatus;
        } catch (...) {
            log_error(kComponent, "upgrade middleware failed on " + request.path());
            return kInternalErrorStatus;
        }
        if (!status) continue;
        if (*status < kFirstErrorStatus || *status > kLastErrorStatus) {
            log_error(kComponent, "upgrade middleware answered status " + std::to_string(*status) +
                                      ", not an error status (400..599): refused with 500");
            return kInternalErrorStatus;
        }
        return status;
    }
    return std::nullopt;
}

MessageHandler ping_pong_handler() {
    return [](Context& context, const Connection& conn, std::string_view data, bool binary) {
        if (binary || data != "ping") return false;
        // The key order is part of the client protocol: written as text.
        context.send(conn.id(), R"({"cmd":"pong","_id":")" + conn.id() + R"("})");
        return true;
    };
}

}  // namespace wsc
