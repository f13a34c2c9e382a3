#include "helper/organizations.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "helper/base/text.h"
#include "helper/docker/registry_key.h"

namespace dcu {
namespace {

using json = nlohmann::json;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }

// "host[:port][/path]" without a scheme: the host a served registry's key,
// each path segment a repository path component.
Status ParsePrefix(const std::string& text, const std::vector<std::string>& served_hosts, Organization* org) {
  if (text.find("://") != std::string::npos) return Status::InvalidInput("\"prefix\" takes no scheme");
  std::string path;
  std::size_t slash = text.find('/');
  if (slash != std::string::npos) {
    path = text.substr(slash + 1);
    while (!path.empty() && path.back() == '/') path.pop_back();
  }
  StatusOr<std::string> host = NormalizeRegistryKey(text.substr(0, slash));
  if (!host.ok()) return Status::InvalidInput("\"prefix\": " + host.status().message());
  if (std::find(served_hosts.begin(), served_hosts.end(), *host) == served_hosts.end()) {
    return Status::InvalidInput("\"prefix\" " + text + ": " + *host +
                                " is not a served registry (add it to \"registries\")");
  }
  for (std::size_t start = 0; start < path.size();) {
    std::size_t end = std::min(path.find('/', start), path.size());
    if (!IsPathComponent(path.substr(start, end - start))) {
      return Status::InvalidInput("\"prefix\" " + text +
                                  ": path segments are lower-case letters, digits and . _ - between them");
    }
    start = end + 1;
  }
  org->prefix_host = *host;
  org->prefix_path = path;
  return Status::Ok();
}

StatusOr<std::string> StringField(const json& entry, const char* key, bool required) {
  auto it = entry.find(key);
  if (it == entry.end()) {
    if (required) return Status::InvalidInput(std::string("\"") + key + "\" is missing");
    return std::string();
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Status::InvalidInput(std::string("\"") + key + "\" must be a non-empty string");
  }
  return it->get<std::string>();
}

Status ParseNamespaces(const json& value, std::vector<std::string>* out) {
  if (!value.is_array() || value.empty()) {
    return Status::InvalidInput("\"namespaces\" must be a non-empty list (leave it out to allow any pod)");
  }
  for (const json& item : value) {
    if (!item.is_string() || !IsNamespaceName(item.get<std::string>())) {
      return Status::InvalidInput("\"namespaces\" holds something that is not a Kubernetes namespace name");
    }
    out->push_back(item.get<std::string>());
  }
  return Status::Ok();
}

StatusOr<Organization> ParseOne(const json& entry, const std::vector<std::string>& served_hosts) {
  if (!entry.is_object()) return Status::InvalidInput("must be an object");
  for (const auto& item : entry.items()) {
    const std::string& key = item.key();
    if (key != "name" && key != "prefix" && key != "robotTokenFile" && key != "namespaces") {
      return Status::InvalidInput("unknown key \"" + key + "\"");
    }
  }
  Organization org;
  StatusOr<std::string> name = StringField(entry, "name", true);
  if (!name.ok()) return name.status();
  if (!IsPathComponent(*name)) {
    return Status::InvalidInput("\"name\" must be lower-case letters, digits and . _ - between them");
  }
  org.name = *name;
  StatusOr<std::string> file = StringField(entry, "robotTokenFile", true);
  if (!file.ok()) return file.status();
  org.robot_token_file = *file;
  StatusOr<std::string> prefix = StringField(entry, "prefix", false);
  if (!prefix.ok()) return prefix.status();
  if (served_hosts.empty()) return Status::InvalidInput("no registry is served");
  std::string text = prefix->empty() ? served_hosts.front() + "/" + org.name : *prefix;
  if (Status parsed = ParsePrefix(text, served_hosts, &org); !parsed.ok()) return parsed;
  if (entry.contains("namespaces")) {
    if (Status parsed = ParseNamespaces(entry["namespaces"], &org.namespaces); !parsed.ok()) return parsed;
  }
  return org;
}

}  // namespace

bool IsNamespaceName(const std::string& s) {
  return !s.empty() && s.size() <= 63 && IsLowerAlnum(s.front()) && IsLowerAlnum(s.back()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

bool IsPathComponent(const std::string& text) {
  if (text.empty() || text.size() > 255 || !IsLowerAlnum(text.front()) || !IsLowerAlnum(text.back())) return false;
  for (std::size_t i = 0; i < text.size();) {
    if (IsLowerAlnum(text[i])) {
      ++i;
      continue;
    }
    // A separator: '.', '_', "__" or a run of '-', always between alnums.
    std::size_t run = i;
    if (text[i] == '-') {
      while (run < text.size() && text[run] == '-') ++run;
    } else if (text[i] == '.' || text[i] == '_') {
      run = i + ((text[i] == '_' && i + 1 < text.size() && text[i + 1] == '_') ? 2 : 1);
    } else {
      return false;
    }
    if (run >= text.size() || !IsLowerAlnum(text[run])) return false;
    i = run;
  }
  return true;
}

StatusOr<std::vector<Organization>> ParseOrganizations(const json& value, const std::string& origin,
                                                       const std::vector<std::string>& served_hosts) {
  if (!value.is_array()) return Status::InvalidInput(origin + ": must be a list of organizations");
  std::vector<Organization> out;
  std::set<std::string> names, prefixes;
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string where = origin + ", entry " + std::to_string(i + 1);
    StatusOr<Organization> org = ParseOne(value[i], served_hosts);
    if (!org.ok()) return Status::InvalidInput(where + ": " + org.status().message());
    if (!names.insert(org->name).second) return Status::InvalidInput(where + ": \"" + org->name + "\" twice");
    if (!prefixes.insert(org->Prefix()).second) {
      return Status::InvalidInput(where + ": prefix " + org->Prefix() + " twice");
    }
    out.push_back(std::move(*org));
  }
  return out;
}

const Organization* MatchOrganization(const std::vector<Organization>& organizations, const std::string& host_key,
                                      const std::string& path) {
  const Organization* best = nullptr;
  for (const Organization& org : organizations) {
    if (org.prefix_host != host_key) continue;
    const std::string& p = org.prefix_path;
    bool holds = p.empty() || path == p || (path.size() > p.size() && path.compare(0, p.size(), p) == 0 &&
                                            path[p.size()] == '/');
    if (holds && (best == nullptr || p.size() > best->prefix_path.size())) best = &org;
  }
  return best;
}

}  // namespace dcu
