// Helpers for the parsers of S3 request documents (xml.cc, cors.cc, lifecycle_xml.cc), on
// pugixml: element lookup by local name (a namespace prefix is ignored, as AWS does), text,
// integers, and AWS's MalformedXML. Included only by s3's own .cc files (pugixml is private).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "common/status.h"

namespace cairn::s3::xml_read {

// The element name without a namespace prefix ("s3:Part" -> "Part").
std::string_view LocalName(const pugi::xml_node& node);
// The first child element named `name`, or a null node.
pugi::xml_node Child(const pugi::xml_node& parent, std::string_view name);
// The only child element named `name` (the last when there are several), or a null node;
// `count` says how many there are.
pugi::xml_node OnlyChild(const pugi::xml_node& parent, std::string_view name, int& count);
// Text of an element, including CDATA sections.
std::string Text(const pugi::xml_node& node);
// kMalformedXml with AWS's message.
Status Malformed();
// Parses a whole document; returns its root element when its local name is `root`.
Result<pugi::xml_node> LoadRoot(pugi::xml_document& doc, std::string_view xml,
                                std::string_view root);
// A decimal integer, blanks around it allowed.
bool ParseInt(std::string_view text, int& out);
bool ParseInt64(std::string_view text, std::int64_t& out);

}  // namespace cairn::s3::xml_read
