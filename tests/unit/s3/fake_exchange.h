// FakeExchange: an http::Exchange over strings, for driving S3Api without a socket. The
// request body is a string; the response (status, headers, body, streamed or not) is
// recorded for the test to inspect.
#pragma once

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "http/exchange.h"
#include "testing/string_source.h"

namespace cairn::s3::testing {

using cairn::testing::StringSource;

class FakeExchange final : public http::Exchange {
 public:
  FakeExchange(http::Request req, std::string body)
      : req_(std::move(req)), body_(std::move(body), 7000) {}

  const http::Request& request() const override { return req_; }

  ByteSource& body() override { return body_; }

  Task<Status> Respond(int status, http::Headers headers, std::string_view body) override {
    if (started_) {
      co_return Status(Errc::kInternal, "responded twice");
    }
    started_ = true;
    ended_ = true;
    status_ = status;
    headers_ = std::move(headers);
    out_ = std::string(body);
    co_return Status::Ok();
  }

  Task<Status> BeginStream(int status, http::Headers headers,
                           std::optional<std::uint64_t> content_length) override {
    if (started_) {
      co_return Status(Errc::kInternal, "responded twice");
    }
    started_ = true;
    streamed_ = true;
    status_ = status;
    headers_ = std::move(headers);
    stream_length_ = content_length;
    co_return Status::Ok();
  }

  ByteSink& sink() override { return sink_; }

  Task<Status> EndStream() override {
    ended_ = true;
    co_return Status::Ok();
  }

  bool response_started() const override { return started_; }

  void CloseAfterResponse() override { close_ = true; }

  int status() const { return status_; }

  const std::string& out() const { return out_; }

  bool ended() const { return ended_; }

  bool streamed() const { return streamed_; }

  bool closed() const { return close_; }

  std::optional<std::uint64_t> stream_length() const { return stream_length_; }

  const http::Headers& headers() const { return headers_; }

  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [k, v] : headers_) {
      if (k == name) {
        return v;
      }
    }
    return std::nullopt;
  }

  std::size_t body_consumed() const { return body_.consumed(); }

 private:
  class Sink final : public ByteSink {
   public:
    explicit Sink(std::string& out) : out_(out) {}

    Task<Status> Write(std::span<const std::byte> data) override {
      out_.append(reinterpret_cast<const char*>(data.data()), data.size());
      co_return Status::Ok();
    }

   private:
    std::string& out_;
  };

  http::Request req_;
  StringSource body_;
  int status_ = 0;
  http::Headers headers_;
  std::string out_;
  Sink sink_{out_};
  std::optional<std::uint64_t> stream_length_;
  bool started_ = false;
  bool ended_ = false;
  bool streamed_ = false;
  bool close_ = false;
};

}  // namespace cairn::s3::testing
