// Native TLS, with real programs and certificates made by Debian's openssl:
// wss:// to a node, https:// to a registry's API, plain clients on TLS
// ports, bad key material at start-up, SIGHUP reloads and client
// certificates.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "tests/integration/Cluster.hpp"
#include "tests/support/ChildProcess.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/TcpConnection.hpp"
#include "tests/support/TlsClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

using namespace wsc::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int kExitConfig = 2;
constexpr auto kStep = std::chrono::seconds(5);

// A folder of certificates made for one test: two server certificates for
// 127.0.0.1 (common names "first" and "second"), a CA with a client
// certificate it signed, and a client certificate nobody signed.
class Certificates {
  public:
    Certificates() {
        std::string pattern = (fs::temp_directory_path() / "wsc_tls_XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        self_signed("first");
        self_signed("second");
        self_signed("ca");
        self_signed("stranger");
        run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "
            "/CN=client -keyout " +
            path("client.key") + " -out " + path("client.csr"));
        run("openssl x509 -req -days 2 -in " + path("client.csr") + " -CA " + path("ca.pem") +
            " -CAkey " + path("ca.key") + " -CAcreateserial -out " + path("client.pem"));
    }
    ~Certificates() {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    Certificates(const Certificates&) = delete;
    Certificates& operator=(const Certificates&) = delete;

    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    // "first" -> first.pem / first.key.
    std::string cert(const std::string& name) const { return path(name + ".pem"); }
    std::string key(const std::string& name) const { return path(name + ".key"); }

    // Where a program reads its certificate from: a copy that a test may
    // replace before a reload.
    void install(const std::string& name, const std::string& as) const {
        fs::copy_file(cert(name), path(as + ".pem"), fs::copy_options::overwrite_existing);
        fs::copy_file(key(name), path(as + ".key"), fs::copy_options::overwrite_existing);
    }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name), std::ios::trunc) << text;
    }

  private:
    static void run(const std::string& command) {
        if (std::system((command + " >/dev/null 2>&1").c_str()) != 0)
            throw std::runtime_error("failed: " + command);
    }
    void self_signed(const std::string& name) {
        run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
            "-subj /CN=" +
            name + " -addext subjectAltName=IP:127.0.0.1 -keyout " + key(name) + " -out " +
            cert(name));
    }

    fs::path dir_;
};

Flags tls_flags(const std::string& section, const Certificates& certs, const std::string& name) {
    return {{section + ".tls_cert", certs.path(name + ".pem")},
            {section + ".tls_key", certs.path(name + ".key")}};
}

json https_api(const TlsClientContext& tls, std::uint16_t port, const std::string& query) {
    return https_request(tls, port, "GET", "/?" + query).json();
}

// The common name of the certificate a new TLS connection to `port` sees.
std::string served_name(const TlsClientContext& tls, std::uint16_t port) {
    const TcpConnection conn(port, Clock::now() + kStep, &tls);
    return peer_common_name(conn.tls());
}

// Whether a new connection to `port` gets the certificate named `name`
// (false too while the server still shows one `tls` does not trust).
bool serves(const TlsClientContext& tls, std::uint16_t port, const std::string& name) {
    try {
        return served_name(tls, port) == name;
    } catch (const std::runtime_error&) {
        return false;
    }
}

std::string open_id(WsClient& ws) {
    const auto open = ws.recv(kStep);
    if (!open) throw std::runtime_error("no open message");
    return json::parse(*open).at("_id").get<std::string>();
}

class Tls : public ::testing::Test {
  protected:
    Certificates certs;
    TlsClientContext trusts_first{certs.cert("first")};
};

TEST_F(Tls, WssClientOpensPingsAndReceivesApiSends) {
    certs.install("first", "node");
    RegistryProc registry = start_registry();
    NodeProc node = start_wsnode({registry.bus_port}, tls_flags("wsnode", certs, "node"));
    ASSERT_TRUE(wait_for_nodes(registry.http_port, 1));

    WsClient ws;
    ASSERT_EQ(ws.connect(node.ws_port, "/", kStep, &trusts_first), 101);
    const std::string id = open_id(ws);
    ws.send_text("ping");
    const auto pong = ws.recv(kStep);
    ASSERT_TRUE(pong);
    EXPECT_EQ(json::parse(*pong).at("cmd"), "pong");

    // A small message and one of many TLS records, both whole and in order.
    api(registry.http_port,
        "event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + id + "&sendMessageTo_Id[msg]=hello");
    EXPECT_EQ(ws.recv(kStep), "hello");
    const std::string big(300 * 1024, 'x');
    api_post(registry.http_port, "event=sendMessageTo_Id",
             {{"sendMessageTo_Id", {{"_id", id}, {"msg", big}}}});
    const auto got = ws.recv(kStep);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->size(), big.size());
    EXPECT_EQ(*got, big);

    // The node advertises wss:// for the route event when TLS is on.
    const json route = api(registry.http_port, "event=route&route[id]=someone");
    EXPECT_EQ(route.at("data").at("route").at("url"),
              "wss://127.0.0.1:" + std::to_string(node.ws_port) + "/");
}

TEST_F(Tls, HttpsApiMetricsAndPlainClientsRefused) {
    certs.install("first", "registry");
    RegistryProc registry = start_registry({}, tls_flags("registry", certs, "registry"));
    NodeProc node = start_wsnode({registry.bus_port});
    ASSERT_TRUE(wait_until(
        [&] {
            const json nodes =
                https_api(trusts_first, registry.http_port, "event=getConnectionCount");
            return nodes.at("master_ids").size() == 1;
        },
        std::chrono::seconds(10)));
    const json count = https_api(trusts_first, registry.http_port, "event=getConnectionCount");
    EXPECT_EQ(count.at("code"), 0) << count.dump();
    const HttpResponse metrics = https_request(trusts_first, registry.http_port, "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("wscenter_"), std::string::npos);

    // Plain HTTP on the TLS port: no answer, the connection ends, and the
    // port goes on serving TLS clients.
    const std::string reply = raw_exchange(
        registry.http_port, "GET /?event=getConnectionCount HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(reply.find("HTTP/1.1 200"), std::string::npos) << reply;
    EXPECT_EQ(https_api(trusts_first, registry.http_port, "event=getConnectionCount").at("code"),
              0);
    // A client that does not trust the certificate fails its handshake.
    const TlsClientContext trusts_other(certs.cert("second"));
    EXPECT_THROW(served_name(trusts_other, registry.http_port), std::runtime_error);
}

TEST_F(Tls, PlainClientsAndStalledHandshakesAreCutOffAndServiceGoesOn) {
    certs.install("first", "node");
    certs.install("first", "registry");
    Flags registry_flags = tls_flags("registry", certs, "registry");
    registry_flags["registry.http_request_timeout_ms"] = "1000";
    RegistryProc registry = start_registry({}, registry_flags);
    Flags node_flags = tls_flags("wsnode", certs, "node");
    node_flags["wsnode.http_request_timeout_ms"] = "1000";
    NodeProc node = start_wsnode({registry.bus_port}, node_flags);
    for (int i = 0; i < 3; ++i) {
        WsClient plain;
        int status = 0;
        try {
            status = plain.connect(node.ws_port, "/", kStep);
        } catch (const std::runtime_error&) {
            status = -1;  // the connection ended before any answer
        }
        EXPECT_NE(status, 101);
    }
    // Half a TLS hello, then nothing: the handshake is cut off after
    // http_request_timeout_ms (1 s here, whole seconds on a registry), the
    // programs live.
    const std::string half_hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    for (const std::uint16_t port : {node.ws_port, registry.http_port}) {
        TcpConnection stalled(port, Clock::now() + kStep);
        stalled.send_all(half_hello, Clock::now() + kStep);
        const auto started = Clock::now();
        EXPECT_EQ(stalled.read_to_eof(Clock::now() + std::chrono::seconds(8)), "") << port;
        EXPECT_LT(Clock::now() - started, std::chrono::seconds(4)) << port;
    }
    WsClient ws;
    EXPECT_EQ(ws.connect(node.ws_port, "/", kStep, &trusts_first), 101);
    EXPECT_EQ(serves(trusts_first, registry.http_port, "first"), true);
    EXPECT_TRUE(node.proc->running());
    EXPECT_TRUE(registry.proc->running());
}

TEST_F(Tls, BadKeyMaterialStopsEitherProgramWithOneLineNamingTheOption) {
    certs.write("garbage.pem", "not a certificate\n");
    struct Case {
        std::string cert, key, option, says;
    };
    const Case cases[] = {
        {certs.path("missing.pem"), certs.key("first"), "tls_cert", "cannot read"},
        {certs.path("garbage.pem"), certs.key("first"), "tls_cert", "no PEM certificate"},
        {certs.cert("first"), certs.path("garbage.pem"), "tls_key", "no PEM private key"},
        {certs.cert("first"), certs.key("second"), "tls_key", "is not the key of tls_cert"},
        {certs.cert("first"), "", "tls_key", "needed with tls_cert"},
        {"", certs.key("first"), "tls_cert", "needed with tls_key"},
    };
    for (const char* section : {"registry", "wsnode"}) {
        const std::string bin =
            std::string(section) == "registry" ? WSC_REGISTRY_BIN : WSC_WSNODE_BIN;
        for (const Case& c : cases) {
            const std::string prefix = std::string("--") + section + ".";
            ChildProcess p(bin, {prefix + "tls_cert=" + c.cert, prefix + "tls_key=" + c.key},
                           {{"REGISTER_CENTER_PORT", ""}, {"TOKEN", ""}});
            ASSERT_EQ(p.wait_exit(kStep), kExitConfig) << section << " " << c.says;
            const std::string err = p.stderr_text();
            EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
            EXPECT_NE(err.find(std::string(section) + "." + c.option), std::string::npos) << err;
            EXPECT_NE(err.find(c.says), std::string::npos) << err;
        }
    }
}

TEST_F(Tls, SighupReloadsTheCertificateAndKeepsOpenConnections) {
    certs.install("first", "node");
    certs.install("first", "registry");
    RegistryProc registry = start_registry({}, tls_flags("registry", certs, "registry"));
    NodeProc node = start_wsnode({registry.bus_port}, tls_flags("wsnode", certs, "node"));
    WsClient before;
    ASSERT_EQ(before.connect(node.ws_port, "/", kStep, &trusts_first), 101);
    const std::string id = open_id(before);
    EXPECT_EQ(served_name(trusts_first, node.ws_port), "first");

    // Bad files on reload: logged, and the old certificate keeps serving.
    certs.write("node.pem", "garbage\n");
    node.proc->signal(SIGHUP);
    ASSERT_TRUE(wait_until(
        [&] { return node.proc->stderr_text().find("not reloaded") != std::string::npos; }, kStep));
    EXPECT_EQ(served_name(trusts_first, node.ws_port), "first");

    certs.install("second", "node");
    certs.install("second", "registry");
    node.proc->signal(SIGHUP);
    registry.proc->signal(SIGHUP);
    const TlsClientContext trusts_second(certs.cert("second"));
    EXPECT_TRUE(wait_until([&] { return serves(trusts_second, node.ws_port, "second"); }, kStep));
    EXPECT_TRUE(
        wait_until([&] { return serves(trusts_second, registry.http_port, "second"); }, kStep));

    // The connection opened before the reload still works.
    ASSERT_TRUE(before.is_open());
    https_api(
        trusts_second, registry.http_port,
        "event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + id + "&sendMessageTo_Id[msg]=still-here");
    EXPECT_EQ(before.recv(kStep), "still-here");
}

TEST_F(Tls, TlsCaRequiresAClientCertificateItSigned) {
    certs.install("first", "node");
    RegistryProc registry = start_registry();
    Flags flags = tls_flags("wsnode", certs, "node");
    flags["wsnode.tls_ca"] = certs.cert("ca");
    NodeProc node = start_wsnode({registry.bus_port}, flags);

    const auto refused = [&](const TlsClientContext& tls) {
        WsClient ws;
        try {
            // TLS 1.3 settles the client certificate after the client's
            // handshake ends: the refusal may come with the first read.
            return ws.connect(node.ws_port, "/", kStep, &tls) != 101;
        } catch (const std::runtime_error&) {
            return true;
        }
    };
    EXPECT_TRUE(refused(trusts_first));
    const TlsClientContext stranger(certs.cert("first"), certs.cert("stranger"),
                                    certs.key("stranger"));
    EXPECT_TRUE(refused(stranger));

    const TlsClientContext signed_client(certs.cert("first"), certs.path("client.pem"),
                                         certs.path("client.key"));
    WsClient ws;
    ASSERT_EQ(ws.connect(node.ws_port, "/", kStep, &signed_client), 101);
    EXPECT_FALSE(open_id(ws).empty());
}

}  // namespace
