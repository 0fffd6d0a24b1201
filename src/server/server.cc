#include "server/server.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "admin/admin_api.h"
#include "admin/metrics_history.h"
#include "audit/file_target.h"
#include "audit/logger.h"
#include "audit/webhook_target.h"
#include "cluster/format.h"
#include "common/allocator.h"
#include "common/fan_out.h"
#include "common/log.h"
#include "console/console.h"
#include "heal/heal_sequence.h"
#include "heal/healer.h"
#include "http/server.h"
#include "iam/iam.h"
#include "kms/kms.h"
#include "object/server_pools.h"
#include "rpc/client.h"
#include "rpc/server.h"
#include "rpc/token.h"
#include "s3/lifecycle_xml.h"
#include "s3/openid_provider.h"
#include "s3/s3_server.h"
#include "server/run_sync.h"
#include "storage/local/local_drive.h"

namespace cairn::server {
namespace {

// Idle allocator memory returned to the system at each metrics sample.
constexpr std::size_t kIdleMemoryToRelease = 32 << 20;

// Under this, the shared memtables would flush every few hundred KiB.
constexpr std::size_t kMinCacheSize = 16 << 20;

// --cache-size unset: 512 MiB, or 1/16 of the machine's memory when that is less.
std::size_t DefaultCacheSize() {
  constexpr std::size_t kDefault = std::size_t{512} << 20;
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) {
    return kDefault;
  }
  std::size_t sixteenth =
      static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size) / 16;
  return std::max(std::min(kDefault, sixteenth), kMinCacheSize);
}

}  // namespace

Result<cluster::Topology> PlanTopology(const ServerConfig& config) {
  cluster::TopologyOptions opts;
  opts.layout.parity = config.parity;
  opts.layout.set_size = config.set_size;
  opts.locality.node_host = config.node_host;
  // Drive URLs name a node by the address its RPC is served on: the cluster address when given.
  const std::string& rpc_address =
      config.cluster_address.empty() ? config.address : config.cluster_address;
  ASSIGN_OR_RETURN(opts.locality.server_port, AddressPort(rpc_address));
  opts.locality.bind_host = rpc_address.substr(0, rpc_address.rfind(':'));
  ASSIGN_OR_RETURN(cluster::Topology topology, cluster::PlanTopology(config.drives, opts));
  RETURN_IF_ERROR(PlanPeers(topology, config.peers).status());
  RETURN_IF_ERROR(StorageClassParity(config.storage_class, topology).status());
  if (topology.local_drive_count() == 0) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("none of the {} drives is on this node; start it with --node-host "
                              "set to this node's HOST or HOST:PORT as the drive URLs name it",
                              topology.drive_count()));
  }
  return topology;
}

Server::Server(ServerConfig config, cluster::Topology topology)
    : config_(std::move(config)), topology_(std::move(topology)) {
  auto peers = PlanPeers(topology_, config_.peers);
  if (peers.ok()) {
    peers_ = std::move(*peers);
  }
}

Server::~Server() {
  Stop();
}

Status Server::Start() {
  if (config_.kms_auto_encryption && !config_.kms_master_key) {
    return Status(Errc::kInvalidArgument,
                  "CAIRN_KMS_AUTO_ENCRYPTION is on but no KMS is configured: set "
                  "CAIRN_KMS_SECRET_KEY (or CAIRN_KMS_SECRET_KEY_FILE)");
  }
  open_file_limit_ = RaiseOpenFileLimit();
  RETURN_IF_ERROR(StartAudit());
  for (const std::string& line : topology_.Describe()) {
    LOG_INFO("{}", line);
  }
  RETURN_IF_ERROR(OpenDrives());
  if (distributed()) {
    // Serve this node's drives and the S3 port (503 until ready) while waiting for peers.
    RETURN_IF_ERROR(StartRpc());
    RETURN_IF_ERROR(StartListeners());
    RETURN_IF_ERROR(WriteAddressFile());
    RETURN_IF_ERROR(WaitForPeers());
  }
  RETURN_IF_ERROR(LoadFormat());
  SetServedDeployment(deployment_id_);
  if (audit_) {
    audit_->SetDeploymentId(deployment_id_);
  }
  RETURN_IF_ERROR(BuildLayer());
  if (!distributed()) {
    RETURN_IF_ERROR(StartListeners());
    return WriteAddressFile();
  }
  LOG_INFO("the cluster is up: serving S3 on {}", S3Url());
  return Status::Ok();
}

Status Server::BuildLayer() {
  object::ServerPoolsOptions opts;
  opts.deployment_id = deployment_id_;
  opts.inline_threshold = config_.inline_limit;
  opts.memory_budget_bytes = config_.memory_budget;
  ASSIGN_OR_RETURN(opts.storage_class_parity, StorageClassParity(config_.storage_class, topology_));
  // Writes and reads that meet a missing, stale or corrupt drive queue the object here; the
  // healer's MRF worker heals it.
  auto queue = std::make_shared<heal::MrfQueue>();
  opts.heal_queue = queue;
  heal::HealerOptions hopts;
  hopts.scanner = config_.scanner_interval > 0;  // heals what differs between drives, throttled
  hopts.scan.interval = std::chrono::seconds(std::max(config_.scanner_interval, 1));
  hopts.scan.deep_every = config_.scanner_deep_every;
  hopts.scan.orphan_min_age = std::chrono::seconds(config_.orphan_min_age);
  // The scanner applies the buckets' lifecycle rules, parsed by s3's XML parser.
  hopts.scan.lifecycle.parser = [](std::string_view document) {
    return s3::ParseLifecycleConfiguration(document);
  };
  hopts.scan.lifecycle.day_seconds = config_.lifecycle_day_seconds;
  for (const auto& pool : topology_.pools) {
    for (const auto& ep : pool.endpoints.endpoints) {
      if (ep.is_local && ep.is_url()) {
        hopts.mrf.node_id = ep.NodeKey();  // names the saved MRF queue; "local" on a single node
      }
    }
  }
  std::vector<object::PoolSpec> pools;
  for (std::size_t p = 0; p < sets_.size(); ++p) {
    object::PoolSpec& spec = pools.emplace_back();
    spec.sets = sets_[p];
    spec.parity = topology_.pools[p].layout.parity;
  }
  opts.locker = locker_;
  if (distributed()) {
    opts.bucket_changed = [this](const RequestContext& ctx, std::string bucket) {
      return TellPeers(ctx, rpc::method::kPeerBucketChanged, std::move(bucket));
    };
  }
  layer_ = std::make_unique<object::ServerPools>(std::move(pools), std::move(opts));
  pools_ready_ = layer_.get();
  healer_ = std::make_unique<heal::Healer>(*layer_, std::move(queue), std::move(hopts));
  healer_->Start();
  // Drives replaced or wiped while the server was down get their buckets back before S3
  // serves, so that writes reach them again.
  Status healed = RunSync([](object::ServerPools& layer) -> Task<Status> {
    RequestContext ctx = RequestContext::Background("heal-buckets");
    co_await layer.HealBuckets(ctx);
    co_return Status::Ok();
  }(*layer_));
  (void)healed;
  // Drives of this node with a heal tracker (replaced or wiped drives, and heals that a
  // restart interrupted) get their drive heal, in the background.
  std::vector<object::DriveSlot> local_slots;
  for (std::size_t p = 0; p < sets_.size(); ++p) {
    for (std::size_t s = 0; s < sets_[p].size(); ++s) {
      for (std::size_t i = 0; i < sets_[p][s].size(); ++i) {
        const int index = topology_.pools[p].layout.sets[s][i];
        if (sets_[p][s][i] && topology_.pools[p].endpoints.endpoints[index].is_local) {
          local_slots.push_back({p, s, i});
        }
      }
    }
  }
  RunSync([](heal::Healer& healer, std::vector<object::DriveSlot> slots) -> Task<int> {
    RequestContext ctx = RequestContext::Background("drive-heal");
    co_await healer.ResumeDriveHeals(ctx, slots);
    co_return 0;
  }(*healer_, std::move(local_slots)));
  s3::S3Options s3_opts;
  s3_opts.access_log = config_.access_log;
  s3_opts.region = config_.region;
  s3_opts.domains = config_.domains;
  s3_opts.budget = &layer_->budget();
  s3_opts.lifecycle_day_seconds = config_.lifecycle_day_seconds;
  s3_opts.sse_c_allow_http = config_.sse_c_allow_http;
  s3_opts.default_ownership = s3::acl::ParseOwnership(config_.default_object_ownership)
                                  .value_or(s3::acl::Ownership::kObjectWriter);
  s3_opts.auto_encryption = config_.kms_auto_encryption;
  s3_opts.audit = audit_.get();
  if (config_.kms_master_key) {
    kms_ = kms::NewBuiltinKms(*config_.kms_master_key, *layer_);
    s3_opts.kms = kms_.get();
    LOG_INFO("KMS: built-in, default key {}{}", kms_->default_key(),
             config_.kms_auto_encryption ? ", auto encryption on" : "");
  }
  iam::Iam& iam = Credentials();
  Status loaded = RunSync([](iam::Iam& iam, object::ObjectLayer& layer) -> Task<Status> {
    RequestContext ctx = RequestContext::Background("iam-load");
    co_return co_await iam.Attach(ctx, layer);
  }(iam, *layer_));
  if (!loaded.ok()) {
    LOG_WARN("identity store: {} (read again every {} s)", loaded.ToString(),
             config_.iam_reload_seconds);
  }
  StartIamReloads();
  StartMetricsSampler();
  s3_opts.iam = &iam;
  if (!config_.openid.config_url.empty() || !config_.openid.jwks_url.empty()) {
    s3::OpenIdOptions openid;
    openid.config_url = config_.openid.config_url;
    openid.jwks_url = config_.openid.jwks_url;
    openid.issuer = config_.openid.issuer;
    openid.client_id = config_.openid.client_id;
    openid.claim_name = config_.openid.claim_name;
    openid_ = std::make_unique<s3::OpenIdProvider>(std::move(openid));
    s3_opts.openid = openid_.get();
    LOG_INFO(
        "STS: OpenID Connect provider {}, client id {}, claim {}",
        !config_.openid.config_url.empty() ? config_.openid.config_url : config_.openid.jwks_url,
        config_.openid.client_id, config_.openid.claim_name);
  }
  s3_ = std::make_unique<s3::S3Api>(std::move(s3_opts), *layer_, iam);
  kms_ready_.store(kms_.get());
  layer_ready_.store(layer_.get());
  healer_ready_.store(healer_.get());
  s3_ready_.store(s3_.get());
  return Status::Ok();
}

Status Server::OpenDrives() {
  int local = 0;
  for (const cluster::PoolPlan& pool : topology_.pools) {
    for (const cluster::Endpoint& ep : pool.endpoints.endpoints) {
      local += ep.is_local ? 1 : 0;
    }
  }
  storage::LocalDriveOptions options;
  options.direct_io = config_.direct_io;
  std::size_t cache_size = config_.cache_size != 0 ? config_.cache_size : DefaultCacheSize();
  if (cache_size < kMinCacheSize) {
    LOG_WARN("--cache-size {} is below the minimum: using {} MiB", cache_size, kMinCacheSize >> 20);
    cache_size = kMinCacheSize;
  }
  options.cache = storage::CacheBudget::Create(cache_size, local);
  cache_budget_ = options.cache;
  cache_budget_ready_.store(cache_budget_.get());
  LOG_INFO("metadata caches: {} MiB for {} local drives", cache_size >> 20, local);
  int opened = 0;
  int remote = 0;
  for (const cluster::PoolPlan& pool : topology_.pools) {
    auto& drives = drives_.emplace_back();
    for (const cluster::Endpoint& ep : pool.endpoints.endpoints) {
      drives.emplace_back();
      if (!ep.is_local) {
        ++remote;
        drives.back() = MakeRemoteDrive(ep);
        continue;
      }
      auto drive = storage::LocalDrive::Open(ep.path, options);
      if (!drive.ok()) {
        LOG_ERROR("drive {} is offline: {}", ep.ToString(), drive.status().ToString());
        continue;
      }
      drives.back() = std::shared_ptr<storage::StorageApi>(std::move(*drive));
      ++opened;
    }
  }
  if (remote > 0) {
    LOG_INFO("{} drives on this node, {} on {} other nodes", opened, remote, peers_.size());
  }
  if (opened == 0) {
    return Status(Errc::kDiskNotFound, "none of this node's drives could be opened");
  }
  return Status::Ok();
}

Status Server::LoadFormat() {
  std::vector<cluster::PoolDrives> pools;
  for (std::size_t p = 0; p < topology_.pools.size(); ++p) {
    cluster::PoolDrives& spec = pools.emplace_back();
    spec.layout = topology_.pools[p].layout;
    for (std::size_t i = 0; i < drives_[p].size(); ++i) {
      spec.drives.push_back(drives_[p][i].get());
      spec.names.push_back(topology_.pools[p].endpoints.endpoints[i].ToString());
    }
  }
  const RequestContext ctx = RequestContext::Background("format");
  auto result = RunSync(cluster::LoadOrCreateFormat(ctx, pools));
  if (!result.ok()) {
    return result.status();
  }
  for (const cluster::DriveProblem& problem : result->offline) {
    LOG_ERROR("drive {} is offline: {}", problem.endpoint, problem.status.ToString());
  }
  if (!result->refused.empty()) {
    std::string message;
    for (const cluster::DriveProblem& problem : result->refused) {
      message += (message.empty() ? "" : "\n") + problem.status.message();
    }
    return Status(Errc::kInconsistentDisk, message);
  }
  deployment_id_ = result->deployment_id;
  if (result->fresh) {
    LOG_INFO("formatted {} drives for the new deployment {}", result->formatted.size(),
             deployment_id_);
  }
  for (const std::string& name : result->healing) {
    LOG_WARN("drive {} is new in its set and was given its slot's identity; it needs healing",
             name);
    // A drive of this node gets a heal tracker now (so that a restart before the heal is
    // done still heals it); BuildLayer starts the drive heal of every drive with one.
    for (std::size_t p = 0; p < result->pools.size(); ++p) {
      const cluster::FormattedPool& fp = result->pools[p];
      for (std::size_t s = 0; s < fp.sets.size(); ++s) {
        for (std::size_t i = 0; i < fp.sets[s].size(); ++i) {
          const int index = topology_.pools[p].layout.sets[s][i];
          if (fp.names[s][i] != name || !fp.sets[s][i] ||
              !topology_.pools[p].endpoints.endpoints[index].is_local) {
            continue;
          }
          Status st =
              RunSync(fp.sets[s][i]->WriteSystemRecord(ctx, heal::kHealTrackerRecord, "{}"));
          if (!st.ok()) {
            LOG_ERROR("drive {}: cannot write its heal tracker: {}", name, st.ToString());
          }
        }
      }
    }
  }
  // Back from the raw pointers of the format step to the owning pointers.
  for (std::size_t p = 0; p < result->pools.size(); ++p) {
    auto& pool_sets = sets_.emplace_back();
    for (const auto& set : result->pools[p].sets) {
      auto& drives = pool_sets.emplace_back();
      const std::size_t s = pool_sets.size() - 1;
      for (std::size_t i = 0; i < set.size(); ++i) {
        storage::StorageApi* raw = set[i];
        std::shared_ptr<storage::StorageApi> owner;
        for (const auto& d : drives_[p]) {
          if (d.get() == raw && raw != nullptr) {
            owner = d;
          }
        }
        // A remote drive keeps its slot while its node is down: it rejoins when the node
        // comes back (its format was checked by the node that holds it).
        const int index = topology_.pools[p].layout.sets[s][i];
        const cluster::Endpoint& ep = topology_.pools[p].endpoints.endpoints[index];
        if (!owner && !ep.is_local) {
          owner = drives_[p][index];
        }
        drives.push_back(std::move(owner));
      }
    }
  }
  LOG_INFO("deployment {}", deployment_id_);
  return Status::Ok();
}

iam::Iam& Server::Credentials() {
  if (!iam_) {
    iam::Iam::Options opts;
    opts.root_access_key = config_.access_key;
    opts.root_secret_key = config_.secret_key;
    if (distributed()) {
      opts.changed = [this](const RequestContext& ctx, std::string item) {
        return TellPeers(ctx, rpc::method::kPeerIamChanged, std::move(item));
      };
    }
    iam_ = std::make_unique<iam::Iam>(std::move(opts));
  }
  return *iam_;
}

void Server::StartIamReloads() {
  iam_reloads_ = std::thread([this] {
    const auto period = std::chrono::seconds(config_.iam_reload_seconds);
    std::unique_lock lock(iam_reload_mu_);
    while (!iam_reload_cv_.wait_for(lock, period, [this] { return stopping_; })) {
      lock.unlock();
      Status st = RunSync([](iam::Iam& iam) -> Task<Status> {
        RequestContext ctx = RequestContext::Background("iam-reload");
        co_return co_await iam.ReloadAll(ctx);
      }(*iam_));
      if (!st.ok()) {
        LOG_WARN("identity store reload: {}", st.ToString());
      }
      lock.lock();
    }
  });
}

Task<nlohmann::json> Server::NodesJson() {
  const std::int64_t now_ms = rpc::NowUnixMs();
  std::string self = SelfNodeKey(topology_);
  if (self.empty()) {
    self = ConnectAddress(config_.address, s3_port());
  }
  nlohmann::json out = nlohmann::json::array();
  out.push_back(
      {{"node", self},
       {"version", std::string(kVersion)},
       {"uptimeSeconds",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()},
       {"online", true},
       {"self", true}});
  std::vector<rpc::Client*> clients;
  for (const PeerPlan& peer : peers_) {
    const auto it = clients_.find(peer.key);
    clients.push_back(it == clients_.end() ? nullptr : it->second.get());
  }
  auto hellos =
      co_await FanOut<Result<Hello>>(clients.size(), [&](std::size_t i) -> Task<Result<Hello>> {
        if (clients[i] == nullptr) {
          co_return Status(Errc::kNodeOffline, "no client");
        }
        co_return co_await AskPeer(*clients[i], std::chrono::seconds(2));
      });
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    nlohmann::json node = {{"node", peers_[i].key}, {"online", hellos[i].ok()}, {"self", false}};
    if (hellos[i].ok()) {
      node["version"] = hellos[i]->version;
      if (hellos[i]->started_ms > 0) {
        node["uptimeSeconds"] = static_cast<double>(now_ms - hellos[i]->started_ms) / 1000.0;
      }
    }
    out.push_back(std::move(node));
  }
  co_return out;
}

admin::MetricsReading Server::ReadMetrics() {
  admin::MetricsReading r;
  r.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  for (const std::uint64_t us : s3::kLatencyBoundsUs) {
    r.latency_bounds_ms.push_back(static_cast<double>(us) / 1000.0);
  }
  r.latency.assign(r.latency_bounds_ms.size(), 0);
  if (s3::S3Api* s3 = s3_ready_.load()) {
    s3::S3MetricsSnapshot snap = s3->MetricsSnapshot();
    r.requests = std::move(snap.requests);
    r.errors_4xx = snap.errors_4xx;
    r.errors_5xx = snap.errors_5xx;
    r.received = snap.received;
    r.sent = snap.sent;
    r.latency.assign(snap.latency.begin(), snap.latency.end());
  }
  if (heal::HealAdmin* healer = healer_ready_.load()) {
    const std::vector<heal::DriveStatus> drives =
        RunSync([](heal::HealAdmin& h) -> Task<std::vector<heal::DriveStatus>> {
          RequestContext ctx = RequestContext::Background("metrics-history");
          co_return co_await h.GetDriveStatus(ctx);
        }(*healer));
    for (const heal::DriveStatus& d : drives) {
      ++r.drives_total;
      if (d.state != heal::DriveState::kOffline && d.state != heal::DriveState::kFaulty) {
        ++r.drives_online;
        r.capacity_total += d.total;
        r.capacity_free += d.free;
      }
    }
    const heal::HealCounters c = healer->GetHealCounters();
    r.objects_healed = c.objects_healed;
    r.mrf_healed = c.mrf_healed;
    r.mrf_queued = c.mrf_queued;
  }
  return r;
}

void Server::AppendMemoryMetrics(std::string& out) const {
  auto gauge = [&out](std::string_view name, std::string_view help, std::size_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, value);
  };
  if (const storage::CacheBudget* cache = cache_budget_ready_.load()) {
    gauge("cairn_metadata_cache_budget_bytes",
          "The metadata caches' budget (--cache-size) for all local drives", cache->bytes());
    gauge("cairn_metadata_cache_used_bytes",
          "Charged to the shared RocksDB block cache: blocks and memtables of every drive",
          cache->block_cache_usage());
    gauge("cairn_metadata_memtable_bytes", "Memtables of every local drive",
          cache->memtable_usage());
  }
  gauge("cairn_allocator_idle_bytes",
        "Freed memory the allocator holds, returned to the system at each metrics sample "
        "from 32 MiB",
        AllocatorIdleBytes());
}

void Server::StartMetricsSampler() {
  metrics_sampler_ = std::thread([this] {
    std::unique_lock lock(iam_reload_mu_);
    do {
      lock.unlock();
      metrics_history_.Add(ReadMetrics());
      // The buffers of a burst of large writes, freed, stay resident in tcmalloc's page heap
      // until returned: after a 16-client PUT of 1 MiB objects, 120 MiB of the RSS.
      if (AllocatorIdleBytes() >= kIdleMemoryToRelease) {
        ReleaseIdleMemory();
      }
      lock.lock();
    } while (
        !iam_reload_cv_.wait_for(lock, config_.metrics_interval, [this] { return stopping_; }));
  });
}

Status Server::StartListeners() {
  admin::AdminOptions admin_opts;
  admin_opts.region = config_.region;
  admin_opts.version = std::string(kVersion);
  // Read only once the layer is up, after LoadFormat set the id.
  admin_opts.deployment_id = [this] { return deployment_id_; };
  admin_opts.heal = [this] { return healer_ready_.load(); };
  admin_opts.kms = [this] { return kms_ready_.load(); };
  admin_opts.iam = [this]() -> iam::Iam* { return s3_ready_.load() ? iam_.get() : nullptr; };
  admin_opts.root_access_key = config_.access_key;
  admin_opts.not_ready_reason = [this] { return Waiting(); };
  admin_opts.extra_metrics = [this](std::string& out) {
    if (s3::S3Api* s3 = s3_ready_.load()) {
      s3->AppendMetrics(out);
    }
    if (audit_) {
      audit_->AppendMetrics(out);
    }
    AppendMemoryMetrics(out);
  };
  admin_opts.audit = audit_.get();
  admin_opts.metrics_history = [this] { return metrics_history_.ToJson(); };
  admin_opts.nodes = [this] { return NodesJson(); };
  admin_opts.metrics_public = config_.metrics_public;
  admin_ = std::make_unique<admin::AdminApi>(std::move(admin_opts), Credentials());

  const ConnectionLimits limits = ResolveConnectionLimits(config_, open_file_limit_);
  LOG_INFO("S3 port: at most {} connections, {} per client address (open-file limit {})",
           limits.total, limits.per_client, open_file_limit_);
  http::ServerOptions s3_http;
  s3_http.address = config_.address;
  s3_http.max_connections = limits.total;
  s3_http.max_connections_per_client = limits.per_client;
  s3_http.tls_cert_file = config_.cert_file;
  s3_http.tls_key_file = config_.key_file;
  s3_http.rewrite_reject = s3::RewriteRejectAsS3Error;
  s3_listener_ = std::make_unique<http::Server>(
      std::move(s3_http), [this](http::Exchange& ex) { return Dispatch(ex); });
  Status st = s3_listener_->Start();
  if (!st.ok()) {
    return Status(st.code(), "the S3 port: " + st.message());
  }
  if (audit_) {
    audit_->SetNode(config_.node_host.empty() ? ConnectAddress(config_.address, s3_port())
                                              : config_.node_host);
  }

  http::ServerOptions console_http;
  console_http.address = config_.console_address;
  console_http.threads = 1;
  // The admin API and the metrics' bearer tokens travel here: HTTPS as on the S3 port.
  console_http.tls_cert_file = config_.cert_file;
  console_http.tls_key_file = config_.key_file;
  console_http.max_connections = 1024;  // admin, metrics and health: few clients
  console_http.max_connections_per_client = 256;
  console_ = MakeConsole();
  // The console port: the admin API and metrics, the health endpoints, else the web console.
  console_listener_ = std::make_unique<http::Server>(std::move(console_http),
                                                     [this](http::Exchange& ex) -> Task<void> {
                                                       const std::string& path = ex.request().path;
                                                       if (admin::AdminApi::Owns(path)) {
                                                         co_await admin_->Handle(ex);
                                                         co_return;
                                                       }
                                                       if (s3::IsHealthPath(path)) {
                                                         co_await console_health_(ex);
                                                         co_return;
                                                       }
                                                       co_await console_->Handle(ex);
                                                     });
  st = console_listener_->Start();
  if (!st.ok()) {
    return Status(st.code(), "the console port: " + st.message());
  }
  return Status::Ok();
}

std::unique_ptr<console::Console> Server::MakeConsole() {
  console_health_ = s3::MakeHealthHandler([this] { return layer_ready_.load(); }, false);
  console::ConsoleOptions opts;
  opts.root_access_key = config_.access_key;
  opts.root_secret_key = config_.secret_key;
  opts.region = config_.region;
  opts.session_duration = config_.browser_session_duration;
  opts.server_url = config_.server_url;
  opts.s3_port = s3_port();
  opts.s3_tls = !config_.cert_file.empty();
  opts.iam = [this]() -> iam::Iam* { return s3_ready_.load() ? iam_.get() : nullptr; };
  std::error_code ec;
  const std::string binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  const std::string dir = console::FindAssetsDir(config_.console_dir, binary);
  if (dir.empty()) {
    LOG_INFO(
        "console: the front end is not built (scripts/build-console.sh); the console "
        "port serves the admin API, the metrics and a page that says so");
  } else if (Result<console::Assets> assets = console::Assets::Load(dir); assets.ok()) {
    LOG_INFO("console: {} files from {}", assets->size(), dir);
    opts.assets = std::make_shared<const console::Assets>(std::move(*assets));
  } else {
    LOG_WARN("console: {}", assets.status().message());
  }
  // The gateway's S3 requests go to the S3 API only (never the RPC or health paths).
  http::Handler s3 = [this](http::Exchange& ex) -> Task<void> {
    if (s3::S3Api* api = s3_ready_.load()) {
      co_await api->Handle(ex);
      co_return;
    }
    co_await RespondNotReady(ex);
  };
  http::Handler admin = [this](http::Exchange& ex) { return admin_->Handle(ex); };
  return std::make_unique<console::Console>(std::move(opts), std::move(s3), std::move(admin));
}

Status Server::StartAudit() {
  const AuditConfig& cfg = config_.audit;
  if (cfg.file.empty() && cfg.webhooks.empty()) {
    return Status::Ok();
  }
  audit::LoggerOptions options;
  options.node = config_.node_host;
  options.headers = cfg.headers;
  auto logger = std::make_unique<audit::Logger>(std::move(options));
  if (!cfg.file.empty()) {
    // Refuse an unwritable file at start rather than drop every record later.
    std::ofstream probe(cfg.file, std::ios::app);
    if (!probe) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("the audit file {} cannot be opened for writing", cfg.file));
    }
    audit::FileTargetOptions file;
    file.path = cfg.file;
    file.max_size = cfg.file_max_size;
    file.keep = cfg.file_keep;
    file.delivery.batch_size = 1000;  // lines per write: whatever is queued
    file.delivery.flush_interval = std::chrono::milliseconds(0);
    logger->AddTarget(std::make_unique<audit::FileTarget>(std::move(file)));
    LOG_INFO("audit: records go to {} (rotated at {} bytes, {} kept)", cfg.file, cfg.file_max_size,
             cfg.file_keep);
  }
  for (const AuditWebhookConfig& w : cfg.webhooks) {
    audit::WebhookTargetOptions hook;
    hook.id = w.id.empty() ? "webhook" : "webhook:" + w.id;
    hook.endpoint = w.endpoint;
    hook.auth_token = w.auth_token;
    hook.delivery.batch_size = w.batch_size;
    hook.delivery.queue_size = w.queue_size;
    auto target = audit::WebhookTarget::Create(std::move(hook));
    if (!target.ok()) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("audit webhook {}: {}", w.endpoint, target.status().message()));
    }
    LOG_INFO("audit: records go to {} ({})", w.endpoint, (*target)->id());
    logger->AddTarget(std::move(*target));
  }
  audit_ = std::move(logger);
  return Status::Ok();
}

Status Server::WriteAddressFile() const {
  if (config_.address_file.empty()) {
    return Status::Ok();
  }
  std::string text = fmt::format("s3={}\nconsole={}\n", ConnectAddress(config_.address, s3_port()),
                                 ConnectAddress(config_.console_address, console_port()));
  if (cluster_listener_) {
    text += fmt::format("cluster={}\n", ConnectAddress(config_.cluster_address, cluster_port()));
  }
  const std::string tmp = config_.address_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("cannot write the address file {}", config_.address_file));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, config_.address_file, ec);
  if (ec) {
    return Status(Errc::kInvalidArgument, fmt::format("cannot write the address file {}: {}",
                                                      config_.address_file, ec.message()));
  }
  return Status::Ok();
}

void Server::Stop() {
  // The background threads first: they read through the pointers cleared below.
  {
    std::lock_guard lock(iam_reload_mu_);
    stopping_ = true;
  }
  iam_reload_cv_.notify_all();
  if (metrics_sampler_.joinable()) {
    metrics_sampler_.join();
  }
  if (s3_listener_) {
    s3_listener_->Stop();
  }
  if (console_listener_) {
    console_listener_->Stop();
  }
  if (cluster_listener_) {
    cluster_listener_->Stop();
  }
  s3_ready_.store(nullptr);
  layer_ready_.store(nullptr);
  pools_ready_.store(nullptr);
  healer_ready_.store(nullptr);
  kms_ready_.store(nullptr);
  s3_listener_.reset();
  console_listener_.reset();
  cluster_listener_.reset();
  if (iam_reloads_.joinable()) {
    iam_reloads_.join();
  }
  s3_.reset();
  admin_.reset();
  if (audit_) {
    audit_->Stop();  // delivers what it can within 2 s
    audit_.reset();
  }
  kms_.reset();
  healer_.reset();  // stops healing (it saves the MRF queue) while the drives still answer
  layer_.reset();
  sets_.clear();
  locker_.reset();
  rpc_.reset();
  locks_.reset();
  drives_.clear();
  clients_.clear();
}

std::uint16_t Server::s3_port() const {
  return s3_listener_ ? s3_listener_->port() : 0;
}

std::uint16_t Server::cluster_port() const {
  return cluster_listener_ ? cluster_listener_->port() : 0;
}

std::uint16_t Server::console_port() const {
  return console_listener_ ? console_listener_->port() : 0;
}

std::string Server::S3Url() const {
  return fmt::format("{}://{}", config_.cert_file.empty() ? "http" : "https",
                     ConnectAddress(config_.address, s3_port()));
}

std::string Server::ConsoleUrl() const {
  return fmt::format("{}://{}", config_.cert_file.empty() ? "http" : "https",
                     ConnectAddress(config_.console_address, console_port()));
}

int Main(int argc, const char* const* argv) {
  CommandLine cl = ParseCommandLine(argc, argv, ProcessEnvironment());
  if (!cl.run) {
    std::fputs(cl.out.c_str(), stdout);
    std::fputs(cl.err.c_str(), stderr);
    return cl.exit_code;
  }
  // The KMS's master key: a malformed one stops the server here, before anything starts.
  auto master_key = kms::MasterKeyFromEnvironment();
  if (!master_key.ok()) {
    std::fprintf(stderr, "cairn: %s\n", master_key.status().message().c_str());
    return kExitUsage;
  }
  cl.config.kms_master_key = std::move(*master_key);
  auto webhooks = AuditWebhooksFromEnvironment(ProcessEnvironment(), EnvironmentNames());
  if (!webhooks.ok()) {
    std::fprintf(stderr, "cairn: %s\n", webhooks.status().message().c_str());
    return kExitUsage;
  }
  cl.config.audit.webhooks = std::move(*webhooks);
  if (cl.config.kms_auto_encryption && !cl.config.kms_master_key) {
    std::fprintf(stderr,
                 "cairn: CAIRN_KMS_AUTO_ENCRYPTION is on but no KMS is configured: set "
                 "CAIRN_KMS_SECRET_KEY (or CAIRN_KMS_SECRET_KEY_FILE)\n");
    return kExitUsage;
  }
  const ServerConfig& cfg = cl.config;
  auto topology = PlanTopology(cfg);
  if (!topology.ok()) {
    std::fprintf(stderr, "cairn: %s\n", topology.status().message().c_str());
    return kExitUsage;
  }

  // Block the stop signals before any thread starts, so that only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  log::Init(cfg.log_level, cfg.log_json);
  if (cfg.default_credentials) {
    LOG_WARN(
        "using the default credentials {} / {}, so listening on this machine only: give your "
        "own with --access-key and --secret-key, or CAIRN_ROOT_USER and CAIRN_ROOT_PASSWORD",
        kDefaultAccessKey, kDefaultSecretKey);
  }
  Server server(cfg, std::move(*topology));
  Status st = server.Start();
  if (st.code() == Errc::kCancelled) {
    LOG_INFO("stopped before the cluster came up");
    server.Stop();
    return 0;
  }
  if (!st.ok()) {
    std::fprintf(stderr, "cairn: %s\n", st.message().c_str());
    return kExitStartupError;
  }
  std::string banner = fmt::format("cairn {}\nS3 API:   {}\nConsole:  {}\n", kVersion,
                                   server.S3Url(), server.ConsoleUrl());
  if (cfg.default_drives || cfg.default_credentials) {
    banner += fmt::format("RootUser: {}\nRootPass: {}\n", cfg.access_key, cfg.secret_key);
  }
  if (cfg.default_credentials) {
    banner +=
        "Listening on 127.0.0.1 only: the default credentials are in use (set your own to serve "
        "other machines)\n";
  }
  std::fputs(banner.c_str(), stdout);
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  LOG_INFO("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.Stop();
  LOG_INFO("stopped");
  return 0;
}

}  // namespace cairn::server
