#include "helper/kubelet/wire.h"

#include <algorithm>
#include <iterator>

#include <nlohmann/json.hpp>

#include "helper/base/wipe.h"
#include "helper/kubelet/strings.h"

namespace dcu::kubelet {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// A short, printable rendering of a value the request got wrong.
std::string Shown(const std::string& value) {
  std::string out;
  for (char c : value.substr(0, 80)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return value.size() > 80 ? out + "..." : out;
}

Status Bad(const std::string& why) { return Status::InvalidInput("kubelet request: " + why); }

StatusOr<ProviderRequest> Parse(json& doc) {
  if (!doc.is_object()) return Bad("not a JSON object");
  auto string_field = [&doc](const char* key) -> const std::string* {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  ProviderRequest request;
  const std::string* version = string_field("apiVersion");
  if (version == nullptr) return Bad("apiVersion is missing");
  if (std::find_if(std::begin(kApiVersions), std::end(kApiVersions),
                   [&](const char* known) { return *version == known; }) == std::end(kApiVersions)) {
    return Bad("unknown apiVersion \"" + Shown(*version) +
               "\" (credentialprovider.kubelet.k8s.io/v1, v1beta1 or v1alpha1)");
  }
  request.api_version = *version;
  const std::string* kind = string_field("kind");
  if (kind == nullptr || *kind != kRequestKind) {
    return Bad("kind is " + (kind == nullptr ? std::string("missing") : "\"" + Shown(*kind) + "\"") + ", not " +
               kRequestKind);
  }
  const std::string* image = string_field("image");
  if (image == nullptr) return Bad("image is missing or not a string");
  request.image = *image;
  if (auto it = doc.find("serviceAccountAnnotations"); it != doc.end()) {
    bool strings = it->is_object() && std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); });
    if (!strings && !it->is_null()) return Bad("serviceAccountAnnotations is not a map of strings");
  }
  if (auto it = doc.find("serviceAccountToken"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) return Bad("serviceAccountToken is not a string");
    request.service_account_token = it->get<std::string>();
  }
  return request;
}

}  // namespace

StatusOr<ProviderRequest> ParseProviderRequest(const std::string& input) {
  json doc = json::parse(input, nullptr, false);
  if (doc.is_discarded()) return Bad("not JSON");
  StatusOr<ProviderRequest> request = Parse(doc);
  if (doc.is_object()) {
    if (auto it = doc.find("serviceAccountToken"); it != doc.end() && it->is_string()) {
      Wipe(it->get_ref<std::string&>());
    }
  }
  return request;
}

std::string FormatProviderResponse(const ProviderResponse& response) {
  ordered_json doc;
  doc["apiVersion"] = response.api_version;
  doc["kind"] = kResponseKind;
  doc["cacheKeyType"] = response.cache_key_type;
  if (response.cache_seconds) doc["cacheDuration"] = GoDuration(*response.cache_seconds);
  doc["auth"] = ordered_json::object();
  for (const auto& [key, entry] : response.auth) {
    doc["auth"][key] = {{"username", entry.username}, {"password", entry.password}};
  }
  std::string text = doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  for (auto& item : doc["auth"].items()) Wipe(item.value()["password"].get_ref<std::string&>());
  return text + "\n";
}

std::string GoDuration(std::int64_t seconds) {
  if (seconds <= 0) return "0s";
  std::int64_t h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60;
  if (h > 0) return std::to_string(h) + "h" + std::to_string(m) + "m" + std::to_string(s) + "s";
  if (m > 0) return std::to_string(m) + "m" + std::to_string(s) + "s";
  return std::to_string(s) + "s";
}

}  // namespace dcu::kubelet
