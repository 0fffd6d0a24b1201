// The inter-node RPC wire protocol, version 2 (docs/rpc.md): one call is one HTTP/1.1 POST to
// /cairn/rpc/v3/<method id> on a keep-alive connection. This header holds what both ends
// must agree on: the path prefix, header names, the stable method ids, and the codec of
// Errc values on the wire (a number this build does not know decodes to Errc::kUnknown).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/checksum.h"  // HexEncode / HexDecode: RPC args and tokens travel as hex
#include "common/errc.h"

namespace cairn::rpc {

inline constexpr int kProtocolVersion = 3;
// Every RPC path starts with this; the S3 port hands such requests to rpc before S3 auth.
inline constexpr std::string_view kPathPrefix = "/cairn/rpc/v3/";
// What a dispatcher checks for (any version, so a newer peer gets a clear 404).
inline constexpr std::string_view kReservedPrefix = "/cairn/rpc/";

// Request headers.
inline constexpr std::string_view kTokenHeader = "x-cairn-rpc-token";
inline constexpr std::string_view kResourceHeader = "x-cairn-rpc-resource";  // percent-encoded
inline constexpr std::string_view kArgsHeader = "x-cairn-rpc-args";          // hex, stream calls
inline constexpr std::string_view kTimeoutHeader = "x-cairn-rpc-timeout-ms";
inline constexpr std::string_view kRequestIdHeader = "x-cairn-rpc-request-id";
// Hex SHA-256 of the body (kUnsignedStreamBody for a streamed one); the token covers it.
inline constexpr std::string_view kBodyShaHeader = "x-cairn-rpc-content-sha256";
// Response headers.
inline constexpr std::string_view kErrcHeader = "x-cairn-rpc-errc";     // decimal Errc number
inline constexpr std::string_view kTimeHeader = "x-cairn-rpc-time-ms";  // server's wall clock

// A method id: stable forever once used (never renumber, only add).
using MethodId = std::uint16_t;

// Ranges: 1-99 StorageApi (storage/remote), 100-199 peer calls (server bring-up),
// 200-299 lock calls (cluster/lock), 300+ free.
namespace method {
inline constexpr MethodId kDiskInfo = 1;
inline constexpr MethodId kReadFormat = 2;
inline constexpr MethodId kWriteFormat = 3;
inline constexpr MethodId kMakeVolume = 4;
inline constexpr MethodId kStatVolume = 5;
inline constexpr MethodId kListVolumes = 6;
inline constexpr MethodId kUpdateVolumeMeta = 7;
inline constexpr MethodId kDeleteVolume = 8;
inline constexpr MethodId kWriteMetadata = 9;
inline constexpr MethodId kRenameData = 10;
inline constexpr MethodId kReadVersion = 11;
inline constexpr MethodId kReadVersions = 12;
inline constexpr MethodId kDeleteVersion = 13;
inline constexpr MethodId kListObjects = 14;
inline constexpr MethodId kCreateFile = 15;  // streamed request body
inline constexpr MethodId kShardSize = 16;   // OpenShard: the shard's size
inline constexpr MethodId kReadAt = 17;      // one bounded block of a shard
inline constexpr MethodId kDeleteTmp = 18;
inline constexpr MethodId kPutUpload = 19;
inline constexpr MethodId kReadUpload = 20;
inline constexpr MethodId kListUploads = 21;
inline constexpr MethodId kCommitPart = 22;
inline constexpr MethodId kListParts = 23;
inline constexpr MethodId kCompleteUpload = 24;
inline constexpr MethodId kAbortUpload = 25;
inline constexpr MethodId kReadSystemRecord = 26;
inline constexpr MethodId kWriteSystemRecord = 27;
inline constexpr MethodId kDeleteSystemRecord = 28;
inline constexpr MethodId kRemoveOrphanData = 29;  // one bounded step of the scanner's cleanup
inline constexpr MethodId kRevertCommit = 30;
inline constexpr MethodId kPurgeReplaced = 31;

inline constexpr MethodId kPeerHello = 100;          // bring-up: identity, layout, hashes, clock
inline constexpr MethodId kPeerBucketChanged = 101;  // body: a bucket; forget its cached info
inline constexpr MethodId kPeerIamChanged = 102;     // body: an IAM record's path; read it again

inline constexpr MethodId kFirstLockMethod = 200;
inline constexpr MethodId kLastLockMethod = 299;
}  // namespace method

// The number an Errc travels as.
std::int64_t ErrcToWire(Errc code);
// The Errc of a wire number; kUnknown for a number this build does not know.
Errc ErrcFromWire(std::int64_t number);

// The path of a method: "/cairn/rpc/v3/17".
std::string MethodPath(MethodId id);
// The method id of a path under kPathPrefix; nullopt when malformed.
std::optional<MethodId> ParseMethodPath(std::string_view path);

}  // namespace cairn::rpc
