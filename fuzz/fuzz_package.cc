// The SSE package stream decryptor (src/crypto/package.h) on arbitrary bytes, as a corrupt or
// hostile drive would hold them, fed in arbitrary pieces from an arbitrary sequence number.
// Every error must be kObjectTampered. Half the inputs instead encrypt fuzzed plaintext (one
// to four copies of it, so streams of several packages occur) and decrypt it back, whole or
// with one byte flipped or cut short: the intact stream must give the plaintext back, a
// flipped byte must always be refused, and a cut stream must be refused at its end.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "crypto/package.h"
#include "testing/string_source.h"
#include "testing/sync_wait.h"

namespace {

using cairn::crypto::Cipher;
using cairn::crypto::Key;
using cairn::crypto::PackageDecryptor;

Key FixedKey() {
  Key k;
  for (std::size_t i = 0; i < k.size(); ++i) {
    k[i] = static_cast<std::byte>(i);
  }
  return k;
}

void Check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

// Decrypts `stream` in pieces of the sizes `in` chooses; ok or the error's code.
cairn::Status Decrypt(FuzzedDataProvider& in, const std::string& stream, std::uint32_t first,
                      bool expect_end, std::string& out) {
  PackageDecryptor dec(FixedKey(), first);
  std::size_t pos = 0;
  while (pos < stream.size()) {
    const std::size_t n = in.ConsumeIntegralInRange<std::size_t>(1, stream.size() - pos);
    const auto* p = reinterpret_cast<const std::byte*>(stream.data()) + pos;
    cairn::Status st = dec.Update(std::span(p, n), out);
    if (!st.ok()) {
      return st;
    }
    pos += n;
  }
  return dec.Finish(expect_end, out);
}

std::string Encrypt(const std::string& plain, Cipher cipher) {
  cairn::testing::StringSource body(plain, 70000);
  cairn::crypto::EncryptingSource enc(body, FixedKey(), cipher);
  return cairn::testing::SyncWait([&]() -> cairn::Task<std::string> {
    std::string out;
    std::vector<std::byte> buf(50000);
    for (;;) {
      auto n = co_await enc.Read(buf);
      Check(n.ok());
      if (*n == 0) {
        co_return out;
      }
      out.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
  }());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  std::string out;
  if (!in.ConsumeBool()) {
    const auto first = in.ConsumeIntegral<std::uint32_t>();
    const bool expect_end = in.ConsumeBool();
    const std::string stream = in.ConsumeRandomLengthString(4 * cairn::crypto::kPackageSize);
    const cairn::Status st = Decrypt(in, stream, first, expect_end, out);
    Check(st.ok() || st.code() == cairn::Errc::kObjectTampered);
    return 0;
  }
  const Cipher cipher = in.ConsumeBool() ? Cipher::kAes256Gcm : Cipher::kChaCha20Poly1305;
  const int copies = in.ConsumeIntegralInRange<int>(1, 4);
  const int damage = in.ConsumeIntegralInRange<int>(0, 2);  // none, flip, cut
  const auto where = in.ConsumeIntegral<std::uint32_t>();
  const auto bit = static_cast<char>(1 << in.ConsumeIntegralInRange<int>(0, 7));
  const std::string piece = in.ConsumeRandomLengthString(20000);
  std::string plain;
  for (int i = 0; i < copies; ++i) {
    plain += piece;
  }
  std::string stream = Encrypt(plain, cipher);
  Check(static_cast<std::int64_t>(stream.size()) ==
        cairn::crypto::EncryptedSize(static_cast<std::int64_t>(plain.size())));
  if (damage == 1) {
    stream[where % stream.size()] ^= bit;
  } else if (damage == 2) {
    stream.resize(where % stream.size());
  }
  const cairn::Status st = Decrypt(in, stream, 0, true, out);
  if (damage == 0) {
    Check(st.ok() && out == plain);
  } else {
    Check(st.code() == cairn::Errc::kObjectTampered);
    Check(out.size() < plain.size() || plain.empty());
  }
  return 0;
}
