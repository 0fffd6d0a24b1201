// The requests of the load generator: one coroutine per S3 (or plain HTTP) operation, each
// timing itself, plus the untimed setup and cleanup steps.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "common/checksum.h"
#include "common/text.h"
#include "loadgen/runner.h"

namespace cairn::loadgen::internal {
namespace {

// The text between <tag> and </tag> after `from`, or "" (with *pos at npos).
std::string_view XmlValue(std::string_view xml, std::string_view tag, std::size_t* pos = nullptr) {
  std::string open = fmt::format("<{}>", tag);
  std::string close = fmt::format("</{}>", tag);
  std::size_t start = xml.find(open, pos ? *pos : 0);
  if (start == std::string_view::npos) {
    if (pos) {
      *pos = std::string_view::npos;
    }
    return {};
  }
  start += open.size();
  std::size_t end = xml.find(close, start);
  if (end == std::string_view::npos) {
    return {};
  }
  if (pos) {
    *pos = end + close.size();
  }
  return xml.substr(start, end - start);
}

std::string StatusKind(const HttpResponse& r) {
  return r.status == 0 ? std::string("transport") : std::to_string(r.status);
}

std::string ErrorText(const HttpResponse& r) {
  if (r.status == 0) {
    return r.error;
  }
  std::string_view code = XmlValue(r.body, "Code");
  return code.empty() ? fmt::format("HTTP {}", r.status)
                      : fmt::format("HTTP {} {}", r.status, code);
}

// Records a failed response of an operation.
void RecordFailure(Client& c, std::size_t row, Clock::time_point start) {
  Record(c, row, start, false, 0, StatusKind(c.resp), ErrorText(c.resp));
}

}  // namespace

Task<void> Request(Run& run, Client& c, std::string_view method, std::string_view key,
                   std::string_view canonical_query, std::span<const char> body,
                   std::size_t capture, std::string_view extra_headers,
                   std::span<const SignedHeader> signed_headers) {
  c.path.assign("/").append(run.bucket);
  if (!key.empty()) {
    c.path.append("/").append(UriEncode(key, true));
  }
  c.target.assign(c.path);
  if (!canonical_query.empty()) {
    c.target.append("?").append(canonical_query);
  }
  c.headers.assign(extra_headers);
  for (const SignedHeader& h : signed_headers) {
    c.headers.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  c.worker.signer.Sign(method, c.path, canonical_query, std::chrono::system_clock::now(),
                       signed_headers, c.headers);
  HttpRequest req;
  req.method = method;
  req.target = c.target;
  req.headers = c.headers;
  req.body = body;
  req.head = method == "HEAD";
  co_await c.conn.Send(req, c.resp, capture);
}

void Record(Client& c, std::size_t row, Clock::time_point start, bool ok, std::uint64_t bytes,
            std::string_view error_kind, std::string_view error) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  Row& r = c.worker.rows[row];
  Worker& w = c.worker;
  if (ok) {
    r.hist.Record(static_cast<std::uint64_t>(ns));
    ++r.ops;
    r.bytes += bytes;
    w.live_ops.fetch_add(1, std::memory_order_relaxed);
    w.live_bytes.fetch_add(bytes, std::memory_order_relaxed);
    return;
  }
  ++r.errors;
  ++r.error_kinds[std::string(error_kind)];
  if (r.first_error.empty()) {
    r.first_error = std::string(error);
  }
  w.live_errors.fetch_add(1, std::memory_order_relaxed);
}

Task<bool> PutObject(Run& run, Client& c, std::uint64_t index, std::size_t row) {
  auto start = Clock::now();
  co_await Request(run, c, "PUT", run.Key(index), "", run.Body(c, run.cfg.obj_size), 0, {},
                   run.sse.write);
  if (!c.resp.ok()) {
    RecordFailure(c, row, start);
    co_return false;
  }
  Record(c, row, start, true, run.cfg.obj_size);
  co_return true;
}

Task<bool> GetObject(Run& run, Client& c, std::uint64_t index, std::size_t row) {
  auto start = Clock::now();
  co_await Request(run, c, "GET", run.Key(index), "", {}, 0, {}, run.sse.read);
  if (!c.resp.ok()) {
    RecordFailure(c, row, start);
    co_return false;
  }
  if (c.resp.body_bytes != run.cfg.obj_size) {
    Record(c, row, start, false, 0, "bad response",
           fmt::format("GET returned {} bytes, expected {}", c.resp.body_bytes, run.cfg.obj_size));
    co_return false;
  }
  Record(c, row, start, true, c.resp.body_bytes);
  co_return true;
}

Task<bool> StatObject(Run& run, Client& c, std::uint64_t index, std::size_t row) {
  auto start = Clock::now();
  co_await Request(run, c, "HEAD", run.Key(index), "", {}, 0, {}, run.sse.read);
  if (!c.resp.ok()) {
    RecordFailure(c, row, start);
    co_return false;
  }
  Record(c, row, start, true, 0);
  co_return true;
}

Task<bool> DeleteObject(Run& run, Client& c, std::uint64_t index, std::size_t row) {
  auto start = Clock::now();
  co_await Request(run, c, "DELETE", run.Key(index), "", {});
  if (!c.resp.ok()) {
    RecordFailure(c, row, start);
    co_return false;
  }
  Record(c, row, start, true, 0);
  co_return true;
}

Task<bool> MultipartUpload(Run& run, Client& c, std::uint64_t index, std::size_t row) {
  auto start = Clock::now();
  std::string key = run.Key(index);
  co_await Request(run, c, "POST", key, "uploads=", {}, 64 << 10, {}, run.sse.write);
  std::string upload_id(XmlValue(c.resp.body, "UploadId"));
  if (!c.resp.ok() || upload_id.empty()) {
    RecordFailure(c, row, start);
    co_return false;
  }
  std::string id_query = "uploadId=" + UriEncode(upload_id, false);
  std::string complete = "<CompleteMultipartUpload>";
  bool ok = true;
  for (int part = 1; part <= run.cfg.parts && ok; ++part) {
    co_await Request(run, c, "PUT", key, fmt::format("partNumber={}&{}", part, id_query),
                     run.Body(c, run.cfg.obj_size), 0, {}, run.sse.read);
    ok = c.resp.ok() && !c.resp.etag.empty();
    complete +=
        fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", part, c.resp.etag);
  }
  if (ok) {
    complete += "</CompleteMultipartUpload>";
    co_await Request(run, c, "POST", key, id_query, complete, 64 << 10);
    // S3 may report a failed completion inside a 200 response.
    ok = c.resp.ok() && c.resp.body.find("<Error>") == std::string::npos;
  }
  if (!ok) {
    RecordFailure(c, row, start);
    HttpResponse failed = c.resp;
    co_await Request(run, c, "DELETE", key, id_query, {});  // abort; best effort
    c.resp = std::move(failed);
    co_return false;
  }
  Record(c, row, start, true, run.cfg.obj_size * static_cast<std::uint64_t>(run.cfg.parts));
  co_return true;
}

Task<bool> ListPage(Run& run, Client& c, std::uint64_t page, std::size_t row) {
  auto start = Clock::now();
  std::uint64_t first = (page - 1) * run.cfg.page_size;
  std::string query = fmt::format("list-type=2&max-keys={}&prefix={}", run.cfg.page_size,
                                  UriEncode(run.prefix, false));
  if (first > 0) {
    query += "&start-after=" + UriEncode(run.Key(first - 1), false);
  }
  co_await Request(run, c, "GET", "", query, {}, 64 << 20);
  if (!c.resp.ok()) {
    RecordFailure(c, row, start);
    co_return false;
  }
  std::uint64_t expected = std::min(run.cfg.page_size, run.objects - first);
  std::uint64_t count = 0;
  std::size_t pos = 0;
  std::string_view first_key;
  while (true) {
    std::string_view k = XmlValue(c.resp.body, "Key", &pos);
    if (pos == std::string_view::npos) {
      break;
    }
    if (count == 0) {
      first_key = k;
    }
    ++count;
  }
  if (count != expected || (count > 0 && first_key != run.Key(first))) {
    Record(c, row, start, false, 0, "bad response",
           fmt::format("page {}: {} keys starting at '{}', expected {} starting at '{}'", page,
                       count, first_key, expected, run.Key(first)));
    co_return false;
  }
  Record(c, row, start, true, c.resp.body_bytes);
  co_return true;
}

Result<bool> CreateBucket(Run& run) {
  if (run.cfg.plain) {
    return false;
  }
  bool created = false;
  std::string error;
  RunPhase(
      run,
      [&](Client& c) -> Task<void> {
        co_await Request(run, c, "PUT", "", "", {});
        if (c.resp.ok()) {
          created = true;
        } else if (c.resp.status == 409 &&
                   XmlValue(c.resp.body, "Code") == "BucketAlreadyOwnedByYou") {
          created = false;
        } else {
          error = ErrorText(c.resp);
        }
      },
      1);
  if (!error.empty()) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("cannot create bucket {}: {}", run.bucket, error));
  }
  return created;
}

Status PrepareObjects(Run& run) {
  run.next = 0;
  RunPhase(run, [&](Client& c) -> Task<void> {
    while (!run.failed.load()) {
      std::uint64_t i = run.next.fetch_add(1);
      if (i >= run.objects) {
        break;
      }
      bool ok = false;
      for (int attempt = 0; attempt < 3 && !ok; ++attempt) {
        co_await Request(run, c, "PUT", run.Key(i), "", run.Body(c, run.cfg.obj_size), 0, {},
                         run.sse.write);
        ok = c.resp.ok();
      }
      if (!ok) {
        run.Fail(fmt::format("preparing {}: {}", run.Key(i), ErrorText(c.resp)));
      }
    }
  });
  if (run.failed.load()) {
    return Status(Errc::kInternal, run.failure);
  }
  return Status::Ok();
}

void DeleteObjects(Run& run) {
  constexpr std::uint64_t kBatch = 1000;
  run.next = 0;
  RunPhase(run, [&](Client& c) -> Task<void> {
    while (true) {
      std::uint64_t first = run.next.fetch_add(kBatch);
      if (first >= run.objects) {
        break;
      }
      std::uint64_t last = std::min(run.objects, first + kBatch);
      bool batched = false;
      if (!run.cfg.plain) {
        c.scratch = "<Delete><Quiet>true</Quiet>";
        for (std::uint64_t i = first; i < last; ++i) {
          c.scratch += "<Object><Key>" + run.Key(i) + "</Key></Object>";
        }
        c.scratch += "</Delete>";
        std::string md5 = "Content-MD5: " + Base64Encode(Md5(c.scratch)) + "\r\n";
        co_await Request(run, c, "POST", "", "delete=", c.scratch, 1 << 20, md5);
        batched = c.resp.ok() && c.resp.body.find("<Error>") == std::string::npos;
      }
      for (std::uint64_t i = first; i < last && !batched; ++i) {
        co_await Request(run, c, "DELETE", run.Key(i), "", {});
      }
    }
  });
}

void DeleteBucket(Run& run, bool created) {
  RunPhase(
      run,
      [&](Client& c) -> Task<void> {
        if (!run.cfg.plain) {
          if (created) {
            co_await Request(run, c, "DELETE", "", "", {});
            if (!c.resp.ok()) {
              std::fprintf(stderr, "cairn bench: could not delete bucket %s: %s\n",
                           run.bucket.c_str(), ErrorText(c.resp).c_str());
            }
          }
          co_return;
        }
        // WebDAV: remove the collections the keys' paths created (best effort).
        std::string_view prefix = run.prefix;
        std::size_t slash = prefix.find('/');
        if (slash != std::string_view::npos) {
          co_await Request(run, c, "DELETE", prefix.substr(0, slash + 1), "", {});
        }
        if (created) {
          c.path = "/" + run.bucket + "/";
          HttpRequest req;
          req.method = "DELETE";
          req.target = c.path;
          co_await c.conn.Send(req, c.resp);
        }
      },
      1);
}

}  // namespace cairn::loadgen::internal
