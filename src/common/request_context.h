// RequestContext: what every layer needs to know about the request it serves. Passed first,
// by const reference, to every ObjectLayer and StorageApi call.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace cairn {

struct RequestContext {
  using Clock = std::chrono::steady_clock;

  std::string request_id;
  std::string access_key;  // the authenticated principal; empty for anonymous or internal
  Clock::time_point deadline = Clock::time_point::max();
  // Set when the client went away or the server shuts down; long loops check it.
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);

  bool IsCancelled() const { return cancelled && cancelled->load(std::memory_order_relaxed); }

  bool Expired() const { return Clock::now() >= deadline; }

  // A context for background work (scanner, heal, startup): no deadline.
  static RequestContext Background(std::string id = "background") {
    RequestContext ctx;
    ctx.request_id = std::move(id);
    return ctx;
  }
};

}  // namespace cairn
