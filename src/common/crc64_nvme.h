// CRC-64/NVME (the Rocksoft polynomial 0xAD93D23594C93659, reflected, init and xorout all
// ones), which S3 calls CRC64NVME. ISA-L 2.30 lacks it, so it is implemented here: folding
// with carry-less multiplication (VPCLMULQDQ or PCLMULQDQ) when the CPU has it, slicing-by-8
// tables if not.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cairn::internal {

// Advances the raw CRC register `reg` (not inverted; start at ~0, invert at the end) over
// `n` bytes at `p`.
std::uint64_t Crc64NvmeUpdate(std::uint64_t reg, const std::uint8_t* p, std::size_t n);
// The same with the tables only, and with 128-bit PCLMULQDQ folding where the CPU has it
// (Crc64NvmeUpdate prefers 512-bit VPCLMULQDQ), for tests and benchmarks.
std::uint64_t Crc64NvmeUpdateTableForTest(std::uint64_t reg, const std::uint8_t* p, std::size_t n);
std::uint64_t Crc64NvmeUpdateClmulForTest(std::uint64_t reg, const std::uint8_t* p, std::size_t n);

}  // namespace cairn::internal
