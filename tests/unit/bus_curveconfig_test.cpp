// CURVE keys from the configuration: what is accepted, what is a clear
// error, and the ZAP rule that lets a client in or not.
#include <gtest/gtest.h>

#include <set>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "bus/CurveConfig.hpp"
#include "bus/ZapRequest.hpp"
#include "common/ConfigError.hpp"

using namespace wsc::bus;
using wsc::ConfigError;

namespace {

// The client keypair of the zmq_curve(7) manual's example.
const std::string kFixedSecret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const std::string kFixedPublic = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";

// The message of the ConfigError `f` throws; fails the test when it does not.
template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError";
    return {};
}

std::string temp_file(const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("wsc-curve-keys-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(path) << text;
    return path.string();
}

std::vector<std::string> zap_request(const std::string& mechanism, const std::string& credential) {
    std::vector<std::string> frames{"1.0", "req-7", "wscenter", "10.1.2.3", "", mechanism};
    if (!credential.empty()) frames.push_back(credential);
    return frames;
}

// The 32 bytes behind a Z85 key, as ZAP carries them.
std::string binary_key(const std::string& z85) {
    std::string bytes(kCurveKeyBytes, '\0');
    zmq_z85_decode(reinterpret_cast<std::uint8_t*>(bytes.data()), z85.c_str());
    return bytes;
}

}  // namespace

TEST(CurveConfig, KeygenMakesAMatchingKeypair) {
    const auto keys = make_curve_keypair();
    EXPECT_TRUE(is_curve_key(keys.public_key));
    EXPECT_TRUE(is_curve_key(keys.secret_key));
    EXPECT_EQ(curve_public_key(keys.secret_key), keys.public_key);
    EXPECT_NE(make_curve_keypair().secret_key, keys.secret_key);
}

TEST(CurveConfig, PublicKeyOfAKnownSecretKey) {
    EXPECT_EQ(curve_public_key(kFixedSecret), kFixedPublic);
}

TEST(CurveConfig, KeyTextRoundTripsThroughBinary) {
    EXPECT_EQ(curve_key_text(binary_key(kFixedPublic)), kFixedPublic);
    EXPECT_EQ(curve_key_text("short"), "");
}

TEST(CurveConfig, MalformedKeysAreRefused) {
    EXPECT_FALSE(is_curve_key(""));
    EXPECT_FALSE(is_curve_key(kFixedPublic.substr(1)));  // 39 characters
    EXPECT_FALSE(is_curve_key(kFixedPublic + "a"));      // 41
    std::string bad = kFixedPublic;
    bad[3] = '"';  // not in the Z85 alphabet
    EXPECT_FALSE(is_curve_key(bad));
    EXPECT_FALSE(is_curve_key(std::string(40, '~')));  // Z85 characters, but over 32 bits a group
}

TEST(CurveConfig, ParseKeyTrimsAndNamesTheOptionWithoutTheValue) {
    EXPECT_EQ(parse_curve_key("x.key", "  " + kFixedSecret + "\t"), kFixedSecret);
    const std::string short_key = kFixedSecret.substr(0, 30);
    const auto message = error_of([&] { parse_curve_key("wsnode.curve_secret_key", short_key); });
    EXPECT_NE(message.find("wsnode.curve_secret_key"), std::string::npos) << message;
    EXPECT_NE(message.find("30 characters"), std::string::npos) << message;
    EXPECT_EQ(message.find(short_key), std::string::npos) << "a secret must not be echoed";
    EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(CurveConfig, ClientNeedsBothKeysOrNeither) {
    EXPECT_FALSE(curve_client_config("s", "", "k", "").enabled());
    const auto config = curve_client_config("s", kFixedPublic, "k", kFixedSecret);
    EXPECT_TRUE(config.enabled());
    EXPECT_EQ(config.server_key, kFixedPublic);
    EXPECT_EQ(config.public_key, kFixedPublic);
    const auto half = error_of([] {
        curve_client_config("wsnode.curve_server_key", kFixedPublic, "wsnode.curve_secret_key",
                            " ");
    });
    EXPECT_EQ(
        half,
        "wsnode.curve_server_key is set but wsnode.curve_secret_key is not: CURVE needs both");
    EXPECT_THROW(curve_client_config("s", "", "k", kFixedSecret), ConfigError);
    EXPECT_THROW(curve_client_config("s", "nonsense", "k", kFixedSecret), ConfigError);
}

TEST(CurveConfig, RegistryAuthorizesItselfAndDialsItsOwnKeyByDefault) {
    const auto client = make_curve_keypair();
    const auto config = curve_registry_config("r.secret", kFixedSecret, "r.authorized",
                                              {client.public_key}, "r.server", "");
    EXPECT_TRUE(config.enabled());
    EXPECT_EQ(config.server_key, kFixedPublic);
    EXPECT_EQ(config.authorized_keys, (std::set<std::string>{kFixedPublic, client.public_key}));

    const auto other = make_curve_keypair();
    EXPECT_EQ(curve_registry_config("r.secret", kFixedSecret, "r.authorized", {}, "r.server",
                                    other.public_key)
                  .server_key,
              other.public_key);
}

TEST(CurveConfig, RegistryKeysWithoutASecretKeyAreAnError) {
    EXPECT_FALSE(
        curve_registry_config("r.secret", "", "r.authorized", {}, "r.server", "").enabled());
    EXPECT_EQ(error_of([] {
                  curve_registry_config("r.secret", "", "r.authorized", {kFixedPublic}, "r.server",
                                        "");
              }),
              "r.authorized is set but r.secret is not: CURVE needs the registry's secret key");
    EXPECT_THROW(
        curve_registry_config("r.secret", "", "r.authorized", {}, "r.server", kFixedPublic),
        ConfigError);
    EXPECT_THROW(
        curve_registry_config("r.secret", kFixedSecret, "r.authorized", {"bad"}, "r.server", ""),
        ConfigError);
}

TEST(CurveConfig, AuthorizedKeysFromAFile) {
    const auto a = make_curve_keypair().public_key;
    const auto b = make_curve_keypair().public_key;
    const auto path = temp_file("# wsnodes\n" + a + "\n\n   " + b + "  \n");
    EXPECT_EQ(parse_authorized_keys("r.authorized", {"@" + path, kFixedPublic}),
              (std::set<std::string>{a, b, kFixedPublic}));

    std::ofstream(path) << a << "\nnot a key\n";
    const auto message = error_of([&] { parse_authorized_keys("r.authorized", {"@" + path}); });
    EXPECT_NE(message.find("line 2"), std::string::npos) << message;
    std::filesystem::remove(path);
    EXPECT_NE(error_of([&] {
                  parse_authorized_keys("r.authorized", {"@" + path});
              }).find("cannot read key file"),
              std::string::npos);
    EXPECT_THROW(parse_authorized_keys("r.authorized", {"@"}), ConfigError);
}

TEST(CurveConfig, AKeyThatStartsWithAtIsAKeyNotAFile) {
    // '@' is a Z85 digit: one public key in 85 starts with it.
    const std::string at_key = "@" + kFixedPublic.substr(1);
    ASSERT_TRUE(is_curve_key(at_key));
    EXPECT_EQ(parse_authorized_keys("r.authorized", {at_key}), std::set<std::string>{at_key});
    EXPECT_THROW(parse_authorized_keys("r.authorized", {"@/no/such/file"}), ConfigError);
}

TEST(ZapRequest, AuthorizedCurveKeyGets200) {
    const auto verdict =
        judge_zap_request(zap_request("CURVE", binary_key(kFixedPublic)), {kFixedPublic});
    EXPECT_TRUE(verdict.allowed);
    EXPECT_EQ(verdict.address, "10.1.2.3");
    EXPECT_EQ(verdict.client_key, kFixedPublic);
    ASSERT_EQ(verdict.reply.size(), 6u);
    EXPECT_EQ(verdict.reply[0], "1.0");
    EXPECT_EQ(verdict.reply[1], "req-7");
    EXPECT_EQ(verdict.reply[2], "200");
}

TEST(ZapRequest, UnknownKeyGets400AndIsNamed) {
    const auto stranger = make_curve_keypair().public_key;
    const auto verdict =
        judge_zap_request(zap_request("CURVE", binary_key(stranger)), {kFixedPublic});
    EXPECT_FALSE(verdict.allowed);
    EXPECT_EQ(verdict.reply.at(2), "400");
    EXPECT_EQ(verdict.client_key, stranger);
    EXPECT_NE(verdict.reason.find(stranger), std::string::npos);
}

TEST(ZapRequest, OtherMechanismsAndMalformedRequestsAreRefused) {
    EXPECT_EQ(judge_zap_request(zap_request("NULL", ""), {kFixedPublic}).reply.at(2), "400");
    EXPECT_EQ(judge_zap_request(zap_request("CURVE", "short"), {kFixedPublic}).reply.at(2), "500");
    const auto junk = judge_zap_request({"2.0", "r"}, {kFixedPublic});
    EXPECT_FALSE(junk.allowed);
    EXPECT_EQ(junk.reply.at(1), "r");
    EXPECT_EQ(junk.reply.at(2), "500");
    EXPECT_FALSE(judge_zap_request({}, {}).allowed);
}
