// HttpServer: its thread's loop, and the guest (the broker) served on it.
//
// The guest's zmq sockets signal through descriptors (ZMQ_FD) that are
// watched here as raw files on lws's own poll loop: a dup of each, so that
// lws closing its copy never closes zmq's. Their readiness only ends the
// loop's turn; the guest is then served on this thread.
#include <unistd.h>

#include <libwebsockets.h>

#include "common/Log.hpp"
#include "httpapi/HttpServer.hpp"

namespace wsc {

namespace {

constexpr const char* kLog = "http";

}  // namespace

void HttpServer::run() {
    if (guest_) guest_timer_ = std::make_unique<lws_sorted_usec_list_t>();
    bool busy = false;
    while (!stopping_.load(std::memory_order_relaxed)) {
        if (guest_) busy = !watch_guest() || busy;
        // -1: poll without waiting, when the guest has work for this turn.
        if (lws_service(context_, busy ? -1 : 0) < 0) {
            log_error(kLog, "lws_service failed: the HTTP server stops");
            break;
        }
        if (guest_) busy = guest_->service();
        if (tls_reload_requested_.exchange(false)) reload_certificate();
    }
    if (guest_) {
        unwatch_guest();
        lws_sul_cancel(guest_timer_.get());
        guest_->close();
    }
}

void HttpServer::request_tls_reload() {
    tls_reload_requested_.store(true);
    if (context_) lws_cancel_service(context_);
}

void HttpServer::reload_certificate() {
    if (!config_.tls.enabled()) {
        log_info(kLog, "SIGHUP: no TLS certificate to reload");
        return;
    }
    if (const std::string why = reload_tls(context_, config_.tls); !why.empty())
        log_error(kLog, "TLS certificate not reloaded, the old one stays: " + why);
    else
        log_info(kLog, "TLS certificate reloaded from " + config_.tls.cert);
}

bool HttpServer::watch_guest() {
    if (guest_version_ != guest_->descriptors_version()) {
        unwatch_guest();
        for (const int fd : guest_->descriptors()) {
            lws_sock_file_fd_type desc{};
            desc.filefd = ::dup(fd);
            lws* wsi = desc.filefd < 0
                           ? nullptr
                           : lws_adopt_descriptor_vhost(guest_vhost_, LWS_ADOPT_RAW_FILE_DESC, desc,
                                                        kGuestProtocol, nullptr);
            if (!wsi) {
                // Without the watch the guest is still served every turn
                // and at its deadlines, only later.
                log_error(kLog, "cannot watch a bus socket on the HTTP loop");
                if (desc.filefd >= 0) ::close(desc.filefd);
                continue;
            }
            guest_watch_.push_back(wsi);
        }
        guest_version_ = guest_->descriptors_version();
    }
    const auto wait = guest_->next_due() - LoopGuest::Clock::now();
    if (wait <= LoopGuest::Clock::duration::zero()) return false;  // due now: no sleeping
    // lws sleeps in whole milliseconds, rounded down: waking before the
    // deadline would only spin, so the timer is set just past it.
    const auto ms =
        std::chrono::ceil<std::chrono::milliseconds>(wait) + std::chrono::milliseconds(1);
    lws_sul_schedule(
        context_, 0, guest_timer_.get(), [](lws_sorted_usec_list_t*) {},
        std::chrono::duration_cast<std::chrono::microseconds>(ms).count());
    return true;
}

void HttpServer::unwatch_guest() {
    // Closed now (lws closes its dup), not at the next turn: the guest may
    // close the descriptors they copy right after.
    for (lws* wsi : guest_watch_) lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
    guest_watch_.clear();
    guest_version_ = ~std::uint64_t{0};
}

}  // namespace wsc
