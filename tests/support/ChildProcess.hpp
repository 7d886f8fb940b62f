// A program started by an integration test: fork/exec, stdout lines, stderr log, exit.
//
// Servers announce readiness with one stdout line such as
// "wscenter-registry ready bus_port=41234 http_port=41235" (ports chosen by the OS),
// so tests never guess ports or sleep. stderr goes to a log file under $TMPDIR that
// is kept when the current test failed (or WSC_KEEP_LOGS is set) and removed otherwise.
//
// The child is SIGKILLed if the thread that created the ChildProcess dies
// (PR_SET_PDEATHSIG), so a crashed test never leaves servers behind on reused
// ports; create it from a thread that outlives it, normally the test's own thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace wsc::test {

struct ReadyInfo {
    std::map<std::string, std::string> fields;  // every key=value token of the line
    std::string line;
};

class ChildProcess {
  public:
    // Starts `path` (searched in PATH when it has no '/') with argv[1..] = args and the
    // current environment plus `env` (a value of "" unsets the variable). Throws
    // std::runtime_error if the program cannot be started.
    ChildProcess(std::string path, std::vector<std::string> args,
                 std::map<std::string, std::string> env = {});
    ~ChildProcess();  // SIGKILL if still running, reap
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }

    // Waits for a stdout line containing " ready " (or ending in " ready", or starting
    // with "<program name> ready") and parses its key=value tokens. Throws
    // std::runtime_error with the last stderr lines if the process exits or the timeout
    // passes first.
    ReadyInfo wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    std::vector<std::string> stdout_lines() const;
    // Waits until the child's stdout ends (it exited) and returns all of it;
    // nullopt on timeout. For short-lived tools whose whole output matters.
    std::optional<std::vector<std::string>> wait_stdout_end(std::chrono::milliseconds timeout);
    std::string stderr_text() const;
    std::string stderr_path() const { return stderr_path_; }

    bool running();  // not yet exited (waitpid WNOHANG)
    // Sends `sig`; for SIGSTOP, returns once the child is stopped (at most 5 s).
    void signal(int sig);
    // Waits for exit; returns the exit status, or 128+signal; nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    // SIGTERM, then SIGKILL after grace; returns the status as wait_exit does.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  private:
    void read_stdout(int fd);
    bool reap(bool block);  // true once the child has been reaped
    std::string describe() const;
    std::string stderr_tail() const;

    std::string path_;
    std::string name_;  // basename of path_, as a ready line may start with it
    std::string stderr_path_;
    pid_t pid_ = -1;

    mutable std::mutex reap_mutex_;
    std::optional<int> exit_status_;  // guarded by reap_mutex_

    mutable std::mutex out_mutex_;
    std::condition_variable out_cv_;
    std::vector<std::string> lines_;  // guarded by out_mutex_
    bool stdout_closed_ = false;      // guarded by out_mutex_
    std::atomic<bool> stopping_{false};
    std::thread reader_;
};

// Sends SIGCONT to a process stopped with SIGSTOP when the scope ends,
// whatever assertion ended it.
class ResumeOnExit {
  public:
    explicit ResumeOnExit(ChildProcess& proc) : proc_(proc) {}
    ~ResumeOnExit();
    ResumeOnExit(const ResumeOnExit&) = delete;
    ResumeOnExit& operator=(const ResumeOnExit&) = delete;

  private:
    ChildProcess& proc_;
};

}  // namespace wsc::test
