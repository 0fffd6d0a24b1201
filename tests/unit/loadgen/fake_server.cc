#include "fake_server.h"

#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "auth/signature.h"
#include "common/checksum.h"

namespace cairn::loadgen::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Creds final : auth::CredentialProvider {
  std::string access;
  std::string secret;

  std::optional<std::string> SecretKey(std::string_view key) const override {
    return key == access ? std::optional<std::string>(secret) : std::nullopt;
  }
};

std::string QueryValue(std::string_view query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    std::string_view item =
        query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    std::size_t eq = item.find('=');
    if (item.substr(0, eq) == name) {
      std::string raw(eq == std::string_view::npos ? "" : item.substr(eq + 1));
      std::string out;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
          out.push_back(static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          out.push_back(raw[i]);
        }
      }
      return out;
    }
    if (amp == std::string_view::npos) {
      break;
    }
    pos = amp + 1;
  }
  return {};
}

bool HasParam(std::string_view query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    std::string_view item =
        query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (item.substr(0, item.find('=')) == name) {
      return true;
    }
    if (amp == std::string_view::npos) {
      return false;
    }
    pos = amp + 1;
  }
  return false;
}

// The encryption a request asks for, as Counters::writes_by_sse names it ("" when none), and
// for SSE-C the key's MD5 in `key_md5`. Sets `error` for a header S3 would refuse.
struct SseAsked {
  std::string kind;
  std::string key_md5;
  std::string error;
};

SseAsked ParseSse(const http::request<http::string_body>& req) {
  auto header = [&](std::string_view name) -> std::optional<std::string> {
    auto it = req.find(name);
    return it == req.end() ? std::nullopt : std::optional<std::string>(it->value());
  };
  SseAsked out;
  auto sse = header("x-amz-server-side-encryption");
  auto key_id = header("x-amz-server-side-encryption-aws-kms-key-id");
  auto algorithm = header("x-amz-server-side-encryption-customer-algorithm");
  auto key = header("x-amz-server-side-encryption-customer-key");
  auto md5 = header("x-amz-server-side-encryption-customer-key-md5");
  if (sse) {
    if (*sse != "AES256" && *sse != "aws:kms") {
      out.error = "bad x-amz-server-side-encryption";
    }
    out.kind = *sse;
  }
  if (key_id) {
    if (out.kind != "aws:kms" || key_id->empty()) {
      out.error = "a KMS key id without aws:kms";
    }
    out.kind += " key=" + *key_id;
  }
  if (algorithm || key || md5) {
    auto raw = key ? Base64Decode(*key) : std::nullopt;
    if (sse || !algorithm || *algorithm != "AES256" || !raw || raw->size() != 32 || !md5 ||
        *md5 != Base64Encode(Md5(*raw))) {
      out.error = "bad SSE-C headers";
    }
    out.kind = "SSE-C";
    out.key_md5 = md5.value_or("");
  }
  return out;
}

}  // namespace

struct FakeObjectServer::Impl {
  Impl(bool s3_mode, std::string access, std::string secret)
      : s3(s3_mode), acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    creds.access = std::move(access);
    creds.secret = std::move(secret);
    asio::co_spawn(io, Accept(), asio::detached);
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    io.stop();
    thread.join();
  }

  asio::awaitable<void> Accept() {
    while (true) {
      auto [ec, sock] = co_await acceptor.async_accept(kNoThrow);
      if (ec) {
        co_return;
      }
      {
        std::lock_guard lock(mu);
        ++counters.connections;
      }
      asio::co_spawn(io, Serve(std::move(sock)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket sock) {
    beast::flat_buffer buf;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(256 << 20);
      auto [ec, n] = co_await http::async_read(sock, buf, parser, kNoThrow);
      if (ec) {
        co_return;
      }
      auto req = parser.release();
      http::response<http::string_body> res = Handle(req);
      res.version(11);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      if (req.method() == http::verb::head) {
        // prepare_payload set Content-Length from the (empty) body; HEAD reports the size.
        res.content_length(head_size);
      }
      http::response_serializer<http::string_body> sr(res);
      if (req.method() == http::verb::head) {
        auto [wec, wn] = co_await http::async_write_header(sock, sr, kNoThrow);
        if (wec) {
          co_return;
        }
      } else {
        auto [wec, wn] = co_await http::async_write(sock, sr, kNoThrow);
        if (wec) {
          co_return;
        }
      }
      if (!req.keep_alive()) {
        co_return;
      }
    }
  }

  http::response<http::string_body> Reply(http::status status, std::string body = {}) {
    http::response<http::string_body> res(status, 11);
    res.body() = std::move(body);
    return res;
  }

  bool Authorized(const http::request<http::string_body>& req, std::string_view path,
                  std::string_view query) {
    auth::HeaderList headers;
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (char& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      headers.emplace_back(std::move(name), std::string(f.value()));
    }
    auth::RequestView view;
    view.method = req.method_string();
    view.path = path;
    view.query = query;
    view.headers = &headers;
    view.now = std::chrono::system_clock::now();
    auto result = auth::Authenticate(view, creds);
    return result.ok() && !result->anonymous && result->payload == auth::PayloadKind::kUnsigned;
  }

  http::response<http::string_body> Handle(const http::request<http::string_body>& req) {
    std::lock_guard lock(mu);
    ++counters.requests;
    ++counters.by_method[std::string(req.method_string())];
    std::string_view target = req.target();
    std::size_t q = target.find('?');
    std::string_view path = target.substr(0, q);
    std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
    if (s3 && !Authorized(req, path, query)) {
      ++counters.auth_failures;
      return Reply(http::status::forbidden, "<Error><Code>SignatureDoesNotMatch</Code></Error>");
    }
    std::string_view rest = path.substr(1);
    std::size_t slash = rest.find('/');
    std::string bucket(rest.substr(0, slash));
    std::string key(slash == std::string_view::npos ? "" : rest.substr(slash + 1));
    bool known_bucket = !s3 || buckets.count(bucket) > 0;
    const auto method = req.method();
    SseAsked sse = ParseSse(req);
    const bool create_upload = method == http::verb::post && HasParam(query, "uploads");
    const bool write =
        !key.empty() &&
        (create_upload || (method == http::verb::put && !HasParam(query, "uploadId")));
    if (!sse.error.empty() || (!write && !sse.kind.empty() && sse.kind != "SSE-C") ||
        (key.empty() && !sse.kind.empty())) {
      ++counters.sse_errors;
      return Reply(http::status::bad_request, "<Error><Code>InvalidArgument</Code></Error>");
    }
    if (key.empty() && s3) {
      return HandleBucket(req, bucket, query);
    }
    if (!known_bucket) {
      return Reply(http::status::not_found, "<Error><Code>NoSuchBucket</Code></Error>");
    }
    std::string full = bucket + "/" + key;
    if (create_upload) {
      std::string id = "up" + std::to_string(++upload_seq);
      uploads[id] = 0;
      data_key_md5[id] = sse.key_md5;
      ++counters.writes_by_sse[sse.kind.empty() ? "none" : sse.kind];
      return Reply(http::status::ok, "<InitiateMultipartUploadResult><UploadId>" + id +
                                         "</UploadId></InitiateMultipartUploadResult>");
    }
    if (HasParam(query, "uploadId")) {
      std::string id = QueryValue(query, "uploadId");
      auto it = uploads.find(id);
      if (it == uploads.end()) {
        return Reply(http::status::not_found, "<Error><Code>NoSuchUpload</Code></Error>");
      }
      if (method == http::verb::put) {
        if (!CheckSseCKey(id, sse)) {
          return Reply(http::status::bad_request, "<Error><Code>InvalidRequest</Code></Error>");
        }
        it->second += req.body().size();
        auto res = Reply(http::status::ok);
        res.set(http::field::etag, "\"part" + QueryValue(query, "partNumber") + "\"");
        return res;
      }
      if (method == http::verb::post) {
        if (req.body().find("<ETag>\"part1\"</ETag>") == std::string::npos) {
          return Reply(http::status::bad_request, "<Error><Code>InvalidPart</Code></Error>");
        }
        objects[full] = it->second;
        data_key_md5[full] = data_key_md5[id];
        data_key_md5.erase(id);
        uploads.erase(it);
        return Reply(http::status::ok, "<CompleteMultipartUploadResult/>");
      }
      if (method == http::verb::delete_) {
        data_key_md5.erase(id);
        uploads.erase(it);
        return Reply(http::status::no_content);
      }
    }
    switch (method) {
      case http::verb::put: {
        objects[full] = req.body().size();
        data_key_md5[full] = sse.key_md5;
        ++counters.writes_by_sse[sse.kind.empty() ? "none" : sse.kind];
        auto res = Reply(http::status::created);
        res.set(http::field::etag, "\"e\"");
        return res;
      }
      case http::verb::get:
      case http::verb::head: {
        auto it = objects.find(full);
        if (it == objects.end()) {
          head_size = 0;
          return Reply(http::status::not_found);
        }
        if (!CheckSseCKey(full, sse)) {
          head_size = 0;
          return Reply(http::status::bad_request, "<Error><Code>InvalidRequest</Code></Error>");
        }
        head_size = it->second;
        return Reply(http::status::ok,
                     method == http::verb::get ? std::string(it->second, 'x') : std::string());
      }
      case http::verb::delete_:
        if (!key.empty() && key.back() == '/') {
          std::erase_if(objects, [&](const auto& kv) { return kv.first.starts_with(full); });
          return Reply(http::status::no_content);
        }
        data_key_md5.erase(full);
        return objects.erase(full) ? Reply(http::status::no_content)
                                   : Reply(http::status::not_found);
      default:
        return Reply(http::status::method_not_allowed);
    }
  }

  // Whether a read of SSE-C data `name` (an object or an upload id) carries its key, or a
  // read of other data carries none. Counts the outcome.
  bool CheckSseCKey(const std::string& name, const SseAsked& sse) {
    auto it = data_key_md5.find(name);
    const std::string stored = it == data_key_md5.end() ? "" : it->second;
    if (stored != sse.key_md5) {
      ++counters.sse_errors;
      return false;
    }
    if (!stored.empty()) {
      ++counters.sse_c_reads;
    }
    return true;
  }

  http::response<http::string_body> HandleBucket(const http::request<http::string_body>& req,
                                                 const std::string& bucket,
                                                 std::string_view query) {
    const auto method = req.method();
    if (method == http::verb::put) {
      if (!buckets.insert(bucket).second) {
        return Reply(http::status::conflict, "<Error><Code>BucketAlreadyOwnedByYou</Code></Error>");
      }
      return Reply(http::status::ok);
    }
    if (buckets.count(bucket) == 0) {
      return Reply(http::status::not_found, "<Error><Code>NoSuchBucket</Code></Error>");
    }
    if (method == http::verb::delete_) {
      for (const auto& [k, size] : objects) {
        if (k.starts_with(bucket + "/")) {
          return Reply(http::status::conflict, "<Error><Code>BucketNotEmpty</Code></Error>");
        }
      }
      buckets.erase(bucket);
      return Reply(http::status::no_content);
    }
    if (method == http::verb::post && HasParam(query, "delete")) {
      std::string_view body = req.body();
      std::size_t pos = 0;
      while ((pos = body.find("<Key>", pos)) != std::string_view::npos) {
        pos += 5;
        std::size_t end = body.find("</Key>", pos);
        std::string name = bucket + "/" + std::string(body.substr(pos, end - pos));
        objects.erase(name);
        data_key_md5.erase(name);
      }
      return Reply(http::status::ok, "<DeleteResult></DeleteResult>");
    }
    if (method == http::verb::get && QueryValue(query, "list-type") == "2") {
      std::string prefix = bucket + "/" + QueryValue(query, "prefix");
      std::string after = bucket + "/" + QueryValue(query, "start-after");
      std::uint64_t max_keys = std::stoull(QueryValue(query, "max-keys"));
      std::string xml = "<ListBucketResult>";
      std::uint64_t n = 0;
      for (auto it = objects.upper_bound(after); it != objects.end() && n < max_keys; ++it) {
        if (!it->first.starts_with(prefix)) {
          continue;
        }
        xml += "<Contents><Key>" + it->first.substr(bucket.size() + 1) + "</Key></Contents>";
        ++n;
      }
      xml += "<KeyCount>" + std::to_string(n) + "</KeyCount></ListBucketResult>";
      return Reply(http::status::ok, xml);
    }
    return Reply(http::status::method_not_allowed);
  }

  bool s3;
  Creds creds;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  mutable std::mutex mu;
  // Guarded by mu (the server thread handles requests; tests read between runs).
  Counters counters;
  std::map<std::string, std::uint64_t> objects;
  std::set<std::string> buckets;
  std::map<std::string, std::uint64_t> uploads;
  // The SSE-C key MD5 of each object ("bucket/key") and open upload (its id); "" when none.
  std::map<std::string, std::string> data_key_md5;
  std::uint64_t upload_seq = 0;
  std::uint64_t head_size = 0;
};

FakeObjectServer::FakeObjectServer(bool s3, std::string access_key, std::string secret_key)
    : impl_(std::make_unique<Impl>(s3, std::move(access_key), std::move(secret_key))) {}

FakeObjectServer::~FakeObjectServer() = default;

std::uint16_t FakeObjectServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

FakeObjectServer::Counters FakeObjectServer::counters() const {
  std::lock_guard lock(impl_->mu);
  return impl_->counters;
}

std::map<std::string, std::uint64_t> FakeObjectServer::objects() const {
  std::lock_guard lock(impl_->mu);
  return impl_->objects;
}

std::set<std::string> FakeObjectServer::buckets() const {
  std::lock_guard lock(impl_->mu);
  return impl_->buckets;
}

std::size_t FakeObjectServer::open_uploads() const {
  std::lock_guard lock(impl_->mu);
  return impl_->uploads.size();
}

}  // namespace cairn::loadgen::testing
