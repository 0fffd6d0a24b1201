// Micro benchmarks of the per-request work around the data path: SigV4 verification of a
// request, the XML of a 1,000-key ListObjectsV2 page, and the metadata entry encoding that
// every PUT (merge + encode), GET (decode one version) and listing (decode the latest) pays.
#include <cctype>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "auth/signature.h"
#include "meta/encoding.h"
#include "meta/file_info.h"
#include "s3/dates.h"
#include "s3/request.h"
#include "s3/xml.h"

namespace cairn {
namespace {

class OneKey final : public auth::CredentialProvider {
 public:
  std::optional<std::string> SecretKey(std::string_view access_key) const override {
    if (access_key == "benchaccesskey") {
      return std::string("benchsecretkey-0123456789");
    }
    return std::nullopt;
  }
};

// A GET as the load generator sends it: UNSIGNED-PAYLOAD, three signed headers.
void BM_SigV4VerifyGet(benchmark::State& state) {
  const auto now = std::chrono::system_clock::now();
  auth::SignInput in;
  in.method = "GET";
  in.path = "/bench-bucket/prefix/object-00001234";
  in.access_key = "benchaccesskey";
  in.secret_key = "benchsecretkey-0123456789";
  in.now = now;
  in.host = "127.0.0.1:9000";
  auth::HeaderList headers;
  auth::SignV4(in, headers);
  for (auto& [name, value] : headers) {
    for (auto& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  OneKey creds;
  auth::RequestView view;
  view.method = in.method;
  view.path = in.path;
  view.query = "";
  view.headers = &headers;
  view.now = now;
  for (auto _ : state) {
    auto res = auth::Authenticate(view, creds);
    if (!res.ok() || res->anonymous) {
      state.SkipWithError("verification failed");
      break;
    }
    benchmark::DoNotOptimize(res);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_SigV4VerifyGet);

// The body of a ListObjectsV2 page of 1,000 keys, rendered as handlers/list.cc does.
void BM_ListXml1000(benchmark::State& state) {
  constexpr int kKeys = 1000;
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; ++i) {
    keys.push_back("list/" + std::string(8 - std::to_string(i).size(), '0') + std::to_string(i));
  }
  const std::int64_t mod = 1763800000LL * 1000000000LL;
  std::size_t bytes = 0;
  for (auto _ : state) {
    s3::XmlWriter w;
    w.Open("ListBucketResult")
        .Element("Name", "bench-bucket")
        .Element("Prefix", "list/")
        .Element("KeyCount", kKeys)
        .Element("MaxKeys", kKeys)
        .Bool("IsTruncated", true);
    for (int i = 0; i < kKeys; ++i) {
      w.Open("Contents")
          .Element("Key", keys[static_cast<std::size_t>(i)])
          .Element("LastModified", s3::FormatIso8601(mod + i))
          .Element("ETag", s3::QuoteEtag("9e107d9d372bb6826bd81d3542a419d6"))
          .Element("Size", 4096)
          .Element("StorageClass", "STANDARD")
          .Close();
    }
    std::string doc = w.Finish();
    bytes = doc.size();
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
  state.counters["doc_bytes"] = static_cast<double>(bytes);
}

BENCHMARK(BM_ListXml1000);

// One version as a 4 KiB PUT on EC 2+2 stores it on a drive: 2 KiB + 32 bytes inline.
meta::FileInfo SmallObjectVersion(int i) {
  meta::FileInfo fi;
  fi.version_id = "";
  fi.mod_time_ns = 1763800000LL * 1000000000LL + i;
  fi.size = 4096;
  fi.metadata = {{"content-type", "application/octet-stream"},
                 {"etag", "9e107d9d372bb6826bd81d3542a419d6"}};
  fi.parts.push_back(
      meta::ObjectPart{1, "9e107d9d372bb6826bd81d3542a419d6", 4096, fi.mod_time_ns, {}});
  fi.erasure.data_blocks = 2;
  fi.erasure.parity_blocks = 2;
  fi.erasure.block_size = 1 << 20;
  fi.erasure.index = 1;
  fi.erasure.distribution = {3, 4, 1, 2};
  fi.is_inline = true;
  fi.inline_data.assign(2048 + 32, 'x');
  return fi;
}

void BM_MetaEncodeSmall(benchmark::State& state) {
  const std::vector<meta::FileInfo> versions{SmallObjectVersion(0)};
  for (auto _ : state) {
    benchmark::DoNotOptimize(meta::EncodeVersions(versions));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_MetaEncodeSmall);

// What a PUT does on each drive: decode the stored entry, merge the new version, encode.
void BM_MetaMergeEncodeSmall(benchmark::State& state) {
  const std::vector<meta::FileInfo> versions{SmallObjectVersion(0)};
  const std::string stored = meta::EncodeVersions(versions);
  const meta::FileInfo next = SmallObjectVersion(1);
  for (auto _ : state) {
    auto view = meta::DecodeEntryView(stored);
    if (!view.ok()) {
      state.SkipWithError("decode failed");
      break;
    }
    auto replaced = meta::MergeVersion(*view, next);
    benchmark::DoNotOptimize(replaced);
    benchmark::DoNotOptimize(meta::EncodeEntryView(*view));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_MetaMergeEncodeSmall);

// What a GET does on each drive: the latest version with its inline shard.
void BM_MetaDecodeVersionInline(benchmark::State& state) {
  const std::vector<meta::FileInfo> versions{SmallObjectVersion(0)};
  const std::string stored = meta::EncodeVersions(versions);
  for (auto _ : state) {
    auto fi = meta::DecodeVersion(stored, "", true);
    if (!fi.ok()) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(fi);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_MetaDecodeVersionInline);

// What a listing does per key and drive: the latest version's header, no inline data.
void BM_MetaDecodeLatestForList(benchmark::State& state) {
  const std::vector<meta::FileInfo> versions{SmallObjectVersion(0)};
  const std::string stored = meta::EncodeVersions(versions);
  for (auto _ : state) {
    auto fi = meta::DecodeLatest(stored, false);
    if (!fi.ok()) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(fi);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_MetaDecodeLatestForList);

}  // namespace
}  // namespace cairn

BENCHMARK_MAIN();
