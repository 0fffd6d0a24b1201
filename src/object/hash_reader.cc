#include "object/hash_reader.h"

#include <array>
#include <utility>

#include "common/md5_lanes.h"

namespace cairn::object {

// Bodies from this size (and of unknown size) hash their MD5 on the process's Md5Hub, 16
// streams at a time, when the CPU has it; smaller ones with OpenSSL on the reading thread.
constexpr std::int64_t kLanesMinBody = 256 * 1024;

struct HashReader::State {
  std::unique_ptr<Hasher> md5;
  std::unique_ptr<BatchedMd5> md5_lanes;
  std::unique_ptr<Hasher> sha256;
  std::unique_ptr<Hasher> checksum;
  std::string md5_hex;
  std::optional<std::pair<std::string, std::string>> checksum_value;
  Status failed;  // sticky: once a read failed, every later read fails the same way
};

HashReader::HashReader(ByteSource& inner, HashExpectations expect)
    : inner_(inner), expect_(std::move(expect)), state_(std::make_unique<State>()) {
  Md5Hub* hub = Md5Hub::Get();
  if (hub != nullptr && (expect_.size < 0 || expect_.size >= kLanesMinBody)) {
    state_->md5_lanes = std::make_unique<BatchedMd5>(*hub);
  } else {
    state_->md5 = NewMd5Hasher();
  }
  if (!expect_.sha256_hex.empty()) {
    state_->sha256 = NewSha256Hasher();
  }
  if (expect_.checksum) {
    state_->checksum = NewChecksumHasher(*expect_.checksum);
  }
}

HashReader::HashReader(ByteSource& inner, std::int64_t size, HashReader& origin,
                       std::function<std::string()> etag)
    : inner_(inner), origin_(&origin), etag_(std::move(etag)), state_(std::make_unique<State>()) {
  expect_.size = size;
  state_->md5 = nullptr;
}

HashReader::~HashReader() = default;

void HashReader::AddChecksum(ChecksumAlgorithm algo) {
  if (origin_ != nullptr) {
    origin_->AddChecksum(algo);
    return;
  }
  if (!expect_.checksum && bytes_read_ == 0 && !done_) {
    expect_.checksum = algo;
    state_->checksum = NewChecksumHasher(algo);
  }
}

std::string HashReader::md5_hex() const {
  return state_->md5_hex;
}

std::optional<std::pair<std::string, std::string>> HashReader::checksum() const {
  if (origin_ != nullptr) {
    return origin_->checksum();
  }
  return state_->checksum_value;
}

Task<Result<std::size_t>> HashReader::Read(std::span<std::byte> buf) {
  State& st = *state_;
  if (!st.failed.ok()) {
    co_return st.failed;
  }
  if (done_ || buf.empty()) {
    co_return std::size_t{0};
  }
  auto fail = [&](Status s) -> Result<std::size_t> {
    st.failed = s;
    return s;
  };
  std::span<std::byte> want = buf;
  std::array<std::byte, 1> probe{};
  if (expect_.size >= 0) {
    auto remaining = static_cast<std::uint64_t>(expect_.size - bytes_read_);
    if (remaining == 0) {
      want = probe;  // only to learn that the body ends where it was declared to
    } else if (want.size() > remaining) {
      want = want.first(static_cast<std::size_t>(remaining));
    }
  }
  auto n = co_await inner_.Read(want);
  if (!n.ok()) {
    co_return fail(n.status());
  }
  if (*n > 0) {
    if (want.data() == probe.data()) {
      co_return fail(Status(Errc::kEntityTooLarge, "body is longer than its declared size"));
    }
    auto got = want.first(*n);
    if (st.md5_lanes) {
      co_await st.md5_lanes->Update(got);
    }
    if (st.md5) {
      st.md5->Update(got);
    }
    if (st.sha256) {
      st.sha256->Update(got);
    }
    if (st.checksum) {
      st.checksum->Update(got);
    }
    bytes_read_ += static_cast<std::int64_t>(*n);
    if (expect_.max_size >= 0 && bytes_read_ > expect_.max_size) {
      co_return fail(Status(Errc::kEntityTooLarge, "body is larger than the largest allowed"));
    }
    co_return *n;
  }
  // End of stream: check the size, then every digest.
  if (expect_.size >= 0 && bytes_read_ < expect_.size) {
    co_return fail(Status(Errc::kIncompleteBody, "body ended before its declared size"));
  }
  if (origin_ != nullptr) {
    st.md5_hex = etag_();
    done_ = true;
    co_return std::size_t{0};
  }
  std::string md5 = st.md5_lanes ? st.md5_lanes->Finish() : st.md5->Finish();
  if (!expect_.content_md5.empty() && md5 != expect_.content_md5) {
    co_return fail(Status(Errc::kBadDigest, "Content-MD5 does not match the body"));
  }
  if (st.sha256) {
    if (HexEncode(st.sha256->Finish()) != expect_.sha256_hex) {
      co_return fail(
          Status(Errc::kContentSha256Mismatch, "x-amz-content-sha256 does not match the body"));
    }
  }
  if (st.checksum) {
    std::string value = Base64Encode(st.checksum->Finish());
    std::string expected = expect_.checksum_base64;
    if (expected.empty() && expect_.trailer_checksum) {
      expected = expect_.trailer_checksum();
    }
    if (!expected.empty() && expected != value) {
      co_return fail(Status(Errc::kBadDigest, std::string(ChecksumHeader(*expect_.checksum)) +
                                                  " does not match the body"));
    }
    st.checksum_value.emplace(ChecksumHeader(*expect_.checksum), std::move(value));
  }
  st.md5_hex = HexEncode(md5);
  done_ = true;
  co_return std::size_t{0};
}

}  // namespace cairn::object
