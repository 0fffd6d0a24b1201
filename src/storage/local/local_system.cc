// LocalDrive: system records (heal trackers, the MRF queue, scanner state) in the "system"
// column family under the key 'r' name, apart from every bucket (docs/format.md).
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "common/run_blocking.h"
#include "storage/local/local_drive.h"
#include "storage/local/namespace_store.h"

namespace cairn::storage {
namespace {

std::string SystemRecordKey(std::string_view name) {
  std::string key = "r";
  key.append(name);
  return key;
}

Status CheckRecordName(std::string_view name) {
  if (!ValidSystemRecordName(name)) {
    return Status(Errc::kInvalidArgument, "bad system record name");
  }
  return Status::Ok();
}

}  // namespace

Task<Result<std::string>> LocalDrive::ReadSystemRecord(const RequestContext&,
                                                       std::string_view name) {
  co_return co_await RunBlocking(*pool_, [&]() -> Result<std::string> {
    RETURN_IF_ERROR(CheckRecordName(name));
    rocksdb::PinnableSlice value;
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kSystem, SystemRecordKey(name), value));
    if (!found) {
      return Status(Errc::kFileNotFound, "system record " + std::string(name));
    }
    return std::string(ToView(value));
  });
}

Task<Status> LocalDrive::WriteSystemRecord(const RequestContext&, std::string_view name,
                                           std::string_view value) {
  co_return co_await RunBlocking(*pool_, [&]() -> Status {
    RETURN_IF_ERROR(CheckRecordName(name));
    if (value.size() > kMaxSystemRecordBytes) {
      return Status(Errc::kInvalidArgument, "system record too large");
    }
    return store_->Put(Cf::kSystem, SystemRecordKey(name), value, /*force_sync=*/true);
  });
}

Task<Status> LocalDrive::DeleteSystemRecord(const RequestContext&, std::string_view name) {
  co_return co_await RunBlocking(*pool_, [&]() -> Status {
    RETURN_IF_ERROR(CheckRecordName(name));
    return store_->Delete(Cf::kSystem, SystemRecordKey(name), /*force_sync=*/true);
  });
}

}  // namespace cairn::storage
