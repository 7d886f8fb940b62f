// A program started by an integration test (see ChildProcess.hpp).
#include "tests/support/ChildProcess.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace wsc::test {

namespace {

constexpr int kExecFailedStatus = 127;  // what shells report for "could not run"
constexpr int kSignalStatusBase = 128;  // status of a signal death, as shells report it
constexpr std::size_t kStderrTailLines = 20;
constexpr std::size_t kStdoutTailLines = 10;
constexpr std::size_t kReadChunk = 4096;
constexpr std::chrono::milliseconds kReaderPoll{50};  // how often the reader checks stopping_
constexpr std::chrono::milliseconds kReapPoll{5};
constexpr std::chrono::milliseconds kReadyPoll{20};
// After the child exits, how long its last stdout lines may take to reach us.
constexpr std::chrono::seconds kStdoutFlushWait{1};
constexpr std::string_view kReadyWord = "ready";

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

std::vector<std::string> build_environment(const std::map<std::string, std::string>& overrides) {
    std::map<std::string, std::string> vars;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string entry(*e);
        const auto eq = entry.find('=');
        if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& [key, value] : overrides) {
        if (value.empty()) {
            vars.erase(key);
        } else {
            vars[key] = value;
        }
    }
    std::vector<std::string> out;
    for (const auto& [key, value] : vars) out.push_back(key + "=" + value);
    return out;
}

std::vector<char*> c_pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

std::string safe_file_part(const std::string& name) {
    std::string out = name;
    for (char& c : out) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    }
    return out.empty() ? "child" : out;
}

bool is_ready_line(const std::string& line, const std::string& name) {
    const std::string word = " " + std::string(kReadyWord);
    return line.find(word + " ") != std::string::npos ||
           (line.size() >= word.size() &&
            line.compare(line.size() - word.size(), word.size(), word) == 0) ||
           line.rfind(name + word, 0) == 0;
}

ReadyInfo parse_ready_line(const std::string& line) {
    ReadyInfo info;
    info.line = line;
    std::istringstream tokens(line);
    std::string token;
    while (tokens >> token) {
        const auto eq = token.find('=');
        if (eq != std::string::npos && eq > 0)
            info.fields[token.substr(0, eq)] = token.substr(eq + 1);
    }
    return info;
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp, pid_t parent,
                             int in_fd, int out_fd, int err_fd, int report_fd) {
    // Die with the parent, and catch the race where it died before prctl ran.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(kExecFailedStatus);

    // Start from default signal handling, whatever the test runner had set up.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);

    if (::dup2(in_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0) {
        const int err = errno;
        (void)!::write(report_fd, &err, sizeof(err));
        ::_exit(kExecFailedStatus);
    }
    // Descriptors the test process opened without O_CLOEXEC must not leak into servers.
    ::close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execvpe(path, argv, envp);
    const int err = errno;
    (void)!::write(report_fd, &err, sizeof(err));
    ::_exit(kExecFailedStatus);
}

}  // namespace

ChildProcess::ChildProcess(std::string path, std::vector<std::string> args,
                           std::map<std::string, std::string> env)
    : path_(std::move(path)) {
    name_ = path_.substr(path_.find_last_of('/') + 1);

    std::vector<std::string> argv_strings{path_};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    auto argv = c_pointers(argv_strings);
    auto env_strings = build_environment(env);
    auto envp = c_pointers(env_strings);

    const char* tmpdir = std::getenv("TMPDIR");
    std::string log_template = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/wsc-" +
                               safe_file_part(name_) + "-XXXXXX.log";
    constexpr int kLogSuffixLength = 4;  // ".log"
    const int err_fd = ::mkostemps(log_template.data(), kLogSuffixLength, O_APPEND | O_CLOEXEC);
    if (err_fd < 0) throw std::runtime_error(errno_text("create stderr log " + log_template));
    stderr_path_ = log_template;

    int out_pipe[2] = {-1, -1};
    int report_pipe[2] = {-1, -1};
    const int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in_fd < 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(report_pipe, O_CLOEXEC) != 0) {
        const std::string msg = errno_text("start " + path_ + ": pipe");
        for (const int fd :
             {in_fd, err_fd, out_pipe[0], out_pipe[1], report_pipe[0], report_pipe[1]}) {
            if (fd >= 0) ::close(fd);
        }
        ::unlink(stderr_path_.c_str());
        throw std::runtime_error(msg);
    }

    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
        exec_child(path_.c_str(), argv.data(), envp.data(), parent, in_fd, out_pipe[1], err_fd,
                   report_pipe[1]);
    }
    const int fork_errno = errno;
    for (const int fd : {in_fd, err_fd, out_pipe[1], report_pipe[1]}) ::close(fd);
    if (pid_ < 0) {
        ::close(out_pipe[0]);
        ::close(report_pipe[0]);
        ::unlink(stderr_path_.c_str());
        throw std::runtime_error("start " + path_ + ": fork: " + std::strerror(fork_errno));
    }

    // The report pipe closes on a successful exec, or carries the errno of a failed one.
    int exec_errno = 0;
    ssize_t n = 0;
    do {
        n = ::read(report_pipe[0], &exec_errno, sizeof(exec_errno));
    } while (n < 0 && errno == EINTR);
    ::close(report_pipe[0]);
    if (n > 0) {
        ::close(out_pipe[0]);
        reap(true);
        ::unlink(stderr_path_.c_str());
        throw std::runtime_error("cannot start " + path_ + ": " + std::strerror(exec_errno));
    }
    reader_ = std::thread([this, fd = out_pipe[0]] { read_stdout(fd); });
}

ChildProcess::~ChildProcess() {
    if (!reap(false)) {
        signal(SIGKILL);
        reap(true);
    }
    stopping_ = true;
    if (reader_.joinable()) reader_.join();

    const bool keep = std::getenv("WSC_KEEP_LOGS") != nullptr || ::testing::Test::HasFailure();
    if (keep) {
        std::cerr << "[support] stderr of " << name_ << " (pid " << pid_ << ") kept in "
                  << stderr_path_ << "\n";
    } else {
        ::unlink(stderr_path_.c_str());
    }
}

void ChildProcess::read_stdout(int fd) {
    std::string partial;
    char chunk[kReadChunk];
    while (!stopping_) {
        pollfd pfd{fd, POLLIN, 0};
        const int rc = ::poll(&pfd, 1, static_cast<int>(kReaderPoll.count()));
        if (rc < 0 && errno != EINTR) break;
        if (rc <= 0) continue;
        const ssize_t n = ::read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        partial.append(chunk, static_cast<std::size_t>(n));

        std::vector<std::string> complete;
        std::size_t start = 0;
        for (auto nl = partial.find('\n'); nl != std::string::npos;
             nl = partial.find('\n', start)) {
            std::string line = partial.substr(start, nl - start);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            complete.push_back(std::move(line));
            start = nl + 1;
        }
        partial.erase(0, start);
        if (!complete.empty()) {
            std::lock_guard lock(out_mutex_);
            for (auto& line : complete) lines_.push_back(std::move(line));
            out_cv_.notify_all();
        }
    }
    ::close(fd);
    std::lock_guard lock(out_mutex_);
    if (!partial.empty()) lines_.push_back(partial);
    stdout_closed_ = true;
    out_cv_.notify_all();
}

ReadyInfo ChildProcess::wait_ready(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::optional<std::chrono::steady_clock::time_point> flush_deadline;
    std::size_t scanned = 0;
    std::unique_lock lock(out_mutex_);
    while (true) {
        for (; scanned < lines_.size(); ++scanned) {
            if (is_ready_line(lines_[scanned], name_)) return parse_ready_line(lines_[scanned]);
        }
        const auto now = std::chrono::steady_clock::now();
        if (stdout_closed_ || (flush_deadline && now >= *flush_deadline)) break;
        if (now >= deadline) {
            lock.unlock();
            throw std::runtime_error(path_ + " printed no ready line within " +
                                     std::to_string(timeout.count()) + " ms" + describe());
        }
        if (!flush_deadline) {
            lock.unlock();
            const bool exited = !running();
            lock.lock();
            // Exited: give the reader a moment for the last lines, then give up.
            if (exited) {
                flush_deadline = now + kStdoutFlushWait;
                continue;
            }
        }
        auto wake = std::min(deadline, now + kReadyPoll);
        if (flush_deadline) wake = std::min(wake, *flush_deadline);
        out_cv_.wait_until(lock, wake);
    }
    lock.unlock();
    wait_exit(kStdoutFlushWait);  // so describe() can report the exit status
    throw std::runtime_error(path_ + " ended its output without a ready line" + describe());
}

std::vector<std::string> ChildProcess::stdout_lines() const {
    std::lock_guard lock(out_mutex_);
    return lines_;
}

std::optional<std::vector<std::string>> ChildProcess::wait_stdout_end(
    std::chrono::milliseconds timeout) {
    std::unique_lock lock(out_mutex_);
    if (!out_cv_.wait_for(lock, timeout, [this] { return stdout_closed_; })) return std::nullopt;
    return lines_;
}

std::string ChildProcess::stderr_text() const {
    std::ifstream in(stderr_path_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool ChildProcess::running() {
    return !reap(false);
}

void ChildProcess::signal(int sig) {
    // Holding the lock keeps the pid from being reaped (and recycled) under us.
    std::lock_guard lock(reap_mutex_);
    if (exit_status_) return;
    ::kill(pid_, sig);
    if (sig != SIGSTOP) return;
    // kill() returns while the stop is only pending: until one of the
    // child's threads takes it, the others may still serve a message sent
    // after this call. Waiting for the stop report makes "frozen" true.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WUNTRACED | WNOHANG);
        if (r < 0 && errno == EINTR) continue;
        if (r == pid_ && WIFSTOPPED(status)) return;
        if (r == pid_ && WIFEXITED(status)) {
            exit_status_ = WEXITSTATUS(status);
            return;
        }
        if (r == pid_ && WIFSIGNALED(status)) {
            exit_status_ = kSignalStatusBase + WTERMSIG(status);
            return;
        }
        if (r < 0) return;  // ECHILD: nothing to wait for
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(false)) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(kReapPoll);
    }
    std::lock_guard lock(reap_mutex_);
    return exit_status_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    signal(SIGTERM);
    if (const auto status = wait_exit(grace)) return *status;
    signal(SIGKILL);
    reap(true);
    std::lock_guard lock(reap_mutex_);
    return *exit_status_;
}

bool ChildProcess::reap(bool block) {
    std::lock_guard lock(reap_mutex_);
    if (exit_status_) return true;
    int status = 0;
    pid_t r = 0;
    do {
        r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return false;
    if (r < 0) {
        // ECHILD: someone else reaped it (e.g. SIGCHLD ignored); the status is lost.
        exit_status_ = -1;
    } else if (WIFEXITED(status)) {
        exit_status_ = WEXITSTATUS(status);
    } else {
        exit_status_ = kSignalStatusBase + WTERMSIG(status);
    }
    return true;
}

std::string ChildProcess::describe() const {
    std::string out;
    {
        std::lock_guard lock(reap_mutex_);
        out += exit_status_ ? "; exit status " + std::to_string(*exit_status_) : "; still running";
    }
    const auto lines = stdout_lines();
    out += "; last stdout:";
    for (std::size_t i = lines.size() > kStdoutTailLines ? lines.size() - kStdoutTailLines : 0;
         i < lines.size(); ++i) {
        out += "\n  " + lines[i];
    }
    out += "\nlast stderr (" + stderr_path_ + "):" + stderr_tail();
    return out;
}

std::string ChildProcess::stderr_tail() const {
    std::istringstream in(stderr_text());
    std::deque<std::string> tail;
    std::string line;
    while (std::getline(in, line)) {
        tail.push_back(line);
        if (tail.size() > kStderrTailLines) tail.pop_front();
    }
    std::string out;
    for (const auto& l : tail) out += "\n  " + l;
    return out;
}

ResumeOnExit::~ResumeOnExit() {
    proc_.signal(SIGCONT);
}

}  // namespace wsc::test
