// The inter-node RPC codecs on arbitrary bytes, as a peer (or anyone who reaches the port)
// could send them: the drive call arguments and replies (src/storage/remote/remote_codec.h),
// the lock calls served by a LockServer (src/cluster/lock/lock_codec.h) and the RPC token
// (src/rpc/token.h). Each gives a value or a refusal, never a crash or a huge allocation.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "cluster/lock/lock_codec.h"
#include "cluster/lock/lock_server.h"
#include "rpc/token.h"
#include "storage/remote/remote_codec.h"

namespace {

using cairn::meta::WireReader;
namespace remote = cairn::storage::remote;

template <class T, class GetFn>
void DecodeOne(std::string_view bytes, GetFn get) {
  WireReader r(bytes);
  T value;
  (void)get(r, value);
}

template <class T, class GetFn>
void DecodeList(std::string_view bytes, GetFn get) {
  WireReader r(bytes);
  std::vector<T> values;
  (void)remote::GetList(r, values, get);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn;
  FuzzedDataProvider in(data, size);
  const auto which = in.ConsumeIntegralInRange<int>(0, 13);
  const std::string bytes = in.ConsumeRemainingBytesAsString();
  switch (which) {
    case 0:
      DecodeOne<meta::FileInfo>(bytes, remote::GetFileInfo);
      break;
    case 1:
      DecodeList<meta::FileInfo>(bytes, remote::GetFileInfo);
      break;
    case 2:
      DecodeOne<meta::ObjectPart>(bytes, remote::GetPart);
      break;
    case 3:
      DecodeOne<storage::DiskInfo>(bytes, remote::GetDiskInfo);
      break;
    case 4:
      DecodeList<storage::VolumeInfo>(bytes, remote::GetVolume);
      break;
    case 5:
      DecodeOne<storage::ListOptions>(bytes, remote::GetListOptions);
      break;
    case 6:
      DecodeList<storage::ListEntry>(bytes, remote::GetListEntry);
      break;
    case 7:
      DecodeList<storage::MultipartUpload>(bytes, remote::GetUpload);
      break;
    case 8:
      DecodeOne<storage::OrphanCleanupOptions>(bytes, remote::GetOrphanOptions);
      break;
    case 9:
      DecodeOne<storage::CommitUndo>(bytes, remote::GetCommitUndo);
      break;
    case 10:
      DecodeOne<storage::OrphanStats>(bytes, remote::GetOrphanStats);
      break;
    case 11: {
      // Lock calls as a peer sends them, served by a real LockServer.
      static lock::LockServer server;
      (void)lock::DecodeLockRequest(bytes);
      (void)lock::DecodeLockReply(bytes);
      for (std::uint16_t id = 200; id <= 207; ++id) {
        (void)lock::ServeLockCall(server, id, bytes);
      }
      break;
    }
    case 12:
    case 13: {
      rpc::TokenScope scope;
      scope.http_method = "POST";
      scope.path = "/cairn/rpc/v3/17";
      scope.host = "127.0.0.1:9000";
      scope.resource = "/data/d1";
      scope.body_sha256 = rpc::kUnsignedStreamBody;
      (void)rpc::VerifyToken("0123456789abcdef0123456789abcdef", bytes, scope, 1'700'000'000'000,
                             std::chrono::seconds(60));
      break;
    }
  }
  return 0;
}
