// The RemoteDrive factory of the conformance suites: a LocalDrive in `dir` served by
// ServeDrive on an rpc::Server behind a loopback http::Server, reached through an
// rpc::Client, so every conformance test runs through the whole RPC path. The object
// layer's remote tests build their drives the same way (OpenLoopbackRemoteDrive).
#include <chrono>
#include <cstdlib>

#include "http/server.h"
#include "rpc/client.h"
#include "rpc/server.h"
#include "rpc/token.h"
#include "storage/forwarding_drive.h"
#include "storage/local/local_drive.h"
#include "storage/remote/remote_drive.h"
#include "storage_test_util.h"

namespace cairn::storage::testing {
namespace {

// Everything one loopback remote drive needs; destroyed in reverse order (client first, then
// the listener, then the served drive).
struct Loopback {
  std::unique_ptr<LocalDrive> local;
  std::unique_ptr<rpc::Server> rpc;
  std::unique_ptr<http::Server> http;
  std::unique_ptr<rpc::Client> client;
};

}  // namespace

Result<LoopbackRemoteDrive> OpenLoopbackRemoteDrive(const std::string& dir) {
  auto lb = std::make_shared<Loopback>();
  LocalDriveOptions options;
  options.worker_threads = 2;
  options.cache_bytes = 8 << 20;
  options.sync_writes = std::getenv("CAIRN_TEST_SYNC") != nullptr;
  options.fsync_files = std::getenv("CAIRN_TEST_SYNC") != nullptr;
  auto local = LocalDrive::Open(dir, options);
  if (!local.ok()) {
    return local.status();
  }
  lb->local = std::move(*local);
  const std::string key = rpc::DeriveTokenKey("conformance", "conformance-secret");
  rpc::ServerOptions so;
  so.token_key = key;
  lb->rpc = std::make_unique<rpc::Server>(so);
  ServeDrive(*lb->rpc, *lb->local, "/remote/drive");
  http::ServerOptions ho;
  ho.address = "127.0.0.1:0";
  ho.threads = 1;
  ho.shutdown_grace = std::chrono::milliseconds(200);
  lb->http = std::make_unique<http::Server>(ho, lb->rpc->AsHandler());
  RETURN_IF_ERROR(lb->http->Start());
  rpc::ClientOptions co;
  co.host = "127.0.0.1";
  co.port = lb->http->port();
  co.token_key = key;
  lb->client = std::make_unique<rpc::Client>(co);
  // The drive shares ownership of the whole loopback through the aliasing constructor.
  std::shared_ptr<rpc::Client> client(lb, lb->client.get());
  LoopbackRemoteDrive out;
  out.drive = std::make_shared<RemoteDrive>(
      std::move(client), "http://127.0.0.1:" + std::to_string(co.port) + "/remote/drive",
      "/remote/drive");
  http::Server* http = lb->http.get();
  out.stop_server = [http] { http->Stop(); };
  return out;
}

DriveFactory RemoteDriveFactory() {
  return DriveFactory{
      "Remote", [](const std::string& dir) -> Result<std::unique_ptr<StorageApi>> {
        auto lb = OpenLoopbackRemoteDrive(dir);
        if (!lb.ok()) {
          return lb.status();
        }
        // The only owner: the loopback goes with the returned drive.
        return std::unique_ptr<StorageApi>(std::make_unique<ForwardingDrive>(std::move(lb->drive)));
      }};
}

}  // namespace cairn::storage::testing
