#include "console/zip_download.h"

#include <ctime>
#include <optional>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "common/text.h"
#include "console/gateway.h"
#include "console/zip_writer.h"

namespace cairn::console {
namespace {

class EmptySource final : public ByteSource {
 public:
  Task<Result<std::size_t>> Read(std::span<std::byte>) override { co_return std::size_t{0}; }
};

// An exchange whose answer lands in memory (a listing's XML, an error's body).
class CollectingExchange : public http::Exchange {
 public:
  CollectingExchange(http::Request req, std::shared_ptr<std::atomic<bool>> cancelled)
      : req_(std::move(req)), cancelled_(std::move(cancelled)) {}

  const http::Request& request() const override { return req_; }

  ByteSource& body() override { return empty_; }

  Task<Status> Respond(int status, http::Headers headers, std::string_view body) override {
    status_ = status;
    headers_ = std::move(headers);
    started_ = true;
    co_return co_await Accept(body);
  }

  Task<Status> BeginStream(int status, http::Headers headers,
                           std::optional<std::uint64_t> content_length) override {
    status_ = status;
    headers_ = std::move(headers);
    started_ = true;
    co_return co_await Started(content_length);
  }

  ByteSink& sink() override { return sink_; }

  Task<Status> EndStream() override { co_return co_await Ended(); }

  bool response_started() const override { return started_; }

  void CloseAfterResponse() override {}

  std::shared_ptr<std::atomic<bool>> cancelled() const override { return cancelled_; }

  int status() const { return status_; }

  const std::string& text() const { return text_; }

  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [k, v] : headers_) {
      if (AsciiLower(k) == name) {
        return v;
      }
    }
    return std::nullopt;
  }

 protected:
  // A whole small body (Respond).
  virtual Task<Status> Accept(std::string_view body) {
    text_.append(body.substr(0, kMaxText));
    co_return Status::Ok();
  }

  virtual Task<Status> Started(std::optional<std::uint64_t>) { co_return Status::Ok(); }

  virtual Task<Status> Data(std::span<const std::byte> data) {
    if (text_.size() < kMaxText) {
      text_.append(reinterpret_cast<const char*>(data.data()),
                   std::min(data.size(), kMaxText - text_.size()));
    }
    co_return Status::Ok();
  }

  virtual Task<Status> Ended() { co_return Status::Ok(); }

  static constexpr std::size_t kMaxText = 8u << 20;  // a listing page of 1,000 keys fits

 private:
  class Sink final : public ByteSink {
   public:
    explicit Sink(CollectingExchange& ex) : ex_(ex) {}

    Task<Status> Write(std::span<const std::byte> data) override {
      co_return co_await ex_.Data(data);
    }

   private:
    CollectingExchange& ex_;
  };

  http::Request req_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
  EmptySource empty_;
  Sink sink_{*this};
  int status_ = 0;
  bool started_ = false;
  http::Headers headers_;
  std::string text_;
};

std::int64_t ParseIso(std::string_view iso) {
  std::tm tm{};
  const std::string s(iso.substr(0, 19));
  if (strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
    return 0;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::int64_t ParseHttpDate(std::string_view text) {
  std::tm tm{};
  const std::string s(text);
  if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) {
    return 0;
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

// A GET whose 200 body goes into the archive as entry `name`.
class ZipEntryExchange final : public CollectingExchange {
 public:
  ZipEntryExchange(http::Request req, std::shared_ptr<std::atomic<bool>> cancelled, ZipWriter& zip,
                   std::string name, std::int64_t mtime_s)
      : CollectingExchange(std::move(req), std::move(cancelled)),
        zip_(zip),
        name_(std::move(name)),
        mtime_s_(mtime_s) {}

  bool added() const { return added_; }

  // An entry was begun and never ended (the read failed mid-object): the archive is broken.
  bool torn() const { return open_; }

  // The archive's own failure (the browser went away): stop everything.
  const Status& zip_status() const { return zip_status_; }

 private:
  Task<Status> Accept(std::string_view body) override {
    if (status() != 200) {
      co_return co_await CollectingExchange::Accept(body);
    }
    Status st = co_await Started(body.size());
    if (st.ok()) {
      st = co_await Data(
          std::span<const std::byte>(reinterpret_cast<const std::byte*>(body.data()), body.size()));
    }
    if (st.ok()) {
      st = co_await Ended();
    }
    co_return st;
  }

  Task<Status> Started(std::optional<std::uint64_t> length) override {
    if (status() != 200) {
      co_return Status::Ok();
    }
    if (!length) {
      zip_status_ = Status(Errc::kInternal, "an object came without a length");
      co_return zip_status_;
    }
    // The object's own time, from the GET's Last-Modified.
    if (const std::optional<std::string> lm = Header("last-modified")) {
      if (const std::int64_t t = ParseHttpDate(*lm); t > 0) {
        mtime_s_ = t;
      }
    }
    zip_status_ = co_await zip_.BeginEntry(name_, *length, mtime_s_);
    open_ = zip_status_.ok();
    co_return zip_status_;
  }

  Task<Status> Data(std::span<const std::byte> data) override {
    if (!open_) {
      co_return co_await CollectingExchange::Data(data);
    }
    zip_status_ = co_await zip_.Write(data);
    co_return zip_status_;
  }

  Task<Status> Ended() override {
    if (!open_) {
      co_return Status::Ok();
    }
    open_ = false;
    zip_status_ = co_await zip_.EndEntry();
    added_ = zip_status_.ok();
    co_return zip_status_;
  }

  ZipWriter& zip_;
  std::string name_;
  std::int64_t mtime_s_;
  bool open_ = false;
  bool added_ = false;
  Status zip_status_;
};

// An entry's name from a key below the folder: no empty, "." or ".." segments, no leading
// '/', '\\' taken as a separator too and segments with ':' (a Windows drive) dropped, so that
// unpacking the archive writes inside the folder it is unpacked in whatever the keys say
// ("a/../../etc/x" becomes "a/etc/x").
std::string EntryName(std::string_view relative) {
  std::string out;
  while (!relative.empty()) {
    const std::size_t slash = relative.find_first_of("/\\");
    const std::string_view part = relative.substr(0, slash);
    relative = slash == std::string_view::npos ? std::string_view() : relative.substr(slash + 1);
    if (part.empty() || part == "." || part == ".." || part.find(':') != std::string_view::npos) {
      continue;
    }
    if (!out.empty()) {
      out.push_back('/');
    }
    out.append(part);
  }
  return out;
}

struct Listed {
  std::string key;
  std::int64_t mtime_s = 0;
};

std::string S3Message(const std::string& xml, int status) {
  pugi::xml_document doc;
  if (doc.load_string(xml.c_str())) {
    const std::string code = doc.child("Error").child_value("Code");
    const std::string message = doc.child("Error").child_value("Message");
    if (!code.empty()) {
      return code + ": " + message;
    }
  }
  return fmt::format("HTTP {}", status);
}

}  // namespace

Task<void> ServeZip(http::Exchange& ex, const Session& s, const ZipRequest& req,
                    const http::Handler& s3, const std::string& region,
                    const std::function<std::chrono::system_clock::time_point()>& now) {
  const http::Request& outer = ex.request();
  const http::Headers no_headers;
  const std::string bucket_path = fmt::format("/{}", UriEncode(req.bucket, false));
  std::string folder = req.prefix;
  if (!folder.empty() && folder.back() == '/') {
    folder.pop_back();
  }
  const std::string base = folder.empty() ? req.bucket : folder.substr(folder.rfind('/') + 1);
  std::string filename;
  for (const char c : base) {
    filename.push_back(c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ? '_' : c);
  }
  http::Headers headers{
      {"Content-Type", "application/zip"},
      {"Content-Disposition", "attachment; filename=\"" + filename + ".zip\"; filename*=UTF-8''" +
                                  UriEncode(base, false) + ".zip"},
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
  };
  Status st = co_await ex.BeginStream(200, std::move(headers), std::nullopt);
  if (!st.ok()) {
    co_return;
  }
  ZipWriter zip(ex.sink());
  std::vector<std::string> errors;  // at most kMaxErrors lines
  std::size_t objects = 0;

  constexpr std::size_t kMaxErrors = 1000;
  std::size_t more_errors = 0;
  auto note = [&](std::string line) {
    if (errors.size() < kMaxErrors) {
      errors.push_back(std::move(line));
    } else {
      ++more_errors;
    }
  };
  // One object into the archive; false when the archive itself failed.
  auto add = [&](const Listed& item) -> Task<bool> {
    const std::string path = bucket_path + "/" + UriEncode(item.key, true);
    std::string name = EntryName(std::string_view(item.key).substr(req.prefix.size()));
    if (name.empty()) {
      note(item.key + ": no file name below " + req.prefix);
      co_return true;
    }
    ZipEntryExchange get(
        internal::SignedRequest(outer, "GET", path, "", no_headers, s, region, now()),
        ex.cancelled(), zip, std::move(name), item.mtime_s);
    co_await s3(get);
    if (!get.zip_status().ok() || get.torn()) {
      co_return false;  // no valid archive can follow a half-written entry
    }
    if (!get.added()) {
      note(item.key + ": " + S3Message(get.text(), get.status()));
    }
    co_return true;
  };

  bool ok = true;
  for (const std::string& key : req.keys) {
    if (!ok || objects >= req.max_objects) {
      break;
    }
    if (!key.starts_with(req.prefix)) {
      note(key + ": not under " + req.prefix);
      continue;
    }
    if (!key.ends_with('/')) {
      Listed item{key, std::chrono::system_clock::to_time_t(now())};
      ++objects;
      ok = co_await add(item);
      continue;
    }
    std::string token;
    for (;;) {
      std::string query = fmt::format("list-type=2&max-keys=1000&prefix={}", UriEncode(key, false));
      if (!token.empty()) {
        query += "&continuation-token=" + UriEncode(token, false);
      }
      CollectingExchange list(
          internal::SignedRequest(outer, "GET", bucket_path, query, no_headers, s, region, now()),
          ex.cancelled());
      co_await s3(list);
      if (list.status() != 200) {
        note(key + ": " + S3Message(list.text(), list.status()));
        break;
      }
      pugi::xml_document doc;
      if (!doc.load_string(list.text().c_str())) {
        note(key + ": the listing could not be read");
        break;
      }
      const pugi::xml_node result = doc.child("ListBucketResult");
      for (pugi::xml_node c = result.child("Contents"); c && ok; c = c.next_sibling("Contents")) {
        if (objects >= req.max_objects) {
          note(fmt::format("stopped after {} objects", req.max_objects));
          break;
        }
        Listed item{c.child_value("Key"), ParseIso(c.child_value("LastModified"))};
        if (item.key.ends_with('/')) {
          continue;  // a folder marker holds no data worth a file
        }
        ++objects;
        ok = co_await add(item);
      }
      token = result.child_value("NextContinuationToken");
      if (!ok || objects >= req.max_objects ||
          std::string_view(result.child_value("IsTruncated")) != "true" || token.empty()) {
        break;
      }
    }
  }
  if (!ok) {
    ex.CloseAfterResponse();  // the browser went away mid-archive
    co_return;
  }
  if (!errors.empty()) {
    std::string text = "These were left out of the archive:\n";
    for (const std::string& e : errors) {
      text += e + "\n";
    }
    if (more_errors > 0) {
      text += fmt::format("... and {} more\n", more_errors);
    }
    const auto mtime = std::chrono::system_clock::to_time_t(now());
    const std::string_view name = "cairn-zip-errors.txt";
    st = co_await zip.BeginEntry(name, text.size(), mtime);
    if (st.ok()) {
      st = co_await zip.Write(
          std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
    }
    if (st.ok()) {
      st = co_await zip.EndEntry();
    }
  }
  if (st.ok()) {
    st = co_await zip.Finish();
  }
  if (st.ok()) {
    st = co_await ex.EndStream();
  }
  if (!st.ok()) {
    ex.CloseAfterResponse();
  }
}

}  // namespace cairn::console
