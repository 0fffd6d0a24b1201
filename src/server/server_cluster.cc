// The distributed half of the server's wiring: RPC clients and RemoteDrives for the drives of
// other nodes, the RPC server (this node's drives, the peer hello), the cluster listener, the
// bring-up wait, and the S3 port's dispatcher (RPC before S3 auth; 503 until ready).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "admin/admin_api.h"
#include "common/fan_out.h"
#include "common/log.h"
#include "http/server.h"
#include "iam/iam.h"
#include "object/server_pools.h"
#include "rpc/client.h"
#include "rpc/server.h"
#include "rpc/token.h"
#include "s3/s3_server.h"
#include "server/run_sync.h"
#include "server/server.h"
#include "storage/remote/remote_drive.h"

namespace cairn::server {
namespace {

// True once SIGINT or SIGTERM is pending (Main blocks both and waits for them with sigwait
// only after Start returned).
bool StopRequested() {
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0) {
    return false;
  }
  return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

Task<void> RespondNoRpc(http::Exchange& ex) {
  http::Headers headers = {{"content-type", "text/plain"}};
  (void)co_await ex.Respond(404, std::move(headers), "inter-node RPC is not served on this port\n");
}

}  // namespace

std::shared_ptr<storage::StorageApi> Server::MakeRemoteDrive(const cluster::Endpoint& ep) {
  const std::string key = ep.NodeKey();
  auto& client = clients_[key];
  if (!client) {
    rpc::ClientOptions o;
    o.host = ep.host;
    o.port = ep.port;
    if (o.port == 0) {
      auto port =
          AddressPort(config_.cluster_address.empty() ? config_.address : config_.cluster_address);
      o.port = port.ok() ? *port : 0;
    }
    o.token_key = rpc::DeriveTokenKey(config_.access_key, config_.secret_key);
    o.heartbeat_interval = std::chrono::seconds(2);
    o.tls.enabled = !config_.cluster_cert.empty() || ep.scheme == "https";
    o.tls.cert_file = config_.cluster_cert;
    o.tls.key_file = config_.cluster_key;
    o.tls.ca_file = config_.cluster_ca;
    o.tls.server_name = config_.cluster_server_name;
    client = std::make_shared<rpc::Client>(std::move(o));
  }
  return std::make_shared<storage::RemoteDrive>(client, ep.ToString(), ep.path);
}

Status Server::StartRpc() {
  rpc::ServerOptions so;
  so.token_key = rpc::DeriveTokenKey(config_.access_key, config_.secret_key);
  // A token names the node it is for: this node answers only to the names its peers use
  // for it (its drive URLs' host:port), so a token captured on the way to another node
  // cannot be replayed here.
  auto rpc_port =
      AddressPort(config_.cluster_address.empty() ? config_.address : config_.cluster_address);
  for (const auto& pool : topology_.pools) {
    for (const auto& ep : pool.endpoints.endpoints) {
      if (ep.is_local && ep.is_url()) {
        std::string name = ep.NodeKey(rpc_port.ok() ? *rpc_port : 0);
        if (std::find(so.self_hosts.begin(), so.self_hosts.end(), name) == so.self_hosts.end()) {
          so.self_hosts.push_back(std::move(name));
        }
      }
    }
  }
  rpc_ = std::make_unique<rpc::Server>(std::move(so));
  const std::string self_key = SelfNodeKey(topology_);
  for (std::size_t p = 0; p < topology_.pools.size(); ++p) {
    const auto& eps = topology_.pools[p].endpoints.endpoints;
    for (std::size_t i = 0; i < eps.size(); ++i) {
      if (eps[i].is_local && drives_[p][i]) {
        storage::ServeDrive(*rpc_, *drives_[p][i], eps[i].path);
      }
    }
  }
  locker_ = StartLocks(self_key);
  rpc_->Register(
      rpc::method::kPeerBucketChanged, "",
      [this](const RequestContext&, std::string_view bucket) -> Task<Result<std::string>> {
        if (auto* pools = pools_ready_.load()) {
          pools->ForgetBucket(bucket);
        }
        co_return std::string();
      });
  rpc_->Register(
      rpc::method::kPeerIamChanged, "",
      [this](const RequestContext& ctx, std::string_view item) -> Task<Result<std::string>> {
        if (iam_) {
          Status st = co_await iam_->ReloadItem(ctx, item);
          if (!st.ok()) {
            LOG_WARN("iam: reading {} again: {}", item, st.ToString());
          }
        }
        co_return std::string();
      });
  ServeHello(
      *rpc_,
      MakeHello(topology_, self_key, rpc::CredentialsHash(config_.access_key, config_.secret_key)),
      [this] {
        std::lock_guard lock(waiting_mu_);
        return served_deployment_;
      });
  if (config_.cluster_address.empty()) {
    LOG_INFO("inter-node RPC is served on the S3 port under {} (token authentication)",
             rpc::kReservedPrefix);
    return Status::Ok();
  }
  http::ServerOptions ho;
  ho.address = config_.cluster_address;
  // Peers only (mutual TLS or tokens): a total bound, none per client (a peer's pool).
  ho.max_connections = ResolveConnectionLimits(config_, open_file_limit_).total;
  ho.tls_cert_file = config_.cluster_cert;
  ho.tls_key_file = config_.cluster_key;
  ho.tls_client_ca_file = config_.cluster_ca;
  rpc::Server* rpc = rpc_.get();
  cluster_listener_ =
      std::make_unique<http::Server>(std::move(ho), [rpc](http::Exchange& ex) -> Task<void> {
        if (rpc::IsRpcPath(ex.request().path)) {
          co_await rpc->Handle(ex);
        } else {
          co_await RespondNoRpc(ex);
        }
      });
  Status st = cluster_listener_->Start();
  if (!st.ok()) {
    return Status(st.code(), "the cluster port: " + st.message());
  }
  LOG_INFO("inter-node RPC on {} ({})", config_.cluster_address,
           config_.cluster_cert.empty() ? "token authentication" : "mutual TLS and tokens");
  return Status::Ok();
}

Task<void> Server::TellPeers(const RequestContext& ctx, rpc::MethodId method, std::string what) {
  RequestContext call = ctx;
  const auto bound = RequestContext::Clock::now() + std::chrono::seconds(2);
  if (call.deadline > bound) {
    call.deadline = bound;
  }
  auto res = co_await FanOut<Result<std::string>>(peers_.size(), [&](std::size_t i) {
    return clients_.at(peers_[i].key)->Call(call, method, "", what);
  });
  for (std::size_t i = 0; i < res.size(); ++i) {
    if (!res[i].ok()) {
      // What the peer caches expires by itself (ServerPools::kBucketCacheLife, the periodic
      // IAM reload).
      LOG_WARN("could not tell {} that {} changed: {}", peers_[i].key, what,
               res[i].status().ToString());
    }
  }
}

std::string Server::Waiting() const {
  std::lock_guard lock(waiting_mu_);
  return waiting_;
}

void Server::SetWaiting(std::string what) {
  std::lock_guard lock(waiting_mu_);
  waiting_ = std::move(what);
}

Status Server::WaitForPeers() {
  const Hello self = MakeHello(topology_, SelfNodeKey(topology_),
                               rpc::CredentialsHash(config_.access_key, config_.secret_key));
  SetWaiting(fmt::format("waiting for the other {} nodes to answer", peers_.size()));
  std::map<std::string, std::string> last_problem;
  std::string last_waiting;
  for (;;) {
    if (StopRequested()) {
      return Status(Errc::kCancelled, "stopped while waiting for the cluster");
    }
    auto results = RunSync(FanOut<Result<Hello>>(peers_.size(), [&](std::size_t i) {
      return CheckPeer(*clients_.at(peers_[i].key), self);
    }));
    results.resize(peers_.size(), Status(Errc::kInternal, "the peer check did not run"));
    std::map<std::string, Hello> agreed;
    std::vector<std::string> problems;
    for (std::size_t i = 0; i < peers_.size(); ++i) {
      const std::string& key = peers_[i].key;
      const Status& st = results[i].status();
      if (st.ok()) {
        agreed[key] = *results[i];
        if (last_problem[key] != "ok") {
          LOG_INFO("node {} is up and agrees on drives, layout, credentials and clock", key);
        }
        last_problem[key] = "ok";
        continue;
      }
      problems.push_back(st.message());
      if (last_problem[key] != st.message()) {
        if (st.code() == Errc::kNodeOffline || st.code() == Errc::kTimeout) {
          LOG_WARN("{}", st.message());
        } else {
          LOG_ERROR("{}", st.message());
        }
      }
      last_problem[key] = st.message();
    }
    // Drives reachable on this node and on the nodes that agree, per set.
    std::vector<std::string> short_sets;
    for (std::size_t p = 0; p < topology_.pools.size(); ++p) {
      const auto& plan = topology_.pools[p];
      for (int s = 0; s < plan.layout.set_count(); ++s) {
        int reachable = 0;
        for (int index : plan.layout.sets[s]) {
          const cluster::Endpoint& ep = plan.endpoints.endpoints[index];
          reachable += ep.is_local ? (drives_[p][index] ? 1 : 0)
                                   : static_cast<int>(agreed.count(ep.NodeKey()));
        }
        if (reachable < plan.layout.write_quorum()) {
          short_sets.push_back(fmt::format("pool {} set {} has {} of the {} drives it needs", p + 1,
                                           s + 1, reachable, plan.layout.write_quorum()));
        }
      }
    }
    if (short_sets.empty()) {
      // A fresh deployment is formatted by one node only (the node of the first drive), so
      // that two nodes never write one drive's format.json at once; the others wait until
      // it says it is done, or go on when it is down and some drive already has a format.
      const cluster::Endpoint& first = topology_.pools[0].endpoints.endpoints[0];
      auto leader = agreed.find(first.NodeKey());
      bool go = first.is_local;
      if (!go && leader != agreed.end()) {
        go = !leader->second.deployment.empty();
      } else if (!go) {
        go = AnyDriveFormatted(agreed);
      }
      if (go) {
        SetWaiting("formatting and loading the drives");
        return Status::Ok();
      }
      short_sets.push_back(
          fmt::format("node {} (the node of the first drive) has not yet formatted the drives",
                      first.NodeKey()));
    }
    std::string waiting = fmt::format(
        "waiting for a write quorum of drives on nodes that agree with this one "
        "({} of {} other nodes ready): {}",
        agreed.size(), peers_.size(), short_sets.front());
    for (const std::string& p : problems) {
      waiting += "; " + p;
    }
    if (waiting != last_waiting) {
      LOG_INFO("{}", waiting);
      last_waiting = waiting;
    }
    SetWaiting(std::move(waiting));
    for (int i = 0; i < 10 && !StopRequested(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

bool Server::AnyDriveFormatted(const std::map<std::string, Hello>& agreed) {
  std::vector<storage::StorageApi*> drives;
  for (std::size_t p = 0; p < topology_.pools.size(); ++p) {
    const auto& eps = topology_.pools[p].endpoints.endpoints;
    for (std::size_t i = 0; i < eps.size(); ++i) {
      if (drives_[p][i] && (eps[i].is_local || agreed.count(eps[i].NodeKey()) > 0)) {
        drives.push_back(drives_[p][i].get());
      }
    }
  }
  auto formats = RunSync(FanOut<Result<std::string>>(drives.size(), [&](std::size_t i) {
    RequestContext ctx = RequestContext::Background("bring-up");
    ctx.deadline = RequestContext::Clock::now() + std::chrono::seconds(3);
    return [](storage::StorageApi& d, RequestContext c) -> Task<Result<std::string>> {
      co_return co_await d.ReadFormat(c);
    }(*drives[i], std::move(ctx));
  }));
  for (const auto& f : formats) {
    if (f.ok()) {
      return true;
    }
  }
  return false;
}

void Server::SetServedDeployment(std::string id) {
  std::lock_guard lock(waiting_mu_);
  served_deployment_ = std::move(id);
}

Task<void> Server::RespondNotReady(http::Exchange& ex) {
  const bool head = ex.request().method == "HEAD";
  // Anyone may ask: what the node waits for (peer addresses, credential mismatches) goes to
  // the log and to the authenticated admin API (GET /minio/admin/v3/info), not here.
  const std::string body = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>XMinioServerNotInitialized</Code>"
      "<Message>Server not initialized yet, please try again.</Message><Resource>{}</Resource>"
      "</Error>",
      XmlEscape(ex.request().path));
  http::Headers headers = {{"content-type", "application/xml"}, {"retry-after", "1"}};
  (void)co_await ex.Respond(503, std::move(headers),
                            head ? std::string_view() : std::string_view(body));
}

Task<void> Server::Dispatch(http::Exchange& ex) {
  if (rpc::IsRpcPath(ex.request().path)) {
    if (rpc_ && !cluster_listener_) {
      co_await rpc_->Handle(ex);
    } else {
      co_await RespondNoRpc(ex);
    }
    co_return;
  }
  if (admin::AdminApi::Owns(ex.request().path)) {
    co_await admin_->Handle(ex);
    co_return;
  }
  if (s3::S3Api* s3 = s3_ready_.load()) {
    co_await s3->Handle(ex);
    co_return;
  }
  const bool health = co_await s3::ServeHealth(ex, nullptr);
  if (health) {
    co_return;
  }
  co_await RespondNotReady(ex);
}

}  // namespace cairn::server
