#include "server/server.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace cairn::server {
namespace server_test_internal {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A fresh directory under the system temp folder, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn-server-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }

  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Sends one HTTP/1.1 request to 127.0.0.1:port and returns the whole response.
std::string HttpGet(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  const std::string req =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

ServerConfig TestConfig(const TempDir& dir, int drives = 4) {
  ServerConfig c;
  c.drives = {dir.path() + "/d{1..." + std::to_string(drives) + "}"};
  c.address = "127.0.0.1:0";
  c.console_address = "127.0.0.1:0";
  c.access_key = "testaccess";
  c.secret_key = "testsecret";
  c.address_file = dir.path() + "/addr";
  return c;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PlanTopology, RefusalsAreUsageErrors) {
  ServerConfig c;
  c.drives = {"/x/d{1...17}"};
  auto t = PlanTopology(c);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), StartsWith("17 drives on 1 node cannot form erasure sets"));
  c.drives = {"http://node{1...4}:9000/d{1...4}"};
  c.node_host = "node9";
  t = PlanTopology(c);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("none of the 16 drives is on this node"));
  c.node_host = "node2";
  t = PlanTopology(c);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->local_drive_count(), 4);
}

TEST(Server, StartsServesHealthAndStops) {
  TempDir dir;
  ServerConfig c = TestConfig(dir);
  auto topology = PlanTopology(c);
  ASSERT_TRUE(topology.ok()) << topology.status().ToString();
  std::string deployment;
  {
    Server server(c, *topology);
    Status st = server.Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_NE(server.s3_port(), 0);
    ASSERT_NE(server.console_port(), 0);
    EXPECT_EQ(ReadFile(c.address_file),
              "s3=127.0.0.1:" + std::to_string(server.s3_port()) +
                  "\nconsole=127.0.0.1:" + std::to_string(server.console_port()) + "\n");
    EXPECT_EQ(server.S3Url(), "http://127.0.0.1:" + std::to_string(server.s3_port()));
    EXPECT_THAT(HttpGet(server.s3_port(), "/minio/health/live"), StartsWith("HTTP/1.1 200"));
    EXPECT_THAT(HttpGet(server.console_port(), "/minio/health/cluster"),
                StartsWith("HTTP/1.1 200"));
    // Anonymous S3 requests are refused.
    EXPECT_THAT(HttpGet(server.s3_port(), "/"), StartsWith("HTTP/1.1 403"));
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/d3/.cairn.sys/format.json"));
    deployment = server.deployment_id();
    const std::uint16_t port = server.s3_port();
    server.Stop();
    EXPECT_EQ(HttpGet(port, "/minio/health/live"), "connect failed");
  }
  // A restart finds the same deployment.
  Server again(c, *topology);
  ASSERT_TRUE(again.Start().ok());
  EXPECT_EQ(again.deployment_id(), deployment);
}

TEST(Server, SwappedDrivesAreRefusedAtStart) {
  TempDir dir;
  ServerConfig c = TestConfig(dir);
  auto topology = PlanTopology(c);
  ASSERT_TRUE(topology.ok());
  {
    Server server(c, *topology);
    ASSERT_TRUE(server.Start().ok());
  }
  std::filesystem::rename(dir.path() + "/d1", dir.path() + "/tmp");
  std::filesystem::rename(dir.path() + "/d2", dir.path() + "/d1");
  std::filesystem::rename(dir.path() + "/tmp", dir.path() + "/d2");
  Server server(c, *topology);
  Status st = server.Start();
  EXPECT_EQ(st.code(), Errc::kInconsistentDisk);
  EXPECT_THAT(st.message(), HasSubstr(dir.path() + "/d1 was formatted as pool 1 set 1 drive 2"));
}

TEST(Server, ChangedLayoutIsRefusedAtStart) {
  TempDir dir;
  ServerConfig c = TestConfig(dir, 8);
  auto topology = PlanTopology(c);
  ASSERT_TRUE(topology.ok());
  {
    Server server(c, *topology);
    ASSERT_TRUE(server.Start().ok());
  }
  c.set_size = 4;
  auto changed = PlanTopology(c);
  ASSERT_TRUE(changed.ok());
  Server server(c, *changed);
  Status st = server.Start();
  EXPECT_EQ(st.code(), Errc::kInconsistentDisk);
  EXPECT_THAT(st.message(), HasSubstr("--set-size"));
}

TEST(Server, AddressInUseIsAStartupError) {
  TempDir dir;
  ServerConfig c = TestConfig(dir);
  auto topology = PlanTopology(c);
  ASSERT_TRUE(topology.ok());
  Server first(c, *topology);
  ASSERT_TRUE(first.Start().ok());
  TempDir dir2;
  ServerConfig c2 = TestConfig(dir2);
  c2.address = "127.0.0.1:" + std::to_string(first.s3_port());
  auto t2 = PlanTopology(c2);
  ASSERT_TRUE(t2.ok());
  Server second(c2, *t2);
  Status st = second.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), StartsWith("the S3 port"));
}

}  // namespace server_test_internal
}  // namespace cairn::server
