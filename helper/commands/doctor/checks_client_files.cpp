// Checks 2 and 3: the files that tell Docker and containers/image (podman,
// skopeo, buildah) which credential helper to run, and the entries in them
// that bypass it.
#include <nlohmann/json.hpp>

#include "helper/commands/client_files.h"
#include "helper/commands/doctor/checks.h"
#include "helper/docker/registry_key.h"
#include "helper/system/process.h"

namespace dcu::doctor {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxConfigFile = 4 * 1024 * 1024;

// A file parsed: absent, not JSON, or its object.
struct ParsedFile {
  bool exists = false;
  std::string error;  // why it cannot be used, "" when it can
  json doc;
};

ParsedFile Parse(Context& ctx, const std::string& path) {
  ParsedFile parsed;
  StatusOr<std::string> text = ctx.fs.ReadFile(path, kMaxConfigFile);
  if (text.status().IsNotFound()) return parsed;
  parsed.exists = true;
  if (!text.ok()) {
    parsed.error = text.status().message();
    return parsed;
  }
  parsed.doc = json::parse(*text, nullptr, false);
  if (parsed.doc.is_discarded() || !parsed.doc.is_object()) parsed.error = path + ": not a JSON object";
  return parsed;
}

std::string StringAt(const json& doc, const char* object, const std::string& key) {
  auto o = doc.find(object);
  if (o == doc.end() || !o->is_object()) return "";
  auto v = o->find(key);
  return v != o->end() && v->is_string() ? v->get<std::string>() : "";
}

bool HasKey(const json& doc, const char* object, const std::string& key) {
  auto o = doc.find(object);
  return o != doc.end() && o->is_object() && o->contains(key);
}

// The served host an "auths" key belongs to, as containers/image matches
// keys: "https://HOST/anything" and "HOST" are the host itself, "HOST/ns"
// a namespace under it. Sets *namespaced. "" when it is no served host.
std::string AuthsKeyHost(const Settings& s, const std::string& key, bool* namespaced) {
  bool has_scheme = key.compare(0, 7, "http://") == 0 || key.compare(0, 8, "https://") == 0;
  std::string rest = has_scheme ? key.substr(key.find("://") + 3) : key;
  std::size_t slash = rest.find('/');
  std::string host_part = rest.substr(0, slash);
  *namespaced = !has_scheme && slash != std::string::npos && slash + 1 < rest.size();
  StatusOr<std::string> normal = NormalizeRegistryKey(host_part);
  if (!normal.ok()) return "";
  for (const std::string& host : s.registry_hosts) {
    if (*normal == host) return host;
  }
  return "";
}

// Whether an "auths" value holds something a client would send.
bool HoldsCredential(const json& value) {
  if (!value.is_object()) return false;
  for (const char* field : {"auth", "identitytoken", "password"}) {
    auto it = value.find(field);
    if (it != value.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) return true;
  }
  return false;
}

struct AuthsEntry {
  std::string key;
  std::string host;
  bool namespaced = false;
};

std::vector<AuthsEntry> ServedAuths(const Settings& s, const json& doc) {
  std::vector<AuthsEntry> found;
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return found;
  for (auto it = auths->begin(); it != auths->end(); ++it) {
    AuthsEntry e{it.key(), "", false};
    e.host = AuthsKeyHost(s, it.key(), &e.namespaced);
    if (!e.host.empty() && HoldsCredential(it.value())) found.push_back(e);
  }
  return found;
}

const std::string kConfigureDocker = "docker-credential-upbound configure docker";
const std::string kConfigureContainers = "docker-credential-upbound configure containers";

}  // namespace

Check CheckDockerConfig(Context& ctx) {
  Check c{2, "Docker's config.json"};
  const Settings& s = ctx.settings();
  ClientFile file = DockerConfigFile(ctx.env);
  if (file.path.empty()) {
    c.Add(Verdict::kFail, file.why, "set HOME (or DOCKER_CONFIG), then " + kConfigureDocker);
    return c;
  }
  ParsedFile parsed = Parse(ctx, file.path);
  if (!parsed.exists) {
    c.Add(Verdict::kFail, file.path + " does not exist, so Docker does not know the helper", kConfigureDocker);
    return c;
  }
  if (!parsed.error.empty()) {
    c.Add(Verdict::kFail, parsed.error + " (Docker cannot read it)",
          "repair the JSON in " + file.path + " by hand, then " + kConfigureDocker);
    return c;
  }
  const json& doc = parsed.doc;
  for (const std::string& host : s.registry_hosts) {
    std::string value = StringAt(doc, "credHelpers", host);
    if (value == kHelperValue) {
      c.Add(Verdict::kOk, "credHelpers \"" + host + "\": \"upbound\"");
    } else if (HasKey(doc, "credHelpers", host)) {
      c.Add(Verdict::kFail,
            "credHelpers \"" + host + "\" is \"" + value + "\", so Docker runs docker-credential-" + value +
                " for it",
            kConfigureDocker);
    } else {
      c.Add(Verdict::kFail, "no credHelpers entry for " + host + " in " + file.path, kConfigureDocker);
    }
  }
  std::string creds_store;
  if (auto it = doc.find("credsStore"); it != doc.end() && it->is_string()) creds_store = it->get<std::string>();
  if (!creds_store.empty() && creds_store != kHelperValue) {
    c.Add(Verdict::kWarning,
          "credsStore \"" + creds_store + "\" answers for every registry without a credHelpers entry; podman, "
          "skopeo and buildah ignore credsStore, and nerdctl asks it for HOST:443 before credHelpers' HOST",
          "keep credHelpers for every Upbound host (" + kConfigureDocker + "); with nerdctl, remove \"credsStore\" from " +
              file.path);
  } else if (creds_store == kHelperValue) {
    c.Add(Verdict::kWarning,
          "credsStore \"upbound\" sends every other registry to this helper; podman, skopeo and buildah ignore "
          "credsStore",
          "prefer credHelpers entries: " + kConfigureDocker);
  }
  for (const AuthsEntry& e : ServedAuths(s, doc)) {
    c.Add(Verdict::kFail,
          "\"auths\" entry \"" + e.key + "\" holds a stored token (base64) that bypasses the helper for clients "
          "that find it first" + (e.namespaced ? " (containers/image, for images under it)" : ""),
          "delete \"auths\".\"" + e.key + "\" from " + file.path +
              (e.namespaced ? "" : " (docker logout " + e.host + " also would, but erases the robot token stored for it)"));
  }
  return c;
}

Check CheckContainersFiles(Context& ctx) {
  Check c{3, "containers' auth files (podman, skopeo)"};
  const Settings& s = ctx.settings();
  std::vector<ClientFile> files = ContainersReadFiles(ctx.env, ProcessUserId());
  std::vector<ParsedFile> parsed;
  for (const ClientFile& f : files) parsed.push_back(Parse(ctx, f.path));
  // containers/image stops at a file it cannot parse.
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (parsed[i].exists && !parsed[i].error.empty()) {
      c.Add(Verdict::kFail, parsed[i].error + " (podman and skopeo fail on it)",
            "repair the JSON in " + files[i].path + " by hand");
      return c;
    }
  }
  const ParsedFile& auth_file = parsed.front();
  bool auth_file_lost_helpers = auth_file.exists && !auth_file.doc.contains("credHelpers");
  for (const std::string& host : s.registry_hosts) {
    bool decided = false;
    for (std::size_t i = 0; i < files.size() && !decided; ++i) {
      if (!parsed[i].exists) continue;
      const json& doc = parsed[i].doc;
      const std::string& path = files[i].path;
      // In one file, credHelpers comes before auths; a namespaced auths
      // entry in an earlier file still wins for the images under it.
      if (HasKey(doc, "credHelpers", host)) {
        std::string value = StringAt(doc, "credHelpers", host);
        if (value == kHelperValue) {
          c.Add(Verdict::kOk, host + ": credHelpers in " + path);
        } else {
          c.Add(Verdict::kFail, host + ": credHelpers in " + path + " names \"" + value + "\", which answers first",
                kConfigureContainers);
        }
        decided = true;
        break;
      }
      for (const AuthsEntry& e : ServedAuths(s, doc)) {
        if (e.host != host) continue;
        std::string logout = e.namespaced ? "podman logout " + e.key : "podman logout " + host;
        // podman logout edits only containers' own auth files.
        bool docker_file = path == DockerConfigFile(ctx.env).path || files[i].why == "~/.dockercfg";
        c.Add(Verdict::kFail,
              host + ": \"auths\" entry \"" + e.key + "\" in " + path +
                  " holds a stored token, which podman and skopeo use instead of the helper" +
                  (e.namespaced ? " for images under it" : ""),
              docker_file ? "delete \"auths\".\"" + e.key + "\" from " + path : logout);
        if (!e.namespaced) decided = true;
      }
    }
    if (!decided) {
      std::string why = host + ": no file containers/image reads names the helper";
      if (auth_file_lost_helpers) {
        why += " (" + files.front().path + " has no credHelpers: podman logout --all removes them)";
      }
      c.Add(Verdict::kFail, why, kConfigureContainers);
    }
  }
  return c;
}

}  // namespace dcu::doctor
