// A deliberately simple blocking HTTP/1.1 client over POSIX sockets (and OpenSSL for TLS),
// written independently of the server's parser so that tests check the bytes on the wire.
// Every read and write has a timeout (SO_RCVTIMEO / SO_SNDTIMEO), so a hung server fails a
// test instead of hanging it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <openssl/ssl.h>

namespace cairn::http::testing {

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;

  // The first header with this lowercase name, or "" when absent.
  std::string Header(std::string_view lower_name) const;
  bool HasHeader(std::string_view lower_name) const;
};

class TestClient {
 public:
  // Connects to 127.0.0.1:port; with tls, performs a handshake that verifies the server's
  // certificate against ctx's trust store and the IP 127.0.0.1. Returns null on failure.
  static std::unique_ptr<TestClient> Connect(std::uint16_t port, SSL_CTX* tls = nullptr,
                                             int timeout_ms = 5000);
  ~TestClient();

  // Sends all of data; false on error or timeout.
  bool Send(std::string_view data);
  // Reads one response. `head` says the request was HEAD (no body follows). nullopt on
  // EOF, error, timeout or a malformed response.
  std::optional<Response> ReadResponse(bool head = false);
  // Waits for the next bytes from the server (one read) and returns every byte buffered
  // and not yet parsed; they stay buffered for ReadResponse. "" on EOF, error or timeout.
  std::string ReadAvailable();
  // True when the server closed the connection (EOF or reset) within the timeout, with no
  // further bytes.
  bool WaitForClose();
  // Closes the socket abruptly.
  void Close();

 private:
  TestClient() = default;
  // Appends at least one byte to in_; false on EOF, error or timeout.
  bool Fill();
  bool ReadLine(std::string& line);
  bool ReadExact(std::size_t n, std::string& out);

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string in_;
  bool eof_ = false;
};

// Convenience: one GET on a fresh connection.
std::optional<Response> Get(std::uint16_t port, std::string_view target);

// Writes a self-signed certificate for CN=localhost, IP:127.0.0.1 and its key (PEM) to
// the two paths. Returns false on failure.
bool WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path);

}  // namespace cairn::http::testing
