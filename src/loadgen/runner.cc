// RunBench: the phases of a run (setup, prepare, measure, clean up) over worker threads.
#include "loadgen/runner.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

namespace cairn::loadgen {
namespace internal {

std::string Run::Key(std::uint64_t index) const {
  return fmt::format("{}{:08}", prefix, index);
}

std::uint64_t Run::KeysOf(int id) const {
  auto c = static_cast<std::uint64_t>(cfg.concurrent);
  auto i = static_cast<std::uint64_t>(id);
  return i >= objects ? 0 : (objects - i + c - 1) / c;
}

std::span<const char> Run::Body(Client& c, std::uint64_t size) const {
  std::size_t offset = static_cast<std::size_t>(c.rng() % kPayloadSlack);
  return std::span<const char>(payload.data() + offset, static_cast<std::size_t>(size));
}

bool Run::Continue() {
  if (failed.load(std::memory_order_relaxed) || Clock::now() >= deadline) {
    return false;
  }
  if (cfg.max_ops == 0) {
    return true;
  }
  return ops_left.fetch_sub(1, std::memory_order_relaxed) > 0;
}

void Run::Fail(std::string message) {
  bool expected = false;
  if (failed.compare_exchange_strong(expected, true)) {
    failure = std::move(message);
  }
}

void RunPhase(Run& run, const std::function<Task<void>(Client&)>& fn, int clients) {
  std::size_t n = clients < 0 ? run.clients.size()
                              : std::min(run.clients.size(), static_cast<std::size_t>(clients));
  for (std::size_t i = 0; i < n; ++i) {
    Client& c = *run.clients[i];
    boost::asio::co_spawn(c.worker.io, fn(c), [&run](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          run.Fail(std::string("client failed: ") + ex.what());
        } catch (...) {
          run.Fail("client failed");
        }
      }
    });
  }
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < run.workers.size(); ++w) {
    threads.emplace_back([&run, w] {
      if (!run.cfg.cpus.empty()) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(run.cfg.cpus[w % run.cfg.cpus.size()], &set);
        pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
      }
      run.workers[w]->io.run();
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (auto& w : run.workers) {
    w->io.restart();
  }
}

}  // namespace internal

namespace {

using internal::Client;
using internal::Clock;
using internal::Run;

std::string RandomSuffix(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  return fmt::format("{:08x}", static_cast<std::uint32_t>(rng()));
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// utime + stime of process `pid` in seconds, from /proc/<pid>/stat; -1 when unreadable.
double ProcessCpuSeconds(int pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(in, line)) {
    return -1;
  }
  std::size_t paren = line.rfind(')');
  if (paren == std::string::npos) {
    return -1;
  }
  std::istringstream fields(line.substr(paren + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) {
      ticks += std::strtod(field.c_str(), nullptr);
    }
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The sum over `pids`; -1 when empty or when one is unreadable.
double ProcessesCpuSeconds(const std::vector<int>& pids) {
  double sum = 0;
  for (int pid : pids) {
    double s = ProcessCpuSeconds(pid);
    if (s < 0) {
      return -1;
    }
    sum += s;
  }
  return pids.empty() ? -1 : sum;
}

std::vector<std::string> RowNames(const BenchConfig& cfg, const std::vector<std::uint64_t>& pages) {
  switch (cfg.mode) {
    case Mode::kPut:
      return {"PUT"};
    case Mode::kGet:
      return {"GET"};
    case Mode::kStat:
      return {"STAT"};
    case Mode::kDelete:
      return {"DELETE"};
    case Mode::kMultipart:
      return {"MULTIPART"};
    case Mode::kMixed:
      return {"GET", "STAT", "PUT", "DELETE"};
    case Mode::kList: {
      std::vector<std::string> names;
      for (std::uint64_t p : pages) {
        names.push_back(fmt::format("LIST page {}", p));
      }
      return names;
    }
  }
  return {};
}

// The measured loop of one client.
Task<void> Measure(Run& run, Client& c) {
  const BenchConfig& cfg = run.cfg;
  switch (cfg.mode) {
    case Mode::kPut:
    case Mode::kMultipart:
      while (run.Continue()) {
        std::uint64_t index = run.KeyOf(c.id, c.fresh++);
        if (cfg.mode == Mode::kPut) {
          co_await internal::PutObject(run, c, index, 0);
        } else {
          co_await internal::MultipartUpload(run, c, index, 0);
        }
      }
      break;
    case Mode::kGet:
    case Mode::kStat:
      while (run.Continue()) {
        std::uint64_t index = c.rng() % run.objects;
        if (cfg.mode == Mode::kGet) {
          co_await internal::GetObject(run, c, index, 0);
        } else {
          co_await internal::StatObject(run, c, index, 0);
        }
      }
      break;
    case Mode::kDelete:
      while (!c.present.empty() && run.Continue()) {
        std::uint32_t local = c.present.back();
        c.present.pop_back();
        co_await internal::DeleteObject(run, c, run.KeyOf(c.id, local), 0);
      }
      c.exhausted = c.present.empty();
      break;
    case Mode::kList:
      for (std::uint64_t j = static_cast<std::uint64_t>(c.id); run.Continue(); ++j) {
        std::size_t row = j % run.pages.size();
        co_await internal::ListPage(run, c, run.pages[row], row);
      }
      break;
    case Mode::kMixed:
      while (run.Continue()) {
        MixOp op = cfg.mix.Pick(static_cast<std::uint32_t>(c.rng() % cfg.mix.total()));
        if ((op == MixOp::kGet || op == MixOp::kStat) && c.present.empty()) {
          op = MixOp::kPut;
        }
        if (op == MixOp::kDelete && c.present.size() <= 1) {
          op = MixOp::kPut;
        }
        auto row = static_cast<std::size_t>(op);
        if (op == MixOp::kPut) {
          auto local = static_cast<std::uint32_t>(c.fresh++);
          c.present.push_back(local);
          co_await internal::PutObject(run, c, run.KeyOf(c.id, local), row);
          continue;
        }
        std::size_t at = c.rng() % c.present.size();
        std::uint64_t index = run.KeyOf(c.id, c.present[at]);
        if (op == MixOp::kGet) {
          co_await internal::GetObject(run, c, index, row);
        } else if (op == MixOp::kStat) {
          co_await internal::StatObject(run, c, index, row);
        } else {
          c.present[at] = c.present.back();
          c.present.pop_back();
          co_await internal::DeleteObject(run, c, index, row);
        }
      }
      break;
  }
}

// Prints the live line until `done`.
class Progress {
 public:
  Progress(Run& run, std::ostream* out, bool tty) : run_(run), out_(out), tty_(tty) {
    if (out_) {
      thread_ = std::thread([this] { Loop(); });
    }
  }

  ~Progress() { Stop(); }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
      if (tty_) {
        *out_ << "\r\033[K" << std::flush;
      }
    }
  }

 private:
  void Loop() {
    auto start = Clock::now();
    auto last = start;
    std::uint64_t last_ops = 0;
    std::uint64_t last_bytes = 0;
    auto interval = tty_ ? std::chrono::seconds(1) : std::chrono::seconds(5);
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval, [this] { return done_; })) {
      std::uint64_t ops = 0;
      std::uint64_t bytes = 0;
      std::uint64_t errors = 0;
      for (auto& w : run_.workers) {
        ops += w->live_ops.load(std::memory_order_relaxed);
        bytes += w->live_bytes.load(std::memory_order_relaxed);
        errors += w->live_errors.load(std::memory_order_relaxed);
      }
      auto now = Clock::now();
      double dt = std::chrono::duration<double>(now - last).count();
      double t = std::chrono::duration<double>(now - start).count();
      std::string line =
          fmt::format("{:6.1f}s  {}  {:10.0f} ops/s  {:9.1f} MiB/s  {} errors", t,
                      ModeName(run_.cfg.mode), static_cast<double>(ops - last_ops) / dt,
                      static_cast<double>(bytes - last_bytes) / dt / (1 << 20), errors);
      *out_ << (tty_ ? "\r\033[K" : "") << line << (tty_ ? "" : "\n") << std::flush;
      last = now;
      last_ops = ops;
      last_bytes = bytes;
    }
  }

  Run& run_;
  std::ostream* out_;
  bool tty_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // guarded by mu_
  std::thread thread_;
};

OpReport MakeOpReport(std::string name, const internal::Row& row, double elapsed) {
  OpReport r;
  r.name = std::move(name);
  r.ops = row.ops;
  r.bytes = row.bytes;
  r.errors = row.errors;
  r.error_kinds = row.error_kinds;
  r.first_error = row.first_error;
  r.ops_per_s = elapsed > 0 ? static_cast<double>(row.ops) / elapsed : 0;
  r.mib_per_s = elapsed > 0 ? static_cast<double>(row.bytes) / elapsed / (1 << 20) : 0;
  r.mean_us = row.hist.mean() / 1e3;
  r.p50_us = static_cast<double>(row.hist.Percentile(0.50)) / 1e3;
  r.p90_us = static_cast<double>(row.hist.Percentile(0.90)) / 1e3;
  r.p99_us = static_cast<double>(row.hist.Percentile(0.99)) / 1e3;
  r.max_us = static_cast<double>(row.hist.max()) / 1e3;
  return r;
}

void MergeRow(internal::Row& into, const internal::Row& from) {
  into.hist.Merge(from.hist);
  into.ops += from.ops;
  into.bytes += from.bytes;
  into.errors += from.errors;
  for (const auto& [kind, n] : from.error_kinds) {
    into.error_kinds[kind] += n;
  }
  if (into.first_error.empty()) {
    into.first_error = from.first_error;
  }
}

Status Validate(BenchConfig& cfg) {
  if (cfg.concurrent < 1 || cfg.concurrent > 100000) {
    return Status(Errc::kInvalidArgument, "--concurrent must be between 1 and 100000");
  }
  if (cfg.threads < 1) {
    return Status(Errc::kInvalidArgument, "--threads must be at least 1");
  }
  cfg.threads = std::min(cfg.threads, cfg.concurrent);
  if (cfg.duration.count() <= 0) {
    return Status(Errc::kInvalidArgument, "--duration must be positive");
  }
  if (cfg.plain && (cfg.mode == Mode::kList || cfg.mode == Mode::kMultipart)) {
    return Status(Errc::kInvalidArgument, "list and multipart need an S3 endpoint, not --plain");
  }
  if (cfg.plain && cfg.sse != Sse::kNone) {
    return Status(Errc::kInvalidArgument, "--sse needs an S3 endpoint, not --plain");
  }
  if (!cfg.plain && (cfg.access_key.empty() || cfg.secret_key.empty())) {
    return Status(Errc::kInvalidArgument, "--access-key and --secret-key are required for S3");
  }
  if (cfg.mode == Mode::kMultipart && (cfg.parts < 1 || cfg.parts > 10000)) {
    return Status(Errc::kInvalidArgument, "--parts must be between 1 and 10000");
  }
  if (cfg.page_size < 1 || cfg.page_size > 1000) {
    return Status(Errc::kInvalidArgument, "--page-size must be between 1 and 1000");
  }
  if (cfg.obj_size > (std::uint64_t{5} << 30)) {
    return Status(Errc::kInvalidArgument, "--obj-size is at most 5 GiB");
  }
  return Status::Ok();
}

}  // namespace

std::uint64_t DefaultObjects(const BenchConfig& cfg) {
  auto c = static_cast<std::uint64_t>(cfg.concurrent);
  std::uint64_t by_size = (std::uint64_t{1} << 30) / std::max<std::uint64_t>(cfg.obj_size, 1);
  switch (cfg.mode) {
    case Mode::kPut:
    case Mode::kMultipart:
      return 0;  // nothing prepared: every PUT writes a key of its own
    case Mode::kList:
      return 10000;
    case Mode::kDelete:
      return std::clamp<std::uint64_t>(by_size, c, 10000);
    default:
      return std::clamp<std::uint64_t>(by_size, c, 1000);
  }
}

Result<BenchReport> RunBench(const BenchConfig& config, std::ostream* progress, bool tty) {
  BenchConfig cfg = config;
  if (Status st = Validate(cfg); !st.ok()) {
    return st;
  }
  ASSIGN_OR_RETURN(SseHeaders sse, MakeSseHeaders(cfg));
  ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(cfg.endpoint));
  if (ep.https) {
    return Status(Errc::kInvalidArgument, "https endpoints are not supported; use http://");
  }
  ASSIGN_OR_RETURN(auto addr, Resolve(ep));
  std::uint64_t seed = cfg.seed != 0 ? cfg.seed : std::random_device()();
  bool generated_bucket = cfg.bucket.empty();

  Run run(cfg);
  run.ep = ep;
  run.addr = addr;
  run.sse = std::move(sse);
  run.bucket = generated_bucket ? "cairn-bench-" + RandomSuffix(seed) : cfg.bucket;
  run.prefix = cfg.prefix.empty() ? "bench-" + RandomSuffix(seed + 1) + "/" : cfg.prefix;
  const bool writes_new_keys = cfg.mode == Mode::kPut || cfg.mode == Mode::kMultipart;
  // --objects does not apply to put and multipart (DefaultObjects: none).
  run.objects = cfg.objects != 0 && !writes_new_keys ? cfg.objects : DefaultObjects(cfg);
  if (!writes_new_keys && cfg.mode != Mode::kList && cfg.mode != Mode::kGet &&
      cfg.mode != Mode::kStat) {
    // Every client owns at least one key.
    run.objects = std::max<std::uint64_t>(run.objects, static_cast<std::uint64_t>(cfg.concurrent));
  }
  if (cfg.mode == Mode::kList) {
    std::uint64_t pages = (run.objects + cfg.page_size - 1) / cfg.page_size;
    run.pages = cfg.pages;
    if (run.pages.empty()) {
      run.pages = {1};
      auto late = static_cast<std::uint64_t>(std::ceil(0.9 * static_cast<double>(pages)));
      if (late > 1) {
        run.pages.push_back(late);
      }
    }
    for (std::uint64_t p : run.pages) {
      if (p < 1 || p > pages) {
        return Status(Errc::kInvalidArgument,
                      fmt::format("page {} does not exist: {} keys make {} pages of {}", p,
                                  run.objects, pages, cfg.page_size));
      }
    }
  }
  run.row_names = RowNames(cfg, run.pages);
  {
    std::mt19937_64 rng(seed);
    run.payload.resize(static_cast<std::size_t>(cfg.obj_size) + internal::kPayloadSlack);
    for (std::size_t i = 0; i + 8 <= run.payload.size(); i += 8) {
      std::uint64_t v = rng();
      std::memcpy(run.payload.data() + i, &v, 8);
    }
  }
  for (int w = 0; w < cfg.threads; ++w) {
    run.workers.push_back(std::make_unique<internal::Worker>(cfg, ep, run.row_names.size()));
  }
  for (int i = 0; i < cfg.concurrent; ++i) {
    run.clients.push_back(
        std::make_unique<Client>(i, *run.workers[i % cfg.threads], addr, ep, cfg, seed + 1000 + i));
  }

  BenchReport report;
  report.mode = std::string(ModeName(cfg.mode));
  report.target = cfg.plain ? "plain" : "s3";
  report.sse = std::string(SseName(cfg.sse));
  report.endpoint = cfg.endpoint;
  report.bucket = run.bucket;
  report.prefix = run.prefix;
  report.obj_size = cfg.obj_size;
  report.concurrent = cfg.concurrent;
  report.threads = cfg.threads;

  // Setup.
  bool created = generated_bucket && cfg.plain;
  if (!cfg.plain) {
    ASSIGN_OR_RETURN(created, internal::CreateBucket(run));
  }
  auto cleanup = [&] {
    if (cfg.keep) {
      return;
    }
    auto t0 = Clock::now();
    internal::DeleteObjects(run);
    internal::DeleteBucket(run, created);
    report.cleanup_s = std::chrono::duration<double>(Clock::now() - t0).count();
  };
  bool needs_objects = cfg.mode == Mode::kGet || cfg.mode == Mode::kStat ||
                       cfg.mode == Mode::kDelete || cfg.mode == Mode::kMixed ||
                       cfg.mode == Mode::kList;
  if (needs_objects && !cfg.skip_prepare) {
    auto t0 = Clock::now();
    Status st = internal::PrepareObjects(run);
    report.prepare_s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!st.ok()) {
      cleanup();
      return st;
    }
  }
  for (auto& c : run.clients) {
    c->fresh = needs_objects ? run.KeysOf(c->id) : 0;
    for (std::uint64_t j = 0; j < c->fresh; ++j) {
      c->present.push_back(static_cast<std::uint32_t>(j));
    }
  }
  std::uint64_t connects_before = 0;
  for (auto& c : run.clients) {
    connects_before += c->conn.connects();
  }

  // The measured phase.
  run.ops_left = static_cast<std::int64_t>(cfg.max_ops);
  double cpu0 = CpuSeconds();
  double server0 = ProcessesCpuSeconds(cfg.server_pids);
  auto t0 = Clock::now();
  run.deadline = t0 + cfg.duration;
  {
    Progress live(run, progress, tty);
    internal::RunPhase(run, [&run](Client& c) { return Measure(run, c); });
  }
  auto t1 = Clock::now();
  double server1 = ProcessesCpuSeconds(cfg.server_pids);
  report.client_cpu_s = CpuSeconds() - cpu0;
  report.elapsed_s = std::chrono::duration<double>(t1 - t0).count();
  for (auto& c : run.clients) {
    report.connects += c->conn.connects();
  }
  report.connects -= connects_before;
  // Prepared, and what the measured phase wrote, so that the cleanup (or --keep's note) covers
  // it.
  for (auto& c : run.clients) {
    if (c->fresh > 0) {
      run.objects = std::max(run.objects, run.KeyOf(c->id, c->fresh - 1) + 1);
    }
  }
  report.objects = run.objects;
  bool exhausted = std::all_of(run.clients.begin(), run.clients.end(),
                               [](const auto& c) { return c->exhausted; });
  if (run.failed.load()) {
    report.stop_reason = "failed: " + run.failure;
  } else if (cfg.mode == Mode::kDelete && exhausted) {
    report.stop_reason = "objects exhausted";
  } else if (t1 >= run.deadline) {
    report.stop_reason = "duration";
  } else {
    report.stop_reason = "ops";
  }

  internal::Row total;
  for (std::size_t r = 0; r < run.row_names.size(); ++r) {
    internal::Row merged;
    for (auto& w : run.workers) {
      MergeRow(merged, w->rows[r]);
    }
    MergeRow(total, merged);
    report.ops.push_back(MakeOpReport(run.row_names[r], merged, report.elapsed_s));
  }
  report.total = MakeOpReport("TOTAL", total, report.elapsed_s);
  if (server0 >= 0 && server1 >= 0) {
    report.server_cpu_s = server1 - server0;
    if (total.ops > 0) {
      report.server_cpu_us_per_op = report.server_cpu_s * 1e6 / static_cast<double>(total.ops);
    }
  } else if (!cfg.server_pids.empty()) {
    report.notes.push_back("cannot read /proc/<pid>/stat of every --server-pid");
  }
  if (cfg.mode == Mode::kDelete && exhausted) {
    report.notes.push_back(
        fmt::format("every prepared object was deleted before the duration; use --objects above {}",
                    run.objects));
  }
  if (cfg.keep) {
    report.notes.push_back(
        fmt::format("kept: bucket {}, keys {} to {} (reuse with --bucket {} --prefix {} "
                    "--objects {} --skip-prepare)",
                    run.bucket, run.Key(0), run.Key(run.objects == 0 ? 0 : run.objects - 1),
                    run.bucket, run.prefix, run.objects));
  }
  cleanup();
  return report;
}

}  // namespace cairn::loadgen
