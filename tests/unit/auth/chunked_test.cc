// AwsChunkedReader: the AWS streaming examples, encoder round trips with random read sizes,
// bad signatures, truncation, malformed framing and trailers.
#include <gtest/gtest.h>

#include "auth/crypto.h"
#include "auth/signature.h"
#include "auth_test_util.h"
#include "testing/sync_wait.h"

namespace cairn::auth {
namespace chunked_test_internal {

using cairn::testing::SyncWait;
using testing::At;
using testing::kDocSecret;
using testing::StringSource;

// A ByteSource that hands out `data` and then fails, as a client that went away would.
class FailingSource final : public ByteSource {
 public:
  explicit FailingSource(std::string data) : data_(std::move(data)) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    if (pos_ == data_.size()) {
      co_return Status(Errc::kCancelled, "client went away");
    }
    std::size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }

 private:
  std::string data_;
  std::size_t pos_ = 0;
};

struct Decoded {
  Status status;
  std::string data;
  HeaderList trailers;
  bool saw_eof = false;
};

// Reads everything with read sizes from a seeded RNG in [1, max_read], in one coroutine.
Task<Decoded> DecodeTask(ByteSource& raw, const AuthResult& auth, std::uint32_t seed,
                         std::size_t max_read) {
  AwsChunkedReader reader(raw, auth);
  std::mt19937 rng(seed);
  Decoded out;
  std::vector<std::byte> buf(max_read);
  while (true) {
    std::size_t size = std::uniform_int_distribution<std::size_t>(1, max_read)(rng);
    auto r = co_await reader.Read(std::span<std::byte>(buf.data(), size));
    if (!r.ok()) {
      out.status = r.status();
      // Errors are sticky.
      auto again = co_await reader.Read(std::span<std::byte>(buf.data(), size));
      EXPECT_EQ(again.code(), r.code());
      co_return out;
    }
    if (*r == 0) {
      out.saw_eof = true;
      out.trailers = reader.trailers();
      co_return out;
    }
    out.data.append(reinterpret_cast<const char*>(buf.data()), *r);
  }
}

Decoded DecodeAll(ByteSource& raw, const AuthResult& auth, std::uint32_t seed = 1,
                  std::size_t max_read = 70000) {
  return SyncWait(DecodeTask(raw, auth, seed, max_read));
}

Decoded DecodeString(std::string body, const AuthResult& auth, std::uint32_t seed = 1,
                     std::size_t max_step = 9000, std::size_t max_read = 70000) {
  StringSource raw(std::move(body), seed, max_step);
  return DecodeAll(raw, auth, seed, max_read);
}

// The request of the AWS examples, authenticated, for `payload`.
AuthResult DocAuth(PayloadKind kind) {
  AuthResult a;
  a.payload = kind;
  a.signing_key = internal::SigningKey(kDocSecret, "20130524", "us-east-1", "s3");
  a.scope = "20130524/us-east-1/s3/aws4_request";
  a.amz_date = "20130524T000000Z";
  a.decoded_content_length = 66560;
  if (kind == PayloadKind::kStreamingSignedTrailer) {
    a.seed_signature = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
    a.declared_trailers = "x-amz-checksum-crc32c";
  } else {
    a.seed_signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  }
  return a;
}

const char* const kDocChunkSigs[3] = {
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"};

std::string DocBody(const char* const sigs[3], std::string_view tail) {
  std::string body = std::string("10000;chunk-signature=") + sigs[0] + "\r\n";
  body += std::string(65536, 'a') + "\r\n400;chunk-signature=" + sigs[1] + "\r\n";
  body += std::string(1024, 'a') + "\r\n0;chunk-signature=" + sigs[2] + "\r\n";
  body += tail;
  return body;
}

TEST(ChunkSignature, AwsExample) {
  AuthResult a = DocAuth(PayloadKind::kStreamingSigned);
  std::string s1 = ChunkSignature(a.signing_key, a.amz_date, a.scope, a.seed_signature,
                                  internal::Sha256Hex(std::string(65536, 'a')));
  EXPECT_EQ(s1, kDocChunkSigs[0]);
  std::string s2 = ChunkSignature(a.signing_key, a.amz_date, a.scope, s1,
                                  internal::Sha256Hex(std::string(1024, 'a')));
  EXPECT_EQ(s2, kDocChunkSigs[1]);
  EXPECT_EQ(ChunkSignature(a.signing_key, a.amz_date, a.scope, s2, internal::kEmptySha256Hex),
            kDocChunkSigs[2]);
}

TEST(AwsChunkedReader, AwsExampleWithRandomReads) {
  std::string body = DocBody(kDocChunkSigs, "\r\n");
  ASSERT_EQ(body.size(), 66824u);  // the documented Content-Length
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    Decoded d = DecodeString(body, DocAuth(PayloadKind::kStreamingSigned), seed,
                             seed % 2 ? 7 : 40000, seed % 3 ? 100 : 70000);
    ASSERT_TRUE(d.status.ok()) << seed << ": " << d.status.ToString();
    EXPECT_TRUE(d.saw_eof);
    EXPECT_EQ(d.data, std::string(66560, 'a'));
    EXPECT_TRUE(d.trailers.empty());
  }
}

TEST(AwsChunkedReader, AwsTrailerExample) {
  const char* const sigs[3] = {"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
                               "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
                               "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"};
  std::string tail =
      "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:"
      "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n";
  Decoded d = DecodeString(DocBody(sigs, tail), DocAuth(PayloadKind::kStreamingSignedTrailer));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.data, std::string(66560, 'a'));
  ASSERT_EQ(d.trailers.size(), 1u);
  EXPECT_EQ(d.trailers[0].first, "x-amz-checksum-crc32c");
  EXPECT_EQ(d.trailers[0].second, "sOO8/Q==");
  // A changed checksum breaks the trailer signature.
  std::string bad = tail;
  bad.replace(bad.find("sOO8"), 4, "sOO9");
  EXPECT_EQ(
      DecodeString(DocBody(sigs, bad), DocAuth(PayloadKind::kStreamingSignedTrailer)).status.code(),
      Errc::kInvalidChunkSignature);
}

TEST(AwsChunkedReader, AwsTrailerExampleSeed) {
  RequestView v;
  HeaderList headers = {
      {"host", "s3.amazonaws.com"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"},
      {"content-encoding", "aws-chunked"},
      {"x-amz-decoded-content-length", "66560"},
      {"x-amz-trailer", "x-amz-checksum-crc32c"},
      {"authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;"
       "x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,"
       "Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"}};
  v.method = "PUT";
  v.path = "/examplebucket/chunkObject.txt";
  v.headers = &headers;
  v.now = At("20130524T000000Z");
  auto r = Authenticate(v, testing::DocCredentials());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->payload, PayloadKind::kStreamingSignedTrailer);
  EXPECT_EQ(r->declared_trailers, "x-amz-checksum-crc32c");
}

// A body of `size` pseudo-random bytes, framed for `kind` by the client-side encoder, and
// the server's view of the request.
struct Upload {
  std::string data;
  std::string body;
  AuthResult auth;
};

Upload Encode(PayloadKind kind, std::size_t size, std::size_t chunk, const HeaderList& trailers,
              std::uint32_t seed = 7) {
  Upload u;
  std::mt19937 rng(seed);
  u.data.resize(size);
  for (char& c : u.data) {
    c = static_cast<char>(rng());
  }
  SignInput in;
  in.method = "PUT";
  in.path = "/b/k";
  in.access_key = testing::kDocAccessKey;
  in.secret_key = kDocSecret;
  in.now = At("20240301T120000Z");
  in.host = "h";
  in.payload_sha256_hex =
      kind == PayloadKind::kStreamingSigned          ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
      : kind == PayloadKind::kStreamingSignedTrailer ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
                                                     : "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  HeaderList headers = {{"content-encoding", "aws-chunked"},
                        {"x-amz-decoded-content-length", std::to_string(size)}};
  std::string declared;
  for (const auto& t : trailers) {
    declared += (declared.empty() ? "" : ",") + t.first;
  }
  if (!declared.empty()) {
    headers.emplace_back("x-amz-trailer", declared);
  }
  SignV4(in, headers);
  AwsChunkedEncoder enc(kind, in, headers);
  for (std::size_t off = 0; off < size; off += chunk) {
    u.body += enc.Chunk(std::string_view(u.data).substr(off, chunk));
  }
  u.body += enc.Final(trailers);
  RequestView v;
  v.method = "PUT";
  v.path = "/b/k";
  v.headers = &headers;
  v.now = in.now;
  auto r = Authenticate(v, testing::DocCredentials());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  u.auth = *r;
  EXPECT_EQ(u.auth.payload, kind);
  return u;
}

const HeaderList kCrc = {{"x-amz-checksum-crc32", "NSRBwg=="}};

TEST(AwsChunkedReader, EncoderRoundTripAllKinds) {
  for (PayloadKind kind : {PayloadKind::kStreamingSigned, PayloadKind::kStreamingSignedTrailer,
                           PayloadKind::kStreamingUnsignedTrailer}) {
    HeaderList trailers = kind == PayloadKind::kStreamingSigned ? HeaderList{} : kCrc;
    for (std::size_t size : {0u, 1u, 65535u, 65536u, 300001u}) {
      Upload u = Encode(kind, size, 65536, trailers);
      for (std::uint32_t seed : {1u, 2u, 3u}) {
        std::size_t max_step = seed == 1 && size <= 65536 ? 3 : 100000;
        Decoded d = DecodeString(u.body, u.auth, seed, max_step);
        ASSERT_TRUE(d.status.ok())
            << static_cast<int>(kind) << " " << size << ": " << d.status.ToString();
        EXPECT_EQ(d.data, u.data);
        EXPECT_EQ(d.trailers, trailers);
      }
    }
  }
}

TEST(AwsChunkedReader, LargeChunksStream) {
  // 5 MiB chunks, read in 1 MiB buffers: data flows before a chunk's signature is known.
  Upload u = Encode(PayloadKind::kStreamingSigned, (10u << 20) + 17, 5u << 20, {});
  Decoded d = DecodeString(u.body, u.auth, 5, 1u << 20, 1u << 20);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.data, u.data);
  // A client that disconnects in the middle of the first chunk: the bytes that arrived were
  // released, then the failure surfaces.
  FailingSource partial(u.body.substr(0, 200000));
  AwsChunkedReader reader(partial, u.auth);
  std::vector<std::byte> buf(1u << 20);
  auto first = SyncWait(reader.Read(buf));
  ASSERT_TRUE(first.ok());
  EXPECT_GT(*first, 0u);
  Result<std::size_t> r = std::size_t{1};
  while (r.ok() && *r > 0) {
    r = SyncWait(reader.Read(buf));
  }
  EXPECT_EQ(r.code(), Errc::kCancelled);
}

TEST(AwsChunkedReader, LastBytesOfAChunkWaitForItsSignature) {
  AuthResult a = DocAuth(PayloadKind::kStreamingSigned);
  a.decoded_content_length = -1;
  std::string data(100, 'x');
  std::string body = "64;chunk-signature=" + std::string(64, 'b') + "\r\n" + data + "\r\n";
  // One big read: the chunk's bytes never come back with a success.
  {
    StringSource raw(body, 1, 1000);
    AwsChunkedReader reader(raw, a);
    std::vector<std::byte> buf(1000);
    EXPECT_EQ(SyncWait(reader.Read(buf)).code(), Errc::kInvalidChunkSignature);
  }
  // Small reads: the first 90 bytes flow, the read that ends the chunk fails.
  {
    StringSource raw(body, 1, 1000);
    AwsChunkedReader reader(raw, a);
    std::vector<std::byte> buf(10);
    for (int i = 0; i < 9; ++i) {
      auto r = SyncWait(reader.Read(buf));
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(*r, 10u);
    }
    EXPECT_EQ(SyncWait(reader.Read(buf)).code(), Errc::kInvalidChunkSignature);
  }
}

TEST(AwsChunkedReader, EndIsVerifiedWithTheLastDataBytes) {
  // A caller that reads exactly the declared length has verified the final chunk and the
  // trailers by then.
  Upload u = Encode(PayloadKind::kStreamingSignedTrailer, 1000, 400, kCrc);
  {
    StringSource raw(u.body, 3, 64);
    AwsChunkedReader reader(raw, u.auth);
    std::vector<std::byte> buf(1000);
    auto r = SyncWait(ReadFull(reader, buf));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, 1000u);
    EXPECT_EQ(reader.trailers(), kCrc);
    EXPECT_EQ(*SyncWait(reader.Read(buf)), 0u);
  }
  std::string body = u.body;
  std::size_t pos = body.rfind("x-amz-trailer-signature:") + 30;
  body[pos] = body[pos] == '0' ? '1' : '0';
  StringSource raw(body, 3, 64);
  AwsChunkedReader reader(raw, u.auth);
  std::vector<std::byte> buf(1000);
  EXPECT_EQ(SyncWait(ReadFull(reader, buf)).code(), Errc::kInvalidChunkSignature);
}

TEST(AwsChunkedReader, RandomGarbageNeverSucceeds) {
  Upload u = Encode(PayloadKind::kStreamingSignedTrailer, 3000, 1000, kCrc);
  std::mt19937 rng(42);
  for (int i = 0; i < 300; ++i) {
    std::string body = u.body;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      std::size_t at = rng() % body.size();
      char c = static_cast<char>(rng());
      if (body[at] == c) {
        c ^= 1;
      }
      body[at] = c;
    }
    Decoded d = DecodeString(body, u.auth, static_cast<std::uint32_t>(i), 700, 900);
    // A flip that only touches the closing CRLF may still decode; anything else must fail.
    if (d.status.ok()) {
      EXPECT_EQ(d.data, u.data) << i;
      EXPECT_EQ(d.trailers, kCrc) << i;
    } else {
      EXPECT_TRUE(d.status.code() == Errc::kInvalidChunkSignature ||
                  d.status.code() == Errc::kMalformedChunk ||
                  d.status.code() == Errc::kIncompleteBody)
          << i << ": " << d.status.ToString();
      EXPECT_FALSE(d.saw_eof);
    }
  }
}

TEST(AwsChunkedReader, TrailerSignedAsSent) {
  // A client that signs its trailer line exactly as it sent it (mixed case, a space).
  Upload u = Encode(PayloadKind::kStreamingSignedTrailer, 10, 10, {});
  std::string final_sig = u.body.substr(u.body.rfind("chunk-signature=") + 16, 64);
  std::string line = "X-Amz-Checksum-CRC32: NSRBwg==";
  std::string sig =
      TrailerSignature(u.auth.signing_key, u.auth.amz_date, u.auth.scope, final_sig, line + "\n");
  std::string body = u.body.substr(0, u.body.rfind("0;chunk-signature="));
  body += "0;chunk-signature=" + final_sig + "\r\n" + line + "\r\nx-amz-trailer-signature:" + sig +
          "\r\n\r\n";
  Decoded d = DecodeString(body, u.auth);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.trailers, kCrc);
}

TEST(AwsChunkedReader, BadSignaturesFailBeforeTheEnd) {
  Upload u = Encode(PayloadKind::kStreamingSignedTrailer, 200000, 65536, kCrc);
  // Flip a data byte in each chunk in turn, and a signature digit.
  std::vector<std::size_t> data_offsets = {100, 65536 + 200, 3 * 65536 + 100};
  for (std::size_t at : data_offsets) {
    std::size_t header = u.body.find("\r\n") + 2;
    std::size_t pos = header + at + (at / 65536) * (u.body.find("\r\n") + 4);
    std::string body = u.body;
    body[pos] ^= 1;
    Decoded d = DecodeString(body, u.auth);
    EXPECT_EQ(d.status.code(), Errc::kInvalidChunkSignature) << at;
    EXPECT_FALSE(d.saw_eof);
  }
  for (std::string_view marker : {"chunk-signature=", "x-amz-trailer-signature:"}) {
    std::size_t pos = u.body.rfind(marker) + marker.size() + 3;
    std::string body = u.body;
    body[pos] = body[pos] == '0' ? '1' : '0';
    EXPECT_EQ(DecodeString(body, u.auth).status.code(), Errc::kInvalidChunkSignature) << marker;
  }
  // Another request's key.
  AuthResult other = u.auth;
  other.signing_key = internal::SigningKey("other", "20240301", "us-east-1", "s3");
  EXPECT_EQ(DecodeString(u.body, other).status.code(), Errc::kInvalidChunkSignature);
}

TEST(AwsChunkedReader, EveryTruncationIsIncomplete) {
  Upload u = Encode(PayloadKind::kStreamingSigned, 300, 128, {});
  for (std::size_t cut = 0; cut < u.body.size(); ++cut) {
    Decoded d = DecodeString(u.body.substr(0, cut), u.auth, static_cast<std::uint32_t>(cut), 50);
    EXPECT_EQ(d.status.code(), Errc::kIncompleteBody) << cut;
  }
  Upload t = Encode(PayloadKind::kStreamingSignedTrailer, 300, 128, kCrc);
  // Only the closing CRLF may be missing.
  for (std::size_t cut = 0; cut + 2 < t.body.size(); ++cut) {
    Decoded d = DecodeString(t.body.substr(0, cut), t.auth, static_cast<std::uint32_t>(cut), 50);
    EXPECT_EQ(d.status.code(), Errc::kIncompleteBody) << cut;
  }
  Decoded no_crlf = DecodeString(t.body.substr(0, t.body.size() - 2), t.auth);
  EXPECT_TRUE(no_crlf.status.ok()) << no_crlf.status.ToString();
  EXPECT_EQ(no_crlf.trailers, kCrc);
}

TEST(AwsChunkedReader, DecodedLengthMustMatch) {
  Upload u = Encode(PayloadKind::kStreamingSigned, 1000, 300, {});
  for (std::int64_t declared : {999, 1001, 0}) {
    AuthResult a = u.auth;
    a.decoded_content_length = declared;
    EXPECT_EQ(DecodeString(u.body, a).status.code(), Errc::kIncompleteBody) << declared;
  }
  AuthResult unknown = u.auth;
  unknown.decoded_content_length = -1;
  EXPECT_TRUE(DecodeString(u.body, unknown).status.ok());
}

AuthResult UnsignedTrailer(std::string declared, std::int64_t length = -1) {
  AuthResult a;
  a.payload = PayloadKind::kStreamingUnsignedTrailer;
  a.declared_trailers = std::move(declared);
  a.decoded_content_length = length;
  return a;
}

TEST(AwsChunkedReader, UnsignedTrailerBodies) {
  std::string body = "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n";
  Decoded d = DecodeString(body, UnsignedTrailer("x-amz-checksum-crc32", 3));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.data, "abc");
  EXPECT_EQ(d.trailers, kCrc);
  // Chunk extensions are ignored; uppercase hex sizes work; spaces around the value go.
  d = DecodeString("A;ext=1\r\n0123456789\r\n0\r\nX-Amz-Checksum-CRC32 :  NSRBwg==  \r\n\r\n",
                   UnsignedTrailer(""));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.data, "0123456789");
  EXPECT_EQ(d.trailers, kCrc);
  // No trailers at all, and no closing CRLF.
  d = DecodeString("2\r\nhi\r\n0\r\n", UnsignedTrailer(""));
  EXPECT_TRUE(d.status.ok());
  EXPECT_EQ(d.data, "hi");
  // Declared but missing; present but undeclared; a signature on an unsigned body.
  EXPECT_EQ(
      DecodeString("2\r\nhi\r\n0\r\n\r\n", UnsignedTrailer("x-amz-checksum-crc32")).status.code(),
      Errc::kMalformedChunk);
  EXPECT_EQ(DecodeString(body, UnsignedTrailer("x-amz-checksum-sha256")).status.code(),
            Errc::kMalformedChunk);
  EXPECT_EQ(DecodeString("0\r\nx-amz-trailer-signature:" + std::string(64, 'a') + "\r\n\r\n",
                         UnsignedTrailer(""))
                .status.code(),
            Errc::kMalformedChunk);
}

TEST(AwsChunkedReader, MalformedFraming) {
  AuthResult a = DocAuth(PayloadKind::kStreamingSigned);
  a.decoded_content_length = -1;
  const std::string sig(64, 'a');
  const std::vector<std::string> bodies = {
      "zz;chunk-signature=" + sig + "\r\n",
      ";chunk-signature=" + sig + "\r\n",
      "3\r\nabc\r\n",
      "3;chunk-signature=" + std::string(64, 'A') + "\r\nabc\r\n",
      "3;chunk-signature=" + sig.substr(1) + "\r\nabc\r\n",
      "3;chunk-signatur=" + sig + "\r\nabc\r\n",
      "3;chunk-signature=" + sig + "\nabc\r\n",
      "1000001;chunk-signature=" + sig + "\r\n",
      "10000000000000000;chunk-signature=" + sig + "\r\n",
      std::string(5000, '1') + "\r\n",
      std::string(5000, '1'),
  };
  for (const auto& body : bodies) {
    EXPECT_EQ(DecodeString(body, a).status.code(), Errc::kMalformedChunk) << body.substr(0, 40);
  }
  // Data not followed by CRLF: a valid chunk signature over "abc", then "abcd".
  std::string s1 = ChunkSignature(a.signing_key, a.amz_date, a.scope, a.seed_signature,
                                  internal::Sha256Hex("abc"));
  EXPECT_EQ(DecodeString("3;chunk-signature=" + s1 + "\r\nabcd\r\n", a).status.code(),
            Errc::kMalformedChunk);
  // Bytes after the final chunk of a body without trailers.
  std::string s2 =
      ChunkSignature(a.signing_key, a.amz_date, a.scope, s1, internal::kEmptySha256Hex);
  std::string good = "3;chunk-signature=" + s1 + "\r\nabc\r\n0;chunk-signature=" + s2 + "\r\n";
  EXPECT_TRUE(DecodeString(good + "\r\n", a).status.ok());
  EXPECT_EQ(DecodeString(good + "xx\r\n", a).status.code(), Errc::kMalformedChunk);
  // Anything after the stream's end (a Content-Length longer than the encoded stream) is
  // refused, never committed as if it were not there.
  EXPECT_EQ(DecodeString(good + "\r\nextra", a).status.code(), Errc::kMalformedChunk);
  EXPECT_EQ(DecodeString(good + "\r\n\r\n", a).status.code(), Errc::kMalformedChunk);
  for (PayloadKind kind : {PayloadKind::kStreamingSigned, PayloadKind::kStreamingSignedTrailer,
                           PayloadKind::kStreamingUnsignedTrailer}) {
    HeaderList trailers = kind == PayloadKind::kStreamingSigned ? HeaderList{} : kCrc;
    Upload up = Encode(kind, 1000, 65536, trailers);
    EXPECT_EQ(DecodeString(up.body + "0", up.auth).status.code(), Errc::kMalformedChunk)
        << static_cast<int>(kind);
  }
  // Trailers after the signature, too many trailers.
  AuthResult u = UnsignedTrailer("");
  std::string many = "0\r\n";
  for (int i = 0; i < 17; ++i) {
    many += "x-t" + std::to_string(i) + ":v\r\n";
  }
  EXPECT_EQ(DecodeString(many + "\r\n", u).status.code(), Errc::kMalformedChunk);
  EXPECT_EQ(DecodeString("0\r\nnocolon\r\n\r\n", u).status.code(), Errc::kMalformedChunk);
}

}  // namespace chunked_test_internal
}  // namespace cairn::auth
