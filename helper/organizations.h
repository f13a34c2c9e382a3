// One robot token per organization: the config file's "organizations"
// list, and which organization an image belongs to.
//
//   "organizations": [{"name": "acme", "prefix": "xpkg.upbound.io/acme",
//                      "robotTokenFile": "/etc/upbound/acme.json",
//                      "namespaces": ["team-a", "team-b"]}]
//
// These key names are used by tests outside this repository: keep them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "helper/base/status.h"

namespace dcu {

struct Organization {
  std::string name;  // Upbound's organization name: the org-token scope
  // The image prefix, split: a served registry's canonical key, and a path
  // of whole segments ("" when the organization owns the whole host).
  std::string prefix_host;
  std::string prefix_path;
  std::string robot_token_file;
  // Kubernetes namespaces whose pods may use this organization's token
  // (kubelet service-account mode); empty: any pod, also without a
  // service-account token.
  std::vector<std::string> namespaces;

  std::string Prefix() const { return prefix_path.empty() ? prefix_host : prefix_host + "/" + prefix_path; }
};

// Parses the config file's "organizations" value. served_hosts: the
// canonical keys of the served registries; the first is the default
// prefix's host. A prefix must be on a served host, so that a typo cannot
// send an organization's robot token to a host nobody configured.
// InvalidInput naming `origin` and the entry for anything wrong: a missing
// name or robotTokenFile, an unknown key, a duplicate name or prefix, an
// empty namespaces list (write no key for "any namespace").
StatusOr<std::vector<Organization>> ParseOrganizations(const nlohmann::json& value, const std::string& origin,
                                                       const std::vector<std::string>& served_hosts);

// The organization whose prefix is the longest one containing the image
// host_key/path on path-segment boundaries ("acme" holds "acme/x" and
// "acme", never "acme-evil/x"), or nullptr.
const Organization* MatchOrganization(const std::vector<Organization>& organizations, const std::string& host_key,
                                      const std::string& path);

// Whether text is one path component of a repository name: lower-case
// letters and digits, separated by single '.', '_' or runs of '-' (the
// distribution grammar), at most 255 bytes.
bool IsPathComponent(const std::string& text);

// Whether text is a Kubernetes namespace name (an RFC 1123 label).
bool IsNamespaceName(const std::string& text);

}  // namespace dcu
