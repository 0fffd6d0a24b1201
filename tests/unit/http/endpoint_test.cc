#include "http/endpoint.h"

#include <gtest/gtest.h>

namespace cairn::http {
namespace {

TEST(ParseEndpointTest, Forms) {
  auto a = ParseEndpoint("http://127.0.0.1:9000");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9000);
  EXPECT_EQ(a->host_header, "127.0.0.1:9000");
  auto b = ParseEndpoint("localhost:8080/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 8080);
  auto c = ParseEndpoint("http://example.com");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 80);
  EXPECT_EQ(c->host_header, "example.com");
  auto d = ParseEndpoint("http://[::1]:9000");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->host, "::1");
  EXPECT_EQ(d->host_header, "[::1]:9000");
  EXPECT_FALSE(d->https);
  auto e = ParseEndpoint("https://x:1");  // `cairn admin` takes it; the load generator not
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->https);
  EXPECT_EQ(e->port, 1);
  auto f = ParseEndpoint("https://example.com");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->port, 443);
  EXPECT_FALSE(ParseEndpoint("http://x:1/path").ok());
  EXPECT_FALSE(ParseEndpoint("http://x:99999").ok());
  EXPECT_FALSE(ParseEndpoint("").ok());
}

}  // namespace
}  // namespace cairn::http
