#include "s3/s3_server.h"

#include <chrono>
#include <cstdio>
#include <exception>

#include "audit/logger.h"
#include "common/checksum.h"
#include "common/log.h"
#include "s3/cors.h"
#include "s3/errors.h"
#include "s3/handlers/handlers.h"
#include "s3/iam_query.h"
#include "s3/request.h"
#include "s3/router.h"
#include "s3/unsupported.h"
#include "s3/upload_body.h"

namespace cairn::s3 {

HandlerFn HandlerFor(Op op) {
#define CAIRN_S3_OP_HANDLER(op, name, handler) handler,
  static constexpr HandlerFn kHandlers[] = {CAIRN_S3_OPERATIONS(CAIRN_S3_OP_HANDLER)};
#undef CAIRN_S3_OP_HANDLER
  const auto i = static_cast<std::size_t>(op);
  return i < kOpCount ? kHandlers[i] : nullptr;
}

namespace {

// Counts the bytes of a streamed response body.
class CountingSink final : public ByteSink {
 public:
  explicit CountingSink(std::uint64_t& bytes) : bytes_(bytes) {}

  void Reset(ByteSink* inner) { inner_ = inner; }

  Task<Status> Write(std::span<const std::byte> data) override {
    bytes_ += data.size();
    co_return co_await inner_->Write(data);
  }

 private:
  ByteSink* inner_ = nullptr;
  std::uint64_t& bytes_;
};

// Counts the bytes read from a request body (the audit log's rx).
class CountingSource final : public ByteSource {
 public:
  explicit CountingSource(http::Exchange& ex) : ex_(ex) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    Result<std::size_t> n = co_await ex_.body().Read(buf);
    if (n.ok()) {
      bytes_ += *n;
    }
    co_return n;
  }

  std::uint64_t bytes() const { return bytes_; }

 private:
  http::Exchange& ex_;
  std::uint64_t bytes_ = 0;
};

// The middleware's view of the exchange: adds x-amz-request-id and x-amz-id-2 to every
// response and records the status and body bytes for the access log. With `audit`, also the
// request body bytes read, when the response head went out, and the response headers.
class ResponseRecorder final : public http::Exchange {
 public:
  ResponseRecorder(http::Exchange& inner, http::Headers common, bool audit)
      : inner_(inner), common_(std::move(common)), sink_(bytes_), audit_(audit), source_(inner) {}

  const http::Request& request() const override { return inner_.request(); }

  ByteSource& body() override {
    if (audit_) {
      return source_;
    }
    return inner_.body();
  }

  Task<Status> Respond(int status, http::Headers headers, std::string_view body) override {
    status_ = status;
    bytes_ += body.size();
    AddCommon(headers);
    Record(headers);
    co_return co_await inner_.Respond(status, std::move(headers), body);
  }

  Task<Status> BeginStream(int status, http::Headers headers,
                           std::optional<std::uint64_t> content_length) override {
    status_ = status;
    AddCommon(headers);
    Record(headers);
    co_return co_await inner_.BeginStream(status, std::move(headers), content_length);
  }

  ByteSink& sink() override {
    sink_.Reset(&inner_.sink());
    return sink_;
  }

  Task<Status> EndStream() override { co_return co_await inner_.EndStream(); }

  bool response_started() const override { return inner_.response_started(); }

  void CloseAfterResponse() override { inner_.CloseAfterResponse(); }

  // Headers every response of this request carries from now on (CORS).
  void AddResponseHeaders(const http::Headers& headers) {
    common_.insert(common_.end(), headers.begin(), headers.end());
  }

  int status() const { return status_; }

  std::uint64_t bytes() const { return bytes_; }

  // Audit only: request body bytes read, the response head's time, the response headers.
  std::uint64_t bytes_read() const { return source_.bytes(); }

  std::optional<std::chrono::steady_clock::time_point> first_byte() const { return first_byte_; }

  const http::Headers& response_headers() const { return response_headers_; }

 private:
  void AddCommon(http::Headers& headers) const {
    headers.insert(headers.end(), common_.begin(), common_.end());
  }

  void Record(const http::Headers& headers) {
    if (audit_) {
      first_byte_ = std::chrono::steady_clock::now();
      response_headers_ = headers;
    }
  }

  http::Exchange& inner_;
  http::Headers common_;
  int status_ = 0;
  std::uint64_t bytes_ = 0;
  CountingSink sink_;
  const bool audit_;
  CountingSource source_;
  std::optional<std::chrono::steady_clock::time_point> first_byte_;
  http::Headers response_headers_;
};

// The audit record of a served request.
void LogAudit(audit::Logger& logger, const S3Request& req, const ResponseRecorder& ex,
              std::chrono::system_clock::time_point arrived,
              std::chrono::steady_clock::time_point start) {
  audit::Entry e;
  audit::FillFromRequest(e, ex.request());
  e.time = arrived;
  e.api_name = req.api_name.empty() ? OpName(req.route.op) : std::string_view(req.api_name);
  e.bucket = req.route.bucket;
  e.object = req.route.key;
  e.version_id = req.route.query.Get("versionId").value_or("");
  for (const auto& [name, value] : ex.response_headers()) {
    if (name == "x-amz-version-id") {
      e.version_id = value;
    }
  }
  e.status_code = ex.status();
  e.error_code = req.error_code;
  e.error_message = req.error_message;
  e.request_id = req.ctx.request_id;
  e.access_key = req.auth.access_key;
  e.parent_user = req.parent_user;
  e.response_headers = &ex.response_headers();
  e.rx = ex.bytes_read();
  e.tx = ex.bytes();
  const auto now = std::chrono::steady_clock::now();
  if (ex.first_byte()) {
    e.time_to_first_byte = *ex.first_byte() - start;
  }
  e.time_to_response = now - start;
  logger.Log(e);
}

// A request with an Origin to a bucket whose CORS rules allow it: every response to it,
// errors included, carries the rule's CORS headers. Without Origin this costs nothing; with
// one, the (cached) bucket info.
Task<void> AddCorsHeaders(S3Request& req, ResponseRecorder& recorder) {
  const std::string* origin = req.Header("origin");
  if (origin == nullptr || origin->empty() || !IsValidBucketName(req.route.bucket)) {
    co_return;
  }
  auto info = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
  if (!info.ok() || info->Config(object::bucket_config::kCors).empty()) {
    co_return;
  }
  auto config = ParseCorsConfiguration(info->Config(object::bucket_config::kCors));
  if (!config.ok()) {
    co_return;
  }
  // S3 matches an actual request by its Access-Control-Request-Method when it has one.
  const std::string* asked = req.Header("access-control-request-method");
  const std::string& method = asked != nullptr ? *asked : req.http().method;
  const CorsRule* rule = MatchCorsRule(*config, *origin, method, {});
  if (rule != nullptr) {
    recorder.AddResponseHeaders(CorsResponseHeaders(*rule, *origin, {}, false));
  }
}

// The identity of a signed request's key (with its session token: header, presigned query or
// POST form field). Without an identity store every key is the root's.
Status Identify(S3Request& req) {
  if (req.opts.iam == nullptr) {
    static const iam::IdentityPtr kRoot = [] {
      auto id = std::make_shared<iam::Identity>();
      id->kind = iam::IdentityKind::kRoot;
      id->root_power = true;
      return id;
    }();
    req.identity = kRoot;
    return Status::Ok();
  }
  std::string_view token;
  if (const std::string* h = req.Header("x-amz-security-token")) {
    token = *h;
  } else if (auto q = req.route.query.Get("X-Amz-Security-Token")) {
    token = *q;
  } else if (req.post_form) {
    if (const std::string* f = req.post_form->Field("x-amz-security-token")) {
      token = *f;
    }
  }
  ASSIGN_OR_RETURN(req.identity, req.opts.iam->Check(req.auth.access_key, token));
  if (req.identity->kind != iam::IdentityKind::kRoot) {
    req.parent_user = req.identity->parent_user;
  }
  return Status::Ok();
}

// The form body read before authentication (STS, IAM) must be what was signed: a client that
// sent x-amz-content-sha256 signed that value; a form cannot stream.
Status CheckFormBodyHash(const S3Request& req) {
  if (auth::IsStreaming(req.auth.payload)) {
    return Status(Errc::kInvalidRequest, req.route.op == Op::kStsAction
                                             ? "The STS API does not take aws-chunked bodies."
                                             : "The IAM API does not take aws-chunked bodies.");
  }
  if (req.auth.payload == auth::PayloadKind::kSigned &&
      !ConstantTimeEqual(HexEncode(Sha256(req.form_body)), req.auth.payload_sha256_hex)) {
    return Status(Errc::kContentSha256Mismatch);
  }
  return Status::Ok();
}

// A V4 signature's scope names the service it was made for: the one of the operation
// (RequiredService: "s3" for S3, "sts" for the STS API), as AWS and MinIO check.
Status CheckService(const S3Request& req) {
  if (req.auth.anonymous || req.auth.version != 4) {
    return Status::Ok();
  }
  const std::string_view want = RequiredService(req.route.op);
  if (req.auth.service == want) {
    return Status::Ok();
  }
  const std::string rest = "incorrect service \"" + req.auth.service +
                           "\". This endpoint belongs to \"" + std::string(want) + "\".";
  if (req.auth.presigned) {
    return Status(Errc::kAuthorizationQueryParametersError,
                  "Error parsing the X-Amz-Credential parameter; " + rest);
  }
  return Status(Errc::kAuthorizationHeaderMalformed,
                "The authorization header is malformed; " + rest);
}

// Routing, authentication and dispatch: everything between the request id and the error
// rendering. Returns the handler's Status.
Task<Status> Serve(S3Request& req, ResponseRecorder& recorder,
                   const auth::CredentialProvider& creds) {
  const http::Request& http = req.http();
  CO_ASSIGN_OR_RETURN(req.route, ParseRoute(http, req.opts.domains));
  if (req.route.op == Op::kOptionsObject) {
    // The CORS preflight: browsers send it without credentials.
    co_return co_await OptionsObject(req);
  }
  co_await AddCorsHeaders(req, recorder);
  if (req.route.op == Op::kPostObject) {
    // A browser upload carries its credentials in the form, ahead of the file.
    CO_ASSIGN_OR_RETURN(req.post_form, co_await OpenPostForm(req.ex, req.route.bucket, creds,
                                                             std::chrono::system_clock::now()));
    req.auth = req.post_form->auth;
  } else {
    // The STS and IAM forms are read first: botocore signs a form's hash without sending
    // x-amz-content-sha256 (MinIO reads STS bodies the same way).
    std::string form_sha256;
    if (req.route.op == Op::kStsAction) {
      CO_RETURN_IF_ERROR(co_await ReadStsForm(req));
      form_sha256 = HexEncode(Sha256(req.form_body));
    } else if (req.route.op == Op::kIamAction) {
      CO_ASSIGN_OR_RETURN(req.form_body, co_await ReadRequestXml(req, kMaxIamQueryBody));
      form_sha256 = HexEncode(Sha256(req.form_body));
    }
    auth::RequestView view;
    view.method = http.method;
    view.path = http.path;
    view.query = http.query;
    view.headers = &http.headers;
    // SigV2 signs the bucket of a virtual-host request in its resource ("/bucket/key").
    view.virtual_host_bucket = req.route.virtual_host ? req.route.bucket : std::string_view();
    view.now = std::chrono::system_clock::now();
    view.body_sha256_hex = form_sha256;
    CO_ASSIGN_OR_RETURN(req.auth, auth::Authenticate(view, creds));
    if (req.route.op == Op::kStsAction || req.route.op == Op::kIamAction) {
      CO_RETURN_IF_ERROR(CheckFormBodyHash(req));
    }
  }
  CO_RETURN_IF_ERROR(CheckService(req));
  HandlerFn handler = HandlerFor(req.route.op);
  if (req.auth.anonymous) {
    if (handler == nullptr) {
      co_return Status(Errc::kAccessDenied);  // nothing an anonymous request could be allowed
    }
  } else {
    CO_RETURN_IF_ERROR(Identify(req));
  }
  req.ctx.access_key = req.auth.access_key;
  if (req.route.op == Op::kMethodNotAllowed) {
    co_return Status(Errc::kMethodNotAllowed);
  }
  if (handler == nullptr) {
    co_return Status(Errc::kNotImplemented);
  }
  CO_RETURN_IF_ERROR(RefuseUnsupportedFeatures(req.route.op, http, req.route.query));
  CO_RETURN_IF_ERROR(co_await AuthorizeOperation(req));
  co_return co_await handler(req);
}

// Runs Serve and turns a thrown exception (a bug) into InternalError.
Task<Status> ServeNoThrow(S3Request& req, ResponseRecorder& recorder,
                          const auth::CredentialProvider& creds) {
  try {
    co_return co_await Serve(req, recorder, creds);
  } catch (const std::exception& e) {
    LOG_ERROR("s3: exception on the request path: {}", e.what());
  }
  co_return Status(Errc::kInternal, "exception");
}

class InflightGuard {
 public:
  explicit InflightGuard(std::atomic<std::size_t>& n)
      : n_(n), now_(n.fetch_add(1, std::memory_order_relaxed) + 1) {}

  ~InflightGuard() { n_.fetch_sub(1, std::memory_order_relaxed); }

  InflightGuard(const InflightGuard&) = delete;
  InflightGuard& operator=(const InflightGuard&) = delete;

  std::size_t now() const { return now_; }

 private:
  std::atomic<std::size_t>& n_;
  std::size_t now_;
};

Task<void> RespondHealthOnly(http::Exchange& ex, object::ObjectLayer* layer, bool not_initialized) {
  const bool health = co_await ServeHealth(ex, layer);
  if (health) {
    co_return;
  }
  Status sent;
  if (not_initialized) {
    ErrorContext where;
    where.resource = ex.request().path;
    RenderedError e =
        RenderError(Status(Errc::kServerNotInitialized), where, ex.request().method == "HEAD");
    sent = co_await ex.Respond(e.http_status, OneHeader("content-type", "application/xml"), e.body);
  } else {
    sent =
        co_await ex.Respond(404, OneHeader("content-type", "text/plain"), "404 page not found\n");
  }
  (void)sent;
}

}  // namespace

std::optional<std::string> StaticCredentialProvider::SecretKey(std::string_view access_key) const {
  if (!access_key_.empty() && ConstantTimeEqual(access_key, access_key_)) {
    return secret_key_;
  }
  return std::nullopt;
}

namespace {
constexpr std::string_view kHealthPrefix = "/minio/health/";
}  // namespace

bool IsHealthPath(std::string_view path) {
  return path.starts_with(kHealthPrefix);
}

Task<bool> ServeHealth(http::Exchange& ex, object::ObjectLayer* layer) {
  const http::Request& r = ex.request();
  constexpr std::string_view kPrefix = kHealthPrefix;
  std::string_view path = r.path;
  if (!IsHealthPath(path)) {
    co_return false;
  }
  path.remove_prefix(kPrefix.size());
  if (!path.empty() && path.back() == '/') {
    path.remove_suffix(1);
  }
  int status = 404;
  if (r.method != "GET" && r.method != "HEAD") {
    status = 405;
  } else if (path == "live") {
    status = 200;
  } else if (path == "ready") {
    status = layer != nullptr ? 200 : 503;
  } else if (path == "cluster" || path == "cluster/read") {
    status = 503;
    if (layer != nullptr) {
      RequestContext ctx = RequestContext::Background("health");
      object::HealthInfo health = co_await layer->GetHealth(ctx);
      bool ok = path == "cluster" ? health.write_quorum : health.read_quorum;
      status = ok ? 200 : 503;
    }
  }
  Status sent = co_await ex.Respond(status, OneHeader("cache-control", "no-store"), "");
  (void)sent;
  co_return true;
}

http::Handler MakeHealthHandler(ObjectLayerGetter layer, bool not_initialized) {
  return [layer = std::move(layer), not_initialized](http::Exchange& ex) {
    return RespondHealthOnly(ex, layer ? layer() : nullptr, not_initialized);
  };
}

S3Api::S3Api(S3Options opts, object::ObjectLayer& layer, const auth::CredentialProvider& creds)
    : opts_(std::move(opts)),
      layer_(layer),
      creds_(creds),
      host_id_(HexEncode(Sha256(opts_.node_name))),
      id_base_(std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()) {}

std::string S3Api::NextRequestId() {
  auto n =
      static_cast<std::uint64_t>(id_base_) + id_counter_.fetch_add(1, std::memory_order_relaxed);
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llX", static_cast<unsigned long long>(n));
  return buf;
}

http::Handler S3Api::AsHandler() {
  return [this](http::Exchange& ex) { return Handle(ex); };
}

Task<void> S3Api::Handle(http::Exchange& raw) {
  auto start = std::chrono::steady_clock::now();
  const auto arrived = opts_.audit != nullptr ? std::chrono::system_clock::now()
                                              : std::chrono::system_clock::time_point();
  std::string id = NextRequestId();
  http::Headers common = OneHeader("x-amz-request-id", id);
  common.emplace_back("x-amz-id-2", host_id_);
  ResponseRecorder ex(raw, std::move(common), opts_.audit != nullptr);
  const bool health = co_await ServeHealth(ex, &layer_);
  if (health) {
    co_return;
  }
  InflightGuard inflight(inflight_);
  S3Request req{ex,       RequestContext{},
                Route{},  auth::AuthResult{},
                layer_,   opts_,
                host_id_, {},
                nullptr,  &policy_cache_,
                true,     {},
                {},       {},
                {},       {}};
  req.ctx.request_id = id;
  Status st;
  if (inflight.now() > opts_.max_inflight) {
    st = Status(Errc::kSlowDown);
  } else {
    st = co_await ServeNoThrow(req, ex, creds_);
  }
  if (!st.ok()) {
    if (!ex.response_started()) {
      Status sent = co_await SendError(req, st);
      (void)sent;
    } else {
      ex.CloseAfterResponse();
    }
  }
  metrics_.Record(req.route.op, ex.status(), ex.request().content_length.value_or(0), ex.bytes(),
                  std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start));
  if (opts_.audit != nullptr) {
    LogAudit(*opts_.audit, req, ex, arrived, start);
  }
  if (opts_.access_log) {
    auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count() /
              1000.0;
    const http::Request& r = ex.request();
    LOG_INFO("s3 id={} op={} method={} path={} status={} bytes={} ms={:.3f} key={} remote={} {}",
             id, req.api_name.empty() ? OpName(req.route.op) : std::string_view(req.api_name),
             r.method, r.path, ex.status(), ex.bytes(), ms, req.auth.access_key, r.remote_address,
             st.ok() ? "" : st.ToString());
  }
}

void RewriteRejectAsS3Error(int& status, std::string& content_type, std::string& body) {
  Status error = status == 431
                     ? Status(Errc::kEntityTooLargeHeader)
                     : Status(Errc::kInvalidRequest, "The HTTP request could not be parsed.");
  RenderedError rendered = RenderError(error, ErrorContext{}, false);
  status = rendered.http_status;
  content_type = "application/xml";
  body = std::move(rendered.body);
}

}  // namespace cairn::s3
