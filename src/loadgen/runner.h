// Internals of RunBench shared by its .cc files: the worker threads (one io_context each),
// the per-client state, and the per-operation tallies. Not part of the public API.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/task.h"
#include "loadgen/bench.h"
#include "loadgen/histogram.h"
#include "loadgen/http_client.h"
#include "loadgen/signer.h"
#include "loadgen/sse.h"

namespace cairn::loadgen::internal {

using Clock = std::chrono::steady_clock;

// The tally of one report row on one worker.
struct Row {
  LatencyHistogram hist;
  std::uint64_t ops = 0;
  std::uint64_t bytes = 0;
  std::uint64_t errors = 0;
  std::map<std::string, std::uint64_t> error_kinds;
  std::string first_error;
};

// One worker thread: its io_context, its signer and its rows. The live counters are read
// by the progress thread while the worker runs.
struct Worker {
  Worker(const BenchConfig& cfg, const Endpoint& ep, std::size_t rows)
      : signer(cfg.access_key, cfg.secret_key, cfg.region, ep.host_header), rows(rows) {}

  boost::asio::io_context io{1};
  FastSigner signer;
  std::vector<Row> rows;
  std::atomic<std::uint64_t> live_ops{0};
  std::atomic<std::uint64_t> live_bytes{0};
  std::atomic<std::uint64_t> live_errors{0};
};

// One simulated client: a persistent connection and reusable buffers.
struct Client {
  Client(int id, Worker& w, const boost::asio::ip::tcp::endpoint& addr, const Endpoint& ep,
         const BenchConfig& cfg, std::uint64_t seed)
      : id(id),
        worker(w),
        conn(w.io.get_executor(), addr, ep.host_header, cfg.timeout,
             std::max<std::size_t>(64 << 10, std::min<std::size_t>(cfg.obj_size, 1 << 20))),
        rng(seed) {}

  int id;
  Worker& worker;
  HttpConnection conn;
  std::mt19937_64 rng;
  HttpResponse resp;
  std::string headers;
  std::string target;
  std::string path;
  std::string scratch;  // request bodies built per request (XML)
  // Mixed and delete workloads: local indices (key = id + i * concurrent) that exist now.
  std::vector<std::uint32_t> present;
  // The next local index no request has used: every PUT of the measured phase writes a new
  // key, as a client filling a store does (an overwrite costs a file system more: nginx's
  // rename over an existing file makes ext4 flush it).
  std::uint64_t fresh = 0;
  bool exhausted = false;
};

// Everything a run shares; read-only while clients run, except the atomics.
struct Run {
  const BenchConfig& cfg;
  Endpoint ep;
  boost::asio::ip::tcp::endpoint addr;
  std::string bucket;
  std::string prefix;
  std::uint64_t objects = 0;
  std::vector<char> payload;  // obj_size + kPayloadSlack random bytes
  std::vector<std::string> row_names;
  std::vector<std::uint64_t> pages;  // list mode
  SseHeaders sse;                    // --sse: what writes, and reads of SSE-C, carry
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::unique_ptr<Client>> clients;
  Clock::time_point deadline;
  std::atomic<std::int64_t> ops_left{0};
  std::atomic<bool> failed{false};
  std::string failure;                 // set once, by whoever flips `failed` first
  std::atomic<std::uint64_t> next{0};  // work queue of the prepare and cleanup phases

  explicit Run(const BenchConfig& c) : cfg(c) {}

  std::string Key(std::uint64_t index) const;
  // Keys of client `id`: id, id + concurrent, ...; how many there are.
  std::uint64_t KeysOf(int id) const;

  std::uint64_t KeyOf(int id, std::uint64_t local) const {
    return static_cast<std::uint64_t>(id) + local * static_cast<std::uint64_t>(cfg.concurrent);
  }

  // A slice of the payload of obj_size bytes at a random offset.
  std::span<const char> Body(Client& c, std::uint64_t size) const;
  // True while the measured phase should go on; takes one operation from the budget.
  bool Continue();
  void Fail(std::string message);
};

inline constexpr std::size_t kPayloadSlack = 4096;

// Runs `fn` for every client, each on its worker's io_context, with one thread per worker
// (pinned when asked), and returns when all are done. `clients` < 0: every client; else only
// the first `clients` of them.
void RunPhase(Run& run, const std::function<Task<void>(Client&)>& fn, int clients = -1);

// Requests. `key` empty addresses the bucket. Results land in c.resp. `extra_headers` are
// sent unsigned ("Name: value\r\n" lines); `signed_headers` (sorted by name) are sent and
// signed.
Task<void> Request(Run& run, Client& c, std::string_view method, std::string_view key,
                   std::string_view canonical_query, std::span<const char> body,
                   std::size_t capture = 0, std::string_view extra_headers = {},
                   std::span<const SignedHeader> signed_headers = {});

// Records one finished operation in row `row` of the client's worker.
void Record(Client& c, std::size_t row, Clock::time_point start, bool ok, std::uint64_t bytes,
            std::string_view error_kind = {}, std::string_view error = {});

// Timed operations; each records itself in `row` and returns whether it succeeded.
Task<bool> PutObject(Run& run, Client& c, std::uint64_t index, std::size_t row);
Task<bool> GetObject(Run& run, Client& c, std::uint64_t index, std::size_t row);
Task<bool> StatObject(Run& run, Client& c, std::uint64_t index, std::size_t row);
Task<bool> DeleteObject(Run& run, Client& c, std::uint64_t index, std::size_t row);
Task<bool> MultipartUpload(Run& run, Client& c, std::uint64_t index, std::size_t row);
Task<bool> ListPage(Run& run, Client& c, std::uint64_t page, std::size_t row);

// Setup and cleanup (untimed): create the bucket (true when this run created it), prepare
// objects [0, objects), delete them, delete the bucket.
Result<bool> CreateBucket(Run& run);
Status PrepareObjects(Run& run);
void DeleteObjects(Run& run);
void DeleteBucket(Run& run, bool created);

}  // namespace cairn::loadgen::internal
