// The per-connection coroutine: reads requests one after another (keep-alive, pipelining),
// exposes each as an Exchange to the handler, and writes responses. Templated on the stream
// (plain TCP or TLS) so that both take the same code path without a virtual call per I/O.
#include "http/connection.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "common/log.h"
#include "http/request_parser.h"
#include "http/response_head.h"

namespace cairn::http::internal {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;  // header reads into the connection buffer
constexpr std::size_t kChunkedReadChunk = 64 * 1024;
constexpr std::size_t kCoalesceBytes = 4096;  // smaller payloads are copied next to the header
// A streamed body of known length up to this size is gathered next to its header and goes
// out in one write when complete, however many pieces its producer writes it in (a small
// object's data shards, for one): one send and one TCP segment instead of one a piece.
constexpr std::size_t kGatherBytes = 64 * 1024;
constexpr std::size_t kDrainChunk = 16 * 1024;
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

using TlsStream = asio::ssl::stream<Socket>;

enum class Framing { kLength, kChunked, kUntilClose, kNone };
enum class BodyMode { kNone, kLength, kChunked };
enum class Phase { kWaitingForRequest, kInRequest, kClosing };

std::string FormatEndpoint(const asio::ip::tcp::endpoint& ep) {
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  std::string out = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  out.push_back(':');
  out.append(std::to_string(ep.port()));
  return out;
}

template <class Stream>
class Connection final : public ConnectionBase, public Exchange {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Connection(ServerState& state, Worker& worker, Stream stream, std::string remote)
      : state_(state),
        worker_(worker),
        stream_(std::move(stream)),
        buf_(state.options.max_header_bytes + kChunkedReadChunk),
        cancelled_(std::make_shared<std::atomic<bool>>(false)) {
    req_.remote_address = std::move(remote);
    req_.tls = kTls;
    worker_.connections.Add(this);
    state_.open_connections.fetch_add(1, std::memory_order_relaxed);
  }

  ~Connection() override {
    CloseSocket();
    worker_.connections.Remove(this);
    state_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  }

  Task<void> Run();

  // ConnectionBase.
  void Expire() override {
    timed_out_ = true;
    MarkDead();
    CloseSocket();
  }

  void CloseIfIdle() override {
    if (phase_ != Phase::kInRequest) {
      CloseSocket();
    }
  }

  void Abort() override {
    MarkDead();
    CloseSocket();
  }

  // Exchange.
  const Request& request() const override { return req_; }

  ByteSource& body() override { return body_; }

  Task<Status> Respond(int status, Headers headers, std::string_view body) override;
  Task<Status> BeginStream(int status, Headers headers,
                           std::optional<std::uint64_t> content_length) override;

  ByteSink& sink() override { return sink_; }

  Task<Status> EndStream() override;

  bool response_started() const override { return res_.started; }

  void CloseAfterResponse() override { keep_alive_ = false; }

  std::shared_ptr<std::atomic<bool>> cancelled() const override { return cancelled_; }

 private:
  class BodySource final : public ByteSource {
   public:
    explicit BodySource(Connection& c) : c_(c) {}

    Task<Result<std::size_t>> Read(std::span<std::byte> buf) override { return c_.ReadBody(buf); }

   private:
    Connection& c_;
  };

  class Sink final : public ByteSink {
   public:
    explicit Sink(Connection& c) : c_(c) {}

    Task<Status> Write(std::span<const std::byte> data) override { return c_.WriteBody(data); }

   private:
    Connection& c_;
  };

  struct ResponseState {
    bool started = false;
    bool streaming = false;
    bool ended = false;
    // head_ holds bytes not yet written: the header, and the first pieces of a gathered body.
    bool head_unsent = false;
    bool send_body = false;  // false for HEAD and for statuses without a body
    Framing framing = Framing::kLength;
    std::uint64_t declared = 0;
    std::uint64_t written = 0;
  };

  Task<bool> Handshake();
  Task<bool> ReadRequestHeader();
  void StartRequest();
  Task<void> Reject(int status, std::string_view text);
  Task<void> HandleRequest();
  Task<Result<std::size_t>> ReadBody(std::span<std::byte> out);
  Task<Result<std::size_t>> ReadLengthBody(std::span<std::byte> out);
  Task<Result<std::size_t>> ReadChunkedBody(std::span<std::byte> out);
  Status BodyFailure(const error_code& ec);
  Task<bool> DrainBody();
  Task<Status> WriteBody(std::span<const std::byte> data);
  Task<void> Close();

  template <class Buffers>
  Task<Status> Write(Buffers buffers);
  Framing ChooseFraming(int status, std::optional<std::uint64_t> length) const;
  bool DecideKeepAlive(Framing framing);
  bool BodyReusable() const;
  void BuildHead(int status, const Headers& headers, Framing framing, std::uint64_t length);

  void MarkDead() {
    dead_ = true;
    keep_alive_ = false;
    cancelled_->store(true, std::memory_order_relaxed);
  }

  void CloseSocket() {
    error_code ec;
    stream_.lowest_layer().close(ec);
  }

  void SetDeadline(std::chrono::milliseconds d) { deadline_ = Clock::now() + d; }

  void ClearDeadline() { deadline_ = Clock::time_point::max(); }

  ServerState& state_;
  Worker& worker_;
  Stream stream_;
  boost::beast::flat_buffer buf_;  // bytes read but not yet parsed; reused across requests
  std::optional<RequestParser> parser_;
  Request req_;
  BodySource body_{*this};
  Sink sink_{*this};
  std::shared_ptr<std::atomic<bool>> cancelled_;
  std::string head_;  // serialized response header (and small payloads); reused
  std::unique_ptr<std::byte[]> drain_buf_;

  Phase phase_ = Phase::kWaitingForRequest;
  bool dead_ = false;       // the socket failed or was closed under us: no more I/O
  bool timed_out_ = false;  // ... because a deadline passed
  bool linger_ = false;     // unread input may remain: drain a little before closing
  bool keep_alive_ = false;

  // Request body state.
  BodyMode body_mode_ = BodyMode::kNone;
  bool body_done_ = true;
  std::optional<Status> body_error_;
  std::uint64_t remaining_ = 0;  // BodyMode::kLength
  bool continue_sent_ = false;

  ResponseState res_;
};

template <class Stream>
Task<void> Connection<Stream>::Run() {
  // GCC 12 miscompiles co_await inside if/while conditions: results go through locals.
  bool ok = co_await Handshake();
  while (ok) {
    ok = co_await ReadRequestHeader();
    if (!ok) {
      break;
    }
    co_await HandleRequest();
    ok = keep_alive_ && !dead_ && !state_.stopping.load(std::memory_order_relaxed);
  }
  co_await Close();
}

template <class Stream>
Task<bool> Connection<Stream>::Handshake() {
  if constexpr (kTls) {
    SetDeadline(state_.options.header_timeout);
    auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kAwait);
    ClearDeadline();
    if (ec) {
      LOG_DEBUG("http: TLS handshake with {} failed: {}", req_.remote_address, ec.message());
      MarkDead();
      co_return false;
    }
  }
  co_return true;
}

template <class Stream>
Task<bool> Connection<Stream>::ReadRequestHeader() {
  phase_ = Phase::kWaitingForRequest;
  parser_.emplace(req_, static_cast<std::uint32_t>(state_.options.max_header_bytes));
  Clock::time_point header_deadline = Clock::time_point::max();
  for (;;) {
    if (buf_.size() != 0) {
      error_code ec;
      std::size_t used = parser_->Put(buf_.data(), ec);
      buf_.consume(used);
      if (!ec && parser_->is_header_done()) {
        StartRequest();
        co_return true;
      }
      if (ec && ec != bhttp::error::need_more) {
        LOG_DEBUG("http: bad request from {}: {}", req_.remote_address, ec.message());
        if (ec == bhttp::error::header_limit) {
          co_await Reject(431, "request header too large\n");
        } else {
          co_await Reject(400, "malformed request\n");
        }
        co_return false;
      }
    }
    if (state_.stopping.load(std::memory_order_relaxed)) {
      co_return false;
    }
    std::size_t room = std::min(kReadChunk, buf_.max_size() - buf_.size());
    if (room == 0) {
      co_await Reject(431, "request header too large\n");
      co_return false;
    }
    bool idle = buf_.size() == 0 && !parser_->got_some();
    if (idle) {
      SetDeadline(state_.options.idle_timeout);
    } else {
      // One deadline for the whole header, set when its first bytes arrived: re-arming it on
      // every read let a client holding a connection with a line every 29 s keep it forever.
      if (header_deadline == Clock::time_point::max()) {
        header_deadline = Clock::now() + state_.options.header_timeout;
      }
      deadline_ = header_deadline;
    }
    auto [ec, n] = co_await stream_.async_read_some(buf_.prepare(room), kAwait);
    ClearDeadline();
    if (ec) {
      MarkDead();
      co_return false;
    }
    buf_.commit(n);
  }
}

template <class Stream>
void Connection<Stream>::StartRequest() {
  phase_ = Phase::kInRequest;
  req_.chunked = parser_->chunked();
  req_.content_length = req_.chunked ? std::nullopt : parser_->declared_length();
  keep_alive_ = parser_->KeepAlive();
  body_error_.reset();
  continue_sent_ = false;
  res_ = ResponseState{};
  if (parser_->is_done()) {
    body_mode_ = BodyMode::kNone;
    body_done_ = true;
  } else if (req_.chunked) {
    body_mode_ = BodyMode::kChunked;
    body_done_ = false;
    parser_->eager(true);
  } else {
    body_mode_ = BodyMode::kLength;
    remaining_ = req_.content_length.value_or(0);
    body_done_ = remaining_ == 0;
  }
}

template <class Stream>
Task<void> Connection<Stream>::Reject(int status, std::string_view text) {
  keep_alive_ = false;
  linger_ = true;
  std::string content_type = "text/plain";
  std::string body(text);
  if (state_.options.rewrite_reject) {
    state_.options.rewrite_reject(status, content_type, body);
  }
  head_.clear();
  AppendStatusLine(head_, status);
  AppendHeaders(head_, {});
  head_.append("Content-Type: ");
  head_.append(content_type);
  head_.append("\r\nContent-Length: ");
  AppendDecimal(head_, body.size());
  head_.append("\r\nConnection: close\r\n\r\n");
  head_.append(body);
  (void)co_await Write(asio::buffer(head_));
}

template <class Stream>
Task<void> Connection<Stream>::HandleRequest() {
  if (body_done_ && parser_->expect_continue() && req_.version >= 11) {
    // An empty body the handler will never read: answer the Expect anyway. Some clients
    // (botocore 1.29) otherwise wedge the next request on this connection.
    continue_sent_ = true;
    Status st = co_await Write(asio::buffer(kContinue.data(), kContinue.size()));
    if (!st.ok()) {
      co_return;
    }
  }
  bool threw = false;
  try {
    co_await state_.handler(*this);
  } catch (const std::exception& e) {
    LOG_ERROR("http: handler threw on {} {}: {}", req_.method, req_.target, e.what());
    threw = true;
  } catch (...) {
    LOG_ERROR("http: handler threw a non-exception on {} {}", req_.method, req_.target);
    threw = true;
  }
  if (!res_.started) {
    if (!threw) {
      LOG_ERROR("http: handler returned without a response on {} {}", req_.method, req_.target);
    }
    Headers headers;
    headers.emplace_back(std::string("Content-Type"), std::string("text/plain"));
    (void)co_await Respond(500, std::move(headers), std::string_view("internal server error\n"));
  } else if (threw || (res_.streaming && !res_.ended)) {
    // The client got a partial response; only closing the connection tells it so.
    keep_alive_ = false;
  }
  if (keep_alive_ && !dead_) {
    bool drained = co_await DrainBody();
    if (!drained) {
      keep_alive_ = false;
    }
  }
}

template <class Stream>
Task<Result<std::size_t>> Connection<Stream>::ReadBody(std::span<std::byte> out) {
  if (body_error_) {
    co_return *body_error_;
  }
  if (body_done_ || out.empty()) {
    co_return std::size_t{0};
  }
  if (parser_->expect_continue() && !continue_sent_ && req_.version >= 11 && !res_.started) {
    continue_sent_ = true;
    Status st = co_await Write(asio::buffer(kContinue.data(), kContinue.size()));
    if (!st.ok()) {
      body_error_ = Status(Errc::kIncompleteBody, "client went away before sending the body");
      co_return *body_error_;
    }
  }
  if (body_mode_ == BodyMode::kLength) {
    co_return co_await ReadLengthBody(out);
  }
  co_return co_await ReadChunkedBody(out);
}

template <class Stream>
Task<Result<std::size_t>> Connection<Stream>::ReadLengthBody(std::span<std::byte> out) {
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), remaining_));
  std::size_t n = 0;
  if (buf_.size() != 0) {
    n = std::min(want, buf_.size());
    std::memcpy(out.data(), buf_.data().data(), n);
    buf_.consume(n);
  } else {
    // Straight from the socket into the caller's buffer, never past the body's end.
    SetDeadline(state_.options.body_read_timeout);
    auto [ec, got] = co_await stream_.async_read_some(asio::buffer(out.data(), want), kAwait);
    ClearDeadline();
    if (ec) {
      co_return BodyFailure(ec);
    }
    n = got;
  }
  remaining_ -= n;
  body_done_ = remaining_ == 0;
  co_return n;
}

template <class Stream>
Task<Result<std::size_t>> Connection<Stream>::ReadChunkedBody(std::span<std::byte> out) {
  parser_->SetBodyTarget(out);
  for (;;) {
    if (buf_.size() != 0) {
      error_code ec;
      std::size_t used = parser_->Put(buf_.data(), ec);
      buf_.consume(used);
      if (parser_->is_done()) {
        body_done_ = true;
        break;
      }
      if (ec == bhttp::error::need_buffer || (parser_->filled() > 0 && !ec)) {
        break;
      }
      if (ec && ec != bhttp::error::need_more) {
        MarkDead();
        body_error_ = Status(Errc::kIncompleteBody, "malformed chunked body: " + ec.message());
        linger_ = true;
        co_return *body_error_;
      }
      if (parser_->filled() > 0) {
        break;
      }
    }
    std::size_t room = std::min(kChunkedReadChunk, buf_.max_size() - buf_.size());
    if (room == 0) {
      MarkDead();
      body_error_ = Status(Errc::kIncompleteBody, "malformed chunked body: chunk header too long");
      co_return *body_error_;
    }
    SetDeadline(state_.options.body_read_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buf_.prepare(room), kAwait);
    ClearDeadline();
    if (ec) {
      co_return BodyFailure(ec);
    }
    buf_.commit(n);
  }
  co_return parser_->filled();
}

template <class Stream>
Status Connection<Stream>::BodyFailure(const error_code& ec) {
  bool timed_out = timed_out_;
  MarkDead();
  if (timed_out) {
    body_error_ = Status(Errc::kRequestTimeout, "the client sent the request body too slowly");
  } else {
    body_error_ =
        Status(Errc::kIncompleteBody, "the client stopped sending the body: " + ec.message());
  }
  return *body_error_;
}

template <class Stream>
Task<bool> Connection<Stream>::DrainBody() {
  if (body_done_) {
    co_return true;
  }
  if (!BodyReusable()) {
    co_return false;
  }
  if (!drain_buf_) {
    drain_buf_ = std::make_unique<std::byte[]>(kDrainChunk);
  }
  std::size_t total = 0;
  for (;;) {
    auto n = co_await ReadBody(std::span<std::byte>(drain_buf_.get(), kDrainChunk));
    if (!n.ok()) {
      co_return false;
    }
    if (*n == 0) {
      co_return true;
    }
    total += *n;
    if (total > state_.options.max_drain_bytes) {
      linger_ = true;
      co_return false;
    }
  }
}

template <class Stream>
bool Connection<Stream>::BodyReusable() const {
  if (body_done_) {
    return true;
  }
  if (body_error_) {
    return false;
  }
  if (parser_->expect_continue() && !continue_sent_) {
    return false;  // the client may be holding the body back: we cannot know what comes next
  }
  if (body_mode_ == BodyMode::kLength) {
    return remaining_ <= state_.options.max_drain_bytes;
  }
  return true;  // chunked: DrainBody finds out
}

template <class Stream>
Framing Connection<Stream>::ChooseFraming(int status, std::optional<std::uint64_t> length) const {
  if (status < 200 || status == 204 || status == 304) {
    return Framing::kNone;
  }
  if (length) {
    return Framing::kLength;
  }
  if (parser_->is_head()) {
    return Framing::kNone;
  }
  return req_.version >= 11 ? Framing::kChunked : Framing::kUntilClose;
}

template <class Stream>
bool Connection<Stream>::DecideKeepAlive(Framing framing) {
  if (!keep_alive_ || dead_ || framing == Framing::kUntilClose ||
      state_.stopping.load(std::memory_order_relaxed) || !BodyReusable()) {
    keep_alive_ = false;
  }
  return keep_alive_;
}

template <class Stream>
void Connection<Stream>::BuildHead(int status, const Headers& headers, Framing framing,
                                   std::uint64_t length) {
  head_.clear();
  AppendStatusLine(head_, status);
  AppendHeaders(head_, headers);
  if (framing == Framing::kLength) {
    head_.append("Content-Length: ");
    AppendDecimal(head_, length);
    head_.append("\r\n");
  } else if (framing == Framing::kChunked) {
    head_.append("Transfer-Encoding: chunked\r\n");
  }
  if (!DecideKeepAlive(framing)) {
    head_.append("Connection: close\r\n");
  } else if (req_.version < 11) {
    head_.append("Connection: keep-alive\r\n");
  }
  head_.append("\r\n");
}

template <class Stream>
template <class Buffers>
Task<Status> Connection<Stream>::Write(Buffers buffers) {
  if (dead_) {
    co_return Status(Errc::kCancelled, "the client connection is closed");
  }
  SetDeadline(state_.options.write_timeout);
  auto [ec, n] = co_await asio::async_write(stream_, buffers, kAwait);
  ClearDeadline();
  if (ec) {
    MarkDead();
    co_return Status(Errc::kCancelled, "the client went away: " + ec.message());
  }
  co_return Status::Ok();
}

template <class Stream>
Task<Status> Connection<Stream>::Respond(int status, Headers headers, std::string_view body) {
  if (res_.started) {
    co_return Status(Errc::kInternal, "Respond after the response started");
  }
  res_.started = true;
  res_.ended = true;
  std::uint64_t length = body.size();
  if (parser_->is_head()) {
    length = FindContentLength(headers).value_or(length);
  }
  Framing framing = ChooseFraming(status, length);
  BuildHead(status, headers, framing, length);
  bool send = framing == Framing::kLength && !parser_->is_head() && !body.empty();
  if (send && body.size() <= kCoalesceBytes) {
    head_.append(body);
    send = false;
  }
  if (!send) {
    co_return co_await Write(asio::buffer(head_));
  }
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body)};
  co_return co_await Write(buffers);
}

template <class Stream>
Task<Status> Connection<Stream>::BeginStream(int status, Headers headers,
                                             std::optional<std::uint64_t> content_length) {
  if (res_.started) {
    co_return Status(Errc::kInternal, "BeginStream after the response started");
  }
  res_.started = true;
  res_.streaming = true;
  res_.framing = ChooseFraming(status, content_length);
  res_.declared = content_length.value_or(0);
  res_.send_body = !parser_->is_head() && res_.framing != Framing::kNone;
  BuildHead(status, headers, res_.framing, res_.declared);
  // The header goes out with the first body bytes (or at EndStream): one write, not two.
  res_.head_unsent = true;
  co_return Status::Ok();
}

template <class Stream>
Task<Status> Connection<Stream>::WriteBody(std::span<const std::byte> data) {
  if (!res_.streaming || res_.ended) {
    co_return Status(Errc::kInternal, "sink written outside BeginStream/EndStream");
  }
  if (dead_) {
    co_return Status(Errc::kCancelled, "the client connection is closed");
  }
  if (!res_.send_body || data.empty()) {
    co_return Status::Ok();
  }
  if (res_.framing == Framing::kLength && data.size() > res_.declared - res_.written) {
    keep_alive_ = false;
    co_return Status(Errc::kInternal, "response body longer than its Content-Length");
  }
  res_.written += data.size();
  std::string_view payload(reinterpret_cast<const char*>(data.data()), data.size());
  bool chunked = res_.framing == Framing::kChunked;
  if (!res_.head_unsent) {
    head_.clear();
  }
  res_.head_unsent = false;
  if (chunked) {
    AppendHex(head_, data.size());
    head_.append("\r\n");
  }
  const bool gather = res_.framing == Framing::kLength && res_.declared <= kGatherBytes;
  if (data.size() <= kCoalesceBytes || gather) {
    head_.append(payload);
    if (chunked) {
      head_.append("\r\n");
    }
    if (gather && res_.written < res_.declared) {
      res_.head_unsent = true;  // the rest follows at once; EndStream writes a short body
      co_return Status::Ok();
    }
    co_return co_await Write(asio::buffer(head_));
  }
  std::array<asio::const_buffer, 3> buffers{asio::buffer(head_), asio::buffer(payload),
                                            asio::buffer(chunked ? "\r\n" : "", chunked ? 2 : 0)};
  co_return co_await Write(buffers);
}

template <class Stream>
Task<Status> Connection<Stream>::EndStream() {
  if (!res_.streaming) {
    co_return Status(Errc::kInternal, "EndStream without BeginStream");
  }
  if (res_.ended) {
    co_return Status::Ok();
  }
  res_.ended = true;
  Status result = Status::Ok();
  if (res_.send_body && res_.framing == Framing::kLength && res_.written != res_.declared) {
    keep_alive_ = false;
    result = Status(Errc::kInternal, "response body shorter than its Content-Length");
  }
  if (res_.framing == Framing::kUntilClose) {
    keep_alive_ = false;
  }
  if (!res_.head_unsent) {
    head_.clear();
  }
  res_.head_unsent = false;
  if (res_.send_body && res_.framing == Framing::kChunked) {
    head_.append("0\r\n\r\n");
  }
  if (!head_.empty()) {
    Status st = co_await Write(asio::buffer(head_));
    if (result.ok()) {
      result = st;
    }
  }
  co_return result;
}

template <class Stream>
Task<void> Connection<Stream>::Close() {
  phase_ = Phase::kClosing;
  if (!dead_) {
    if constexpr (kTls) {
      SetDeadline(std::min<std::chrono::milliseconds>(state_.options.write_timeout,
                                                      std::chrono::seconds(2)));
      (void)co_await stream_.async_shutdown(kAwait);
    } else {
      error_code ec;
      stream_.shutdown(asio::socket_base::shutdown_send, ec);
      bool unread = linger_ || buf_.size() != 0 || !body_done_;
      if (unread && !ec && !state_.stopping.load(std::memory_order_relaxed)) {
        // Reading what the client still sends keeps the kernel from answering it with a
        // reset, which could destroy the response before the client read it.
        SetDeadline(std::min<std::chrono::milliseconds>(state_.options.header_timeout,
                                                        std::chrono::seconds(2)));
        std::size_t total = 0;
        while (total < kMaxLingerBytes) {
          buf_.clear();
          auto [rec, n] = co_await stream_.async_read_some(buf_.prepare(kReadChunk), kAwait);
          if (rec) {
            break;
          }
          total += n;
        }
      }
    }
  }
  ClearDeadline();
  CloseSocket();
}

}  // namespace

ServerState::ServerState(ServerOptions o, Handler h)
    : options(std::move(o)), handler(std::move(h)) {}

ServerState::~ServerState() = default;

void ConnectionList::Add(ConnectionBase* c) {
  c->prev_ = nullptr;
  c->next_ = head_;
  if (head_ != nullptr) {
    head_->prev_ = c;
  }
  head_ = c;
}

void ConnectionList::Remove(ConnectionBase* c) {
  if (c->prev_ != nullptr) {
    c->prev_->next_ = c->next_;
  } else if (head_ == c) {
    head_ = c->next_;
  }
  if (c->next_ != nullptr) {
    c->next_->prev_ = c->prev_;
  }
  c->prev_ = nullptr;
  c->next_ = nullptr;
}

namespace {

// A connection's place under ServerOptions::max_connections(_per_client): taken before the
// connection is served, given back when it ends.
class ConnectionSlot {
 public:
  ConnectionSlot(ServerState& state, std::string client)
      : state_(state), client_(std::move(client)) {}

  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  ~ConnectionSlot() {
    if (counted_) {
      std::lock_guard lock(state_.clients_mu);
      auto it = state_.clients.find(client_);
      if (it != state_.clients.end() && --it->second == 0) {
        state_.clients.erase(it);
      }
    }
  }

  // False when the server or this client has its most connections open.
  bool Take() {
    const ServerOptions& o = state_.options;
    if (o.max_connections != 0 && static_cast<std::size_t>(state_.open_connections.load(
                                      std::memory_order_relaxed)) >= o.max_connections) {
      return false;
    }
    if (o.max_connections_per_client == 0) {
      return true;
    }
    std::lock_guard lock(state_.clients_mu);
    std::size_t& n = state_.clients[client_];
    if (n >= o.max_connections_per_client) {
      if (n == 0) {
        state_.clients.erase(client_);
      }
      return false;
    }
    ++n;
    counted_ = true;
    return true;
  }

 private:
  ServerState& state_;
  std::string client_;
  bool counted_ = false;
};

}  // namespace

Task<void> ServeConnection(ServerState& state, Worker& worker, Socket socket) {
  error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  std::string remote = ec ? std::string() : FormatEndpoint(endpoint);
  ConnectionSlot slot(state, ec ? std::string() : endpoint.address().to_string());
  if (!slot.Take()) {
    // Closed before a byte is read: costs the server one accept and one close.
    if (state.refused_connections.fetch_add(1, std::memory_order_relaxed) % 1000 == 0) {
      LOG_WARN(
          "http: connection from {} refused: too many connections open (this is logged "
          "once per 1,000)",
          remote);
    }
    socket.close(ec);
    co_return;
  }
  if (state.tls) {
    auto c = std::make_unique<Connection<TlsStream>>(
        state, worker, TlsStream(std::move(socket), *state.tls), std::move(remote));
    co_await c->Run();
  } else {
    auto c =
        std::make_unique<Connection<Socket>>(state, worker, std::move(socket), std::move(remote));
    co_await c->Run();
  }
}

}  // namespace cairn::http::internal
