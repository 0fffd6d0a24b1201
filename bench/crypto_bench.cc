// Throughput of the SSE package stream (src/crypto/package.h): EncryptingSource over an
// in-memory body read in 1 MiB buffers, and PackageDecryptor fed 1 MiB pieces, for 1 MiB and
// 64 MiB objects and both ciphers. Reported in bytes/s of plaintext.
#include <cstring>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "common/byte_stream.h"
#include "crypto/keys.h"
#include "crypto/package.h"
#include "testing/sync_wait.h"

namespace cairn {
namespace {

constexpr std::size_t kReadBuffer = std::size_t{1} << 20;

std::string RandomString(std::size_t n) {
  std::mt19937_64 rng(1);
  std::string s(n, '\0');
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

// A body served from memory without copying more than Read asks for.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(const std::string& data) : data_(data) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    const std::size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }

 private:
  const std::string& data_;
  std::size_t pos_ = 0;
};

// Encrypts `data` completely; returns the stored bytes when `keep`, else only counts them.
std::string EncryptAll(const std::string& data, const crypto::Key& key, crypto::Cipher cipher,
                       bool keep) {
  MemorySource body(data);
  crypto::EncryptingSource enc(body, key, cipher);
  return testing::SyncWait([&]() -> Task<std::string> {
    std::string out;
    std::vector<std::byte> buf(kReadBuffer);
    std::size_t total = 0;
    for (;;) {
      auto n = co_await enc.Read(buf);
      if (!n.ok() || *n == 0) {
        break;
      }
      total += *n;
      if (keep) {
        out.append(reinterpret_cast<const char*>(buf.data()), *n);
      }
      benchmark::DoNotOptimize(buf.data());
    }
    benchmark::DoNotOptimize(total);
    co_return out;
  }());
}

void BM_Encrypt(benchmark::State& state, crypto::Cipher cipher) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string data = RandomString(size);
  const crypto::Key key = crypto::RandomKey();
  for (auto _ : state) {
    EncryptAll(data, key, cipher, false);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void BM_Decrypt(benchmark::State& state, crypto::Cipher cipher) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const crypto::Key key = crypto::RandomKey();
  const std::string stored = EncryptAll(RandomString(size), key, cipher, true);
  std::string out;
  out.reserve(kReadBuffer + crypto::kPackagePayload);
  for (auto _ : state) {
    crypto::PackageDecryptor dec(key, 0);
    for (std::size_t i = 0; i < stored.size(); i += kReadBuffer) {
      const std::size_t n = std::min(kReadBuffer, stored.size() - i);
      out.clear();
      Status st =
          dec.Update(std::span(reinterpret_cast<const std::byte*>(stored.data()) + i, n), out);
      if (!st.ok()) {
        state.SkipWithError("decrypt failed");
        return;
      }
      benchmark::DoNotOptimize(out.data());
    }
    out.clear();
    Status st = dec.Finish(true, out);
    if (!st.ok()) {
      state.SkipWithError("decrypt failed");
      return;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

BENCHMARK_CAPTURE(BM_Encrypt, aes_gcm, crypto::Cipher::kAes256Gcm)->Arg(1 << 20)->Arg(64 << 20);
BENCHMARK_CAPTURE(BM_Encrypt, chacha20_poly1305, crypto::Cipher::kChaCha20Poly1305)
    ->Arg(1 << 20)
    ->Arg(64 << 20);
BENCHMARK_CAPTURE(BM_Decrypt, aes_gcm, crypto::Cipher::kAes256Gcm)->Arg(1 << 20)->Arg(64 << 20);
BENCHMARK_CAPTURE(BM_Decrypt, chacha20_poly1305, crypto::Cipher::kChaCha20Poly1305)
    ->Arg(1 << 20)
    ->Arg(64 << 20);

}  // namespace
}  // namespace cairn

BENCHMARK_MAIN();
