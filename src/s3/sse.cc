#include "s3/sse.h"

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include "common/checksum.h"
#include "object/object_util.h"
#include "s3/bucket_encryption.h"
#include "s3/range.h"

namespace cairn::s3 {
namespace {

constexpr std::string_view kSseHeader = "x-amz-server-side-encryption";
constexpr std::string_view kKmsKeyIdHeader = "x-amz-server-side-encryption-aws-kms-key-id";
constexpr std::string_view kContextHeader = "x-amz-server-side-encryption-context";
constexpr std::string_view kBucketKeyHeader = "x-amz-server-side-encryption-bucket-key-enabled";
constexpr std::string_view kKmsArnPrefix = "arn:aws:kms:";
constexpr std::size_t kCheckSalt = 16;

std::string_view ModeName(SseMode mode) {
  switch (mode) {
    case SseMode::kSseC:
      return "SSE-C";
    case SseMode::kSseS3:
      return "SSE-S3";
    case SseMode::kSseKms:
      return "SSE-KMS";
    case SseMode::kNone:
      break;
  }
  return "";
}

// What a sealed object key is bound to: the mode, bucket and key.
std::string AssociatedData(SseMode mode, std::string_view bucket, std::string_view key) {
  std::string out = "cairn-sse-v1";
  out += '\0';
  out += ModeName(mode);
  out += '\0';
  out += bucket;
  out += '\0';
  out += key;
  return out;
}

crypto::Key CustomerKek(const crypto::Key& customer_key) {
  return crypto::DeriveKey(customer_key, "cairn sse-c key-encryption key");
}

std::string CustomerCheck(const crypto::Key& customer_key, std::string_view salt) {
  return HmacSha256(crypto::KeyBytes(customer_key), "cairn sse-c key check " + std::string(salt));
}

// The KMS context of an object: the client's, and always its ARN (as AWS binds it).
kms::Context ObjectContext(const kms::Context& given, std::string_view bucket,
                           std::string_view key) {
  kms::Context ctx = given;
  ctx["aws:s3:arn"] = "arn:aws:s3:::" + std::string(bucket) + "/" + std::string(key);
  return ctx;
}

Result<kms::Context> DecodeContext(std::string_view header) {
  auto raw = Base64Decode(header);
  if (!raw) {
    return Status(Errc::kInvalidArgumentS3,
                  "The x-amz-server-side-encryption-context header is not base64.");
  }
  auto json = nlohmann::json::parse(*raw, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Status(Errc::kInvalidArgumentS3,
                  "The x-amz-server-side-encryption-context header is not a JSON object.");
  }
  kms::Context ctx;
  for (const auto& [k, v] : json.items()) {
    if (!v.is_string()) {
      return Status(Errc::kInvalidArgumentS3,
                    "The values of x-amz-server-side-encryption-context must be strings.");
    }
    ctx[k] = v.get<std::string>();
  }
  return ctx;
}

std::string EtagUnder(const crypto::Key& object_key, std::string_view md5_hex) {
  return HexEncode(HmacSha256(crypto::KeyBytes(object_key), "cairn etag " + std::string(md5_hex)))
      .substr(0, 32);
}

// One stream (part) of the stored range a DecryptingReader reads.
struct Segment {
  crypto::Key key{};
  std::uint32_t first_sequence = 0;
  std::int64_t stored_length = 0;  // bytes of the stored range in this stream
  bool reaches_end = false;
};

class DecryptingReader final : public object::ObjectReader {
 public:
  DecryptingReader(std::unique_ptr<object::ObjectReader> inner, object::ObjectInfo info,
                   std::int64_t offset, std::int64_t length, std::vector<Segment> segments,
                   std::int64_t skip)
      : inner_(std::move(inner)),
        info_(std::move(info)),
        offset_(offset),
        length_(length),
        remaining_(length),
        skip_(skip),
        segments_(std::move(segments)) {}

  const object::ObjectInfo& info() const override { return info_; }

  std::int64_t offset() const override { return offset_; }

  std::int64_t length() const override { return length_; }

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    CO_ASSIGN_OR_RETURN(auto view, co_await Next(buf));
    if (view.data() != buf.data()) {
      std::copy(view.begin(), view.end(), buf.begin());
    }
    co_return view.size();
  }

  Task<Result<std::span<const std::byte>>> Next(std::span<std::byte> scratch) override {
    while (pos_ == plain_.size()) {
      if (remaining_ == 0) {
        co_return std::span<const std::byte>();
      }
      plain_.clear();
      pos_ = 0;
      CO_RETURN_IF_ERROR(co_await Fill(scratch));
      if (skip_ > 0) {
        const auto drop = std::min<std::size_t>(static_cast<std::size_t>(skip_), plain_.size());
        pos_ = drop;
        skip_ -= static_cast<std::int64_t>(drop);
      }
    }
    std::size_t n = std::min(plain_.size() - pos_, static_cast<std::size_t>(remaining_));
    n = std::min(n, std::max<std::size_t>(scratch.size(), 1));
    auto out =
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(plain_.data()) + pos_, n);
    pos_ += n;
    remaining_ -= static_cast<std::int64_t>(n);
    co_return out;
  }

 private:
  // Decrypts the next stored bytes into plain_ (maybe nothing, until a package completes).
  Task<Status> Fill(std::span<std::byte> scratch) {
    if (current_ >= segments_.size()) {
      co_return Status(Errc::kObjectTampered, "the stored stream ended before its packages");
    }
    CO_ASSIGN_OR_RETURN(auto view, co_await inner_->Next(scratch));
    if (view.empty()) {
      co_return Status(Errc::kObjectTampered, "the stored stream ended before its packages");
    }
    while (!view.empty()) {
      if (current_ >= segments_.size()) {
        co_return Status(Errc::kObjectTampered, "the stored stream is longer than its packages");
      }
      Segment& seg = segments_[current_];
      if (!decryptor_) {
        decryptor_ = std::make_unique<crypto::PackageDecryptor>(seg.key, seg.first_sequence);
      }
      const auto take =
          static_cast<std::size_t>(std::min<std::int64_t>(seg.stored_length, view.size()));
      CO_RETURN_IF_ERROR(decryptor_->Update(view.first(take), plain_));
      seg.stored_length -= static_cast<std::int64_t>(take);
      view = view.subspan(take);
      if (seg.stored_length == 0) {
        CO_RETURN_IF_ERROR(decryptor_->Finish(seg.reaches_end, plain_));
        decryptor_.reset();
        ++current_;
      }
    }
    co_return Status::Ok();
  }

  std::unique_ptr<object::ObjectReader> inner_;
  object::ObjectInfo info_;
  std::int64_t offset_;
  std::int64_t length_;
  std::int64_t remaining_;
  std::int64_t skip_;
  std::vector<Segment> segments_;
  std::size_t current_ = 0;
  std::unique_ptr<crypto::PackageDecryptor> decryptor_;
  std::string plain_;
  std::size_t pos_ = 0;
};

// The streams of a stored object: its parts (a single PUT is part 1).
struct Stream {
  int number = 1;
  std::int64_t stored_offset = 0;
  std::int64_t stored_size = 0;
  std::int64_t plain_offset = 0;
  std::int64_t plain_size = 0;
};

std::vector<Stream> StreamsOf(const object::ObjectInfo& stored) {
  std::vector<Stream> out;
  std::int64_t so = 0;
  std::int64_t po = 0;
  auto add = [&](int number, std::int64_t size) {
    const std::int64_t plain = PlainPartSize(size);
    out.push_back(Stream{number, so, size, po, plain});
    so += size;
    po += plain;
  };
  if (stored.parts.empty()) {
    add(1, stored.size);
  } else {
    for (const auto& p : stored.parts) {
      add(p.number, p.size);
    }
  }
  return out;
}

}  // namespace

Result<SseRequest> ParseSseC(const http::Request& req, bool copy_source) {
  const std::string prefix = copy_source ? "x-amz-copy-source-server-side-encryption-customer-"
                                         : "x-amz-server-side-encryption-customer-";
  const std::string* algorithm = req.Header(prefix + "algorithm");
  const std::string* key = req.Header(prefix + "key");
  const std::string* md5 = req.Header(prefix + "key-md5");
  SseRequest out;
  if (algorithm == nullptr && key == nullptr && md5 == nullptr) {
    return out;
  }
  if (algorithm == nullptr) {
    return Status(Errc::kInvalidArgumentS3,
                  "Requests specifying Server Side Encryption with Customer provided keys must "
                  "provide a valid encryption algorithm.");
  }
  if (*algorithm != "AES256") {
    return Status(Errc::kSseInvalidAlgorithm);
  }
  if (key == nullptr) {
    return Status(Errc::kSseMissingKey);
  }
  if (md5 == nullptr) {
    return Status(Errc::kSseMissingKeyMd5);
  }
  auto raw = Base64Decode(*key);
  std::optional<crypto::Key> parsed;
  if (raw) {
    parsed = crypto::KeyFromBytes(*raw);
  }
  if (!parsed) {
    return Status(Errc::kInvalidArgumentS3,
                  "The secret key was invalid for the specified algorithm.");
  }
  if (!ConstantTimeEqual(Base64Encode(Md5(*raw)), *md5)) {
    return Status(Errc::kSseKeyMd5Mismatch);
  }
  out.mode = SseMode::kSseC;
  out.customer_key = *parsed;
  out.customer_key_md5 = *md5;
  return out;
}

Result<SseRequest> ParseSseWrite(const http::Request& req) {
  ASSIGN_OR_RETURN(SseRequest out, ParseSseC(req, false));
  const std::string* method = req.Header(kSseHeader);
  const std::string* key_id = req.Header(kKmsKeyIdHeader);
  const std::string* context = req.Header(kContextHeader);
  const std::string* bucket_key = req.Header(kBucketKeyHeader);
  if (method != nullptr) {
    if (out.mode == SseMode::kSseC) {
      return Status(Errc::kSseIncompatible);
    }
    if (*method == "AES256") {
      out.mode = SseMode::kSseS3;
    } else if (*method == "aws:kms") {
      out.mode = SseMode::kSseKms;
    } else {
      return Status(Errc::kSseInvalidMethod,
                    "The encryption method specified is not supported: " + *method);
    }
  }
  if ((key_id != nullptr || context != nullptr) && out.mode != SseMode::kSseKms) {
    return Status(Errc::kInvalidArgumentS3,
                  "Server Side Encryption with KMS managed key requires HTTP header "
                  "x-amz-server-side-encryption : aws:kms");
  }
  if (key_id != nullptr) {
    std::string_view id = *key_id;
    if (id.starts_with(kKmsArnPrefix)) {
      id.remove_prefix(kKmsArnPrefix.size());
    }
    out.kms_key_id = std::string(id);
  }
  if (context != nullptr) {
    ASSIGN_OR_RETURN(out.context, DecodeContext(*context));
    out.context_header = *context;
  }
  if (bucket_key != nullptr && out.mode != SseMode::kNone && out.mode != SseMode::kSseC) {
    out.bucket_key = *bucket_key == "true";
  }
  return out;
}

Result<SseRequest> ParseSseRead(const http::Request& req) {
  for (std::string_view h : {kSseHeader, kKmsKeyIdHeader, kContextHeader}) {
    if (req.Header(h) != nullptr) {
      return Status(Errc::kInvalidArgumentS3,
                    "The " + std::string(h) + " header is not supported for this operation.");
    }
  }
  return ParseSseC(req, false);
}

Status CheckSseCTransport(const S3Request& req, const SseRequest& sse) {
  if (sse.mode == SseMode::kSseC && !req.http().tls && !req.opts.sse_c_allow_http) {
    return Status(Errc::kSseInsecureRequest);
  }
  return Status::Ok();
}

Task<Result<SseRequest>> ResolveWriteSse(S3Request& req, SseRequest asked) {
  if (asked.mode == SseMode::kNone) {
    auto bucket = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
    if (bucket.ok()) {
      CO_ASSIGN_OR_RETURN(auto config, BucketDefaultEncryption(*bucket));
      if (config) {
        if (config->algorithm == BucketEncryption::Algorithm::kAwsKms) {
          asked.mode = SseMode::kSseKms;
          asked.kms_key_id = std::string(KmsKeyName(config->kms_key_id));
          asked.bucket_key = config->bucket_key_enabled;
        } else {
          asked.mode = SseMode::kSseS3;
        }
      }
    }
  }
  if (asked.mode == SseMode::kNone && req.opts.auto_encryption) {
    asked.mode = SseMode::kSseS3;
  }
  if ((asked.mode == SseMode::kSseS3 || asked.mode == SseMode::kSseKms) &&
      req.opts.kms == nullptr) {
    co_return Status(Errc::kKmsNotConfigured);
  }
  co_return asked;
}

SseMode StoredSseMode(const object::Metadata& metadata) {
  const std::string& mode = object::FindMeta(metadata, kSseMeta);
  if (mode.empty()) {
    return SseMode::kNone;
  }
  if (mode == "SSE-C") {
    return SseMode::kSseC;
  }
  if (mode == "SSE-KMS") {
    return SseMode::kSseKms;
  }
  return SseMode::kSseS3;
}

Task<Result<ObjectKey>> NewObjectKey(S3Request& req, const SseRequest& sse, std::string_view bucket,
                                     std::string_view key) {
  ObjectKey out;
  out.key = crypto::RandomKey();
  const std::string associated = AssociatedData(sse.mode, bucket, key);
  out.metadata.emplace_back(std::string(kSseMeta), std::string(ModeName(sse.mode)));
  if (sse.mode == SseMode::kSseC) {
    std::string salt(kCheckSalt, '\0');
    RELEASE_ASSERT(RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()),
                              static_cast<int>(salt.size())) == 1,
                   "RAND_bytes failed");
    const std::string sealed = crypto::SealKey(CustomerKek(sse.customer_key), out.key, associated);
    out.metadata.emplace_back(std::string(kSseSealedKeyMeta), Base64Encode(sealed));
    out.metadata.emplace_back(std::string(kSseCCheckMeta),
                              Base64Encode(salt + CustomerCheck(sse.customer_key, salt)));
    co_return out;
  }
  if (req.opts.kms == nullptr) {
    co_return Status(Errc::kKmsNotConfigured);
  }
  kms::Kms& kms = *req.opts.kms;
  const std::string key_id =
      sse.mode == SseMode::kSseKms && !sse.kms_key_id.empty() ? sse.kms_key_id : kms.default_key();
  const kms::Context context = ObjectContext(sse.context, bucket, key);
  CO_ASSIGN_OR_RETURN(kms::DataKey data_key, co_await kms.GenerateKey(req.ctx, key_id, context));
  const std::string sealed = crypto::SealKey(data_key.plaintext, out.key, associated);
  out.metadata.emplace_back(std::string(kSseSealedKeyMeta), Base64Encode(sealed));
  out.metadata.emplace_back(std::string(kSseKmsKeyIdMeta), key_id);
  out.metadata.emplace_back(std::string(kSseKmsDataKeyMeta), Base64Encode(data_key.sealed));
  if (!sse.context_header.empty()) {
    out.metadata.emplace_back(std::string(kSseContextMeta), sse.context_header);
  }
  if (sse.bucket_key) {
    out.metadata.emplace_back(std::string(kSseBucketKeyMeta), "true");
  }
  co_return out;
}

Task<Result<SseWrite>> PrepareSseWrite(S3Request& req, const http::Request& headers,
                                       std::string_view key, object::Metadata& metadata) {
  CO_ASSIGN_OR_RETURN(SseRequest asked, ParseSseWrite(headers));
  CO_RETURN_IF_ERROR(CheckSseCTransport(req, asked));
  SseWrite out;
  CO_ASSIGN_OR_RETURN(out.sse, co_await ResolveWriteSse(req, std::move(asked)));
  if (out.sse.mode == SseMode::kNone) {
    co_return out;
  }
  CO_ASSIGN_OR_RETURN(ObjectKey made, co_await NewObjectKey(req, out.sse, req.route.bucket, key));
  metadata.insert(metadata.end(), made.metadata.begin(), made.metadata.end());
  out.key = made.key;
  co_return out;
}

Task<Result<std::optional<crypto::Key>>> OpenObjectKey(S3Request& req,
                                                       const object::Metadata& metadata,
                                                       std::string_view bucket,
                                                       std::string_view key,
                                                       const SseRequest& given) {
  const SseMode mode = StoredSseMode(metadata);
  if (mode == SseMode::kNone || (mode != SseMode::kSseC && given.mode == SseMode::kSseC)) {
    if (given.mode == SseMode::kSseC) {
      co_return Status(Errc::kSseInvalidParameters,
                       "The encryption parameters are not applicable to this object.");
    }
    if (mode == SseMode::kNone) {
      co_return std::optional<crypto::Key>();
    }
  }
  const std::string associated = AssociatedData(mode, bucket, key);
  auto sealed = Base64Decode(object::FindMeta(metadata, kSseSealedKeyMeta));
  if (!sealed) {
    co_return Status(Errc::kObjectTampered, "the object's sealed key is not readable");
  }
  if (mode == SseMode::kSseC) {
    if (given.mode != SseMode::kSseC) {
      co_return Status(Errc::kSseEncryptedObject);
    }
    auto check = Base64Decode(object::FindMeta(metadata, kSseCCheckMeta));
    if (!check || check->size() <= kCheckSalt) {
      co_return Status(Errc::kObjectTampered, "the object's key check is not readable");
    }
    const std::string salt = check->substr(0, kCheckSalt);
    if (!ConstantTimeEqual(CustomerCheck(given.customer_key, salt), check->substr(kCheckSalt))) {
      co_return Status(Errc::kSseWrongKey,
                       "The SSE-C key provided is not the key the object was encrypted with.");
    }
    CO_ASSIGN_OR_RETURN(crypto::Key opened,
                        crypto::UnsealKey(CustomerKek(given.customer_key), *sealed, associated));
    co_return std::optional<crypto::Key>(opened);
  }
  if (req.opts.kms == nullptr) {
    co_return Status(Errc::kKmsNotConfigured);
  }
  kms::Context given_context;
  if (const std::string& header = object::FindMeta(metadata, kSseContextMeta); !header.empty()) {
    CO_ASSIGN_OR_RETURN(given_context, DecodeContext(header));
  }
  const kms::Context context = ObjectContext(given_context, bucket, key);
  auto data_sealed = Base64Decode(object::FindMeta(metadata, kSseKmsDataKeyMeta));
  if (!data_sealed) {
    co_return Status(Errc::kObjectTampered, "the object's sealed data key is not readable");
  }
  const std::string& key_id = object::FindMeta(metadata, kSseKmsKeyIdMeta);
  CO_ASSIGN_OR_RETURN(crypto::Key data_key,
                      co_await req.opts.kms->Decrypt(req.ctx, key_id, *data_sealed, context));
  CO_ASSIGN_OR_RETURN(crypto::Key opened, crypto::UnsealKey(data_key, *sealed, associated));
  co_return std::optional<crypto::Key>(opened);
}

Task<Result<UploadKey>> OpenUploadKey(S3Request& req, std::string_view upload_id,
                                      const SseRequest& given) {
  object::ListPartsOptions lo;
  lo.metadata_only = true;
  CO_ASSIGN_OR_RETURN(
      object::ListPartsResult upload,
      co_await req.layer.ListObjectParts(req.ctx, req.route.bucket, req.route.key, upload_id, lo));
  UploadKey out;
  out.metadata = std::move(upload.metadata);
  CO_ASSIGN_OR_RETURN(
      out.key, co_await OpenObjectKey(req, out.metadata, req.route.bucket, req.route.key, given));
  co_return out;
}

crypto::Key PartKey(const crypto::Key& object_key, int part_number) {
  return crypto::DeriveKey(object_key, "part " + std::to_string(part_number));
}

std::int64_t PlainPartSize(std::int64_t stored_size) {
  return std::max<std::int64_t>(crypto::PlainSize(stored_size), 0);
}

std::int64_t PlainObjectSize(const object::ObjectInfo& info) {
  if (!IsEncrypted(info)) {
    return info.size;
  }
  if (info.parts.empty()) {
    return PlainPartSize(info.size);
  }
  std::int64_t total = 0;
  for (const auto& p : info.parts) {
    total += PlainPartSize(p.size);
  }
  return total;
}

object::ObjectInfo PlainObjectInfo(object::ObjectInfo info) {
  if (!IsEncrypted(info)) {
    return info;
  }
  info.size = PlainObjectSize(info);
  for (auto& p : info.parts) {
    p.size = PlainPartSize(p.size);
  }
  return info;
}

void AddSseHeaders(const object::Metadata& stored, const SseRequest& given,
                   http::Headers& headers) {
  switch (StoredSseMode(stored)) {
    case SseMode::kSseS3:
      headers.emplace_back(std::string(kSseHeader), "AES256");
      break;
    case SseMode::kSseKms:
      headers.emplace_back(std::string(kSseHeader), "aws:kms");
      headers.emplace_back(std::string(kKmsKeyIdHeader),
                           object::FindMeta(stored, kSseKmsKeyIdMeta));
      if (object::FindMeta(stored, kSseBucketKeyMeta) == "true") {
        headers.emplace_back(std::string(kBucketKeyHeader), "true");
      }
      break;
    case SseMode::kSseC:
      headers.emplace_back("x-amz-server-side-encryption-customer-algorithm", "AES256");
      if (!given.customer_key_md5.empty()) {
        headers.emplace_back("x-amz-server-side-encryption-customer-key-md5",
                             given.customer_key_md5);
      }
      break;
    case SseMode::kNone:
      break;
  }
}

StoredBody::StoredBody(object::HashReader& plain, SseMode mode,
                       const std::optional<crypto::Key>& object_key, int part_number)
    : plain_(plain) {
  if (!object_key) {
    return;
  }
  source_ = std::make_unique<crypto::EncryptingSource>(plain, PartKey(*object_key, part_number));
  const std::int64_t size = plain.size() >= 0 ? crypto::EncryptedSize(plain.size()) : -1;
  stored_ = std::make_unique<object::HashReader>(
      *source_, size, plain, [&plain, mode, key = *object_key]() -> std::string {
        std::string md5 = plain.md5_hex();
        return mode == SseMode::kSseS3 ? md5 : EtagUnder(key, md5);
      });
}

Task<Result<std::unique_ptr<object::ObjectReader>>> DecryptObject(
    S3Request& req, std::string_view bucket, std::string_view key,
    std::unique_ptr<object::ObjectReader> opened, const object::GetOptions& opts,
    const crypto::Key& object_key) {
  const object::ObjectInfo stored = opened->info();
  object::ObjectInfo plain = PlainObjectInfo(stored);
  const std::vector<Stream> streams = StreamsOf(stored);
  std::int64_t offset = 0;
  std::int64_t length = plain.size;
  if (opts.part_number > 0) {
    const auto index = static_cast<std::size_t>(opts.part_number - 1);
    if (index >= streams.size()) {
      co_return Status(Errc::kInvalidPartNumber);
    }
    offset = streams[index].plain_offset;
    length = streams[index].plain_size;
  } else if (opts.range.kind != object::RangeSpec::Kind::kNone) {
    CO_ASSIGN_OR_RETURN(auto resolved, ResolveRange(opts.range, plain.size));
    std::tie(offset, length) = resolved;
  }
  // The packages [offset, offset + length) needs, stream by stream.
  std::vector<Segment> segments;
  std::int64_t stored_first = -1;
  std::int64_t stored_end = 0;
  std::int64_t skip = 0;
  const std::int64_t end = offset + length;
  for (const Stream& s : streams) {
    const std::int64_t s_end = s.plain_offset + s.plain_size;
    if (length == 0 || s_end <= offset || s.plain_offset >= end) {
      continue;
    }
    const std::int64_t local = std::max(offset, s.plain_offset) - s.plain_offset;
    const std::int64_t local_len = std::min(end, s_end) - s.plain_offset - local;
    const crypto::PackageRange r = crypto::PackagesFor(s.plain_size, local, local_len);
    if (stored_first < 0) {
      stored_first = s.stored_offset + r.encrypted_offset;
      skip = r.skip;
    }
    stored_end = s.stored_offset + r.encrypted_offset + r.encrypted_length;
    segments.push_back(Segment{PartKey(object_key, s.number), r.first_sequence, r.encrypted_length,
                               r.reaches_end});
  }
  if (segments.empty()) {
    stored_first = 0;
    stored_end = 0;
  }
  const std::int64_t stored_length = stored_end - stored_first;
  if (stored_length > 0 &&
      (opened->offset() != stored_first || opened->length() != stored_length)) {
    object::GetOptions again;
    again.version_id = stored.version_id.empty() ? opts.version_id : stored.version_id;
    again.range.kind = object::RangeSpec::Kind::kFromTo;
    again.range.first = stored_first;
    again.range.last = stored_end - 1;
    CO_ASSIGN_OR_RETURN(opened, co_await req.layer.GetObject(req.ctx, bucket, key, again));
    const object::ObjectInfo& now = opened->info();
    if (now.etag != stored.etag || now.mod_time_ns != stored.mod_time_ns) {
      co_return Status(Errc::kSlowDown, "the object changed while it was read; retry");
    }
  }
  co_return std::make_unique<DecryptingReader>(std::move(opened), std::move(plain), offset, length,
                                               std::move(segments), skip);
}

Task<Status> CheckSseCKey(S3Request& req, const object::Metadata& metadata, std::string_view bucket,
                          std::string_view key, const SseRequest& given) {
  if (StoredSseMode(metadata) != SseMode::kSseC && given.mode == SseMode::kNone) {
    co_return Status::Ok();
  }
  auto opened = co_await OpenObjectKey(req, metadata, bucket, key, given);
  co_return opened.status();
}

Task<Result<std::unique_ptr<object::ObjectReader>>> OpenPlaintext(
    S3Request& req, std::string_view bucket, std::string_view key,
    std::unique_ptr<object::ObjectReader> opened, const object::GetOptions& opts,
    const SseRequest& given) {
  if (!IsEncrypted(opened->info()) && given.mode == SseMode::kNone) {
    co_return opened;
  }
  const object::Metadata stored = opened->info().metadata;  // `opened` moves on below
  CO_ASSIGN_OR_RETURN(auto object_key, co_await OpenObjectKey(req, stored, bucket, key, given));
  if (!object_key) {
    co_return opened;
  }
  co_return co_await DecryptObject(req, bucket, key, std::move(opened), opts, *object_key);
}

}  // namespace cairn::s3
