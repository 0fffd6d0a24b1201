// s3/parameters.h's table against the code and the docs: every query parameter and header a
// handler reads is in the table, every supported query parameter is read by some handler,
// refused rows are refused, and docs/s3-compat.md holds the table as rendered.
#include "s3/parameters.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The names the S3 sources read, by how they read them: query parameters through
// QueryParams (q.Get / q.Has / query.Get / QueryInt) and headers through Header / HeaderInt.
struct ReadNames {
  std::set<std::string> query;
  std::set<std::string> headers;
};

ReadNames NamesReadBySources() {
  ReadNames out;
  const std::filesystem::path dir = std::filesystem::path(CAIRN_SOURCE_DIR) / "src/s3";
  // q.Get("x"), query.Has("x"), QueryInt(req, "x", ...), and object_headers.cc's table of
  // response-* overrides ({"response-content-type", "content-type"}).
  const std::regex query_re(
      R"((?:\b(?:query|q)\.(?:Get|Has)\(|\bQueryInt\(req,\s*|\{\s*(?="response-))\s*"([A-Za-z-]+)\")");
  // req.Header("x"), http.Header("x"), HeaderInt(req, "x", ...).
  const std::regex header_re(R"((?:\.Header\(|\bHeaderInt\(req,\s*)\s*"([^"]+)\")");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".cc" || entry.path().filename() == "router.cc" ||
        entry.path().filename() == "parameters.cc") {
      continue;  // the router reads sub-resources, which select the operation
    }
    const std::string text = ReadFile(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), query_re), end; it != end; ++it) {
      out.query.insert((*it)[1]);
    }
    for (std::sregex_iterator it(text.begin(), text.end(), header_re), end; it != end; ++it) {
      out.headers.insert((*it)[1]);
    }
  }
  return out;
}

bool InTable(ParamIn in, const std::string& name) {
  for (const ParamSpec& spec : ParameterTable()) {
    if (spec.in == in && ParamMatches(spec, name)) {
      return true;
    }
  }
  return false;
}

// Read by the framework for every request, not by an operation's handler.
const std::set<std::string> kFrameworkHeaders = {
    "host",           "authorization",     "x-amz-date",           "date",
    "content-length", "transfer-encoding", "x-amz-security-token", "expect"};
// The presigned form of x-amz-security-token, read by the middleware's identity check.
const std::set<std::string> kFrameworkQuery = {"X-Amz-Security-Token"};

TEST(S3Parameters, EveryParameterTheHandlersReadIsInTheTable) {
  const ReadNames read = NamesReadBySources();
  ASSERT_FALSE(read.query.empty());
  ASSERT_FALSE(read.headers.empty());
  for (const std::string& name : read.query) {
    if (kFrameworkQuery.contains(name)) {
      continue;
    }
    EXPECT_TRUE(InTable(ParamIn::kQuery, name))
        << "src/s3 reads the query parameter \"" << name
        << "\" but s3/parameters.cc's table does not list it";
  }
  for (const std::string& name : read.headers) {
    if (kFrameworkHeaders.contains(name)) {
      continue;
    }
    EXPECT_TRUE(InTable(ParamIn::kHeader, name))
        << "src/s3 reads the header \"" << name
        << "\" but s3/parameters.cc's table does not list it";
  }
}

TEST(S3Parameters, EverySupportedQueryParameterIsRead) {
  const ReadNames read = NamesReadBySources();
  for (const ParamSpec& spec : ParameterTable()) {
    if (spec.in != ParamIn::kQuery || spec.support != Support::kSupported) {
      continue;
    }
    const std::string name(spec.name);
    // Sub-resources (uploadId, partNumber, versionId, list-type) are read by the router too.
    EXPECT_TRUE(read.query.contains(name) || name == "list-type")
        << OpName(spec.op) << ": the table says \"" << name
        << "\" is supported but no handler reads it";
  }
}

TEST(S3Parameters, RefusedRowsAreRefused) {
  for (const ParamSpec& spec : ParameterTable()) {
    if (spec.support != Support::kRefused) {
      continue;
    }
    http::Request r;
    QueryParams q;
    std::string name(spec.name);
    if (name.ends_with('*')) {
      name.back() = 'x';
    }
    const std::string value = "refused-value";
    if (spec.in == ParamIn::kHeader) {
      r.headers.emplace_back(name, value);
    } else {
      q = *ParseQuery(name + "=" + value);
    }
    EXPECT_EQ(RefuseByTable(spec.op, r, q).code(), spec.error)
        << OpName(spec.op) << " " << spec.name;
  }
}

TEST(S3Parameters, EveryRowNamesAnOperationOnce) {
  std::set<std::tuple<Op, ParamIn, std::string_view>> seen;
  for (const ParamSpec& spec : ParameterTable()) {
    EXPECT_TRUE(seen.insert({spec.op, spec.in, spec.name}).second)
        << OpName(spec.op) << " lists " << spec.name << " twice";
    EXPECT_NE(spec.op, Op::kNotImplemented);
    if (spec.in == ParamIn::kHeader) {
      EXPECT_EQ(AsciiLower(spec.name), spec.name) << "header names are lowercase";
    }
  }
}

// docs/s3-compat.md holds the table RenderCompatTable() renders, between two marker lines.
TEST(S3Parameters, DocsTableMatchesTheTable) {
  const std::string path = std::string(CAIRN_SOURCE_DIR) + "/docs/s3-compat.md";
  const std::string doc = ReadFile(path);
  const std::string begin = "<!-- s3-parameters: begin (generated by RenderCompatTable) -->\n";
  const std::string end = "<!-- s3-parameters: end -->";
  const auto b = doc.find(begin);
  const auto e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "marker missing in " << path << ": " << begin;
  ASSERT_NE(e, std::string::npos) << "marker missing in " << path << ": " << end;
  ASSERT_LT(b, e);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), RenderCompatTable())
      << "docs/s3-compat.md's table differs from src/s3/parameters.cc; paste this between "
         "its markers:\n\n"
      << RenderCompatTable();
}

}  // namespace
}  // namespace cairn::s3
