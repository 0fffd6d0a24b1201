#include "s3/xml.h"

#include <array>
#include <charconv>
#include <cstdio>

#include <pugixml.hpp>

#include "s3/xml_reader.h"

namespace cairn::s3 {

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default: {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\n' && c != '\t') {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "&#x%X;", u);
          out += buf.data();
        } else {
          out += c;
        }
      }
    }
  }
  return out;
}

XmlWriter::XmlWriter() {
  out_ = R"(<?xml version="1.0" encoding="UTF-8"?>)";
}

XmlWriter& XmlWriter::Open(std::string_view name, bool with_namespace) {
  out_ += '<';
  out_ += name;
  if (open_.empty() && with_namespace) {
    out_ += " xmlns=\"";
    out_ += kS3Namespace;
    out_ += '"';
  }
  out_ += '>';
  open_.emplace_back(name);
  return *this;
}

XmlWriter& XmlWriter::Close() {
  if (!open_.empty()) {
    out_ += "</";
    out_ += open_.back();
    out_ += '>';
    open_.pop_back();
  }
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view name, std::string_view text) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  out_ += XmlEscape(text);
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view name, std::int64_t value) {
  return Element(name, std::to_string(value));
}

XmlWriter& XmlWriter::Bool(std::string_view name, bool value) {
  return Element(name, value ? "true" : "false");
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) {
    Close();
  }
  return std::move(out_);
}

Task<Result<std::string>> ReadXmlBody(ByteSource& body, std::size_t limit) {
  std::string out;
  std::array<std::byte, 16384> buf;
  while (true) {
    auto n = co_await body.Read(buf);
    if (!n.ok()) {
      co_return n.status();
    }
    if (*n == 0) {
      break;
    }
    if (out.size() + *n > limit) {
      co_return Status(Errc::kMalformedXml, "the XML body is too large");
    }
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  co_return out;
}

namespace xml_read {

// The element name without a namespace prefix ("s3:Part" -> "Part").
std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view name) {
  for (auto child : parent.children()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) {
      return child;
    }
  }
  return {};
}

pugi::xml_node OnlyChild(const pugi::xml_node& parent, std::string_view name, int& count) {
  pugi::xml_node found;
  count = 0;
  for (auto node : parent.children()) {
    if (node.type() == pugi::node_element && LocalName(node) == name) {
      found = node;
      ++count;
    }
  }
  return found;
}

// Text of an element, including CDATA sections.
std::string Text(const pugi::xml_node& node) {
  return node.text().as_string();
}

Status Malformed() {
  return Status(Errc::kMalformedXml,
                "The XML you provided was not well-formed or did not validate against our "
                "published schema.");
}

// Parses a whole document; returns its root element when its local name is `root`.
Result<pugi::xml_node> LoadRoot(pugi::xml_document& doc, std::string_view xml,
                                std::string_view root) {
  auto parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return Malformed();
  }
  pugi::xml_node top = doc.document_element();
  if (!top || LocalName(top) != root) {
    return Malformed();
  }
  return top;
}

namespace {

std::string_view TrimXmlBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t' ||
                           text.front() == '\r')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

template <class Int>
bool ParseInteger(std::string_view text, Int& out) {
  text = TrimXmlBlanks(text);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

bool ParseInt(std::string_view text, int& out) {
  return ParseInteger(text, out);
}

bool ParseInt64(std::string_view text, std::int64_t& out) {
  return ParseInteger(text, out);
}

}  // namespace xml_read

namespace {

using namespace xml_read;

constexpr std::array<std::string_view, 5> kChecksumElements = {
    "ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"};

}  // namespace

Result<std::vector<CompletePartXml>> ParseCompleteMultipartUpload(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "CompleteMultipartUpload"));
  std::vector<CompletePartXml> parts;
  for (auto node : root.children()) {
    if (node.type() != pugi::node_element || LocalName(node) != "Part") {
      continue;
    }
    if (parts.size() >= 10000) {
      return Malformed();
    }
    CompletePartXml part;
    auto number = Child(node, "PartNumber");
    auto etag = Child(node, "ETag");
    if (!number || !etag || !ParseInt(Text(number), part.number)) {
      return Malformed();
    }
    part.etag = Text(etag);
    for (std::string_view name : kChecksumElements) {
      if (auto c = Child(node, name)) {
        part.checksums.emplace_back(std::string(name.substr(8)), Text(c));
      }
    }
    parts.push_back(std::move(part));
  }
  if (parts.empty()) {
    return Malformed();
  }
  return parts;
}

Result<DeleteRequestXml> ParseDeleteObjects(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "Delete"));
  DeleteRequestXml out;
  if (auto quiet = Child(root, "Quiet")) {
    std::string q = Text(quiet);
    if (q == "true") {
      out.quiet = true;
    } else if (q != "false") {
      return Malformed();
    }
  }
  for (auto node : root.children()) {
    if (node.type() != pugi::node_element || LocalName(node) != "Object") {
      continue;
    }
    if (out.objects.size() >= kMaxDeleteKeys) {
      return Malformed();
    }
    auto key = Child(node, "Key");
    if (!key) {
      return Malformed();
    }
    DeleteObjectXml obj;
    obj.key = Text(key);
    if (auto v = Child(node, "VersionId")) {
      obj.version_id = Text(v);
    }
    out.objects.push_back(std::move(obj));
  }
  if (out.objects.empty()) {
    return Malformed();
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseTagging(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "Tagging"));
  pugi::xml_node set = Child(root, "TagSet");
  if (!set) {
    return Malformed();
  }
  std::vector<std::pair<std::string, std::string>> tags;
  for (auto node : set.children()) {
    if (node.type() != pugi::node_element || LocalName(node) != "Tag") {
      continue;
    }
    auto key = Child(node, "Key");
    auto value = Child(node, "Value");
    if (!key || !value || tags.size() >= 1000) {
      return Malformed();
    }
    tags.emplace_back(Text(key), Text(value));
  }
  return tags;
}

Result<std::string> ParseCreateBucketConfiguration(std::string_view xml) {
  if (xml.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::string();
  }
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "CreateBucketConfiguration"));
  if (auto loc = Child(root, "LocationConstraint")) {
    return Text(loc);
  }
  return std::string();
}

Result<VersioningXml> ParseVersioningConfiguration(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "VersioningConfiguration"));
  VersioningXml out;
  if (auto status = Child(root, "Status")) {
    out.status = Text(status);
  }
  if (auto mfa = Child(root, "MfaDelete")) {
    out.mfa_delete = Text(mfa);
  }
  if (out.status != "Enabled" && out.status != "Suspended") {
    return Status(Errc::kMalformedXml, "Status must be Enabled or Suspended");
  }
  if (!out.mfa_delete.empty() && out.mfa_delete != "Enabled" && out.mfa_delete != "Disabled") {
    return Status(Errc::kMalformedXml, "MfaDelete must be Enabled or Disabled");
  }
  return out;
}

}  // namespace cairn::s3
