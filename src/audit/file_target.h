// audit::FileTarget: audit records appended as JSON lines to a file that rotates by size:
// `audit.log` becomes `audit.log.1` (the previous `.1` becomes `.2`, ...), keeping `keep`
// rotated files. cairn's own target (CAIRN_AUDIT_FILE); MinIO has no file target.
#pragma once

#include <cstdint>
#include <string>

#include "audit/target.h"

namespace cairn::audit {

struct FileTargetOptions {
  std::string path;
  std::uint64_t max_size = std::uint64_t{100} << 20;  // rotate before a record would pass it
  int keep = 5;                                       // rotated files kept (0: none)
  DeliveryOptions delivery;  // batch_size is how many lines one write takes
};

class FileTarget final : public Target {
 public:
  explicit FileTarget(FileTargetOptions options);
  ~FileTarget() override;  // stops within a second

 protected:
  bool Deliver(std::span<const Record> batch) override;

 private:
  bool Open();
  bool Rotate();
  bool WriteAll(std::string_view data);

  const FileTargetOptions options_;
  int fd_ = -1;             // delivery thread only
  std::uint64_t size_ = 0;  // bytes in the current file; delivery thread only
};

}  // namespace cairn::audit
