#include "cluster/endpoints.h"

#include <ifaddrs.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "cluster/ellipses.h"

namespace cairn::cluster {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Status Bad(std::string_view text, std::string_view why) {
  return Status(Errc::kInvalidArgument, fmt::format("bad drive '{}': {}", text, why));
}

// Normalizes an absolute path: no ".", "..", doubled or trailing slashes.
std::string NormalPath(const std::filesystem::path& p) {
  std::string out = p.lexically_normal().generic_string();
  while (out.size() > 1 && out.back() == '/') {
    out.pop_back();
  }
  return out;
}

bool ValidHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) {
    return false;
  }
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_';
  });
}

Result<std::uint16_t> ParsePort(std::string_view text, std::string_view port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    return Bad(text, fmt::format("'{}' is not a port number (1-65535)", port));
  }
  return static_cast<std::uint16_t>(value);
}

// Splits "host", "host:port", "[v6]" or "[v6]:port". Port 0 when absent.
Status SplitHostPort(std::string_view text, std::string_view authority, std::string& host,
                     std::uint16_t& port) {
  port = 0;
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return Bad(text, "an IPv6 address needs its closing ']'");
    }
    host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') {
        return Bad(text, "expected ':port' after the IPv6 address");
      }
      port_text = rest.substr(1);
      if (port_text.empty()) {
        return Bad(text, "the port is empty");
      }
    }
    in6_addr addr{};
    if (inet_pton(AF_INET6, host.c_str(), &addr) != 1) {
      return Bad(text, fmt::format("'{}' is not an IPv6 address", host));
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = Lower(authority.substr(0, colon));
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) {
        return Bad(text, "the port is empty");
      }
    } else {
      host = Lower(authority);
    }
    if (!ValidHostName(host)) {
      return Bad(text, fmt::format("'{}' is not a host name", host));
    }
  }
  if (!port_text.empty()) {
    ASSIGN_OR_RETURN(port, ParsePort(text, port_text));
  }
  return Status::Ok();
}

std::set<std::string> LocalAddresses() {
  std::set<std::string> out = {"127.0.0.1", "::1"};
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return out;
  }
  for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr) {
      continue;
    }
    char buf[INET6_ADDRSTRLEN] = {};
    if (it->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
      inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
    } else if (it->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
    } else {
      continue;
    }
    out.insert(buf);
  }
  freeifaddrs(list);
  return out;
}

// The text form of every address `host` names: itself when it is a literal, else resolved.
std::vector<std::string> HostAddresses(std::string_view host) {
  const std::string h(host);
  in_addr v4{};
  in6_addr v6{};
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    inet_ntop(AF_INET, &v4, buf, sizeof buf);
    return {buf};
  }
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    inet_ntop(AF_INET6, &v6, buf, sizeof buf);
    return {buf};
  }
  std::vector<std::string> out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(h.c_str(), nullptr, &hints, &res) != 0) {
    return out;
  }
  for (addrinfo* it = res; it != nullptr; it = it->ai_next) {
    if (it->ai_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(it->ai_addr)->sin_addr, buf,
                sizeof buf);
    } else if (it->ai_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(it->ai_addr)->sin6_addr, buf,
                sizeof buf);
    } else {
      continue;
    }
    out.emplace_back(buf);
  }
  freeaddrinfo(res);
  return out;
}

}  // namespace

std::string Endpoint::NodeKey(std::uint16_t default_port) const {
  if (!is_url()) {
    return "";
  }
  const std::uint16_t p = port != 0 ? port : default_port;
  const bool v6 = host.find(':') != std::string::npos;
  return v6 ? fmt::format("[{}]:{}", host, p) : fmt::format("{}:{}", host, p);
}

std::string Endpoint::ToString() const {
  if (!is_url()) {
    return path;
  }
  const bool v6 = host.find(':') != std::string::npos;
  std::string out = scheme + "://" + (v6 ? "[" + host + "]" : host);
  if (port != 0) {
    out += fmt::format(":{}", port);
  }
  return out + path;
}

Result<Endpoint> ParseEndpoint(std::string_view text) {
  Endpoint ep;
  if (text.empty()) {
    return Status(Errc::kInvalidArgument, "a drive argument is empty");
  }
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    std::error_code ec;
    std::filesystem::path p(text);
    if (p.is_relative()) {
      p = std::filesystem::absolute(p, ec);
      if (ec) {
        return Bad(text, ec.message());
      }
    }
    ep.path = NormalPath(p);
  } else {
    ep.scheme = Lower(text.substr(0, scheme_end));
    if (ep.scheme != "http" && ep.scheme != "https") {
      return Bad(text, "only http:// and https:// URLs or local paths name drives");
    }
    std::string_view rest = text.substr(scheme_end + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) {
      return Bad(text, "a drive URL has no query or fragment");
    }
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) {
      return Bad(text, "the URL has no path; write http://host:port/path/to/drive");
    }
    RETURN_IF_ERROR(SplitHostPort(text, rest.substr(0, slash), ep.host, ep.port));
    ep.path = NormalPath(std::filesystem::path(rest.substr(slash)));
  }
  if (ep.path == "/") {
    return Bad(text, "the root directory cannot be a drive");
  }
  return ep;
}

std::vector<std::string> SplitDrivesFlag(std::string_view value) {
  std::vector<std::string> out;
  std::string item;
  int depth = 0;
  for (char c : value) {
    if (c == '{') {
      ++depth;
    } else if (c == '}' && depth > 0) {
      --depth;
    }
    if (c == ',' && depth == 0) {
      if (!item.empty()) {
        out.push_back(std::move(item));
      }
      item.clear();
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(c)) || !item.empty()) {
      item += c;
    }
  }
  while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) {
    item.pop_back();
  }
  if (!item.empty()) {
    out.push_back(std::move(item));
  }
  return out;
}

Result<std::vector<PoolEndpoints>> ParsePools(const std::vector<std::string>& args) {
  if (args.empty()) {
    return Status(Errc::kInvalidArgument, "no drives given");
  }
  std::vector<PoolEndpoints> pools;
  int plain_pool = -1;
  std::set<std::string> seen;
  bool any_url = false;
  bool any_path = false;
  for (const std::string& arg : args) {
    std::vector<std::string> names;
    PoolEndpoints* pool = nullptr;
    if (HasEllipses(arg)) {
      ASSIGN_OR_RETURN(names, ExpandEllipses(arg));
      pools.emplace_back();
      pools.back().source = arg;
      pool = &pools.back();
    } else {
      names.push_back(arg);
      if (plain_pool < 0) {
        plain_pool = static_cast<int>(pools.size());
        pools.emplace_back();
      }
      pool = &pools[plain_pool];
      pool->source += pool->source.empty() ? arg : " " + arg;
    }
    for (const std::string& name : names) {
      ASSIGN_OR_RETURN(Endpoint ep, ParseEndpoint(name));
      (ep.is_url() ? any_url : any_path) = true;
      if (!seen.insert(ep.ToString()).second) {
        return Status(Errc::kInvalidArgument,
                      fmt::format("drive '{}' is named more than once", ep.ToString()));
      }
      pool->endpoints.push_back(std::move(ep));
    }
  }
  if (any_url && any_path) {
    return Status(Errc::kInvalidArgument,
                  "drives mix local paths and URLs: name every drive with a URL "
                  "(http://host:port/path) when the deployment spans nodes");
  }
  return pools;
}

bool IsLocalHost(std::string_view host) {
  if (host == "localhost") {
    return true;
  }
  const std::set<std::string> local = LocalAddresses();
  for (const std::string& addr : HostAddresses(host)) {
    // The whole 127.0.0.0/8 is this machine's (interfaces list only 127.0.0.1).
    if (local.count(addr) != 0 || addr.starts_with("127.")) {
      return true;
    }
  }
  return false;
}

Status ResolveLocality(std::vector<PoolEndpoints>& pools, const LocalityOptions& opts) {
  std::string node_host;
  std::uint16_t node_port = 0;
  if (!opts.node_host.empty()) {
    Status st = SplitHostPort(opts.node_host, opts.node_host, node_host, node_port);
    if (!st.ok()) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("bad --node-host '{}': write HOST or HOST:PORT", opts.node_host));
    }
  }
  // A specific bind address: only drive hosts that name one of its addresses are this node's.
  std::set<std::string> bind_addresses;
  std::string bind_host = opts.bind_host;
  if (bind_host.size() >= 2 && bind_host.front() == '[' && bind_host.back() == ']') {
    bind_host = bind_host.substr(1, bind_host.size() - 2);
  }
  if (!bind_host.empty() && bind_host != "0.0.0.0" && bind_host != "::") {
    for (std::string& addr : HostAddresses(bind_host)) {
      bind_addresses.insert(std::move(addr));
    }
    if (bind_addresses.empty()) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("the listen address '{}' does not resolve", opts.bind_host));
    }
  }
  auto names_this_node = [&](const std::string& host) {
    if (bind_addresses.empty()) {
      return IsLocalHost(host);
    }
    for (const std::string& addr : HostAddresses(host)) {
      if (bind_addresses.count(addr) != 0) {
        return true;
      }
    }
    return false;
  };
  std::map<std::string, bool> host_is_local;  // resolves each host once
  for (PoolEndpoints& pool : pools) {
    for (Endpoint& ep : pool.endpoints) {
      if (!ep.is_url()) {
        ep.is_local = true;
        continue;
      }
      const std::uint16_t port = ep.port != 0 ? ep.port : opts.server_port;
      if (!node_host.empty()) {
        ep.is_local = ep.host == node_host && (node_port == 0 || node_port == port);
      } else if (opts.server_port == 0 || port == opts.server_port) {
        auto [it, fresh] = host_is_local.try_emplace(ep.host, false);
        if (fresh) {
          it->second = names_this_node(ep.host);
        }
        ep.is_local = it->second;
      } else {
        ep.is_local = false;
      }
    }
  }
  return Status::Ok();
}

}  // namespace cairn::cluster
