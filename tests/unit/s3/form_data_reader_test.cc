// The streaming multipart/form-data parser of POST Object: parts, fields, a streamed file,
// delimiters split across reads, limits and malformed bodies.
#include "s3/form_data_reader.h"

#include <gtest/gtest.h>

#include "common/text.h"
#include "testing/string_source.h"
#include "testing/sync_wait.h"

namespace cairn::s3 {
namespace {

using testing::StringSource;
using testing::SyncWait;

constexpr std::size_t kLimit = 20 * 1024;

std::string Part(std::string_view boundary, std::string_view disposition, std::string_view body,
                 std::string_view extra_headers = "") {
  return StrCat("--", boundary, "\r\nContent-Disposition: ", disposition, "\r\n", extra_headers,
                "\r\n", body, "\r\n");
}

// A file's bytes that hold pieces of the delimiter but never the whole.
std::string TrickyFile() {
  std::string out = "\r\n--bound\r\n-\r\n--boundar\r\r\n\r\n--";
  for (int i = 0; i < 3000; ++i) {
    out.push_back(static_cast<char>(i * 7 % 256));
  }
  return out + "\r\n--boundar";
}

std::string Form(std::string_view file) {
  return StrCat("preamble to ignore\r\n", Part("boundary", R"(form-data; name="key")", "user/a"),
                Part("boundary", R"(form-data; name="Policy")", ""),
                Part("boundary", R"(form-data; name="file"; filename="a \"b\".txt")", file,
                     "Content-Type: text/plain\r\n"),
                Part("boundary", R"(form-data; name="after")", "ignored"), "--boundary--\r\n");
}

std::string ReadAll(FormDataReader& reader, std::size_t block) {
  std::string out;
  std::string buf(block, '\0');
  while (true) {
    auto n = SyncWait(reader.Read(std::as_writable_bytes(std::span<char>(buf))));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) {
      return out;
    }
    out.append(buf.data(), *n);
  }
}

class FormDataReaderChunks : public ::testing::TestWithParam<std::size_t> {};

TEST_P(FormDataReaderChunks, ReadsFieldsThenStreamsTheFile) {
  const std::string file = TrickyFile();
  StringSource body(Form(file), GetParam());
  FormDataReader reader(body, "boundary");

  auto part = SyncWait(reader.NextPart(kLimit));
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  ASSERT_TRUE(*part);
  EXPECT_EQ((*part)->name, "key");
  EXPECT_FALSE((*part)->filename);
  auto value = SyncWait(reader.ReadValue(kLimit));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "user/a");

  part = SyncWait(reader.NextPart(kLimit));
  ASSERT_TRUE(part.ok() && *part);
  EXPECT_EQ((*part)->name, "Policy");
  value = SyncWait(reader.ReadValue(kLimit));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "");

  part = SyncWait(reader.NextPart(kLimit));
  ASSERT_TRUE(part.ok() && *part);
  EXPECT_EQ((*part)->name, "file");
  EXPECT_EQ((*part)->filename, "a \"b\".txt");
  EXPECT_EQ((*part)->content_type, "text/plain");
  EXPECT_EQ(ReadAll(reader, GetParam() + 5), file);

  // The parts after the file can still be walked.
  part = SyncWait(reader.NextPart(kLimit));
  ASSERT_TRUE(part.ok() && *part);
  EXPECT_EQ((*part)->name, "after");
  part = SyncWait(reader.NextPart(kLimit));
  ASSERT_TRUE(part.ok());
  EXPECT_FALSE(*part);
}

INSTANTIATE_TEST_SUITE_P(SplitReads, FormDataReaderChunks,
                         ::testing::Values(1, 2, 3, 7, 13, 64, 4096, 1 << 20));

TEST(FormDataReader, StreamsALargeFileInBoundedReads) {
  std::string file(3 << 20, 'x');
  for (std::size_t i = 0; i < file.size(); i += 4093) {
    file[i] = '\r';
    if (i + 1 < file.size()) {
      file[i + 1] = '\n';
    }
  }
  StringSource body(StrCat(Part("b", R"(form-data; name="file")", file), "--b--"), 65536);
  FormDataReader reader(body, "b");
  auto part = SyncWait(reader.NextPart(kLimit));
  ASSERT_TRUE(part.ok() && *part);
  EXPECT_EQ(ReadAll(reader, 1 << 20), file);
}

TEST(FormDataReader, TransportPaddingAndNoPreamble) {
  StringSource body("--b \t\r\nContent-Disposition: form-data; name=k\r\n\r\nv\r\n--b--", 3);
  FormDataReader reader(body, "b");
  auto part = SyncWait(reader.NextPart(kLimit));
  ASSERT_TRUE(part.ok() && *part) << part.status().ToString();
  EXPECT_EQ((*part)->name, "k");
  auto value = SyncWait(reader.ReadValue(kLimit));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "v");
  part = SyncWait(reader.NextPart(kLimit));
  ASSERT_TRUE(part.ok());
  EXPECT_FALSE(*part);
}

Errc FirstError(std::string body_text, std::size_t limit = kLimit) {
  StringSource body(std::move(body_text), 5);
  FormDataReader reader(body, "b");
  while (true) {
    auto part = SyncWait(reader.NextPart(limit));
    if (!part.ok()) {
      return part.code();
    }
    if (!*part) {
      return Errc::kOk;
    }
    auto value = SyncWait(reader.ReadValue(limit));
    if (!value.ok()) {
      return value.code();
    }
  }
}

TEST(FormDataReader, RefusesMalformedBodies) {
  EXPECT_EQ(FirstError(Part("b", "form-data; name=k", "v") + "--b--"), Errc::kOk);
  // No delimiter at all, a truncated part, a body that ends after a delimiter.
  EXPECT_EQ(FirstError("just text"), Errc::kMalformedPostRequest);
  EXPECT_EQ(FirstError("--b\r\nContent-Disposition: form-data; name=k\r\n\r\nvalue"),
            Errc::kMalformedPostRequest);
  EXPECT_EQ(FirstError("--b"), Errc::kMalformedPostRequest);
  // Headers: no Content-Disposition, not form-data, no name, a line without ':'.
  EXPECT_EQ(FirstError("--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--"),
            Errc::kMalformedPostRequest);
  EXPECT_EQ(FirstError(Part("b", "attachment; name=k", "v") + "--b--"),
            Errc::kMalformedPostRequest);
  EXPECT_EQ(FirstError(Part("b", "form-data; filename=x", "v") + "--b--"),
            Errc::kMalformedPostRequest);
  EXPECT_EQ(FirstError("--b\r\nbroken\r\n\r\nv\r\n--b--"), Errc::kMalformedPostRequest);
  // Text after a delimiter on its line.
  EXPECT_EQ(FirstError("--bx\r\n"), Errc::kMalformedPostRequest);
}

TEST(FormDataReader, BoundsWhatItBuffers) {
  const std::string big(1000, 'v');
  EXPECT_EQ(FirstError(Part("b", "form-data; name=k", big) + "--b--", 999),
            Errc::kMaxPostPreDataExceeded);
  EXPECT_EQ(FirstError(Part("b", "form-data; name=k", big) + "--b--", 1000), Errc::kOk);
  // A header line, or a preamble, longer than the limit.
  EXPECT_EQ(FirstError(Part("b", "form-data; name=" + big, "v") + "--b--", 500),
            Errc::kMaxPostPreDataExceeded);
  EXPECT_EQ(FirstError(big + "\r\n" + Part("b", "form-data; name=k", "v") + "--b--", 500),
            Errc::kMaxPostPreDataExceeded);
}

TEST(FormBoundary, ParsesTheContentType) {
  EXPECT_EQ(*FormBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*FormBoundary("Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b;c\""), "a b;c");
  EXPECT_EQ(*FormBoundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxk"),
            "----WebKitFormBoundary7MA4YWxk");
  EXPECT_EQ(FormBoundary("multipart/form-data").code(), Errc::kMalformedPostRequest);
  EXPECT_EQ(FormBoundary("multipart/form-data; boundary=").code(), Errc::kMalformedPostRequest);
  EXPECT_EQ(FormBoundary("multipart/mixed; boundary=a").code(), Errc::kMalformedPostRequest);
  EXPECT_EQ(FormBoundary("multipart/form-data; boundary=" + std::string(71, 'a')).code(),
            Errc::kMalformedPostRequest);
}

}  // namespace
}  // namespace cairn::s3
