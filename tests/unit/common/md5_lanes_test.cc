#include "common/md5_lanes.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <gtest/gtest.h>

#include "common/checksum.h"
#include "common/text.h"
#include "testing/random_data.h"
#include "testing/sync_wait.h"

namespace cairn {
namespace {

using testing::RandomData;
using testing::SyncWait;

const std::byte* Bytes(const std::string& s) {
  return reinterpret_cast<const std::byte*>(s.data());
}

std::string Digest(const Md5State& st) {
  return std::string(reinterpret_cast<const char*>(st.data()), 16);
}

// Feeds `data` to a BatchedMd5 in pieces of `piece` bytes (the last one shorter).
Task<std::string> HashInPieces(Md5Hub& hub, const std::string& data, std::size_t piece) {
  BatchedMd5 md5(hub);
  for (std::size_t off = 0; off < data.size(); off += piece) {
    const std::size_t n = std::min(piece, data.size() - off);
    co_await md5.Update(std::span<const std::byte>(Bytes(data) + off, n));
  }
  co_return md5.Finish();
}

TEST(Md5Lanes, ScalarMatchesOpenSsl) {
  Md5Hub hub;
  // Every padding case (0..130 bytes, the length words in the first or a second block), then
  // larger inputs in pieces that straddle blocks.
  for (std::size_t n = 0; n <= 130; ++n) {
    const std::string data = RandomData(n, static_cast<unsigned>(n));
    EXPECT_EQ(HexEncode(SyncWait(HashInPieces(hub, data, 7))), HexEncode(Md5(data))) << n;
  }
  const std::string big = RandomData(100'003, 1);
  for (std::size_t piece : {1u, 63u, 64u, 65u, 1000u, 100'003u}) {
    EXPECT_EQ(HexEncode(SyncWait(HashInPieces(hub, big, piece))), HexEncode(Md5(big))) << piece;
  }
}

// With AVX-512F the lanes run together; without it, one after the other.
TEST(Md5Lanes, SixteenLanesMatchOneAtATime) {
  std::vector<std::string> data;
  Md5State lanes[16];
  Md5State alone[16];
  Md5State* states[16];
  const std::byte* ptrs[16];
  for (int i = 0; i < 16; ++i) {
    data.push_back(RandomData(64 * 9, 100 + static_cast<unsigned>(i)));
    lanes[i] = alone[i] = kMd5Init;
    lanes[i][0] ^= static_cast<std::uint32_t>(i);  // lanes start from different states
    alone[i] = lanes[i];
    states[i] = &lanes[i];
    // Lanes 3 and 11 sit this one out: their states must not move.
    ptrs[i] = (i == 3 || i == 11) ? nullptr : Bytes(data[i]);
  }
  Md5Compress16(states, ptrs, 9);
  for (int i = 0; i < 16; ++i) {
    if (ptrs[i] != nullptr) {
      Md5Compress(alone[i], ptrs[i], 9);
    }
    EXPECT_EQ(HexEncode(Digest(lanes[i])), HexEncode(Digest(alone[i]))) << i;
  }
}

// Many streams at once on two threads, of sizes from under to far over BatchedMd5::kHubMin,
// fed in pieces of different sizes: every digest is OpenSSL's.
TEST(Md5Lanes, HubHashesConcurrentStreams) {
  Md5Hub hub;
  boost::asio::io_context io;
  constexpr int kStreams = 40;
  std::vector<std::string> inputs;
  std::vector<std::string> got(kStreams);
  std::atomic<int> done{0};
  for (int i = 0; i < kStreams; ++i) {
    inputs.push_back(RandomData(static_cast<std::size_t>(i) * 37'001 % 700'000 + i, 500 + i));
  }
  for (int i = 0; i < kStreams; ++i) {
    const std::size_t piece = std::size_t{1} << (10 + i % 9);  // 1 KiB .. 256 KiB
    boost::asio::co_spawn(boost::asio::make_strand(io), HashInPieces(hub, inputs[i], piece),
                          [&, i](std::exception_ptr e, std::string digest) {
                            EXPECT_FALSE(e);
                            got[i] = std::move(digest);
                            ++done;
                          });
  }
  std::thread other([&] { io.run(); });
  io.run();
  other.join();
  ASSERT_EQ(done.load(), kStreams);
  for (int i = 0; i < kStreams; ++i) {
    EXPECT_EQ(HexEncode(got[i]), HexEncode(Md5(inputs[i]))) << i << ": " << inputs[i].size();
  }
}

}  // namespace
}  // namespace cairn
