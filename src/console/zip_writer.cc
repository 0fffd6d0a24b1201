#include "console/zip_writer.h"

#include <algorithm>
#include <ctime>

namespace cairn::console {
namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kDescriptorSig = 0x08074b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint16_t kFlags = 0x0008 | 0x0800;  // data descriptor; UTF-8 names
constexpr std::uint32_t kMax32 = 0xffffffff;
constexpr std::uint16_t kMax16 = 0xffff;

void Put16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>(v >> 8));
}

void Put32(std::string& s, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

void Put64(std::string& s, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

std::uint32_t Clamp32(std::uint64_t v) {
  return v >= kMax32 ? kMax32 : static_cast<std::uint32_t>(v);
}

}  // namespace

ZipWriter::ZipWriter(ByteSink& out)
    : out_(out), crc_(NewChecksumHasher(ChecksumAlgorithm::kCrc32)) {}

Task<Status> ZipWriter::Emit(std::string bytes) {
  offset_ += bytes.size();
  co_return co_await out_.Write(
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
}

Task<Status> ZipWriter::BeginEntry(std::string_view name, std::uint64_t size,
                                   std::int64_t mtime_s) {
  Entry e;
  e.name = std::string(name);
  e.size = size;
  e.offset = offset_;
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(std::max<std::int64_t>(mtime_s, 315532800));
  gmtime_r(&t, &tm);
  e.time = static_cast<std::uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  e.date =
      static_cast<std::uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
  const bool zip64 = size >= kMax32;
  std::string h;
  Put32(h, kLocalSig);
  Put16(h, zip64 ? 45 : 20);
  Put16(h, kFlags);
  Put16(h, 0);  // stored
  Put16(h, e.time);
  Put16(h, e.date);
  Put32(h, 0);  // CRC-32: in the data descriptor
  Put32(h, zip64 ? kMax32 : static_cast<std::uint32_t>(size));
  Put32(h, zip64 ? kMax32 : static_cast<std::uint32_t>(size));
  Put16(h, static_cast<std::uint16_t>(e.name.size()));
  Put16(h, zip64 ? 20 : 0);
  h += e.name;
  if (zip64) {
    Put16(h, 0x0001);
    Put16(h, 16);
    Put64(h, size);
    Put64(h, size);
  }
  entries_.push_back(std::move(e));
  in_entry_ = true;
  written_ = 0;
  (void)crc_->Finish();  // reset
  co_return co_await Emit(std::move(h));
}

Task<Status> ZipWriter::Write(std::span<const std::byte> data) {
  if (!in_entry_) {
    co_return Status(Errc::kInternal, "zip data outside an entry");
  }
  crc_->Update(data);
  written_ += data.size();
  offset_ += data.size();
  co_return co_await out_.Write(data);
}

Task<Status> ZipWriter::EndEntry() {
  Entry& e = entries_.back();
  in_entry_ = false;
  if (written_ != e.size) {
    co_return Status(Errc::kInternal, "a zip entry got a different length than it announced");
  }
  const std::string digest = crc_->Finish();  // big-endian
  e.crc = (static_cast<std::uint32_t>(static_cast<unsigned char>(digest[0])) << 24) |
          (static_cast<std::uint32_t>(static_cast<unsigned char>(digest[1])) << 16) |
          (static_cast<std::uint32_t>(static_cast<unsigned char>(digest[2])) << 8) |
          static_cast<std::uint32_t>(static_cast<unsigned char>(digest[3]));
  std::string d;
  Put32(d, kDescriptorSig);
  Put32(d, e.crc);
  if (e.size >= kMax32) {
    Put64(d, e.size);
    Put64(d, e.size);
  } else {
    Put32(d, static_cast<std::uint32_t>(e.size));
    Put32(d, static_cast<std::uint32_t>(e.size));
  }
  co_return co_await Emit(std::move(d));
}

Task<Status> ZipWriter::Finish() {
  const std::uint64_t cd_offset = offset_;
  std::string cd;
  for (const Entry& e : entries_) {
    std::string extra;
    if (e.size >= kMax32) {
      Put64(extra, e.size);
      Put64(extra, e.size);
    }
    if (e.offset >= kMax32) {
      Put64(extra, e.offset);
    }
    const bool zip64 = !extra.empty();
    Put32(cd, kCentralSig);
    Put16(cd, static_cast<std::uint16_t>((3 << 8) | 45));  // made by: Unix, 4.5
    Put16(cd, zip64 ? 45 : 20);
    Put16(cd, kFlags);
    Put16(cd, 0);
    Put16(cd, e.time);
    Put16(cd, e.date);
    Put32(cd, e.crc);
    Put32(cd, Clamp32(e.size));
    Put32(cd, Clamp32(e.size));
    Put16(cd, static_cast<std::uint16_t>(e.name.size()));
    Put16(cd, static_cast<std::uint16_t>(zip64 ? extra.size() + 4 : 0));
    Put16(cd, 0);               // comment
    Put16(cd, 0);               // disk
    Put16(cd, 0);               // internal attributes
    Put32(cd, 0100644u << 16);  // a regular file, rw-r--r--
    Put32(cd, Clamp32(e.offset));
    cd += e.name;
    if (zip64) {
      Put16(cd, 0x0001);
      Put16(cd, static_cast<std::uint16_t>(extra.size()));
      cd += extra;
    }
  }
  const std::uint64_t cd_size = cd.size();
  const std::uint64_t count = entries_.size();
  CO_RETURN_IF_ERROR(co_await Emit(std::move(cd)));
  std::string end;
  if (count >= kMax16 || cd_offset >= kMax32 || cd_size >= kMax32) {
    const std::uint64_t zip64_end = offset_;
    Put32(end, kZip64EndSig);
    Put64(end, 44);
    Put16(end, static_cast<std::uint16_t>((3 << 8) | 45));
    Put16(end, 45);
    Put32(end, 0);
    Put32(end, 0);
    Put64(end, count);
    Put64(end, count);
    Put64(end, cd_size);
    Put64(end, cd_offset);
    Put32(end, kZip64LocatorSig);
    Put32(end, 0);
    Put64(end, zip64_end);
    Put32(end, 1);
  }
  Put32(end, kEndSig);
  Put16(end, 0);
  Put16(end, 0);
  Put16(end, static_cast<std::uint16_t>(std::min<std::uint64_t>(count, kMax16)));
  Put16(end, static_cast<std::uint16_t>(std::min<std::uint64_t>(count, kMax16)));
  Put32(end, Clamp32(cd_size));
  Put32(end, Clamp32(cd_offset));
  Put16(end, 0);
  co_return co_await Emit(std::move(end));
}

}  // namespace cairn::console
