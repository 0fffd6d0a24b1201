#include "test_client.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace cairn::http::testing {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string Response::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) {
      return v;
    }
  }
  return "";
}

bool Response::HasHeader(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) {
      return true;
    }
  }
  return false;
}

std::unique_ptr<TestClient> TestClient::Connect(std::uint16_t port, SSL_CTX* tls, int timeout_ms) {
  std::unique_ptr<TestClient> c(new TestClient());
  c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd_ < 0) {
    return nullptr;
  }
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(c->fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int one = 1;
  ::setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return nullptr;
  }
  if (tls != nullptr) {
    c->ssl_ = SSL_new(tls);
    SSL_set_fd(c->ssl_, c->fd_);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl_), "127.0.0.1");
    if (SSL_connect(c->ssl_) != 1) {
      return nullptr;
    }
  }
  return c;
}

TestClient::~TestClient() {
  Close();
}

void TestClient::Close() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool TestClient::Send(std::string_view data) {
  while (!data.empty()) {
    long n;
    if (ssl_ != nullptr) {
      n = SSL_write(ssl_, data.data(),
                    static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
    } else {
      n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    }
    if (n <= 0) {
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool TestClient::Fill() {
  if (eof_ || fd_ < 0) {
    return false;
  }
  char buf[65536];
  long n;
  if (ssl_ != nullptr) {
    n = SSL_read(ssl_, buf, sizeof(buf));
  } else {
    n = ::recv(fd_, buf, sizeof(buf), 0);
  }
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  in_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::string TestClient::ReadAvailable() {
  return Fill() ? in_ : std::string();
}

bool TestClient::ReadLine(std::string& line) {
  for (;;) {
    std::size_t pos = in_.find("\r\n");
    if (pos != std::string::npos) {
      line = in_.substr(0, pos);
      in_.erase(0, pos + 2);
      return true;
    }
    if (!Fill()) {
      return false;
    }
  }
}

bool TestClient::ReadExact(std::size_t n, std::string& out) {
  while (in_.size() < n) {
    if (!Fill()) {
      return false;
    }
  }
  out.append(in_, 0, n);
  in_.erase(0, n);
  return true;
}

std::optional<Response> TestClient::ReadResponse(bool head) {
  Response r;
  std::string line;
  if (!ReadLine(line) || line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) {
    return std::nullopt;
  }
  r.status = std::atoi(line.c_str() + 9);
  for (;;) {
    if (!ReadLine(line)) {
      return std::nullopt;
    }
    if (line.empty()) {
      break;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) {
      return std::nullopt;
    }
    r.headers.emplace_back(Lower(line.substr(0, colon)),
                           std::string(Trim(std::string_view(line).substr(colon + 1))));
  }
  if (head || r.status < 200 || r.status == 204 || r.status == 304) {
    return r;
  }
  if (Lower(r.Header("transfer-encoding")) == "chunked") {
    for (;;) {
      if (!ReadLine(line)) {
        return std::nullopt;
      }
      std::size_t size = 0;
      auto res = std::from_chars(line.data(), line.data() + line.size(), size, 16);
      if (res.ec != std::errc()) {
        return std::nullopt;
      }
      if (size == 0) {
        // Trailers, then the empty line.
        do {
          if (!ReadLine(line)) {
            return std::nullopt;
          }
        } while (!line.empty());
        return r;
      }
      std::string crlf;
      if (!ReadExact(size, r.body) || !ReadExact(2, crlf) || crlf != "\r\n") {
        return std::nullopt;
      }
    }
  }
  if (r.HasHeader("content-length")) {
    std::size_t n = std::stoull(r.Header("content-length"));
    if (!ReadExact(n, r.body)) {
      return std::nullopt;
    }
    return r;
  }
  // Delimited by the end of the connection.
  while (Fill()) {
  }
  r.body = std::move(in_);
  in_.clear();
  return r;
}

bool TestClient::WaitForClose() {
  if (eof_) {
    return true;  // seen already, e.g. by a ReadResponse that came up short
  }
  if (!in_.empty()) {
    return false;
  }
  char c;
  long n;
  if (ssl_ != nullptr) {
    n = SSL_read(ssl_, &c, 1);
    if (n <= 0) {
      int err = SSL_get_error(ssl_, static_cast<int>(n));
      // A TLS read that timed out reports SSL_ERROR_SYSCALL with EAGAIN.
      return !(err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
    }
    return false;
  }
  n = ::recv(fd_, &c, 1, 0);
  if (n == 0) {
    return true;
  }
  return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK;
}

std::optional<Response> Get(std::uint16_t port, std::string_view target) {
  auto c = TestClient::Connect(port);
  if (!c) {
    return std::nullopt;
  }
  std::string req = "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n\r\n";
  if (!c->Send(req)) {
    return std::nullopt;
  }
  return c->ReadResponse();
}

bool WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) {
    return false;
  }
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600 * 24);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* san =
      X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  bool ok = san != nullptr && X509_add_ext(cert, san, -1) == 1;
  X509_EXTENSION_free(san);
  ok = ok && X509_sign(cert, key, EVP_sha256()) > 0;
  if (ok) {
    FILE* f = std::fopen(cert_path.c_str(), "w");
    ok = f != nullptr && PEM_write_X509(f, cert) == 1;
    if (f != nullptr) {
      std::fclose(f);
    }
  }
  if (ok) {
    FILE* f = std::fopen(key_path.c_str(), "w");
    ok = f != nullptr && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (f != nullptr) {
      std::fclose(f);
    }
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace cairn::http::testing
