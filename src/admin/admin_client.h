// AdminClient: the client side of the admin API for `cairn admin`: SigV4-signs each request
// (auth::SignV4) and sends it with http::Client on a private io_context, blocking; CallJson
// turns an answer into its JSON or its error.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::admin {

struct ClientConfig {
  std::string endpoint = "http://127.0.0.1:9000";
  std::string access_key;
  std::string secret_key;
  std::string region = "us-east-1";
  bool insecure = false;  // accept a self-signed certificate (HTTPS)
  std::chrono::seconds timeout{30};
};

struct ApiResponse {
  int status = 0;
  std::string body;
};

class AdminClient {
 public:
  // Errors: kInvalidArgument (a bad endpoint).
  static Result<std::unique_ptr<AdminClient>> Make(ClientConfig cfg);
  ~AdminClient();
  AdminClient(const AdminClient&) = delete;
  AdminClient& operator=(const AdminClient&) = delete;

  // One signed request to `path` ("/minio/admin/v3/info") with a raw, encoded `query` and
  // `body` (signed by its SHA-256; none when empty); the whole answer whatever its status.
  // Errors: kNodeOffline, kTimeout (transport).
  Result<ApiResponse> Call(std::string_view method, std::string_view path, std::string_view query,
                           std::string_view body = {});

 private:
  struct Impl;
  explicit AdminClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A request to the admin API operation `op` ("info", "add-user") that must answer 200 with
// JSON (or 204: then an empty object). Errors: kUnknown for any other answer (its message
// holds the Code, the Message and the status), the transport's as Call returns them.
Result<nlohmann::json> CallJson(AdminClient& client, std::string_view method, std::string_view op,
                                std::string_view query, std::string_view body = {});

}  // namespace cairn::admin
