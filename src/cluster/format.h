// format.json: the identity of a drive (DESIGN.md section 4). Every drive records the
// deployment it belongs to, its place (pool, set, index in set), its own uuid and the full
// layout of its pool, so a drive moved to another slot, a drive from another deployment and
// a fresh replacement drive are all told apart at start. LoadOrCreateFormat is the start-up
// step: read every drive, verify, format fresh drives deterministically.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cluster/layout.h"
#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "storage/storage_api.h"

namespace cairn::cluster {

inline constexpr int kFormatVersion = 1;

struct FormatInfo {
  int version = kFormatVersion;
  std::string deployment_id;  // uuid, the same on every drive of the deployment
  int pool = 0;
  int set = 0;
  int drive = 0;   // index in the set
  std::string id;  // this drive's uuid
  int set_size = 0;
  int parity = 0;
  std::vector<std::vector<std::string>> sets;  // the drive uuids of every set of the pool

  friend bool operator==(const FormatInfo&, const FormatInfo&) = default;
};

// JSON text of a format: one object with the FormatInfo members as keys, but the drive's
// own uuid under "this" (MinIO's name, which LocalDrive reports as DiskInfo::id), plus
// "format":"cairn".
std::string EncodeFormat(const FormatInfo& format);
// Parses and checks a format: its version, ids and that `sets` matches set_size and holds
// `id` at [set][drive]. Errors: kCorruptedFormat, with what was wrong.
Result<FormatInfo> DecodeFormat(std::string_view json);

// A uuid derived from `seed` (SHA-256, formatted as a version 8 uuid): the same inputs give
// the same id on every node, so nodes format their drives alike without talking.
std::string DeterministicUuid(std::string_view seed);
// The uuid of the drive at (pool, set, drive) of a deployment.
std::string DriveUuid(std::string_view deployment_id, int pool, int set, int drive);

// One pool as the start-up step sees it.
struct PoolDrives {
  PoolLayout layout;
  // In the pool's drive order (the indices layout.sets refers to). nullptr for a drive this
  // node does not open (a remote drive, until RPC exists).
  std::vector<storage::StorageApi*> drives;
  // The canonical endpoint of every drive (Endpoint::ToString), same order; seeds the
  // deployment id and names drives in messages.
  std::vector<std::string> names;
};

// A drive that was left out, and why.
struct DriveProblem {
  std::string endpoint;
  Status status;
};

struct FormattedPool {
  int set_size = 0;
  int parity = 0;
  // sets[s][i]: drive i of set s, or nullptr when it is offline, remote or refused.
  std::vector<std::vector<storage::StorageApi*>> sets;
  // sets[s][i]'s endpoint, for logs; every slot is named.
  std::vector<std::vector<std::string>> names;
};

struct FormatResult {
  std::string deployment_id;
  bool fresh = false;  // no drive was formatted: this start formatted them all
  std::vector<FormattedPool> pools;
  std::vector<std::string> formatted;  // drives that got a format.json now
  std::vector<std::string> healing;    // of those, the replacements in a known set
  std::vector<DriveProblem> offline;   // could not be read or written
  std::vector<DriveProblem> refused;   // another deployment's drive, or a moved one
};

// Reads format.json from every drive and brings them to one consistent deployment:
//  - every readable drive unformatted: a deployment id is derived from the topology (pools,
//    layouts, endpoint names) and every drive gets its format;
//  - otherwise the deployment id held by most formatted drives wins; a drive of another
//    deployment, or whose format places it in another slot, is refused (kInconsistentDisk,
//    naming the drive and what was expected); an unformatted drive takes the identity of
//    its slot and is listed in `healing`.
// Errors: kInconsistentDisk when the drives' layout disagrees with `pools` (another set
// size, parity or set count than the command line gives); kDiskNotFound when no drive could
// be read.
Task<Result<FormatResult>> LoadOrCreateFormat(const RequestContext& ctx,
                                              const std::vector<PoolDrives>& pools);

}  // namespace cairn::cluster
