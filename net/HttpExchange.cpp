#include "net/HttpExchange.hpp"

namespace wsc {

HttpExchange::Step HttpExchange::poll() {
    if (busy_ || closing_ || out_.size() >= kMaxUnsentBytes) return Step::Idle;
    switch (parser_.next()) {
        case HttpParser::Status::Request:
            request_ = parser_.take();
            busy_ = true;
            continue_sent_ = false;
            return Step::Request;
        case HttpParser::Status::Error: {
            HttpResponse refusal;
            refusal.status = parser_.error().status;
            refusal.body = parser_.error().reason + "\n";
            refusal.close = true;
            out_ += serialize(refusal);
            closing_ = true;
            return Step::Refused;
        }
        case HttpParser::Status::NeedMore:
            if (parser_.expects_continue() && !continue_sent_) {
                continue_sent_ = true;
                out_ += kContinue;
                return Step::Continue;
            }
            return Step::Idle;
    }
    return Step::Idle;
}

void HttpExchange::answer(HttpResponse response) {
    if (!busy_) return;  // nothing is waiting for an answer
    busy_ = false;
    response.close = response.close || !request_.keep_alive;
    response.head_only = request_.method == "HEAD";
    out_ += serialize(response);
    if (response.close) closing_ = true;
}

HttpExchange::Phase HttpExchange::phase() const {
    if (closing_) return Phase::Closing;
    if (busy_) return Phase::Busy;
    if (parser_.in_body()) return Phase::Body;
    if (parser_.mid_request()) return Phase::Head;
    return Phase::Idle;
}

}  // namespace wsc
