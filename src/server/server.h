// The wiring of a cairn node: from a ServerConfig to listening sockets. Plans the topology
// (cluster/), opens this node's drives (storage/local), checks or writes format.json
// (cluster/format), builds the object layer (object::ServerPools), and serves S3 (s3::S3Api)
// on --address, the health endpoints on --console-address (http::Server), and the admin API
// and metrics (admin::AdminApi) on both. Main() adds the command line, logging and signal
// handling around it.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/metrics_history.h"
#include "cluster/topology.h"
#include "common/status.h"
#include "common/task.h"
#include "http/exchange.h"
#include "rpc/protocol.h"
#include "server/config.h"
#include "server/peers.h"

namespace cairn::storage {
class CacheBudget;
class StorageApi;
}  // namespace cairn::storage

namespace cairn::object {
class NsLocker;
class ObjectLayer;
class ServerPools;
}  // namespace cairn::object

namespace cairn::heal {
class HealAdmin;
class Healer;
}  // namespace cairn::heal

namespace cairn::auth {
class CredentialProvider;
}  // namespace cairn::auth

namespace cairn::s3 {
class S3Api;
class OpenIdProvider;
}  // namespace cairn::s3

namespace cairn::kms {
class Kms;
}  // namespace cairn::kms

namespace cairn::iam {
class Iam;
}  // namespace cairn::iam

namespace cairn::admin {
class AdminApi;
}  // namespace cairn::admin

namespace cairn::audit {
class Logger;
}  // namespace cairn::audit

namespace cairn::http {
class Server;
class Exchange;
}  // namespace cairn::http

namespace cairn::console {
class Console;
}  // namespace cairn::console

namespace cairn::rpc {
class Client;
class Server;
}  // namespace cairn::rpc

namespace cairn::server {

struct LockRuntime;

inline constexpr int kExitStartupError = 1;
inline constexpr int kExitUsage = 2;

// The deployment's shape from the config's drives and flags. Errors: kInvalidArgument with
// one sentence (a bad drive, a refused drive count, no drive on this node).
Result<cluster::Topology> PlanTopology(const ServerConfig& config);

class Server {
 public:
  Server(ServerConfig config, cluster::Topology topology);
  ~Server();  // calls Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the local drives, checks their formats (formatting fresh ones), builds the object
  // layer and starts both listeners, then writes --address-file. Errors are sentences for the
  // operator: a drive of another deployment or in the wrong place (kInconsistentDisk), a
  // layout that differs from the drives' format, an address in use. Call once.
  // Distributed (some drives on other nodes): the drives of other nodes become RemoteDrives,
  // this node's drives are served over RPC, the listeners start (S3 answers 503 saying what
  // it waits for) and --address-file is written; then Start waits until every set has write
  // quorum on nodes that agree with this one (peers.h), formats and serves. A SIGINT or
  // SIGTERM during that wait ends it with kCancelled.
  Status Start();
  // Stops both listeners (letting requests in flight finish), then closes the object layer
  // and the drives. Idempotent; call from a thread that is not a network thread.
  void Stop();

  std::uint16_t s3_port() const;
  std::uint16_t console_port() const;
  // The cluster port (0 without --cluster-address).
  std::uint16_t cluster_port() const;

  const std::string& deployment_id() const { return deployment_id_; }

  // "http://127.0.0.1:9000" and "http://127.0.0.1:9001" (https when TLS is on).
  std::string S3Url() const;
  std::string ConsoleUrl() const;

 private:
  Status OpenDrives();
  Status LoadFormat();
  Status BuildLayer();
  Status StartListeners();
  // The web console of the console port (its options from config_, its files found on disk).
  std::unique_ptr<console::Console> MakeConsole();
  // The audit log and its targets, when the config names any (before the listeners).
  Status StartAudit();
  Status WriteAddressFile() const;

  // server_cluster.cc: the distributed half.
  bool distributed() const { return !peers_.empty(); }

  std::shared_ptr<storage::StorageApi> MakeRemoteDrive(const cluster::Endpoint& ep);
  Status StartRpc();
  // Tells every other node that `what` changed (best effort, bounded: 2 s) with `method`:
  // kPeerBucketChanged (a bucket: none serves its cached configuration,
  // ServerPoolsOptions::bucket_changed) or kPeerIamChanged (an IAM record: they read it again,
  // iam::Iam::ReloadItem; the periodic reload covers a node that missed it).
  Task<void> TellPeers(const RequestContext& ctx, rpc::MethodId method, std::string what);
  // Reloads the identity store every config_.iam_reload_seconds until Stop.
  void StartIamReloads();
  // Every config_.metrics_interval: a reading of the counters into metrics_history_ (the
  // console's graphs). Stopped with the IAM reloads (stopping_).
  void StartMetricsSampler();
  admin::MetricsReading ReadMetrics();
  // The nodes for the admin API's info: this one and each peer's hello (version, uptime), a
  // peer that does not answer within 2 s as offline.
  Task<nlohmann::json> NodesJson();
  Status WaitForPeers();
  Task<void> Dispatch(http::Exchange& ex);
  Task<void> RespondNotReady(http::Exchange& ex);
  // The identity store (made on first use, before either listener starts: until the object
  // layer is up it knows only the root user).
  iam::Iam& Credentials();
  std::string Waiting() const;
  void SetWaiting(std::string what);
  // True when some drive here or on an agreeing node already has a format.json.
  bool AnyDriveFormatted(const std::map<std::string, Hello>& agreed);
  void SetServedDeployment(std::string id);
  // server_locks.cc: serves this node's lock table over RPC and returns the distributed
  // locker over every node, adapted to the object layer's NsLocker.
  std::shared_ptr<object::NsLocker> StartLocks(const std::string& self_key);
  // Prometheus gauges of the metadata cache budget and the allocator's idle memory.
  void AppendMemoryMetrics(std::string& out) const;

  const ServerConfig config_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const cluster::Topology topology_;
  std::string deployment_id_;
  // drives_[pool][i]: the pool's drive i when it is open on this node, else null.
  std::vector<std::vector<std::shared_ptr<storage::StorageApi>>> drives_;
  // The object layer's sets: sets_[pool][set][i], null where a drive is absent.
  std::vector<std::vector<std::vector<std::shared_ptr<storage::StorageApi>>>> sets_;
  // The metadata caches of the local drives (--cache-size); the metrics read it once set.
  std::shared_ptr<storage::CacheBudget> cache_budget_;
  std::atomic<storage::CacheBudget*> cache_budget_ready_{nullptr};
  std::unique_ptr<object::ServerPools> layer_;
  // Background healing over layer_ (stopped before layer_ goes).
  std::unique_ptr<heal::Healer> healer_;
  std::unique_ptr<iam::Iam> iam_;
  std::thread iam_reloads_;
  std::mutex iam_reload_mu_;
  std::condition_variable iam_reload_cv_;
  bool stopping_ = false;  // GUARDED_BY(iam_reload_mu_); also stops metrics_sampler_
  std::thread metrics_sampler_;
  // The built-in KMS over layer_ when config_.kms_master_key is set (before s3_, after layer_).
  std::unique_ptr<kms::Kms> kms_;
  std::uint64_t open_file_limit_ = 1024;  // RLIMIT_NOFILE after Start raised it
  // The audit log (null: no target configured); outlives s3_ and admin_, which log into it.
  std::unique_ptr<audit::Logger> audit_;
  std::unique_ptr<s3::OpenIdProvider> openid_;  // config_.openid, when set (before s3_)
  std::unique_ptr<s3::S3Api> s3_;
  // The admin API and metrics on both ports; answers 503 until the layer is ready.
  std::unique_ptr<admin::AdminApi> admin_;
  // An hour of readings (360 at the default 10 s); made from config_ (declared above).
  admin::MetricsHistory metrics_history_{
      static_cast<std::size_t>(std::max<std::int64_t>(
          1, std::chrono::hours(1) /
                 std::max(config_.metrics_interval, std::chrono::milliseconds(100)))),
      static_cast<double>(config_.metrics_interval.count()) / 1000.0};
  std::unique_ptr<http::Server> s3_listener_;
  std::unique_ptr<http::Server> console_listener_;
  // The web console and the console port's health endpoints (made by MakeConsole).
  std::unique_ptr<console::Console> console_;
  http::Handler console_health_;

  // Distributed mode. The other nodes, and one RPC client per node (shared by its drives).
  std::vector<PeerPlan> peers_;
  std::map<std::string, std::shared_ptr<rpc::Client>> clients_;
  std::unique_ptr<rpc::Server> rpc_;
  std::unique_ptr<http::Server> cluster_listener_;
  std::shared_ptr<LockRuntime> locks_;        // the lock server and its thread
  std::shared_ptr<object::NsLocker> locker_;  // null: per-node locks
  // Set once the node serves (read by network threads; the objects outlive the listeners).
  std::atomic<s3::S3Api*> s3_ready_{nullptr};
  std::atomic<object::ObjectLayer*> layer_ready_{nullptr};
  std::atomic<object::ServerPools*> pools_ready_{nullptr};  // for peers' bucket notices
  std::atomic<heal::HealAdmin*> healer_ready_{nullptr};
  std::atomic<kms::Kms*> kms_ready_{nullptr};  // set before healer_ready_ (the admin API's gate)
  mutable std::mutex waiting_mu_;
  std::string waiting_;            // GUARDED_BY(waiting_mu_): what bring-up waits for, for 503s
  std::string served_deployment_;  // GUARDED_BY(waiting_mu_): told to peers once formatted
};

// The whole program: parses the command line, sets up logging, starts the node, waits for
// SIGINT or SIGTERM and stops gracefully. Returns the process exit code (0; 1 for a startup
// failure; 2 for a bad flag or a refused drive list).
int Main(int argc, const char* const* argv);

}  // namespace cairn::server
