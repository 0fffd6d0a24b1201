// Smoke tests of whole runs against FakeObjectServer, each bounded to well under a second.
#include "loadgen/bench.h"

#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_server.h"
#include "loadgen/bench_command.h"

namespace cairn::loadgen {
namespace bench_test_internal {

using std::chrono::milliseconds;
using testing::FakeObjectServer;

constexpr const char* kAccess = "benchkey";
constexpr const char* kSecret = "benchsecret";

BenchConfig Config(const FakeObjectServer& server, Mode mode, bool plain) {
  BenchConfig cfg;
  cfg.mode = mode;
  cfg.endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  cfg.plain = plain;
  if (!plain) {
    cfg.access_key = kAccess;
    cfg.secret_key = kSecret;
  }
  cfg.obj_size = 4096;
  cfg.concurrent = 4;
  cfg.duration = milliseconds(300);
  cfg.seed = 42;
  cfg.timeout = std::chrono::seconds(5);
  return cfg;
}

const OpReport* Row(const BenchReport& r, std::string_view name) {
  for (const OpReport& op : r.ops) {
    if (op.name == name) {
      return &op;
    }
  }
  return nullptr;
}

TEST(BenchRunTest, PlainPutReusesConnectionsAndCleansUp) {
  FakeObjectServer server(false);
  BenchConfig cfg = Config(server, Mode::kPut, true);
  cfg.bucket = "dav";
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const OpReport* put = Row(*report, "PUT");
  ASSERT_NE(put, nullptr);
  EXPECT_GT(put->ops, 10u);
  EXPECT_EQ(put->errors, 0u) << put->first_error;
  EXPECT_EQ(put->bytes, put->ops * 4096);
  EXPECT_GT(put->p50_us, 0);
  EXPECT_LE(put->p50_us, put->p99_us);
  EXPECT_LE(put->p99_us, put->max_us);
  EXPECT_EQ(report->stop_reason, "duration");
  EXPECT_GE(report->elapsed_s, 0.3);
  EXPECT_LT(report->elapsed_s, 2.0);
  // One keep-alive connection per client for the whole run, cleanup included.
  EXPECT_EQ(server.counters().connections, 4u);
  EXPECT_EQ(report->connects, 4u);  // plain put has no setup: opened in the measured phase
  EXPECT_TRUE(server.objects().empty());
}

TEST(BenchRunTest, PlainGetReadsWholeObjects) {
  FakeObjectServer server(false);
  BenchConfig cfg = Config(server, Mode::kGet, true);
  cfg.objects = 20;
  cfg.obj_size = 10000;
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const OpReport* get = Row(*report, "GET");
  ASSERT_NE(get, nullptr);
  EXPECT_GT(get->ops, 10u);
  EXPECT_EQ(get->errors, 0u) << get->first_error;
  EXPECT_EQ(get->bytes, get->ops * 10000);
  EXPECT_EQ(server.counters().by_method["PUT"], 20u);  // prepared once each
  EXPECT_EQ(report->connects, 0u);  // the connections of the prepare phase were kept
  EXPECT_TRUE(server.objects().empty());
}

TEST(BenchRunTest, S3MixedIsSignedAndRunsEveryOperation) {
  FakeObjectServer server(true, kAccess, kSecret);
  BenchConfig cfg = Config(server, Mode::kMixed, false);
  cfg.duration = milliseconds(400);
  cfg.threads = 2;
  cfg.server_pids = {static_cast<int>(getpid()), static_cast<int>(getpid())};
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(server.counters().auth_failures, 0u);
  for (const char* name : {"GET", "STAT", "PUT", "DELETE"}) {
    const OpReport* op = Row(*report, name);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_GT(op->ops, 0u) << name;
    EXPECT_EQ(op->errors, 0u) << name << ": " << op->first_error;
  }
  std::uint64_t sum = 0;
  for (const OpReport& op : report->ops) {
    sum += op.ops;
  }
  EXPECT_EQ(report->total.ops, sum);
  // GETs are about 45% of the operations.
  double get_share =
      static_cast<double>(Row(*report, "GET")->ops) / static_cast<double>(report->total.ops);
  EXPECT_NEAR(get_share, 0.45, 0.1);
  EXPECT_GE(report->server_cpu_s, 0.0);
  EXPECT_TRUE(server.objects().empty());
  EXPECT_TRUE(server.buckets().empty());
}

TEST(BenchRunTest, S3ListTimesPagesAndChecksThem) {
  FakeObjectServer server(true, kAccess, kSecret);
  BenchConfig cfg = Config(server, Mode::kList, false);
  cfg.obj_size = 0;
  cfg.objects = 2500;
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->ops.size(), 2u);
  EXPECT_EQ(report->ops[0].name, "LIST page 1");
  EXPECT_EQ(report->ops[1].name, "LIST page 3");
  for (const OpReport& op : report->ops) {
    EXPECT_GT(op.ops, 0u) << op.name;
    EXPECT_EQ(op.errors, 0u) << op.name << ": " << op.first_error;
  }
  EXPECT_TRUE(server.objects().empty());
}

TEST(BenchRunTest, S3ListRefusesPagesThatDoNotExist) {
  FakeObjectServer server(true, kAccess, kSecret);
  BenchConfig cfg = Config(server, Mode::kList, false);
  cfg.objects = 100;
  cfg.pages = {2};
  auto report = RunBench(cfg);
  EXPECT_EQ(report.code(), Errc::kInvalidArgument);
}

TEST(BenchRunTest, S3MultipartCompletesUploads) {
  FakeObjectServer server(true, kAccess, kSecret);
  BenchConfig cfg = Config(server, Mode::kMultipart, false);
  cfg.obj_size = 1000;
  cfg.parts = 3;
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const OpReport* mp = Row(*report, "MULTIPART");
  ASSERT_NE(mp, nullptr);
  EXPECT_GT(mp->ops, 0u);
  EXPECT_EQ(mp->errors, 0u) << mp->first_error;
  EXPECT_EQ(mp->bytes, mp->ops * 3000);
  EXPECT_EQ(server.open_uploads(), 0u);
  EXPECT_TRUE(server.objects().empty());
}

TEST(BenchRunTest, DeleteStopsWhenEveryObjectIsGone) {
  FakeObjectServer server(true, kAccess, kSecret);
  BenchConfig cfg = Config(server, Mode::kDelete, false);
  cfg.objects = 200;
  cfg.duration = std::chrono::seconds(10);
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->stop_reason, "objects exhausted");
  EXPECT_EQ(Row(*report, "DELETE")->ops, 200u);
  EXPECT_LT(report->elapsed_s, 5.0);
  EXPECT_TRUE(server.objects().empty());
}

// Every PUT writes a key of its own (an overwrite costs a file system more than a new file),
// and the cleanup, or --keep's note, covers all of them.
TEST(BenchRunTest, PutWritesANewKeyEveryTime) {
  FakeObjectServer server(false);
  BenchConfig cfg = Config(server, Mode::kPut, true);
  cfg.bucket = "dav";
  cfg.max_ops = 50;
  cfg.duration = std::chrono::seconds(10);
  cfg.keep = true;
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->total.ops, 50u);
  EXPECT_EQ(server.objects().size(), 50u);
  EXPECT_GE(report->objects, 50u);
}

TEST(BenchRunTest, StopsAfterMaxOps) {
  FakeObjectServer server(false);
  BenchConfig cfg = Config(server, Mode::kPut, true);
  cfg.max_ops = 37;
  cfg.duration = std::chrono::seconds(10);
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->total.ops + report->total.errors, 37u);
  EXPECT_EQ(report->stop_reason, "ops");
}

TEST(BenchRunTest, KeepThenReuseWithSkipPrepare) {
  FakeObjectServer server(true, kAccess, kSecret);
  BenchConfig cfg = Config(server, Mode::kGet, false);
  cfg.objects = 10;
  cfg.keep = true;
  cfg.bucket = "kept";
  cfg.prefix = "p/";
  cfg.duration = milliseconds(100);
  auto first = RunBench(cfg);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(server.objects().size(), 10u);
  EXPECT_EQ(server.buckets().count("kept"), 1u);

  cfg.keep = false;
  cfg.skip_prepare = true;
  auto second = RunBench(cfg);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Row(*second, "GET")->errors, 0u);
  EXPECT_EQ(server.counters().by_method["PUT"], 1u + 10u + 1u);  // 2 bucket PUTs, 10 objects
  // The bucket existed before the second run, so only the objects go.
  EXPECT_TRUE(server.objects().empty());
  EXPECT_EQ(server.buckets().count("kept"), 1u);
}

TEST(BenchRunTest, MissingObjectsAreCountedAsErrors) {
  FakeObjectServer server(false);
  BenchConfig cfg = Config(server, Mode::kGet, true);
  cfg.objects = 5;
  cfg.skip_prepare = true;
  cfg.duration = milliseconds(100);
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const OpReport* get = Row(*report, "GET");
  EXPECT_EQ(get->ops, 0u);
  EXPECT_GT(get->errors, 0u);
  EXPECT_EQ(get->error_kinds.begin()->first, "404");
  EXPECT_NE(FormatTable(*report).find("GET errors: 404"), std::string::npos);
}

TEST(BenchRunTest, WrongSecretFailsSetup) {
  FakeObjectServer server(true, kAccess, kSecret);
  BenchConfig cfg = Config(server, Mode::kPut, false);
  cfg.secret_key = "wrongsecret";
  auto report = RunBench(cfg);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_GT(server.counters().auth_failures, 0u);
}

TEST(BenchRunTest, UnreachableEndpointFailsSetupOrCountsErrors) {
  BenchConfig cfg;
  cfg.mode = Mode::kPut;
  cfg.plain = true;
  cfg.endpoint = "http://127.0.0.1:1";
  cfg.duration = milliseconds(100);
  cfg.concurrent = 2;
  auto report = RunBench(cfg);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->total.ops, 0u);
  EXPECT_GT(report->total.errors, 0u);
  EXPECT_EQ(report->ops[0].error_kinds.begin()->first, "transport");
}

// Every --sse mode against a server that checks the SSE headers as S3 does (and refuses an
// unsigned x-amz-* header): the writes ask for the encryption, SSE-C reads and parts carry
// the key, and nothing fails.
TEST(BenchRunTest, S3SseHeadersOnEveryRequestThatNeedsThem) {
  struct Case {
    Sse sse;
    std::string kms_key_id;
    std::string kind;  // FakeObjectServer::Counters::writes_by_sse
  };

  for (const Case& t :
       {Case{Sse::kNone, "", "none"}, Case{Sse::kS3, "", "AES256"}, Case{Sse::kKms, "", "aws:kms"},
        Case{Sse::kKms, "bench-key", "aws:kms key=bench-key"}, Case{Sse::kC, "", "SSE-C"}}) {
    for (Mode mode : {Mode::kMixed, Mode::kMultipart}) {
      SCOPED_TRACE(fmt::format("--sse {} {} {}", SseName(t.sse), t.kms_key_id, ModeName(mode)));
      FakeObjectServer server(true, kAccess, kSecret);
      BenchConfig cfg = Config(server, mode, false);
      cfg.duration = milliseconds(200);
      cfg.obj_size = 1000;
      cfg.parts = 2;
      cfg.sse = t.sse;
      cfg.sse_kms_key_id = t.kms_key_id;
      auto report = RunBench(cfg);
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      EXPECT_EQ(report->sse, SseName(t.sse));
      auto counters = server.counters();
      EXPECT_EQ(counters.auth_failures, 0u);
      EXPECT_EQ(counters.sse_errors, 0u);
      for (const OpReport& op : report->ops) {
        EXPECT_GT(op.ops, 0u) << op.name;
        EXPECT_EQ(op.errors, 0u) << op.name << ": " << op.first_error;
      }
      ASSERT_EQ(counters.writes_by_sse.size(), 1u);
      EXPECT_EQ(counters.writes_by_sse.begin()->first, t.kind);
      if (t.sse == Sse::kC) {
        EXPECT_GT(counters.sse_c_reads, 0u);
      } else {
        EXPECT_EQ(counters.sse_c_reads, 0u);
      }
      EXPECT_TRUE(server.objects().empty());
    }
  }
}

// Kept SSE-C objects are read back with the same (default) key by a later run, and not
// with another.
TEST(BenchRunTest, S3SseCKeyOfKeptObjects) {
  FakeObjectServer server(true, kAccess, kSecret);
  BenchConfig cfg = Config(server, Mode::kGet, false);
  cfg.objects = 8;
  cfg.keep = true;
  cfg.bucket = "kept";
  cfg.prefix = "c/";
  cfg.duration = milliseconds(100);
  cfg.sse = Sse::kC;
  ASSERT_TRUE(RunBench(cfg).ok());
  cfg.skip_prepare = true;
  auto same = RunBench(cfg);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_GT(Row(*same, "GET")->ops, 0u);
  EXPECT_EQ(Row(*same, "GET")->errors, 0u) << Row(*same, "GET")->first_error;

  cfg.sse_c_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // 32 zero bytes
  auto other = RunBench(cfg);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(Row(*other, "GET")->ops, 0u);
  EXPECT_GT(Row(*other, "GET")->errors, 0u);
  EXPECT_EQ(Row(*other, "GET")->error_kinds.begin()->first, "400");
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  return argv;
}

TEST(BenchCommandTest, JsonReport) {
  FakeObjectServer server(false);
  std::vector<std::string> args = {
      "bench",      "put",          "--target",
      "nginx",      "--endpoint",   "http://127.0.0.1:" + std::to_string(server.port()),
      "--duration", "200ms",        "--obj-size",
      "1KiB",       "--concurrent", "2",
      "--json",     "--quiet"};
  auto argv = Argv(args);
  ::testing::internal::CaptureStdout();
  int code = RunBenchCommand(static_cast<int>(argv.size()), argv.data());
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(code, 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["mode"], "put");
  EXPECT_EQ(j["target"], "plain");
  EXPECT_EQ(j["obj_size"], 1024);
  ASSERT_EQ(j["operations"].size(), 1u);
  EXPECT_GT(j["operations"][0]["ops"].get<std::uint64_t>(), 0u);
  EXPECT_TRUE(j["operations"][0]["latency_us"].contains("p99"));
}

TEST(BenchCommandTest, SseFlags) {
  FakeObjectServer server(true, kAccess, kSecret);
  std::vector<std::string> args = {"bench",
                                   "mixed",
                                   "--endpoint",
                                   "http://127.0.0.1:" + std::to_string(server.port()),
                                   "--access-key",
                                   kAccess,
                                   "--secret-key",
                                   kSecret,
                                   "--duration",
                                   "200ms",
                                   "--obj-size",
                                   "1KiB",
                                   "--concurrent",
                                   "2",
                                   "--sse",
                                   "kms",
                                   "--sse-kms-key-id",
                                   "bench-key",
                                   "--json",
                                   "--quiet"};
  auto argv = Argv(args);
  ::testing::internal::CaptureStdout();
  int code = RunBenchCommand(static_cast<int>(argv.size()), argv.data());
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(code, 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["sse"], "kms");
  EXPECT_EQ(j["total"]["errors"], 0u);
  auto counters = server.counters();
  EXPECT_EQ(counters.sse_errors, 0u);
  ASSERT_EQ(counters.writes_by_sse.size(), 1u);
  EXPECT_EQ(counters.writes_by_sse.begin()->first, "aws:kms key=bench-key");
}

TEST(BenchCommandTest, BadFlagsAreUsageErrors) {
  for (std::vector<std::string> args : {
           std::vector<std::string>{"bench", "put", "--obj-size", "4XB", "--plain"},
           std::vector<std::string>{"bench", "put", "--duration", "soon", "--plain"},
           std::vector<std::string>{"bench", "fly"},
           std::vector<std::string>{"bench", "mixed", "--mix", "get=0", "--plain"},
           std::vector<std::string>{"bench", "list", "--plain"},
           std::vector<std::string>{"bench", "put", "--plain", "--sse", "aes"},
           std::vector<std::string>{"bench", "put", "--plain", "--sse", "s3"},
           std::vector<std::string>{"bench", "put", "--plain", "--sse-kms-key-id", "k"},
           std::vector<std::string>{"bench", "put", "--access-key", "a", "--secret-key", "s",
                                    "--sse", "c", "--sse-c-key", "c2hvcnQ="},
       }) {
    auto argv = Argv(args);
    ::testing::internal::CaptureStderr();
    int code = RunBenchCommand(static_cast<int>(argv.size()), argv.data());
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 2) << args[1] << " " << err;
    EXPECT_FALSE(err.empty());
  }
}

}  // namespace bench_test_internal
}  // namespace cairn::loadgen
