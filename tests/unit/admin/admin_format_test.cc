// The pure output functions of `cairn admin`: progress and summary lines, exit codes, the
// info and sequence tables, and the heal/start query.
#include "admin/admin_format.h"

#include <gtest/gtest.h>

#include "admin/admin_json.h"

namespace cairn::admin {
namespace admin_format_test_internal {

using Json = nlohmann::json;

Json Sequence(std::string state) {
  return Json{{"id", "s1"},
              {"state", state},
              {"objectsScanned", 120},
              {"objectsHealed", 3},
              {"objectsFailed", 0},
              {"objectsDangling", 1},
              {"bytesHealed", 1572864},
              {"elapsedSeconds", 3.0},
              {"objectsPerSecond", 40.0},
              {"secondsLeft", 12.4},
              {"error", ""}};
}

TEST(AdminFormatTest, ProgressLine) {
  EXPECT_EQ(ProgressLine(Sequence("running")),
            "heal s1 running: 120 scanned, 3 healed, 0 failed, 1.5 MiB healed, 40.0 obj/s, 12 s "
            "left");
  Json unknown = Sequence("running");
  unknown["secondsLeft"] = nullptr;
  EXPECT_EQ(ProgressLine(unknown),
            "heal s1 running: 120 scanned, 3 healed, 0 failed, 1.5 MiB healed, 40.0 obj/s, ? s "
            "left");
}

TEST(AdminFormatTest, SummaryLine) {
  EXPECT_EQ(SummaryLine(Sequence("done")),
            "heal s1 done: 120 scanned, 3 healed, 0 failed, 1 dangling, 1.5 MiB healed in 3.0 s");
  Json failed = Sequence("failed");
  failed["error"] = "read quorum lost";
  EXPECT_EQ(SummaryLine(failed),
            "heal s1 failed: 120 scanned, 3 healed, 0 failed, 1 dangling, 1.5 MiB healed in 3.0 "
            "s: read quorum lost");
}

TEST(AdminFormatTest, ExitCode) {
  EXPECT_EQ(HealExitCode(Sequence("done")), 0);
  Json some_failed = Sequence("done");
  some_failed["objectsFailed"] = 2;
  EXPECT_EQ(HealExitCode(some_failed), 1);
  EXPECT_EQ(HealExitCode(Sequence("stopped")), 1);
  EXPECT_EQ(HealExitCode(Sequence("failed")), 1);
}

TEST(AdminFormatTest, ReadsWhatTheServerRenders) {
  heal::HealProgress p;
  p.id = "x";
  p.state = heal::HealSequenceState::kDone;
  p.started_ns = 1'000'000'000;
  p.ended_ns = 3'000'000'000;
  p.objects_scanned = 4;
  p.objects_healed = 2;
  p.bytes_healed = 2 << 20;
  EXPECT_EQ(SummaryLine(SequenceJson(p, 5'000'000'000)),
            "heal x done: 4 scanned, 2 healed, 0 failed, 0 dangling, 2.0 MiB healed in 2.0 s");
}

TEST(AdminFormatTest, InfoText) {
  Json info = {{"deploymentId", "dep"},
               {"version", "0.1.0"},
               {"region", "us-east-1"},
               {"uptimeSeconds", 61.2},
               {"drives",
                {{{"endpoint", "/d1"},
                  {"pool", 0},
                  {"set", 0},
                  {"index", 0},
                  {"state", "ok"},
                  {"total", 2048},
                  {"free", 1024},
                  {"healId", ""}}}},
               {"heal", Json::object()},
               {"sequences", Json::array({Sequence("running")})}};
  const std::string text = InfoText(info);
  EXPECT_NE(text.find("deployment dep  version 0.1.0  region us-east-1  up 61 s\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/d1"), std::string::npos);
  EXPECT_NE(text.find("ok       1.0 KiB / 2.0 KiB\n"), std::string::npos) << text;
  EXPECT_NE(text.find("running heal sequences:\nheal s1 running:"), std::string::npos);
}

TEST(AdminFormatTest, SequencesText) {
  EXPECT_EQ(SequencesText(Json::array()), "no heal sequences\n");
  const std::string text = SequencesText(Json::array({Sequence("running"), Sequence("done")}));
  EXPECT_NE(text.find("heal s1 running: "), std::string::npos);
  EXPECT_NE(text.find("heal s1 done: "), std::string::npos);
}

TEST(AdminFormatTest, HealStartQuery) {
  EXPECT_EQ(HealStartQuery("", false, false, false), "");
  EXPECT_EQ(HealStartQuery("photos", false, false, false), "bucket=photos");
  EXPECT_EQ(HealStartQuery("photos/2024/may", true, true, true),
            "bucket=photos&prefix=2024%2Fmay&deep=true&remove=true&dry-run=true");
  EXPECT_EQ(HealStartQuery("/b/a b", false, false, false), "bucket=b&prefix=a%20b");
}

TEST(AdminFormatTest, HumanBytes) {
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(3.0 * 1024 * 1024 * 1024), "3.0 GiB");
}

TEST(AdminFormat, Kms) {
  EXPECT_EQ(KmsStatusText(Json{{"name", "builtin"}, {"default-key-id", "k"}}),
            "KMS: builtin\ndefault key: k\n");
  EXPECT_EQ(KmsKeysText(Json::array()), "no keys\n");
  const std::string table = KmsKeysText(Json::array(
      {Json{{"name", "master"}, {"enabled", true}, {"default", true}, {"createdAt", ""}},
       Json{{"name", "app"}, {"enabled", false}, {"createdAt", "2024-05-01T12:00:00Z"}}}));
  EXPECT_NE(table.find("master"), std::string::npos);
  EXPECT_NE(table.find("(default key)"), std::string::npos);
  EXPECT_NE(table.find("disabled  2024-05-01T12:00:00Z"), std::string::npos) << table;
  const Json ok = {
      {"key-id", "app"}, {"enabled", true}, {"encryption-error", ""}, {"decryption-error", ""}};
  EXPECT_EQ(KmsKeyStatusText(ok), "key: app\nstate: enabled\nencryption: ok\ndecryption: ok\n");
  EXPECT_EQ(KmsKeyStatusExitCode(ok), 0);
  Json failed = ok;
  failed["encryption-error"] = "disabled";
  EXPECT_NE(KmsKeyStatusText(failed).find("encryption: failed: disabled"), std::string::npos);
  EXPECT_EQ(KmsKeyStatusExitCode(failed), 1);
}

}  // namespace admin_format_test_internal
}  // namespace cairn::admin
