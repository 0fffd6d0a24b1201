// The console's server side: sealed sessions and CSRF tokens, cookies, the share link's base
// URL, the front end's files, and the console end to end through FakeExchanges against a real
// iam::Iam and S3Api over the in-memory object layer: sign-in (a wrong secret refused),
// the gateway signing S3 requests as the session's user, CSRF on changes, sign-out revoking
// the session, and share links that the S3 API accepts.
#include "console/console.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "console/assets.h"
#include "console/session.h"
#include "console/zip_writer.h"
#include "iam/iam.h"
#include "s3/s3_server.h"
#include "testing/sync_wait.h"
#include "unit/s3/fake_exchange.h"
#include "unit/s3/memory_object_layer.h"

namespace cairn::console {
namespace {

using Json = nlohmann::json;
using cairn::testing::SyncWait;

constexpr std::string_view kRoot = "rootuser";
constexpr std::string_view kRootSecret = "rootsecret123";
constexpr std::int64_t kSecond = 1'000'000'000;

Session Sample() {
  Session s;
  s.user = "alice";
  s.kind = "user";
  s.access_key = "TEMPKEY";
  s.secret_key = "tempsecret";
  s.session_token = "token";
  s.expires_ns = 100 * kSecond;
  s.nonce = "00112233445566778899aabbccddeeff";
  return s;
}

TEST(ConsoleSession, SealsAndOpens) {
  SessionSealer sealer(kRoot, kRootSecret);
  const std::string cookie = sealer.Seal(Sample());
  EXPECT_EQ(cookie.find("tempsecret"), std::string::npos);
  EXPECT_EQ(cookie.find_first_of(";, \""), std::string::npos);
  Result<Session> s = sealer.Open(cookie, 50 * kSecond);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->user, "alice");
  EXPECT_EQ(s->secret_key, "tempsecret");
  EXPECT_EQ(s->session_token, "token");
  EXPECT_EQ(s->expires_ns, 100 * kSecond);
}

TEST(ConsoleSession, RefusesExpiredTamperedAndForeignSessions) {
  SessionSealer sealer(kRoot, kRootSecret);
  const std::string cookie = sealer.Seal(Sample());
  EXPECT_EQ(sealer.Open(cookie, 100 * kSecond).status().code(), Errc::kExpiredToken);
  std::string tampered = cookie;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(sealer.Open(tampered, 0).status().code(), Errc::kAccessDenied);
  EXPECT_EQ(sealer.Open("not base64 !", 0).status().code(), Errc::kAccessDenied);
  EXPECT_EQ(sealer.Open("", 0).status().code(), Errc::kAccessDenied);
  // Another cluster's root (or a rotated root secret) cannot open it.
  SessionSealer other(kRoot, "anothersecret1");
  EXPECT_EQ(other.Open(cookie, 0).status().code(), Errc::kAccessDenied);
}

TEST(ConsoleSession, CsrfTokenIsPerSession) {
  SessionSealer sealer(kRoot, kRootSecret);
  Session a = Sample();
  Session b = Sample();
  b.nonce = "ffeeddccbbaa99887766554433221100";
  const std::string token = sealer.CsrfToken(a);
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(sealer.CsrfMatches(a, token));
  EXPECT_FALSE(sealer.CsrfMatches(b, token));
  EXPECT_FALSE(sealer.CsrfMatches(a, ""));
  EXPECT_FALSE(SessionSealer(kRoot, "anothersecret1").CsrfMatches(a, token));
}

TEST(ConsoleSession, Cookies) {
  using Views = std::vector<std::string_view>;
  EXPECT_EQ(CookieValues("a=1; cairn_session=xyz; b=2", "cairn_session"), Views{"xyz"});
  EXPECT_EQ(CookieValues("cairn_session=\"q\"", "cairn_session"), Views{"q"});
  EXPECT_EQ(CookieValues("xcairn_session=1", "cairn_session"), Views{});
  EXPECT_EQ(CookieValues("", "cairn_session"), Views{});
  EXPECT_EQ(CookieValues("a=1; cairn_session=x; cairn_session=y", "cairn_session"),
            (Views{"x", "y"}));
  const std::string c = SessionCookie("v", 60, true);
  EXPECT_NE(c.find("HttpOnly"), std::string::npos);
  EXPECT_NE(c.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(c.find("Max-Age=60"), std::string::npos);
  EXPECT_NE(c.find("; Secure"), std::string::npos);
  EXPECT_EQ(SessionCookie("v", 60, false).find("Secure"), std::string::npos);
}

TEST(ConsoleShare, S3BaseUrl) {
  EXPECT_EQ(S3BaseUrl("", "example.com:9001", 9000, false), "http://example.com:9000");
  EXPECT_EQ(S3BaseUrl("", "[::1]:9001", 9000, true), "https://[::1]:9000");
  EXPECT_EQ(S3BaseUrl("", "example.com", 9000, false), "http://example.com:9000");
  EXPECT_EQ(S3BaseUrl("", "", 9000, false), "http://127.0.0.1:9000");
  EXPECT_EQ(S3BaseUrl("https://s3.example.com/", "x:9001", 9000, false), "https://s3.example.com");
  // Browsers leave a default port out of Host.
  EXPECT_EQ(S3BaseUrl("", "example.com:9001", 443, true), "https://example.com");
  EXPECT_EQ(S3BaseUrl("", "example.com:9001", 80, false), "http://example.com");
}

TEST(ConsoleSignIn, ThrottlesFailuresPerAddressAndPerKey) {
  SignInThrottle t;
  const std::int64_t t0 = 1'000 * kSecond;
  for (int i = 0; i < SignInThrottle::kMaxFailures; ++i) {
    ASSERT_TRUE(t.Allowed("10.0.0.1", "root", t0));
    t.Failed("10.0.0.1", "root", t0);
  }
  EXPECT_FALSE(t.Allowed("10.0.0.1", "alice", t0));  // this address
  EXPECT_FALSE(t.Allowed("10.0.0.2", "root", t0));   // this key
  EXPECT_TRUE(t.Allowed("10.0.0.2", "alice", t0));
  // The window passes.
  EXPECT_TRUE(t.Allowed("10.0.0.1", "root", t0 + (SignInThrottle::kWindowSeconds + 1) * kSecond));
  // A success clears both.
  for (int i = 0; i < SignInThrottle::kMaxFailures; ++i) {
    t.Failed("10.0.0.3", "bob", t0);
  }
  t.Succeeded("10.0.0.3", "bob");
  EXPECT_TRUE(t.Allowed("10.0.0.3", "bob", t0));
}

class StringSink final : public ByteSink {
 public:
  Task<Status> Write(std::span<const std::byte> data) override {
    out.append(reinterpret_cast<const char*>(data.data()), data.size());
    co_return Status::Ok();
  }

  std::string out;
};

std::uint32_t Le32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  }
  return v;
}

TEST(ConsoleZip, WritesEntriesDescriptorsAndTheDirectory) {
  StringSink sink;
  ZipWriter zip(sink);
  ASSERT_TRUE(SyncWait(zip.BeginEntry("dir/hello.txt", 5, 1700000000)).ok());
  const std::string hello = "hello";
  ASSERT_TRUE(SyncWait(zip.Write(std::as_bytes(std::span(hello)))).ok());
  ASSERT_TRUE(SyncWait(zip.EndEntry()).ok());
  ASSERT_TRUE(SyncWait(zip.BeginEntry("empty", 0, 1700000000)).ok());
  ASSERT_TRUE(SyncWait(zip.EndEntry()).ok());
  ASSERT_TRUE(SyncWait(zip.Finish()).ok());
  const std::string& z = sink.out;
  EXPECT_EQ(z.size(), zip.bytes_written());
  EXPECT_EQ(Le32(z, 0), 0x04034b50u);
  // The local header names the entry; the descriptor after the data carries CRC-32("hello").
  EXPECT_EQ(z.substr(30, 13), "dir/hello.txt");
  EXPECT_EQ(z.substr(43, 5), "hello");
  EXPECT_EQ(Le32(z, 48), 0x08074b50u);
  EXPECT_EQ(Le32(z, 52), 0x3610a686u);
  // The end record: two entries, the directory where it says.
  const std::size_t end = z.size() - 22;
  EXPECT_EQ(Le32(z, end), 0x06054b50u);
  EXPECT_EQ(static_cast<unsigned char>(z[end + 10]), 2);
  EXPECT_EQ(Le32(z, Le32(z, end + 16)), 0x02014b50u);
  // A length that differs from the one announced is refused.
  StringSink other;
  ZipWriter bad(other);
  ASSERT_TRUE(SyncWait(bad.BeginEntry("x", 3, 0)).ok());
  EXPECT_FALSE(SyncWait(bad.EndEntry()).ok());
}

class ConsoleAssetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cairn-console-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "assets");
    Write("index.html", "<html>app</html>");
    Write("assets/app-1234.js", "console.log(1)");
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }

  std::filesystem::path dir_;
};

TEST_F(ConsoleAssetsTest, LoadsAndFinds) {
  Result<Assets> a = Assets::Load(dir_.string());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->size(), 2u);
  ASSERT_NE(a->Index(), nullptr);
  EXPECT_EQ(a->Index()->body, "<html>app</html>");
  EXPECT_EQ(a->Index()->content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(a->Index()->immutable);
  const Asset* js = a->Find("/assets/app-1234.js");
  ASSERT_NE(js, nullptr);
  EXPECT_TRUE(js->immutable);
  EXPECT_EQ(js->content_type, "application/javascript; charset=utf-8");
  EXPECT_EQ(a->Find("/assets/../index.html"), nullptr);
  EXPECT_EQ(a->Find("/missing.js"), nullptr);
  EXPECT_EQ(FindAssetsDir("", (dir_ / "bin" / "cairn").string()), "");
  std::filesystem::create_directories(dir_ / "bin" / "console");
  std::ofstream(dir_ / "bin" / "console" / "index.html") << "x";
  EXPECT_EQ(FindAssetsDir("", (dir_ / "bin" / "cairn").string()),
            std::filesystem::weakly_canonical(dir_ / "bin" / "console").string());
  EXPECT_EQ(FindAssetsDir("/else", "/x/cairn"), "/else");
}

TEST_F(ConsoleAssetsTest, RefusesAFolderWithoutIndex) {
  std::filesystem::remove(dir_ / "index.html");
  EXPECT_EQ(Assets::Load(dir_.string()).status().code(), Errc::kInvalidArgument);
}

// The console over a real Iam and S3Api.
class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest() : iam_(IamOptions()) {
    RequestContext ctx = RequestContext::Background("test");
    Status attached = SyncWait(iam_.Attach(ctx, layer_));
    EXPECT_TRUE(attached.ok()) << attached.ToString();
    s3::S3Options so;
    so.access_log = false;
    so.iam = &iam_;
    s3_ = std::make_unique<s3::S3Api>(so, layer_, iam_);
    ConsoleOptions co;
    co.root_access_key = std::string(kRoot);
    co.root_secret_key = std::string(kRootSecret);
    co.s3_port = 9000;
    co.iam = [this] { return &iam_; };
    console_ = std::make_unique<Console>(
        std::move(co), [this](http::Exchange& ex) { return s3_->Handle(ex); },
        [](http::Exchange& ex) -> Task<void> {
          (void)co_await ex.Respond(200, {}, "admin:" + ex.request().path);
        });
  }

  static iam::Iam::Options IamOptions() {
    iam::Iam::Options o;
    o.root_access_key = std::string(kRoot);
    o.root_secret_key = std::string(kRootSecret);
    return o;
  }

  struct Answer {
    int status = 0;
    std::string body;
    http::Headers headers;
    Json json;

    std::string Header(std::string_view name) const {
      for (const auto& [k, v] : headers) {
        if (AsciiLower(k) == name) {
          return v;
        }
      }
      return "";
    }
  };

  Answer Send(std::string method, std::string target, std::string body = "",
              http::Headers headers = {}, bool with_cookie = true, bool with_csrf = true) {
    http::Request req;
    req.method = method;
    req.target = target;
    const std::size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    req.headers = std::move(headers);
    req.headers.emplace_back("host", "console.test:9001");
    req.content_length = body.size();
    req.remote_address = "127.0.0.1:5000";
    if (with_cookie && !cookie_.empty()) {
      req.headers.emplace_back("cookie", "other=1; cairn_session=" + cookie_);
    }
    if (with_csrf && !csrf_.empty()) {
      req.headers.emplace_back("x-cairn-csrf", csrf_);
    }
    s3::testing::FakeExchange ex(std::move(req), std::move(body));
    SyncWait(console_->Handle(ex));
    Answer a;
    a.status = ex.status();
    a.body = ex.out();
    a.headers = ex.headers();
    a.json = Json::parse(a.body, nullptr, false);
    return a;
  }

  Answer Login(std::string_view ak, std::string_view sk) {
    const Json body = {{"accessKey", ak}, {"secretKey", sk}};
    Answer a = Send("POST", "/api/v1/login", body.dump(), {{"content-type", "application/json"}},
                    false, false);
    if (a.status == 200) {
      const std::string set = a.Header("set-cookie");
      const std::size_t eq = set.find('=');
      cookie_ = set.substr(eq + 1, set.find(';') - eq - 1);
      csrf_ = a.json["csrf"].get<std::string>();
    }
    return a;
  }

  s3::testing::MemoryObjectLayer layer_;
  iam::Iam iam_;
  std::unique_ptr<s3::S3Api> s3_;
  std::unique_ptr<Console> console_;
  std::string cookie_;
  std::string csrf_;
};

TEST_F(ConsoleTest, WrongKeysAreRefused) {
  EXPECT_EQ(Login(kRoot, "wrongsecret").status, 403);
  EXPECT_EQ(Login("nobody", "whatever12").status, 403);
  Answer a =
      Send("POST", "/api/v1/login", R"({"accessKey":"rootuser","secretKey":"rootsecret123"})",
           {{"content-type", "text/plain"}}, false, false);
  EXPECT_EQ(a.status, 415);  // a cross-site form cannot sign in
  EXPECT_EQ(Send("GET", "/api/v1/session").status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/s3/").status, 401);
}

TEST_F(ConsoleTest, SignInThenUseS3AsTheUser) {
  Answer in = Login(kRoot, kRootSecret);
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(in.json["user"], "rootuser");
  EXPECT_EQ(in.json["kind"], "root");
  EXPECT_EQ(in.json["allowed"]["s3:CreateBucket"], true);
  EXPECT_EQ(in.json["allowed"]["admin:Heal"], true);
  EXPECT_EQ(in.json["s3Url"], "http://console.test:9000");
  EXPECT_NE(in.Header("set-cookie").find("HttpOnly"), std::string::npos);
  EXPECT_EQ(in.body.find(kRootSecret), std::string::npos);
  Answer session = Send("GET", "/api/v1/session");
  EXPECT_EQ(session.status, 200);
  EXPECT_EQ(session.json["csrf"], csrf_);

  EXPECT_EQ(Send("PUT", "/api/v1/s3/photos").status, 200);
  EXPECT_EQ(Send("PUT", "/api/v1/s3/photos/a%20b.txt", "hello").status, 200);
  Answer got = Send("GET", "/api/v1/s3/photos/a%20b.txt");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.Header("content-security-policy"), "default-src 'none'; sandbox");
  Answer list = Send("GET", "/api/v1/s3/photos?list-type=2&delimiter=%2F");
  EXPECT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("<Key>a b.txt</Key>"), std::string::npos);
  EXPECT_EQ(Send("GET", "/api/v1/admin/info").body, "admin:/minio/admin/v3/info");
}

TEST_F(ConsoleTest, TwoSessionCookiesAreRefused) {
  ASSERT_EQ(Login(kRoot, kRootSecret).status, 200);
  Answer a = Send("GET", "/api/v1/session", "", {{"cookie", "cairn_session=planted"}});
  EXPECT_EQ(a.status, 401);
  EXPECT_NE(a.Header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(ConsoleTest, ChangesNeedTheCsrfToken) {
  ASSERT_EQ(Login(kRoot, kRootSecret).status, 200);
  Answer a = Send("PUT", "/api/v1/s3/photos", "", {}, true, false);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.json["Code"], "InvalidCsrfToken");
  EXPECT_EQ(Send("PUT", "/api/v1/s3/photos", "", {{"x-cairn-csrf", "0000"}}, true, false).status,
            403);
  EXPECT_EQ(Send("POST", "/api/v1/logout", "", {}, true, false).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/s3/").status, 200);  // reads need none
}

TEST_F(ConsoleTest, AUserMayDoWhatItsPoliciesAllow) {
  ASSERT_EQ(Login(kRoot, kRootSecret).status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos").status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos/a.txt", "hello").status, 200);
  RequestContext ctx = RequestContext::Background("test");
  ASSERT_TRUE(SyncWait(iam_.AddUser(ctx, "alice", "alicesecret1", true)).ok());
  const std::vector<std::string> policies = {"readonly"};
  ASSERT_TRUE(SyncWait(iam_.SetPolicies(ctx, "alice", false, policies)).ok());
  Answer in = Login("alice", "alicesecret1");
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(in.json["kind"], "user");
  EXPECT_EQ(in.json["allowed"]["s3:CreateBucket"], false);
  EXPECT_EQ(in.json["allowed"]["admin:ServerInfo"], false);
  EXPECT_EQ(Send("GET", "/api/v1/s3/photos/a.txt").body, "hello");
  EXPECT_EQ(Send("GET", "/api/v1/s3/").status, 403);  // readonly: no s3:ListAllMyBuckets
  Answer put = Send("PUT", "/api/v1/s3/other");
  EXPECT_EQ(put.status, 403);
  EXPECT_NE(put.body.find("<Code>AccessDenied</Code>"), std::string::npos);
  ASSERT_TRUE(SyncWait(iam_.SetUserEnabled(ctx, "alice", false)).ok());
  EXPECT_EQ(Login("alice", "alicesecret1").status, 403);
  // The session she still holds is worth nothing now.
  EXPECT_EQ(Send("GET", "/api/v1/session").status, 401);
}

TEST_F(ConsoleTest, SignOutRevokesTheSession) {
  ASSERT_EQ(Login(kRoot, kRootSecret).status, 200);
  const std::string cookie = cookie_;
  Answer out = Send("POST", "/api/v1/logout");
  EXPECT_EQ(out.status, 200);
  EXPECT_NE(out.Header("set-cookie").find("Max-Age=0"), std::string::npos);
  // The old cookie, replayed: the temporary credentials it holds are gone.
  cookie_ = cookie;
  Answer after = Send("GET", "/api/v1/s3/");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.json["Code"], "Unauthorized");
}

TEST_F(ConsoleTest, ShareLinksAreAcceptedByTheS3Api) {
  ASSERT_EQ(Login(kRoot, kRootSecret).status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos").status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos/dir/a+b.txt", "shared").status, 200);
  Answer share =
      Send("POST", "/api/v1/share", R"({"bucket":"photos","key":"dir/a+b.txt","expires":600})");
  ASSERT_EQ(share.status, 200) << share.body;
  const std::string url = share.json["url"].get<std::string>();
  const std::string prefix = "http://console.test:9000";
  ASSERT_EQ(url.substr(0, prefix.size()), prefix);
  EXPECT_EQ(share.json["expires"], 600);
  // The link, as a browser sends it to the S3 port.
  const std::string target = url.substr(prefix.size());
  http::Request req;
  req.method = "GET";
  req.target = target;
  const std::size_t q = target.find('?');
  req.path = target.substr(0, q);
  req.query = target.substr(q + 1);
  req.headers.emplace_back("host", "console.test:9000");
  s3::testing::FakeExchange ex(std::move(req), "");
  SyncWait(s3_->Handle(ex));
  EXPECT_EQ(ex.status(), 200) << ex.out();
  EXPECT_EQ(Send("POST", "/api/v1/share", R"({"bucket":"photos"})").status, 400);
  // A key with a ".." segment: one escaped segment, which no client collapses.
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos/a%2F..%2Fb", "dots").status, 200);
  Answer dotted = Send("POST", "/api/v1/share", R"({"bucket":"photos","key":"a/../b"})");
  ASSERT_EQ(dotted.status, 200);
  const std::string durl = dotted.json["url"].get<std::string>();
  EXPECT_NE(durl.find("/photos/a%2F..%2Fb?"), std::string::npos) << durl;
  const std::string dtarget = durl.substr(prefix.size());
  http::Request dreq;
  dreq.method = "GET";
  dreq.target = dtarget;
  dreq.path = dtarget.substr(0, dtarget.find('?'));
  dreq.query = dtarget.substr(dtarget.find('?') + 1);
  dreq.headers.emplace_back("host", "console.test:9000");
  s3::testing::FakeExchange dex(std::move(dreq), "");
  SyncWait(s3_->Handle(dex));
  EXPECT_EQ(dex.status(), 200) << dex.out();
  EXPECT_EQ(dex.out(), "dots");
}

TEST_F(ConsoleTest, ZipsObjectsAndFoldersAsTheUser) {
  ASSERT_EQ(Login(kRoot, kRootSecret).status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos").status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos/trip/a.jpg", "AAAA").status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos/trip/day2/b.jpg", "BBB").status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos/trip/c.txt", "CC").status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos/trip/x/..%2F..%2Fescape.txt", "E").status, 200);
  ASSERT_EQ(Send("PUT", "/api/v1/s3/photos/trip/x/..%5C..%5CC%3A%5Cwin.txt", "W").status, 200);
  const std::string form = "csrf=" + csrf_ +
                           "&bucket=photos&prefix=trip%2F&key=trip%2Fday2%2F&key=trip%2Fc.txt"
                           "&key=trip%2Fmissing&key=trip%2Fx%2F";
  Answer z = Send("POST", "/api/v1/zip", form,
                  {{"content-type", "application/x-www-form-urlencoded"}}, true, false);
  ASSERT_EQ(z.status, 200);
  EXPECT_EQ(z.Header("content-type"), "application/zip");
  EXPECT_NE(z.Header("content-disposition").find("trip.zip"), std::string::npos);
  EXPECT_EQ(z.body.substr(0, 4), std::string("PK\x03\x04"));
  EXPECT_NE(z.body.find("day2/b.jpg"), std::string::npos);
  EXPECT_NE(z.body.find("c.txt"), std::string::npos);
  EXPECT_EQ(z.body.find("a.jpg"), std::string::npos);         // not picked
  EXPECT_NE(z.body.find("x/escape.txt"), std::string::npos);  // ".." segments dropped
  EXPECT_NE(z.body.find("x/win.txt"), std::string::npos);     // and "\\", "C:" ones
  EXPECT_EQ(z.body.find("../"), std::string::npos);
  EXPECT_NE(z.body.find("cairn-zip-errors.txt"), std::string::npos);
  EXPECT_NE(z.body.find("trip/missing: NoSuchKey"), std::string::npos);
  // Without the form's CSRF token: refused.
  Answer forged = Send("POST", "/api/v1/zip", "bucket=photos&key=trip%2Fc.txt",
                       {{"content-type", "application/x-www-form-urlencoded"}}, true, false);
  EXPECT_EQ(forged.status, 403);
}

TEST_F(ConsoleTest, ServesThePageWhenNotBuilt) {
  Answer page = Send("GET", "/", "", {}, false, false);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("build-console.sh"), std::string::npos);
  EXPECT_EQ(page.Header("x-frame-options"), "DENY");
  EXPECT_EQ(Send("GET", "/api/v1/nothing").status, 401);
  ASSERT_EQ(Login(kRoot, kRootSecret).status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/nothing").status, 404);
  EXPECT_EQ(Send("DELETE", "/index.html", "", {}, false, false).status, 405);
}

}  // namespace
}  // namespace cairn::console
