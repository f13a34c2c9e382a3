// The change `configure docker|containers` makes to a client's auth file
// (Docker's config.json, containers' auth.json): a credHelpers entry naming
// this helper for every served registry host, and what else in the file
// decides who answers for those hosts.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "helper/base/status.h"

namespace dcu {

// The suffix after docker-credential- that clients run.
inline constexpr const char* kCredHelperName = "upbound";

struct CredHelpersChange {
  std::string text;                     // the file's new content (== the old one when nothing changes)
  std::vector<std::string> added;       // hosts that had no entry
  // hosts whose entry named something else, with that value as JSON
  // (e.g. "\"up\""), shortened for messages
  std::vector<std::pair<std::string, std::string>> replaced;
  std::vector<std::string> kept;        // hosts that already named this helper
  std::string creds_store;              // the file's credsStore, "" when none
  // auths keys for a served host (also "https://HOST", "HOST/org") holding
  // a saved password ("auth"): a plain copy of a credential that podman and
  // skopeo use instead of the helper once credHelpers is gone (podman
  // logout --all), and in an earlier auth file before it.
  std::vector<std::string> saved_auths;

  bool changed() const { return !added.empty() || !replaced.empty(); }
};

// text: the file's content, "" when there is none. Every other key and
// value stays byte for byte (json_edit.h). InvalidInput naming what is
// wrong ("not valid JSON (line 3, column 7)", "a JSON array, not an
// object", "\"credHelpers\" is not an object") when the file cannot be
// changed safely; Internal if the edited text does not parse to exactly
// the intended document (nothing is then written).
StatusOr<CredHelpersChange> AddCredHelpers(const std::string& text, const std::vector<std::string>& hosts);

// What `configure --remove` takes out: every credHelpers entry naming this
// helper (also for hosts no longer served), and a credsStore naming it.
struct CredHelpersRemoval {
  std::string text;                  // the new content (== the old one when nothing changes)
  std::vector<std::string> removed;  // credHelpers hosts taken out
  bool creds_store = false;          // whether credsStore named this helper and was taken out
  bool changed() const { return !removed.empty() || creds_store; }
};

// Every other key and value stays byte for byte; errors as AddCredHelpers.
StatusOr<CredHelpersRemoval> RemoveCredHelpers(const std::string& text);

// The registry host an auths key names: "https://Host:5000/v1/" and
// "host:5000/org/repo" -> "host:5000".
std::string AuthsKeyHost(const std::string& key);

}  // namespace dcu
