#include "common/md5_lanes.h"

#include <immintrin.h>

#include <bit>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/post_back.h"

namespace cairn {
namespace {

static_assert(std::endian::native == std::endian::little, "MD5 words are read little-endian");

// RFC 1321: the sines table and the per-step rotations.
constexpr std::uint32_t kK[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
constexpr int kS[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                        5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

// The message word step i reads.
constexpr int Word(int i) {
  return i < 16 ? i : i < 32 ? (5 * i + 1) % 16 : i < 48 ? (3 * i + 5) % 16 : (7 * i) % 16;
}

std::uint32_t LoadLe32(const std::byte* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// GCC 12's AVX-512 intrinsics pass an undefined vector as the unused merge source (rolv,
// shuffles), which -Wmaybe-uninitialized reports under -O2.
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// The 16 words of each of 16 blocks (row i: lane i's block), transposed so that m[j] holds
// word j of every lane: four rounds of 16 shuffles instead of 32 gathers.
__attribute__((target("avx512f"))) inline void Transpose16(const std::byte* const rows[16],
                                                           __m512i m[16]) {
  __m512i r[16];
  for (int i = 0; i < 16; ++i) {
    r[i] = _mm512_loadu_si512(rows[i]);
  }
  __m512i t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);      // per 128 bits: words 0,0,1,1 of i, i+1
    t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);  // words 2,2,3,3
  }
  __m512i u[16];  // u[4g + k]: rows 4g..4g+3, word k of each 128-bit lane (k, k+4, k+8, k+12)
  for (int g = 0; g < 4; ++g) {
    u[4 * g + 0] = _mm512_unpacklo_epi64(t[4 * g], t[4 * g + 2]);
    u[4 * g + 1] = _mm512_unpackhi_epi64(t[4 * g], t[4 * g + 2]);
    u[4 * g + 2] = _mm512_unpacklo_epi64(t[4 * g + 1], t[4 * g + 3]);
    u[4 * g + 3] = _mm512_unpackhi_epi64(t[4 * g + 1], t[4 * g + 3]);
  }
  for (int k = 0; k < 4; ++k) {
    const __m512i v0 = _mm512_shuffle_i32x4(u[k], u[4 + k], 0x44);
    const __m512i v1 = _mm512_shuffle_i32x4(u[k], u[4 + k], 0xee);
    const __m512i v2 = _mm512_shuffle_i32x4(u[8 + k], u[12 + k], 0x44);
    const __m512i v3 = _mm512_shuffle_i32x4(u[8 + k], u[12 + k], 0xee);
    m[k] = _mm512_shuffle_i32x4(v0, v2, 0x88);
    m[k + 4] = _mm512_shuffle_i32x4(v0, v2, 0xdd);
    m[k + 8] = _mm512_shuffle_i32x4(v1, v3, 0x88);
    m[k + 12] = _mm512_shuffle_i32x4(v1, v3, 0xdd);
  }
}

alignas(64) constexpr std::byte kZeroBlock[kMd5Block] = {};

__attribute__((target("avx512f"))) void Compress16Avx512(Md5State* const states[16],
                                                         const std::byte* const data[16],
                                                         std::size_t blocks) {
  alignas(64) std::uint32_t s[4][16] = {};
  const std::byte* rows[16];
  std::uint32_t active = 0;
  for (int i = 0; i < 16; ++i) {
    rows[i] = kZeroBlock;  // an idle lane hashes zeros into a state nobody reads
    if (data[i] != nullptr) {
      active |= 1u << i;
      rows[i] = data[i];
      for (int k = 0; k < 4; ++k) {
        s[k][i] = (*states[i])[k];
      }
    }
  }
  __m512i a = _mm512_load_si512(s[0]);
  __m512i b = _mm512_load_si512(s[1]);
  __m512i c = _mm512_load_si512(s[2]);
  __m512i d = _mm512_load_si512(s[3]);
  for (; blocks > 0; --blocks) {
    __m512i m[16];
    Transpose16(rows, m);
    for (int i = 0; i < 16; ++i) {
      if (active & (1u << i)) {
        rows[i] += kMd5Block;
      }
    }
    __m512i aa = a, bb = b, cc = c, dd = d;
#pragma GCC unroll 64
    for (int i = 0; i < 64; ++i) {
      __m512i f;
      if (i < 16) {
        f = _mm512_ternarylogic_epi32(bb, cc, dd, 0xca);  // b ? c : d
      } else if (i < 32) {
        f = _mm512_ternarylogic_epi32(dd, bb, cc, 0xca);  // d ? b : c
      } else if (i < 48) {
        f = _mm512_ternarylogic_epi32(bb, cc, dd, 0x96);  // b ^ c ^ d
      } else {
        f = _mm512_ternarylogic_epi32(bb, cc, dd, 0x39);  // c ^ (b | ~d)
      }
      f = _mm512_add_epi32(
          f, _mm512_add_epi32(
                 aa, _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(kK[i])), m[Word(i)])));
      aa = dd;
      dd = cc;
      cc = bb;
      bb = _mm512_add_epi32(bb, _mm512_rolv_epi32(f, _mm512_set1_epi32(kS[i])));
    }
    a = _mm512_add_epi32(a, aa);
    b = _mm512_add_epi32(b, bb);
    c = _mm512_add_epi32(c, cc);
    d = _mm512_add_epi32(d, dd);
  }
  _mm512_store_si512(s[0], a);
  _mm512_store_si512(s[1], b);
  _mm512_store_si512(s[2], c);
  _mm512_store_si512(s[3], d);
  for (int i = 0; i < 16; ++i) {
    if (active & (1u << i)) {
      for (int k = 0; k < 4; ++k) {
        (*states[i])[k] = s[k][i];
      }
    }
  }
}

#pragma GCC diagnostic pop

}  // namespace

void Md5Compress(Md5State& state, const std::byte* p, std::size_t blocks) {
  for (; blocks > 0; --blocks, p += kMd5Block) {
    std::uint32_t m[16];
    for (int j = 0; j < 16; ++j) {
      m[j] = LoadLe32(p + 4 * j);
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (int i = 0; i < 64; ++i) {
      std::uint32_t f;
      if (i < 16) {
        f = (b & c) | (~b & d);
      } else if (i < 32) {
        f = (d & b) | (~d & c);
      } else if (i < 48) {
        f = b ^ c ^ d;
      } else {
        f = c ^ (b | ~d);
      }
      f += a + kK[i] + m[Word(i)];
      a = d;
      d = c;
      c = b;
      b += std::rotl(f, kS[i]);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
  }
}

bool Md5LanesSupported() {
  static const bool supported = __builtin_cpu_supports("avx512f");
  return supported;
}

void Md5Compress16(Md5State* const states[16], const std::byte* const data[16],
                   std::size_t blocks) {
  if (!Md5LanesSupported()) {
    for (int i = 0; i < 16; ++i) {
      if (data[i] != nullptr) {
        Md5Compress(*states[i], data[i], blocks);
      }
    }
    return;
  }
  Compress16Avx512(states, data, blocks);
}

// ---- the hub ---------------------------------------------------------------------------

struct Md5Hub::Job {
  virtual ~Job() = default;
  // Resumes the waiting coroutine and frees the job.
  virtual void Done() = 0;

  Md5State* state = nullptr;
  const std::byte* data = nullptr;
  std::size_t blocks = 0;
};

namespace {

template <class Handler, class Work>
struct HandlerJob final : Md5Hub::Job {
  HandlerJob(Handler h, Work w) : handler(std::move(h)), work(std::move(w)) {}

  void Done() override {
    PostBack(std::move(work), [h = std::move(handler)]() mutable { std::move(h)(); });
    delete this;
  }

  Handler handler;
  Work work;
};

// Blocks a lane runs before the hub looks for new streams to add (64 KiB).
constexpr std::size_t kStride = 1024;
// How many streams an idle hub waits for, and at most how long: with 16 PUTs of 1 MiB in
// flight on 2 cores, waiting took Compress16Avx512 from 15% to 11% of the server's samples.
constexpr std::size_t kCompany = 4;
constexpr std::chrono::microseconds kCompanyWait{50};

}  // namespace

Md5Hub::Md5Hub() : thread_([this] { Run(); }) {}

Md5Hub::~Md5Hub() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

Md5Hub* Md5Hub::Get() {
  static Md5Hub* hub = []() -> Md5Hub* {
    const char* env = std::getenv("CAIRN_MD5_LANES");
    if (!Md5LanesSupported() || (env != nullptr && std::string_view(env) == "off")) {
      return nullptr;
    }
    return new Md5Hub();  // lives as long as the process: PUTs may still be running at exit
  }();
  return hub;
}

Task<void> Md5Hub::Compress(Md5State& state, const std::byte* data, std::size_t blocks) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void()>(
      [this, &state, data, blocks](auto handler) {
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        auto* job =
            new HandlerJob<decltype(handler), decltype(work)>(std::move(handler), std::move(work));
        job->state = &state;
        job->data = data;
        job->blocks = blocks;
        {
          std::lock_guard lock(mu_);
          queue_.push_back(job);
        }
        wake_.notify_one();
      },
      boost::asio::use_awaitable);
}

void Md5Hub::Run() {
  Job* lanes[16] = {};
  std::size_t busy = 0;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (busy == 0) {
        wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        // A lone stream waits a moment for company: the streams in flight submit their
        // pieces within microseconds of each other, and a batch costs what one lane does.
        if (!stop_ && queue_.size() < kCompany) {
          wake_.wait_for(lock, kCompanyWait, [&] { return stop_ || queue_.size() >= kCompany; });
        }
      }
      if (stop_ && busy == 0 && queue_.empty()) {
        return;
      }
      for (auto& lane : lanes) {
        if (lane == nullptr && !queue_.empty()) {
          lane = queue_.front();
          queue_.pop_front();
          ++busy;
        }
      }
    }
    // All busy lanes advance by as many blocks as the shortest has left, at most a stride,
    // then finished lanes are handed back and freed for the next streams.
    std::size_t step = kStride;
    for (const Job* job : lanes) {
      if (job != nullptr) {
        step = std::min(step, job->blocks);
      }
    }
    Md5State* states[16] = {};
    const std::byte* data[16] = {};
    for (int i = 0; i < 16; ++i) {
      if (lanes[i] != nullptr) {
        states[i] = lanes[i]->state;
        data[i] = lanes[i]->data;
      }
    }
    if (step > 0) {
      Md5Compress16(states, data, step);
    }
    for (auto& lane : lanes) {
      if (lane == nullptr) {
        continue;
      }
      lane->data += step * kMd5Block;
      lane->blocks -= step;
      if (lane->blocks == 0) {
        std::exchange(lane, nullptr)->Done();
        --busy;
      }
    }
  }
}

// ---- one stream ------------------------------------------------------------------------

Task<void> BatchedMd5::Update(std::span<const std::byte> data) {
  total_ += data.size();
  if (partial_len_ > 0) {
    const std::size_t take = std::min(kMd5Block - partial_len_, data.size());
    std::memcpy(partial_.data() + partial_len_, data.data(), take);
    partial_len_ += take;
    data = data.subspan(take);
    if (partial_len_ < kMd5Block) {
      co_return;
    }
    Md5Compress(state_, partial_.data(), 1);
    partial_len_ = 0;
  }
  const std::size_t blocks = data.size() / kMd5Block;
  if (blocks * kMd5Block >= kHubMin) {
    co_await hub_.Compress(state_, data.data(), blocks);
  } else if (blocks > 0) {
    Md5Compress(state_, data.data(), blocks);
  }
  const std::size_t rest = data.size() - blocks * kMd5Block;
  std::memcpy(partial_.data(), data.data() + blocks * kMd5Block, rest);
  partial_len_ = rest;
}

std::string BatchedMd5::Finish() {
  // RFC 1321 padding: 0x80, zeros to 56 mod 64, then the length in bits, little-endian.
  std::array<std::byte, 2 * kMd5Block> tail{};
  std::memcpy(tail.data(), partial_.data(), partial_len_);
  tail[partial_len_] = std::byte{0x80};
  const std::size_t len = partial_len_ + 1 + 8 <= kMd5Block ? kMd5Block : 2 * kMd5Block;
  const std::uint64_t bits = total_ * 8;
  std::memcpy(tail.data() + len - 8, &bits, 8);
  Md5Compress(state_, tail.data(), len / kMd5Block);
  std::string out(16, '\0');
  std::memcpy(out.data(), state_.data(), 16);
  state_ = kMd5Init;
  partial_len_ = 0;
  total_ = 0;
  return out;
}

}  // namespace cairn
