// Test fixture of the heal module: the object layer's Cluster (tests/unit/object) with an MRF
// queue attached to its sets and a Healer over it, started; Restart() builds both again over
// the same drives, as a process restart would.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "heal/healer.h"
#include "heal/mrf_queue.h"
#include "unit/object/object_fixture.h"

namespace cairn::heal::test {

using object::test::Backend;
using object::test::Cluster;
using object::test::Eventually;
using object::test::Layout;
using object::test::RandomData;
using testing::SyncWait;

// Healing options for tests: no MRF worker, no scanner (a test turns on what it tests), and
// short polls and retries where it does.
inline HealerOptions QuietHealer() {
  HealerOptions o;
  o.mrf_worker = false;
  o.mrf.idle_poll = std::chrono::milliseconds(10);
  o.mrf.drive_poll = std::chrono::milliseconds(20);
  o.mrf.retry_base = std::chrono::milliseconds(20);
  o.mrf.retry_max = std::chrono::milliseconds(200);
  return o;
}

// The MRF worker on, with QuietHealer's short polls.
inline HealerOptions WorkingHealer() {
  HealerOptions o = QuietHealer();
  o.mrf_worker = true;
  return o;
}

// Holds the queue before Cluster builds the layer that pushes into it.
struct QueueHolder {
  std::shared_ptr<MrfQueue> queue = std::make_shared<MrfQueue>();

  object::ServerPoolsOptions Attach(object::ServerPoolsOptions opts) const {
    opts.heal_queue = queue;
    return opts;
  }
};

class HealCluster : public QueueHolder, public Cluster {
 public:
  explicit HealCluster(Layout layout, Backend backend = Backend::kLocal,
                       HealerOptions hopts = QuietHealer(), object::ServerPoolsOptions opts = {})
      : Cluster(layout, backend, Attach(opts)), layout_(layout), opts_(opts) {
    StartHealer(std::move(hopts));
  }

  ~HealCluster() { Stop(); }

  // Stops healing (the MRF worker saves its queue), then the object layer.
  void Stop() {
    healer.reset();
    layer.reset();
  }

  // A new queue, object layer and healer over the same drives, as after a restart.
  void Restart(HealerOptions hopts) {
    Stop();
    queue = std::make_shared<MrfQueue>();
    std::vector<object::PoolSpec> pools;
    std::size_t next = 0;
    for (int p = 0; p < layout_.pools; ++p) {
      object::PoolSpec& spec = pools.emplace_back();
      spec.parity = layout_.parity;
      for (int s = 0; s < layout_.sets; ++s) {
        auto& set = spec.sets.emplace_back();
        for (int d = 0; d < layout_.drives; ++d) {
          set.push_back(drives[next++]);
        }
      }
    }
    object::ServerPoolsOptions opts = Attach(opts_);
    if (opts.deployment_id.empty()) {
      opts.deployment_id = "8d3a6f3e-2c1b-4e5f-9a7b-1c2d3e4f5a6b";
    }
    if (opts.compute_threads == 0) {
      opts.compute_threads = 2;
    }
    layer = std::make_unique<object::ServerPools>(std::move(pools), std::move(opts));
    StartHealer(std::move(hopts));
  }

  std::unique_ptr<Healer> healer;

 private:
  void StartHealer(HealerOptions hopts) {
    healer = std::make_unique<Healer>(*layer, queue, std::move(hopts));
    healer->Start();
  }

  const Layout layout_;
  const object::ServerPoolsOptions opts_;
};

}  // namespace cairn::heal::test
