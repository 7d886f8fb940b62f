// The Debian package, built by cpack from this build tree: its files, control
// fields and maintainer scripts; then its programs, run from the unpacked
// package with the packaged example configs (ports moved to free loopback
// ones by flags): they tell the service manager they are ready over
// NOTIFY_SOCKET, a wsnode registers, the HTTP API answers and serves the
// packaged demo, and SIGTERM sends STOPPING=1 and ends them cleanly. The
// systemd units pass `systemd-analyze verify` when systemd-analyze exists.
//
// The package is built once for the whole executable (ctest runs it as one
// test, not one process per case).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/Cluster.hpp"
#include "tests/support/ChildProcess.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/NotifyListener.hpp"
#include "tests/support/WsClient.hpp"

using namespace wsc::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr int kSwitchingProtocols = 101;
constexpr int kCloseGoingAway = 1001;
const std::string kDemoMarker = "<!-- the packaged copy of the demo -->";

struct ToolRun {
    std::optional<int> status;  // nullopt: still running at the timeout (then killed)
    std::vector<std::string> out;
    std::string err;
};

// Runs a tool to its end and keeps its whole output.
ToolRun run_tool(const std::string& program, const std::vector<std::string>& args,
                 std::chrono::milliseconds timeout = 30s) {
    ChildProcess p(program, args);
    ToolRun r;
    if (auto lines = p.wait_stdout_end(timeout)) r.out = std::move(*lines);
    r.status = p.wait_exit(5s);
    r.err = p.stderr_text();
    return r;
}

std::string describe(const ToolRun& r) {
    std::string text = "status " + (r.status ? std::to_string(*r.status) : "(running)") + "\n";
    for (const auto& line : r.out) text += line + "\n";
    return text + r.err;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (auto at = text.find(separator); at != std::string::npos;
         at = text.find(separator, start)) {
        parts.push_back(text.substr(start, at - start));
        start = at + separator.size();
    }
    parts.push_back(text.substr(start));
    return parts;
}

// The package, built and unpacked once into a temporary folder.
struct Package {
    fs::path dir;
    fs::path deb;
    fs::path root;     // dpkg-deb -x
    fs::path control;  // dpkg-deb -e
    std::string architecture;
    std::string error;  // why there is no package
};

Package& package() {
    static Package p;
    return p;
}

class PackageEnvironment : public ::testing::Environment {
  public:
    void SetUp() override {
        Package& p = package();
        std::string dir = (fs::temp_directory_path() / "wsc_package_XXXXXX").string();
        if (::mkdtemp(dir.data()) == nullptr) {
            p.error = "mkdtemp failed";
            return;
        }
        p.dir = dir;
        const auto arch = run_tool("dpkg", {"--print-architecture"});
        if (arch.status != 0 || arch.out.empty()) {
            p.error = "dpkg --print-architecture: " + describe(arch);
            return;
        }
        p.architecture = arch.out.front();
        const auto built =
            run_tool(WSC_CPACK_BIN,
                     {"-G", "DEB", "--config", std::string(WSC_BUILD_DIR) + "/CPackConfig.cmake",
                      "-B", (p.dir / "out").string()},
                     120s);
        p.deb = p.dir / "out" / ("wscenter_" WSC_VERSION "_" + p.architecture + ".deb");
        if (built.status != 0 || !fs::exists(p.deb)) {
            p.error = "cpack made no " + p.deb.filename().string() + ": " + describe(built);
            return;
        }
        p.root = p.dir / "root";
        p.control = p.dir / "control";
        for (const auto& [option, into] : {std::pair{"-x", p.root}, std::pair{"-e", p.control}}) {
            const auto unpacked = run_tool("dpkg-deb", {option, p.deb.string(), into.string()});
            if (unpacked.status != 0) {
                p.error = std::string("dpkg-deb ") + option + ": " + describe(unpacked);
                return;
            }
        }
    }
    void TearDown() override {
        const Package& p = package();
        if (p.dir.empty()) return;
        if (std::getenv("WSC_KEEP_LOGS") != nullptr || ::testing::UnitTest::GetInstance()->Failed())
            std::cerr << "[package] kept in " << p.dir << "\n";
        else
            fs::remove_all(p.dir);
    }
};

[[maybe_unused]] auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PackageEnvironment);

#define ASSERT_PACKAGE() ASSERT_TRUE(package().error.empty()) << package().error

// `dpkg-deb -c`: path (without "./") -> "mode owner".
std::map<std::string, std::string> package_contents() {
    const auto listed = run_tool("dpkg-deb", {"-c", package().deb.string()});
    EXPECT_EQ(listed.status, 0) << describe(listed);
    std::map<std::string, std::string> contents;
    for (const auto& line : listed.out) {
        std::istringstream fields(line);
        std::string mode, owner, size, date, time, path;
        fields >> mode >> owner >> size >> date >> time >> path;
        if (path.rfind("./", 0) == 0) path.erase(0, 2);
        if (!path.empty()) contents[path] = mode + " " + owner;
    }
    return contents;
}

// `dpkg-deb -f`: field -> value.
std::map<std::string, std::string> control_fields() {
    const auto shown = run_tool("dpkg-deb", {"-f", package().deb.string()});
    EXPECT_EQ(shown.status, 0) << describe(shown);
    std::map<std::string, std::string> fields;
    for (const auto& line : shown.out) {
        const auto colon = line.find(": ");
        if (colon != std::string::npos && line[0] != ' ')
            fields[line.substr(0, colon)] = line.substr(colon + 2);
    }
    return fields;
}

// The package names of a Depends field, versions dropped.
std::set<std::string> depends_names(const std::string& depends) {
    std::set<std::string> names;
    for (const auto& item : split(depends, ",")) {
        std::istringstream words(item);
        std::string name;
        if (words >> name) names.insert(name);
    }
    return names;
}

// Where each shared library of `binary` is loaded from (ldd): soname -> path.
std::map<std::string, std::string> library_paths(const fs::path& binary) {
    const auto linked = run_tool("ldd", {binary.string()});
    EXPECT_EQ(linked.status, 0) << describe(linked);
    std::map<std::string, std::string> paths;
    for (const auto& line : linked.out) {
        std::istringstream words(line);
        std::string name, arrow, path;
        if (words >> name >> arrow >> path && arrow == "=>") paths[name] = path;
    }
    return paths;
}

// The installed package that holds the library at `path` (dpkg knows it
// under /usr on merged-/usr systems, where ldd may report /lib).
std::string library_package(const std::string& path) {
    std::error_code ec;
    for (const auto& candidate : {path, "/usr" + path, fs::canonical(path, ec).string()}) {
        const auto owner = run_tool("dpkg", {"-S", candidate});
        if (owner.status == 0 && !owner.out.empty())
            return owner.out.front().substr(0, owner.out.front().find(':'));
    }
    return "(no package holds " + path + ")";
}

// The DT_NEEDED libraries of an ELF file.
std::vector<std::string> needed_libraries(const fs::path& binary) {
    const auto dynamic = run_tool("readelf", {"-d", "--wide", binary.string()});
    EXPECT_EQ(dynamic.status, 0) << describe(dynamic);
    std::vector<std::string> names;
    const std::regex needed(R"(\(NEEDED\).*\[(.+)\])");
    for (const auto& line : dynamic.out) {
        std::smatch m;
        if (std::regex_search(line, m, needed)) names.push_back(m[1]);
    }
    return names;
}

const std::vector<std::string> kPrograms = {"wscenter-cli", "wscenter-registry", "wscenter-wsnode"};
const std::vector<std::string> kUnits = {"wscenter-registry@.service", "wscenter-wsnode@.service"};

TEST(Package, HoldsTheProgramsDemoConfigsUnitsAndNothingElse) {
    ASSERT_PACKAGE();
    const auto contents = package_contents();
    ASSERT_FALSE(contents.empty());
    for (const auto& program : kPrograms) {
        ASSERT_TRUE(contents.count("usr/bin/" + program)) << program;
        EXPECT_EQ(contents.at("usr/bin/" + program), "-rwxr-xr-x root/root") << program;
    }
    // Every file of the demo, the JavaScript client (a link in web/lib/) included.
    const fs::path web = fs::path(WSC_SOURCE_DIR) / "web";
    for (const auto& entry : fs::recursive_directory_iterator(web)) {
        if (entry.is_directory()) continue;
        // Lexically: fs::relative would follow the link out of web/.
        const std::string relative = entry.path().lexically_relative(web).string();
        EXPECT_TRUE(contents.count("usr/share/wscenter/web/" + relative)) << entry.path();
    }
    EXPECT_EQ(contents.at("usr/share/wscenter/web/lib/wscenter.js").substr(0, 1), "-");
    for (const auto& config : {"etc/wscenter/registry1.ini", "etc/wscenter/wsnode1.ini"}) {
        ASSERT_TRUE(contents.count(config)) << config;
        EXPECT_EQ(contents.at(config), "-rw-r--r-- root/root") << config;
    }
    for (const auto& unit : kUnits) EXPECT_TRUE(contents.count("lib/systemd/system/" + unit));
    EXPECT_TRUE(contents.count("usr/share/wscenter/grafana/wscenter.json"));

    const std::vector<std::string> allowed = {"usr/bin/wscenter-", "usr/share/wscenter/",
                                              "usr/share/doc/wscenter/", "etc/wscenter/",
                                              "lib/systemd/system/wscenter-"};
    for (const auto& [path, mode] : contents) {
        EXPECT_NE(mode.find("root/root"), std::string::npos) << path << ": " << mode;
        if (mode[0] == 'd') continue;
        EXPECT_TRUE(std::any_of(allowed.begin(), allowed.end(),
                                [&](const std::string& a) { return path.rfind(a, 0) == 0; }))
            << "unexpected file " << path;
    }
}

TEST(Package, ControlFieldsNameVersionArchitectureAndEveryLinkedLibrary) {
    ASSERT_PACKAGE();
    const auto fields = control_fields();
    EXPECT_EQ(fields.count("Package") ? fields.at("Package") : "", "wscenter");
    EXPECT_EQ(fields.count("Version") ? fields.at("Version") : "", WSC_VERSION);
    EXPECT_EQ(fields.count("Architecture") ? fields.at("Architecture") : "",
              package().architecture);
    ASSERT_TRUE(fields.count("Depends"));
    const auto depends = depends_names(fields.at("Depends"));
    EXPECT_TRUE(depends.count("adduser")) << fields.at("Depends");  // postinst
    for (const auto& prefix :
         {"libzmq", "libwebsockets", "libsodium", "libboost-program-options", "libev", "libcurl"})
        EXPECT_TRUE(std::any_of(depends.begin(), depends.end(),
                                [&](const std::string& d) { return d.rfind(prefix, 0) == 0; }))
            << prefix << " not in " << fields.at("Depends");
    // Every library a packaged program links comes from a declared package.
    std::map<std::string, std::string> owners;  // library path -> package
    for (const auto& program : kPrograms) {
        const fs::path binary = package().root / "usr/bin" / program;
        const auto needed = needed_libraries(binary);
        EXPECT_FALSE(needed.empty()) << program;
        const auto paths = library_paths(binary);
        for (const auto& soname : needed) {
            ASSERT_TRUE(paths.count(soname)) << program << " links " << soname << ": not found";
            const std::string& path = paths.at(soname);
            if (!owners.count(path)) owners[path] = library_package(path);
            EXPECT_TRUE(depends.count(owners[path]))
                << program << " links " << path << " of " << owners[path] << ", not in "
                << fields.at("Depends");
        }
    }
}

TEST(Package, ConfigsAreConffilesAndScriptsParse) {
    ASSERT_PACKAGE();
    std::set<std::string> etc_files;
    for (const auto& [path, mode] : package_contents())
        if (path.rfind("etc/", 0) == 0 && mode[0] == '-') etc_files.insert("/" + path);
    std::set<std::string> conffiles;
    std::istringstream listed(read_text(package().control / "conffiles"));
    for (std::string line; std::getline(listed, line);)
        if (!line.empty()) conffiles.insert(line);
    EXPECT_EQ(conffiles, etc_files);

    for (const auto& script : {"postinst", "prerm", "postrm"}) {
        const fs::path path = package().control / script;
        ASSERT_TRUE(fs::exists(path)) << script;
        EXPECT_NE(fs::status(path).permissions() & fs::perms::owner_exec, fs::perms::none);
        const auto parsed = run_tool("sh", {"-n", path.string()});
        EXPECT_EQ(parsed.status, 0) << script << ": " << describe(parsed);
    }
    const std::string postinst = read_text(package().control / "postinst");
    EXPECT_NE(postinst.find("adduser --system"), std::string::npos);
    EXPECT_NE(postinst.find(" wscenter\n"), std::string::npos);
}

// The environment a packaged program starts with: the seed's variables
// cleared so the developer's cannot leak in, NOTIFY_SOCKET set.
std::map<std::string, std::string> service_env(const NotifyListener& notify) {
    return {{"NOTIFY_SOCKET", notify.name()},
            {"REGISTER_CENTER_PORT", ""},
            {"HTTP_PORT", ""},
            {"OTHER_REGISTER_CENTER_PORT", ""},
            {"PORT", ""},
            {"TOKEN", ""}};
}

TEST(Package, UnpackedProgramsRunFromTheExampleConfigsAndNotify) {
    ASSERT_PACKAGE();
    const fs::path& root = package().root;
    // Served from next to the executable, not from the source tree.
    std::ofstream(root / "usr/share/wscenter/web/index.html", std::ios::app) << kDemoMarker << "\n";

    const NotifyListener registry_notify(NotifyListener::abstract_name("registry"));
    ASSERT_TRUE(registry_notify.bound());
    ChildProcess registry((root / "usr/bin/wscenter-registry").string(),
                          {"--config", (root / "etc/wscenter/registry1.ini").string(),
                           "--registry.bus_port=0", "--registry.bus_host=127.0.0.1",
                           "--registry.http_port=0", "--registry.http_host=127.0.0.1"},
                          service_env(registry_notify));
    const auto registry_ready = registry.wait_ready();
    const auto bus_port = registry_ready.fields.at("bus_port");
    const auto http_port =
        static_cast<std::uint16_t>(std::stoi(registry_ready.fields.at("http_port")));
    EXPECT_EQ(registry_notify.receive(5s), "READY=1\nSTATUS=serving: bus port " + bus_port +
                                               ", HTTP port " + std::to_string(http_port));

    const NotifyListener node_notify(NotifyListener::abstract_name("wsnode"));
    ASSERT_TRUE(node_notify.bound());
    ChildProcess node((root / "usr/bin/wscenter-wsnode").string(),
                      {"--config", (root / "etc/wscenter/wsnode1.ini").string(), "--wsnode.port=0",
                       "--wsnode.host=127.0.0.1", "--wsnode.registries=" + bus_port},
                      service_env(node_notify));
    const auto node_ready = node.wait_ready();
    const auto ws_port = static_cast<std::uint16_t>(std::stoi(node_ready.fields.at("ws_port")));
    EXPECT_EQ(node_notify.receive(5s),
              "READY=1\nSTATUS=serving: WebSocket port " + std::to_string(ws_port));

    ASSERT_TRUE(wait_for_nodes(http_port, 1));
    WsClient client;
    ASSERT_EQ(client.connect(ws_port), kSwitchingProtocols);
    ASSERT_TRUE(client.recv().has_value());  // the "open" message
    const auto counted = api(http_port, "event=getConnectionCount");
    EXPECT_EQ(counted["data"]["getConnectionCount"][node_ready.fields.at("node")], 1)
        << counted.dump();
    const auto demo = http_get(http_port, "/ui/");
    EXPECT_EQ(demo.status, 200);
    EXPECT_NE(demo.body.find(kDemoMarker), std::string::npos);

    // systemd's KillSignal: the node tells it is stopping, closes its clients
    // with 1001 and exits 0; so does the registry.
    node.signal(SIGTERM);
    const auto node_stopping = node_notify.receive(5s);
    ASSERT_TRUE(node_stopping.has_value());
    EXPECT_EQ(node_stopping->rfind("STOPPING=1\n", 0), 0u) << *node_stopping;
    EXPECT_EQ(client.wait_closed(), kCloseGoingAway);
    EXPECT_EQ(node.wait_exit(10s), 0);

    registry.signal(SIGTERM);
    const auto registry_stopping = registry_notify.receive(5s);
    ASSERT_TRUE(registry_stopping.has_value());
    EXPECT_EQ(registry_stopping->rfind("STOPPING=1\n", 0), 0u) << *registry_stopping;
    EXPECT_EQ(registry.wait_exit(10s), 0);
}

// "KEY=value" of a unit or INI file, the first one.
std::string setting(const std::string& text, const std::string& key) {
    const std::regex line("(^|\n)\\s*" + key + "\\s*=\\s*([^\n]*)");
    std::smatch m;
    return std::regex_search(text, m, line) ? std::string(m[2]) : "";
}

TEST(Package, UnitsStartTheProgramsWithTheirInstanceConfigAndOutlastTheDrain) {
    ASSERT_PACKAGE();
    const fs::path units = package().root / "lib/systemd/system";
    const std::string registry = read_text(units / "wscenter-registry@.service");
    const std::string node = read_text(units / "wscenter-wsnode@.service");
    EXPECT_EQ(setting(registry, "ExecStart"),
              "/usr/bin/wscenter-registry --config /etc/wscenter/%i.ini");
    EXPECT_EQ(setting(node, "ExecStart"), "/usr/bin/wscenter-wsnode --config /etc/wscenter/%i.ini");
    for (const auto* unit : {&registry, &node}) {
        EXPECT_EQ(setting(*unit, "Type"), "notify");
        EXPECT_EQ(setting(*unit, "User"), "wscenter");
        EXPECT_EQ(setting(*unit, "KillSignal"), "SIGTERM");
        EXPECT_EQ(setting(*unit, "RestrictAddressFamilies").rfind("AF_INET AF_INET6 AF_UNIX", 0),
                  0u);
    }
    // The registry's drain lasts up to max_timeout_ms + 1 s of its config.
    const std::string config = read_text(package().root / "etc/wscenter/registry1.ini");
    const long drain_ms = std::stol(setting(config, "max_timeout_ms")) + 1000;
    EXPECT_GT(std::stol(setting(registry, "TimeoutStopSec")) * 1000, drain_ms);
    // Every connection is a file descriptor.
    const std::string node_config = read_text(package().root / "etc/wscenter/wsnode1.ini");
    EXPECT_GT(std::stol(setting(node, "LimitNOFILE")),
              std::stol(setting(node_config, "max_connections")));
}

TEST(Package, SystemdAnalyzeVerifiesTheUnits) {
    ASSERT_PACKAGE();
    const char* analyze = "/usr/bin/systemd-analyze";
    if (!fs::exists(analyze))
        GTEST_SKIP() << "systemd-analyze is not installed: the units are not verified";
    // The units name /usr/bin; verify checks that ExecStart is executable, so
    // a copy points at the unpacked programs instead.
    const fs::path copies = package().dir / "units";
    fs::create_directories(copies);
    for (const auto& unit : kUnits) {
        std::string text = read_text(package().root / "lib/systemd/system" / unit);
        text = std::regex_replace(text, std::regex("/usr/bin/"),
                                  (package().root / "usr/bin/").string());
        std::ofstream(copies / unit) << text;
        const auto verified = run_tool(analyze, {"verify", "--man=no", (copies / unit).string()});
        EXPECT_EQ(verified.status, 0) << unit << ": " << describe(verified);
        EXPECT_TRUE(verified.out.empty() && verified.err.empty())
            << unit << " has warnings: " << describe(verified);
    }
}

}  // namespace
