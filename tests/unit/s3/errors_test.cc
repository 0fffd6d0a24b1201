#include "s3/errors.h"

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace errors_test_internal {

TEST(ErrorTable, EveryErrcMaps) {
  int named = 0;
  for (int i = 0; i < 1000; ++i) {
    auto code = static_cast<Errc>(i);
    if (ErrcName(code) == "kUnknown" && code != Errc::kUnknown) {
      continue;  // not an enumerator
    }
    ++named;
    const S3ErrorInfo* info = FindS3Error(code);
    ASSERT_NE(info, nullptr) << ErrcName(code);
    EXPECT_FALSE(info->code.empty()) << ErrcName(code);
    EXPECT_FALSE(info->message.empty()) << ErrcName(code);
    EXPECT_GE(info->http_status, 300) << ErrcName(code);
    EXPECT_LT(info->http_status, 600) << ErrcName(code);
  }
  EXPECT_GT(named, 80);
}

struct Expect {
  Errc errc;
  std::string_view code;
  int status;
};

TEST(ErrorTable, AwsCodesAndStatuses) {
  for (const Expect& e : {
           Expect{Errc::kNoSuchBucket, "NoSuchBucket", 404},
           Expect{Errc::kNoSuchKey, "NoSuchKey", 404},
           Expect{Errc::kBucketExists, "BucketAlreadyOwnedByYou", 409},
           Expect{Errc::kBucketNotEmpty, "BucketNotEmpty", 409},
           Expect{Errc::kInvalidBucketName, "InvalidBucketName", 400},
           Expect{Errc::kKeyTooLong, "KeyTooLongError", 400},
           Expect{Errc::kSignatureDoesNotMatch, "SignatureDoesNotMatch", 403},
           Expect{Errc::kInvalidAccessKeyId, "InvalidAccessKeyId", 403},
           Expect{Errc::kRequestTimeTooSkewed, "RequestTimeTooSkewed", 403},
           Expect{Errc::kAccessDenied, "AccessDenied", 403},
           Expect{Errc::kAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed", 400},
           Expect{Errc::kContentSha256Mismatch, "XAmzContentSHA256Mismatch", 400},
           Expect{Errc::kBadDigest, "BadDigest", 400},
           Expect{Errc::kInvalidDigest, "InvalidDigest", 400},
           Expect{Errc::kIncompleteBody, "IncompleteBody", 400},
           Expect{Errc::kMissingContentLength, "MissingContentLength", 411},
           Expect{Errc::kEntityTooSmall, "EntityTooSmall", 400},
           Expect{Errc::kEntityTooLarge, "EntityTooLarge", 400},
           Expect{Errc::kInvalidPart, "InvalidPart", 400},
           Expect{Errc::kInvalidPartOrder, "InvalidPartOrder", 400},
           Expect{Errc::kNoSuchUpload, "NoSuchUpload", 404},
           Expect{Errc::kInvalidRange, "InvalidRange", 416},
           Expect{Errc::kPreconditionFailed, "PreconditionFailed", 412},
           Expect{Errc::kNotModified, "NotModified", 304},
           Expect{Errc::kMalformedXml, "MalformedXML", 400},
           Expect{Errc::kMethodNotAllowed, "MethodNotAllowed", 405},
           Expect{Errc::kVersionIsDeleteMarker, "MethodNotAllowed", 405},
           Expect{Errc::kSlowDown, "SlowDown", 503},
           Expect{Errc::kWriteQuorum, "SlowDownWrite", 503},
           Expect{Errc::kReadQuorum, "SlowDownRead", 503},
           Expect{Errc::kInternal, "InternalError", 500},
           Expect{Errc::kNotImplemented, "NotImplemented", 501},
           Expect{Errc::kInvalidArgumentS3, "InvalidArgument", 400},
           Expect{Errc::kInvalidRequest, "InvalidRequest", 400},
           Expect{Errc::kServerNotInitialized, "XMinioServerNotInitialized", 503},
           Expect{Errc::kInvalidChunkSignature, "SignatureDoesNotMatch", 403},
           Expect{Errc::kMalformedChunk, "IncompleteBody", 400},
           Expect{Errc::kMissingAuthentication, "AccessDenied", 403},
       }) {
    const S3ErrorInfo& info = S3ErrorFor(e.errc);
    EXPECT_EQ(info.code, e.code) << ErrcName(e.errc);
    EXPECT_EQ(info.http_status, e.status) << ErrcName(e.errc);
  }
}

TEST(RenderError, Document) {
  ErrorContext where{"bucket", "a<b", "/bucket/a<b", "REQ1", "HOST1"};
  RenderedError e = RenderError(Status(Errc::kNoSuchKey, "internal detail"), where, false);
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
            "<Message>The specified key does not exist.</Message><Key>a&lt;b</Key>"
            "<BucketName>bucket</BucketName><Resource>/bucket/a&lt;b</Resource>"
            "<RequestId>REQ1</RequestId><HostId>HOST1</HostId></Error>");
  EXPECT_EQ(e.body.find("internal detail"), std::string::npos);
}

TEST(RenderError, ArgumentErrorsKeepTheirMessage) {
  RenderedError e =
      RenderError(Status(Errc::kInvalidArgumentS3, "max-keys is bad"), ErrorContext{}, false);
  EXPECT_EQ(e.message, "max-keys is bad");
  EXPECT_NE(e.body.find("<Message>max-keys is bad</Message>"), std::string::npos);
  EXPECT_EQ(e.body.find("<Key>"), std::string::npos);
  EXPECT_EQ(e.body.find("<BucketName>"), std::string::npos);
  e = RenderError(Status(Errc::kInvalidArgumentS3), ErrorContext{}, false);
  EXPECT_EQ(e.message, "Invalid argument.");
}

TEST(RenderError, NoBodyForHeadAnd304) {
  EXPECT_TRUE(RenderError(Status(Errc::kNoSuchKey), ErrorContext{}, true).body.empty());
  RenderedError e = RenderError(Status(Errc::kNotModified), ErrorContext{}, false);
  EXPECT_EQ(e.http_status, 304);
  EXPECT_TRUE(e.body.empty());
}

TEST(RenderError, UnmappedFallsBackToInternal) {
  RenderedError e = RenderError(Status(static_cast<Errc>(999)), ErrorContext{}, false);
  EXPECT_EQ(e.http_status, 500);
  EXPECT_EQ(e.code, "InternalError");
}

}  // namespace errors_test_internal
}  // namespace cairn::s3
