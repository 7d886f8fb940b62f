#include "tests/integration/SoakLedger.hpp"

#include <sstream>

namespace wsc::test {

namespace {

constexpr std::size_t kProblemsShown = 12;
constexpr const char* kPrefix = "soak L";

}  // namespace

std::string SoakLedger::message(int lane, std::uint64_t seq, const std::string& event) {
    return kPrefix + std::to_string(lane) + " #" + std::to_string(seq) + " " + event;
}

std::optional<SoakLedger::Parsed> SoakLedger::parse(const std::string& msg) {
    std::istringstream in(msg);
    std::string soak;
    std::string lane;
    std::string seq;
    if (!(in >> soak >> lane >> seq) || soak != "soak" || lane.size() < 2 || lane[0] != 'L' ||
        seq.size() < 2 || seq[0] != '#')
        return std::nullopt;
    try {
        return Parsed{std::stoi(lane.substr(1)), std::stoull(seq.substr(1))};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void SoakLedger::attempted(const std::string& msg) {
    std::lock_guard lock(mutex_);
    attempted_.insert(msg);
}

void SoakLedger::promised(const std::string& msg, const std::vector<std::string>& conns) {
    std::lock_guard lock(mutex_);
    for (const auto& c : conns) promised_[c].insert(msg);
}

void SoakLedger::received(const std::string& conn, const std::string& msg) {
    std::lock_guard lock(mutex_);
    got_[conn].push_back(msg);
    got_once_[conn].insert(msg);
}

bool SoakLedger::all_promised_arrived() const {
    std::lock_guard lock(mutex_);
    for (const auto& [conn, msgs] : promised_) {
        const auto it = got_once_.find(conn);
        if (it == got_once_.end()) {
            if (!msgs.empty()) return false;
            continue;
        }
        for (const auto& m : msgs)
            if (!it->second.count(m)) return false;
    }
    return true;
}

void SoakLedger::note(Report& r, const std::string& problem) const {
    if (r.problems.size() < kProblemsShown) r.problems.push_back(problem);
}

SoakLedger::Report SoakLedger::check() const {
    std::lock_guard lock(mutex_);
    Report r;
    r.attempted = attempted_.size();
    for (const auto& [conn, msgs] : promised_) r.promises += msgs.size();

    for (const auto& [conn, arrivals] : got_) {
        const auto p = promised_.find(conn);
        const std::set<std::string> none;
        const auto& promised = p == promised_.end() ? none : p->second;
        std::map<std::string, int> copies;
        std::map<int, std::uint64_t> last_seq;  // lane -> last promised seq seen here
        for (const auto& m : arrivals) {
            ++r.deliveries;
            if (++copies[m] == 2) {
                ++r.duplicates;
                note(r, "'" + m + "' arrived twice on " + conn);
            }
            if (!attempted_.count(m)) {
                ++r.unknown;
                note(r, "'" + m + "' arrived on " + conn + " but was never sent");
                continue;
            }
            if (!promised.count(m)) continue;
            // Only promised messages are ordered: a call that timed out may
            // still deliver later, after the calls that followed it.
            const auto parsed = parse(m);
            if (!parsed) continue;
            const auto last = last_seq.find(parsed->lane);
            if (last != last_seq.end() && parsed->seq < last->second) {
                ++r.out_of_order;
                note(r,
                     "'" + m + "' arrived after #" + std::to_string(last->second) + " on " + conn);
            }
            last_seq[parsed->lane] = parsed->seq;
        }
        for (const auto& m : promised)
            if (!copies.count(m)) {
                ++r.missing;
                note(r, "'" + m + "' promised to " + conn + ", never arrived");
            }
    }
    for (const auto& [conn, msgs] : promised_)
        if (!got_.count(conn))
            for (const auto& m : msgs) {
                ++r.missing;
                note(r, "'" + m + "' promised to " + conn + ", which received nothing");
            }
    return r;
}

}  // namespace wsc::test
