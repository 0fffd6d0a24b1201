// User metadata values (x-amz-meta-*) between the wire and the store, by AWS's rules: a value
// is stored as UTF-8 text (an RFC 2047 encoded-word a client sent is decoded first; bytes that
// are not UTF-8 are read as ISO-8859-1, which is what HTTP header bytes are) and goes back
// as printable US-ASCII unchanged, as ISO-8859-1 bytes when every character has one (so
// "Hello Worldé" reads back as sent in clients that decode headers as ISO-8859-1: Python,
// Java), else as an RFC 2047 "=?UTF-8?Q?...?=" word (control characters, other scripts).
#pragma once

#include <string>
#include <string_view>

namespace cairn::s3 {

// A received x-amz-meta-* value as it is stored.
std::string StoredMetadataValue(std::string_view received);

// A stored x-amz-meta-* value as it goes into a response header.
std::string MetadataHeaderValue(std::string_view stored);

}  // namespace cairn::s3
