#include "server/config.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn::server {
namespace config_test_internal {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Environment Env(std::map<std::string, std::string> vars = {}) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

CommandLine Parse(std::vector<std::string> args, const Environment& env = Env()) {
  std::vector<const char*> argv = {"cairn"};
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data(), env);
}

TEST(CommandLine, Defaults) {
  auto cl = Parse({"server"});
  ASSERT_TRUE(cl.run) << cl.err;
  const ServerConfig& c = cl.config;
  EXPECT_TRUE(c.default_drives);
  EXPECT_THAT(c.drives, ElementsAre("./data/disk{1...4}"));
  // The default credentials are everybody's: with them cairn serves this machine only.
  EXPECT_EQ(c.address, "127.0.0.1:9000");
  EXPECT_EQ(c.console_address, "127.0.0.1:9001");
  EXPECT_TRUE(c.default_credentials);
  EXPECT_EQ(c.access_key, "cairnadmin");
  EXPECT_EQ(c.secret_key, "cairnadmin");
  EXPECT_FALSE(c.parity.has_value());
  EXPECT_FALSE(c.set_size.has_value());
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_FALSE(c.log_json);
  EXPECT_EQ(c.inline_limit, 128u << 10);
  EXPECT_EQ(c.memory_budget, std::size_t{512} << 20);
  EXPECT_EQ(c.cache_size, 0u);  // the server's default: 512 MiB or 1/16 of the memory
}

TEST(CommandLine, EveryFlag) {
  auto cl = Parse({"server",
                   "/a{1...4}",
                   "/b",
                   "--drives",
                   "/c{1...2},/d",
                   "--address",
                   "127.0.0.1:0",
                   "--console-address",
                   "127.0.0.1:0",
                   "--parity",
                   "2",
                   "--set-size",
                   "4",
                   "--access-key",
                   "ak-123",
                   "--secret-key",
                   "sk-12345678",
                   "--domain",
                   "s3.example.com,s3.local",
                   "--region",
                   "eu-west-1",
                   "--log-level",
                   "debug",
                   "--log-json",
                   "--address-file",
                   "/tmp/x.addr",
                   "--inline-limit",
                   "64KiB",
                   "--memory-budget",
                   "1GiB",
                   "--cache-size",
                   "96MiB",
                   "--node-host",
                   "node1:9000",
                   "--peers",
                   "node2:9000,node3:9000"});
  ASSERT_TRUE(cl.run) << cl.err;
  const ServerConfig& c = cl.config;
  EXPECT_FALSE(c.default_drives);
  EXPECT_THAT(c.drives, ElementsAre("/a{1...4}", "/b", "/c{1...2}", "/d"));
  EXPECT_EQ(c.address, "127.0.0.1:0");
  EXPECT_EQ(c.parity, 2);
  EXPECT_EQ(c.set_size, 4);
  EXPECT_EQ(c.access_key, "ak-123");
  EXPECT_EQ(c.secret_key, "sk-12345678");
  EXPECT_FALSE(c.default_credentials);
  EXPECT_THAT(c.domains, ElementsAre("s3.example.com", "s3.local"));
  EXPECT_EQ(c.region, "eu-west-1");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_TRUE(c.log_json);
  EXPECT_EQ(c.address_file, "/tmp/x.addr");
  EXPECT_EQ(c.inline_limit, 64u << 10);
  EXPECT_EQ(c.memory_budget, std::size_t{1} << 30);
  EXPECT_EQ(c.cache_size, std::size_t{96} << 20);
  EXPECT_EQ(c.node_host, "node1:9000");
  EXPECT_THAT(c.peers, ElementsAre("node2:9000", "node3:9000"));
}

TEST(CommandLine, DomainBeforeDrivesTakesOneValue) {
  auto cl = Parse({"server", "--domain", "s3.example.com,s3.local", "/d{1...4}"});
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_THAT(cl.config.domains, ElementsAre("s3.example.com", "s3.local"));
  EXPECT_THAT(cl.config.drives, ElementsAre("/d{1...4}"));
}

// The OpenID Connect provider of AssumeRoleWithWebIdentity, as MinIO's environment (and
// CAIRN_ variants, which win), or a JWKS URL with its issuer for a provider without
// discovery.
TEST(CommandLine, OpenIdProviderFromEnvironment) {
  auto none = Parse({"server", "/d"});
  ASSERT_TRUE(none.run) << none.err;
  EXPECT_TRUE(none.config.openid.config_url.empty());
  EXPECT_EQ(none.config.openid.claim_name, "policy");
  auto minio = Parse(
      {"server", "/d"},
      Env({{"MINIO_IDENTITY_OPENID_CONFIG_URL", "http://idp/.well-known/openid-configuration"},
           {"MINIO_IDENTITY_OPENID_CLIENT_ID", "minio-client"},
           {"CAIRN_IDENTITY_OPENID_CLIENT_ID", "cairn-client"},
           {"MINIO_IDENTITY_OPENID_CLAIM_NAME", "groups"}}));
  ASSERT_TRUE(minio.run) << minio.err;
  EXPECT_EQ(minio.config.openid.config_url, "http://idp/.well-known/openid-configuration");
  EXPECT_EQ(minio.config.openid.client_id, "cairn-client");
  EXPECT_EQ(minio.config.openid.claim_name, "groups");
  auto jwks = Parse({"server", "/d"}, Env({{"CAIRN_IDENTITY_OPENID_JWKS_URL", "https://idp/keys"},
                                           {"CAIRN_IDENTITY_OPENID_ISSUER", "https://idp"},
                                           {"CAIRN_IDENTITY_OPENID_CLIENT_ID", "c"}}));
  ASSERT_TRUE(jwks.run) << jwks.err;
  EXPECT_EQ(jwks.config.openid.jwks_url, "https://idp/keys");
  EXPECT_EQ(jwks.config.openid.issuer, "https://idp");
  // A JWKS without its issuer, a provider without a client id, a URL that is not http(s).
  EXPECT_FALSE(Parse({"server", "/d"}, Env({{"CAIRN_IDENTITY_OPENID_JWKS_URL", "http://idp/k"},
                                            {"CAIRN_IDENTITY_OPENID_CLIENT_ID", "c"}}))
                   .run);
  EXPECT_FALSE(
      Parse({"server", "/d"}, Env({{"MINIO_IDENTITY_OPENID_CONFIG_URL", "http://idp/x"}})).run);
  EXPECT_FALSE(Parse({"server", "/d"}, Env({{"MINIO_IDENTITY_OPENID_CONFIG_URL", "ftp://idp/x"},
                                            {"MINIO_IDENTITY_OPENID_CLIENT_ID", "c"}}))
                   .run);
}

TEST(CommandLine, CredentialsFromEnvironmentInOrder) {
  auto cl = Parse({"server", "/d"}, Env({{"MINIO_ACCESS_KEY", "old-key"},
                                         {"MINIO_SECRET_KEY", "old-secret"},
                                         {"MINIO_ROOT_USER", "minio-user"},
                                         {"MINIO_ROOT_PASSWORD", "minio-password"}}));
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_EQ(cl.config.access_key, "minio-user");
  EXPECT_EQ(cl.config.secret_key, "minio-password");
  EXPECT_FALSE(cl.config.default_credentials);

  cl = Parse({"server", "/d"}, Env({{"CAIRN_ROOT_USER", "cairn-user"},
                                    {"CAIRN_ROOT_PASSWORD", "cairn-password"},
                                    {"MINIO_ROOT_USER", "minio-user"},
                                    {"MINIO_ROOT_PASSWORD", "minio-password"}}));
  EXPECT_EQ(cl.config.access_key, "cairn-user");

  cl = Parse({"server", "/d"},
             Env({{"MINIO_ACCESS_KEY", "old-key"}, {"MINIO_SECRET_KEY", "old-secret"}}));
  EXPECT_EQ(cl.config.access_key, "old-key");
  EXPECT_EQ(cl.config.secret_key, "old-secret");

  // Flags win over the environment.
  cl = Parse({"server", "/d", "--access-key", "flag-key", "--secret-key", "flag-secret"},
             Env({{"CAIRN_ROOT_USER", "cairn-user"}, {"CAIRN_ROOT_PASSWORD", "cairn-pass"}}));
  EXPECT_EQ(cl.config.access_key, "flag-key");
}

TEST(CommandLine, EncryptionSwitches) {
  auto cl = Parse({"server", "/d"});
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_FALSE(cl.config.sse_c_allow_http);
  EXPECT_FALSE(cl.config.kms_auto_encryption);
  EXPECT_FALSE(cl.config.kms_master_key);  // read by Main, not here
  cl = Parse({"server", "/d", "--sse-c-allow-http"});
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_TRUE(cl.config.sse_c_allow_http);
  cl = Parse({"server", "/d"},
             Env({{"CAIRN_SSE_C_ALLOW_HTTP", "on"}, {"MINIO_KMS_AUTO_ENCRYPTION", "on"}}));
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_TRUE(cl.config.sse_c_allow_http);
  EXPECT_TRUE(cl.config.kms_auto_encryption);
  cl = Parse({"server", "/d"},
             Env({{"CAIRN_KMS_AUTO_ENCRYPTION", "off"}, {"MINIO_KMS_AUTO_ENCRYPTION", "on"}}));
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_FALSE(cl.config.kms_auto_encryption);  // CAIRN_ first
  cl = Parse({"server", "/d"}, Env({{"CAIRN_KMS_AUTO_ENCRYPTION", "maybe"}}));
  EXPECT_FALSE(cl.run);
  EXPECT_THAT(cl.err, HasSubstr("CAIRN_KMS_AUTO_ENCRYPTION"));
}

TEST(CommandLine, LifecycleDaySeconds) {
  auto cl = Parse({"server", "/d"});
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_EQ(cl.config.lifecycle_day_seconds, 86400);
  cl = Parse({"server", "/d", "--lifecycle-day-seconds", "10"});
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_EQ(cl.config.lifecycle_day_seconds, 10);
  cl = Parse({"server", "/d"}, Env({{"CAIRN_LIFECYCLE_DAY_SECONDS", "5"}}));
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_EQ(cl.config.lifecycle_day_seconds, 5);
  // The flag wins over the environment.
  cl = Parse({"server", "/d", "--lifecycle-day-seconds", "7"},
             Env({{"CAIRN_LIFECYCLE_DAY_SECONDS", "5"}}));
  EXPECT_EQ(cl.config.lifecycle_day_seconds, 7);
  cl = Parse({"server", "/d"}, Env({{"CAIRN_LIFECYCLE_DAY_SECONDS", "soon"}}));
  EXPECT_FALSE(cl.run);
  EXPECT_THAT(cl.err, HasSubstr("CAIRN_LIFECYCLE_DAY_SECONDS"));
  cl = Parse({"server", "/d", "--lifecycle-day-seconds", "0"});
  EXPECT_FALSE(cl.run);
}

TEST(CommandLine, OwnCredentialsListenEverywhere) {
  auto cl = Parse({"server", "/d"},
                  Env({{"CAIRN_ROOT_USER", "cairn-user"}, {"CAIRN_ROOT_PASSWORD", "cairn-pass"}}));
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_EQ(cl.config.address, ":9000");
  EXPECT_EQ(cl.config.console_address, ":9001");
}

TEST(CommandLine, DefaultCredentialsOnlyOnLoopback) {
  for (const char* address : {":9000", "0.0.0.0:9000", "[::]:9000", "192.0.2.1:9000"}) {
    auto cl = Parse({"server", "/d", "--address", address});
    EXPECT_EQ(cl.exit_code, 2) << address;
    EXPECT_THAT(cl.err, HasSubstr("default credentials")) << address;
    cl = Parse({"server", "/d", "--console-address", address});
    EXPECT_EQ(cl.exit_code, 2) << address;
  }
  for (const char* address : {"127.0.0.1:9000", "127.0.0.2:9000", "[::1]:9000", "localhost:0"}) {
    auto cl = Parse({"server", "/d", "--address", address});
    EXPECT_TRUE(cl.run) << address << ": " << cl.err;
    EXPECT_EQ(cl.config.address, address);
    EXPECT_EQ(cl.config.console_address, "127.0.0.1:9001");
  }
  auto cluster = Parse({"server", "/d", "--cluster-address", ":9100"});
  EXPECT_EQ(cluster.exit_code, 2);
}

TEST(CommandLine, SecretKeyFromAFile) {
  const std::string path = ::testing::TempDir() + "/cairn-secret-key";
  {
    std::ofstream f(path);
    f << "secret-from-file\n";
  }
  auto cl = Parse({"server", "/d", "--access-key", "admin", "--secret-key-file", path});
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_EQ(cl.config.secret_key, "secret-from-file");
  EXPECT_FALSE(cl.config.default_credentials);
  cl = Parse({"server", "/d", "--secret-key-file", path});
  EXPECT_EQ(cl.exit_code, 2);  // half a pair
  cl = Parse({"server", "/d", "--access-key", "admin", "--secret-key", "x12345678",
              "--secret-key-file", path});
  EXPECT_EQ(cl.exit_code, 2);
  // The environment's password may come from a file too (MinIO's MINIO_ROOT_PASSWORD_FILE).
  cl = Parse({"server", "/d"},
             Env({{"MINIO_ROOT_USER", "minio-user"}, {"MINIO_ROOT_PASSWORD_FILE", path}}));
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_EQ(cl.config.access_key, "minio-user");
  EXPECT_EQ(cl.config.secret_key, "secret-from-file");
  cl =
      Parse({"server", "/d"},
            Env({{"CAIRN_ROOT_USER", "u12"}, {"CAIRN_ROOT_PASSWORD_FILE", "/nonexistent/secret"}}));
  EXPECT_EQ(cl.exit_code, 2);
  EXPECT_THAT(cl.err, HasSubstr("/nonexistent/secret"));
  std::remove(path.c_str());
}

TEST(CommandLine, HalfACredentialPairIsRefused) {
  auto cl = Parse({"server", "/d"}, Env({{"CAIRN_ROOT_USER", "cairn-user"}}));
  EXPECT_FALSE(cl.run);
  EXPECT_EQ(cl.exit_code, 2);
  EXPECT_THAT(cl.err, HasSubstr("CAIRN_ROOT_USER is set but CAIRN_ROOT_PASSWORD is not"));
  cl = Parse({"server", "/d", "--access-key", "abc"});
  EXPECT_EQ(cl.exit_code, 2);
  EXPECT_THAT(cl.err,
              HasSubstr("--access-key and --secret-key (or --secret-key-file) go together"));
  cl = Parse({"server", "/d", "--access-key", "abc", "--secret-key", "short"});
  EXPECT_THAT(cl.err, HasSubstr("at least 8 characters"));
}

TEST(CommandLine, HelpAndVersion) {
  auto cl = Parse({"--help"});
  EXPECT_FALSE(cl.run);
  EXPECT_EQ(cl.exit_code, 0);
  EXPECT_THAT(cl.out, HasSubstr("server"));
  cl = Parse({"server", "--help"});
  EXPECT_EQ(cl.exit_code, 0);
  EXPECT_THAT(cl.out, HasSubstr("--console-address"));
  EXPECT_THAT(cl.out, HasSubstr("ellipses"));
  cl = Parse({"--version"});
  EXPECT_EQ(cl.exit_code, 0);
  EXPECT_THAT(cl.out, HasSubstr(std::string(kVersion)));
}

TEST(CommandLine, BadFlagsExitTwoWithOneSentence) {
  auto check = [](std::vector<std::string> args, std::string_view what) {
    auto cl = Parse(std::move(args));
    EXPECT_FALSE(cl.run);
    EXPECT_EQ(cl.exit_code, 2);
    EXPECT_THAT(cl.err, HasSubstr(what));
    EXPECT_THAT(cl.err, ::testing::StartsWith("cairn: "));
  };
  check({}, "a command is required");
  check({"serve"}, "serve");
  check({"server", "--bogus"}, "--bogus");
  check({"server", "--parity", "x"}, "--parity");
  check({"server", "--log-level", "loud"}, "loud");
  check({"server", "--address", "9000"}, "--address: '9000' has no port");
  check({"server", "--address", ":70000"}, "not a port number");
  check({"server", "--address", "::1:9000"}, "brackets");
  check({"server", "--address", ":9000", "--console-address", "127.0.0.1:9000"},
        "both use port 9000");
  check({"server", "--cert", "/nonexistent/cert.pem"}, "/nonexistent/cert.pem");
}

TEST(Addresses, PortAndConnectAddress) {
  EXPECT_EQ(*AddressPort(":9000"), 9000);
  EXPECT_EQ(*AddressPort("127.0.0.1:0"), 0);
  EXPECT_EQ(*AddressPort("[::1]:9001"), 9001);
  EXPECT_EQ(*AddressPort("node1:80"), 80);
  EXPECT_FALSE(AddressPort("node1").ok());
  EXPECT_FALSE(AddressPort("node1:").ok());
  EXPECT_EQ(ConnectAddress(":9000", 9000), "127.0.0.1:9000");
  EXPECT_EQ(ConnectAddress("0.0.0.0:0", 4321), "127.0.0.1:4321");
  EXPECT_EQ(ConnectAddress("127.0.0.1:0", 4321), "127.0.0.1:4321");
  EXPECT_EQ(ConnectAddress("[::1]:0", 4321), "[::1]:4321");
}

}  // namespace config_test_internal
}  // namespace cairn::server

namespace cairn::server {
namespace config_test_internal {

TEST(CommandLine, ClusterFlags) {
  const std::string f = "/proc/self/exe";  // any existing file stands for a PEM file here
  auto cl = Parse({"server", "http://h{1...4}:9100/d{1...4}", "--access-key", "admin",
                   "--secret-key", "secret-key", "--cluster-address", ":9100", "--cluster-cert", f,
                   "--cluster-key", f, "--cluster-ca", f, "--cluster-server-name", "cairn-cluster",
                   "--peers", "http://h2:9100,http://h3:9100,http://h4:9100"});
  ASSERT_TRUE(cl.run) << cl.err;
  EXPECT_EQ(cl.config.cluster_address, ":9100");
  EXPECT_EQ(cl.config.cluster_ca, f);
  EXPECT_EQ(cl.config.cluster_server_name, "cairn-cluster");
  EXPECT_EQ(cl.config.peers.size(), 3u);

  // --peers takes one (comma-separated) value: the words after it are drives.
  auto before_drives = Parse({"server", "--peers", "http://a:1,http://b:1", "/d1", "/d2"});
  ASSERT_TRUE(before_drives.run) << before_drives.err;
  EXPECT_THAT(before_drives.config.peers, ElementsAre("http://a:1", "http://b:1"));
  EXPECT_THAT(before_drives.config.drives, ElementsAre("/d1", "/d2"));

  auto half = Parse({"server", "/d", "--cluster-address", ":9100", "--cluster-cert", f});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_THAT(half.err, HasSubstr("go together"));
  auto no_port =
      Parse({"server", "/d", "--cluster-cert", f, "--cluster-key", f, "--cluster-ca", f});
  EXPECT_EQ(no_port.exit_code, 2);
  EXPECT_THAT(no_port.err, HasSubstr("--cluster-address"));
  auto clash = Parse({"server", "/d", "--cluster-address", ":9000"});
  EXPECT_EQ(clash.exit_code, 2);
  EXPECT_THAT(clash.err, HasSubstr("already uses"));
  auto name_alone = Parse({"server", "/d", "--cluster-server-name", "x"});
  EXPECT_EQ(name_alone.exit_code, 2);
}

TEST(CommandLine, AuditFileAndHeaders) {
  auto defaults = Parse({"server", "/d"});
  ASSERT_TRUE(defaults.run) << defaults.err;
  EXPECT_EQ(defaults.config.audit.file, "");
  EXPECT_EQ(defaults.config.audit.file_max_size, std::uint64_t{100} << 20);
  EXPECT_EQ(defaults.config.audit.file_keep, 5);

  auto env = Parse({"server", "/d"}, Env({{"CAIRN_AUDIT_FILE", "/var/log/a.log"},
                                          {"CAIRN_AUDIT_FILE_MAX_SIZE", "4KiB"},
                                          {"CAIRN_AUDIT_FILE_KEEP", "0"},
                                          {"CAIRN_AUDIT_HEADERS", "x-amz-meta-*,x-custom"}}));
  ASSERT_TRUE(env.run) << env.err;
  EXPECT_EQ(env.config.audit.file, "/var/log/a.log");
  EXPECT_EQ(env.config.audit.file_max_size, 4096u);
  EXPECT_EQ(env.config.audit.file_keep, 0);
  EXPECT_THAT(env.config.audit.headers, ElementsAre("x-amz-meta-*", "x-custom"));

  // The flag wins over the variable.
  auto flag = Parse({"server", "/d", "--audit-file", "/tmp/flag.log"},
                    Env({{"CAIRN_AUDIT_FILE", "/var/log/a.log"}}));
  ASSERT_TRUE(flag.run) << flag.err;
  EXPECT_EQ(flag.config.audit.file, "/tmp/flag.log");

  auto bad_size = Parse({"server", "/d"}, Env({{"CAIRN_AUDIT_FILE_MAX_SIZE", "lots"}}));
  EXPECT_EQ(bad_size.exit_code, 2);
  EXPECT_THAT(bad_size.err, HasSubstr("CAIRN_AUDIT_FILE_MAX_SIZE"));
  auto bad_keep = Parse({"server", "/d"}, Env({{"CAIRN_AUDIT_FILE_KEEP", "-1"}}));
  EXPECT_EQ(bad_keep.exit_code, 2);
}

TEST(AuditWebhooks, FromEnvironmentWithIds) {
  std::map<std::string, std::string> vars = {
      {"MINIO_AUDIT_WEBHOOK_ENABLE", "on"},
      {"MINIO_AUDIT_WEBHOOK_ENDPOINT", "http://a:1/"},
      {"MINIO_AUDIT_WEBHOOK_ENABLE_primary", "on"},
      {"MINIO_AUDIT_WEBHOOK_ENDPOINT_primary", "https://b/audit"},
      {"MINIO_AUDIT_WEBHOOK_AUTH_TOKEN_primary", "Bearer t"},
      {"MINIO_AUDIT_WEBHOOK_BATCH_SIZE_primary", "10"},
      {"CAIRN_AUDIT_WEBHOOK_QUEUE_SIZE_primary", "50"},
      {"MINIO_AUDIT_WEBHOOK_QUEUE_SIZE_primary", "70"},  // CAIRN_ first
      {"MINIO_AUDIT_WEBHOOK_ENABLE_off", "off"},
      {"MINIO_AUDIT_WEBHOOK_ENDPOINT_off", "http://c/"},
  };
  std::vector<std::string> names;
  for (const auto& [k, v] : vars) {
    names.push_back(k);
  }
  names.push_back("MINIO_AUDIT_WEBHOOK_ENABLEX");  // not a target: no '_' before the id
  auto hooks = AuditWebhooksFromEnvironment(Env(vars), names);
  ASSERT_TRUE(hooks.ok()) << hooks.status().ToString();
  ASSERT_EQ(hooks->size(), 2u);
  EXPECT_EQ((*hooks)[0].id, "");
  EXPECT_EQ((*hooks)[0].endpoint, "http://a:1/");
  EXPECT_EQ((*hooks)[0].batch_size, 1u);
  EXPECT_EQ((*hooks)[0].queue_size, 100000u);
  EXPECT_EQ((*hooks)[1].id, "primary");
  EXPECT_EQ((*hooks)[1].endpoint, "https://b/audit");
  EXPECT_EQ((*hooks)[1].auth_token, "Bearer t");
  EXPECT_EQ((*hooks)[1].batch_size, 10u);
  EXPECT_EQ((*hooks)[1].queue_size, 50u);

  std::map<std::string, std::string> no_endpoint = {{"MINIO_AUDIT_WEBHOOK_ENABLE_x", "on"}};
  auto missing = AuditWebhooksFromEnvironment(Env(no_endpoint), {"MINIO_AUDIT_WEBHOOK_ENABLE_x"});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("MINIO_AUDIT_WEBHOOK_ENDPOINT_x"));
  std::map<std::string, std::string> bad_batch = {{"MINIO_AUDIT_WEBHOOK_ENABLE", "on"},
                                                  {"MINIO_AUDIT_WEBHOOK_ENDPOINT", "http://a/"},
                                                  {"MINIO_AUDIT_WEBHOOK_BATCH_SIZE", "0"}};
  EXPECT_FALSE(AuditWebhooksFromEnvironment(Env(bad_batch), {"MINIO_AUDIT_WEBHOOK_ENABLE"}).ok());
}

}  // namespace config_test_internal
}  // namespace cairn::server
