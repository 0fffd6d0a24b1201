// The Prometheus pages: every sample line parses, every family has HELP and TYPE, the drive
// totals and heal counters carry the right values, and label values are escaped.
#include "admin/metrics.h"

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace cairn::admin {
namespace metrics_test_internal {

MetricsSnapshot Snapshot() {
  MetricsSnapshot s;
  s.drives = {{"/d1", 0, 0, 0, heal::DriveState::kOk, 1000, 400, ""},
              {"/d2", 0, 0, 1, heal::DriveState::kHealing, 1000, 900, "h"},
              {"/d\"3", 0, 0, 2, heal::DriveState::kOffline, 0, 0, ""},
              {"/d4", 0, 0, 3, heal::DriveState::kFaulty, 0, 0, ""}};
  s.counters.objects_scanned = 11;
  s.counters.objects_healed = 5;
  s.counters.objects_failed = 2;
  s.counters.mrf_pushed = 3;
  s.counters.mrf_queued = 1;
  s.counters.orphans_removed = 6;
  s.counters.orphan_bytes_removed = 7000;
  s.counters.lifecycle_expired_objects = 8;
  s.counters.lifecycle_expired_versions = 9;
  s.counters.lifecycle_expired_delete_markers = 10;
  s.counters.lifecycle_uploads_aborted = 12;
  heal::HealProgress done;
  done.state = heal::HealSequenceState::kDone;
  done.ended_ns = 1'000'000'000;
  s.sequences = {done};
  s.now_ns = 4'000'000'000;
  s.uptime_seconds = 12.5;
  s.resident_bytes = 4096;
  return s;
}

// Checks the text format: "# HELP name ...", "# TYPE name counter|gauge", then samples of
// that name "name{l="v",...} number". Returns the samples as "name{labels}" -> value.
std::map<std::string, double> Parse(const std::string& text) {
  static const std::regex kSample(
      R"re(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf))re");
  std::map<std::string, double> out;
  std::set<std::string> typed;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ")) {
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      std::istringstream t(line.substr(7));
      std::string name;
      std::string type;
      t >> name >> type;
      EXPECT_TRUE(type == "counter" || type == "gauge") << line;
      EXPECT_TRUE(typed.insert(name).second) << "two TYPE lines for " << name;
      continue;
    }
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, kSample)) << "bad sample line: " << line;
    EXPECT_TRUE(typed.count(m[1].str())) << "no TYPE before " << line;
    const std::size_t space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

TEST(MetricsTest, ClusterPage) {
  auto samples = Parse(RenderMetrics(MetricsScope::kCluster, Snapshot()));
  EXPECT_EQ(samples["minio_cluster_drive_online_total"], 2);
  EXPECT_EQ(samples["minio_cluster_drive_offline_total"], 2);
  EXPECT_EQ(samples["minio_cluster_drive_total"], 4);
  EXPECT_EQ(samples["cairn_cluster_drives{state=\"ok\"}"], 1);
  EXPECT_EQ(samples["cairn_cluster_drives{state=\"faulty\"}"], 1);
  EXPECT_EQ(samples["minio_cluster_capacity_raw_total_bytes"], 2000);
  EXPECT_EQ(samples["minio_cluster_capacity_raw_free_bytes"], 1300);
  EXPECT_EQ(samples["minio_heal_objects_total{type=\"object\"}"], 11);
  EXPECT_EQ(samples["minio_heal_objects_heal_total{type=\"object\"}"], 5);
  EXPECT_EQ(samples["minio_heal_objects_errors_heal_total{type=\"object\"}"], 2);
  EXPECT_EQ(samples["cairn_mrf_pushed_total"], 3);
  EXPECT_EQ(samples["cairn_mrf_queued"], 1);
  EXPECT_EQ(samples["cairn_scanner_orphans_removed_total"], 6);
  EXPECT_EQ(samples["cairn_scanner_orphan_bytes_removed_total"], 7000);
  EXPECT_EQ(samples["cairn_lifecycle_expired_objects_total"], 8);
  EXPECT_EQ(samples["cairn_lifecycle_expired_versions_total"], 9);
  EXPECT_EQ(samples["cairn_lifecycle_expired_delete_markers_total"], 10);
  EXPECT_EQ(samples["cairn_lifecycle_uploads_aborted_total"], 12);
  EXPECT_EQ(samples["minio_heal_time_last_activity_nano_seconds"], 3e9);
  EXPECT_EQ(samples["cairn_heal_sequences{kind=\"admin\",state=\"done\"}"], 1);
}

TEST(MetricsTest, NodePage) {
  auto samples = Parse(RenderMetrics(MetricsScope::kNode, Snapshot()));
  EXPECT_EQ(samples["minio_node_drive_used_bytes{drive=\"/d1\"}"], 600);
  EXPECT_EQ(samples["minio_node_drive_free_bytes{drive=\"/d2\"}"], 900);
  EXPECT_EQ(samples["cairn_drive_state{drive=\"/d2\",pool=\"0\",set=\"0\",state=\"healing\"}"], 1);
  EXPECT_EQ(samples["cairn_drive_state{drive=\"/d2\",pool=\"0\",set=\"0\",state=\"ok\"}"], 0);
  EXPECT_EQ(samples["cairn_drive_state{drive=\"/d\\\"3\",pool=\"0\",set=\"0\",state=\"offline\"}"],
            1);
  EXPECT_EQ(samples["minio_node_process_uptime_seconds"], 12.5);
  EXPECT_EQ(samples["minio_node_process_resident_memory_bytes"], 4096);
}

TEST(MetricsTest, NoActivityLeavesTheLastActivityOut) {
  MetricsSnapshot s = Snapshot();
  s.sequences.clear();
  auto samples = Parse(RenderMetrics(MetricsScope::kCluster, s));
  EXPECT_EQ(samples.count("minio_heal_time_last_activity_nano_seconds"), 0u);
}

TEST(MetricsTest, ResidentMemoryIsReadable) {
  EXPECT_GT(ResidentMemoryBytes(), 0u);
}

}  // namespace metrics_test_internal
}  // namespace cairn::admin
