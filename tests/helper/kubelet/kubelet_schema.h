// The kubelet's credential provider types as a schema the tests enforce,
// the way the kubelet decodes a plugin's answer: strictly (an unknown or
// miscased field is an error), cacheKeyType one of three values or the
// answer is dropped, cacheDuration a Go duration.
//
// Field names and JSON tags from k8s.io/kubelet/pkg/apis/credentialprovider/
// v1/types.go (v1beta1 and v1alpha1 define the same fields):
//   CredentialProviderRequest:  metav1.TypeMeta `json:",inline"` (apiVersion, kind),
//     Image string `json:"image"`,
//     ServiceAccountToken string `json:"serviceAccountToken,omitempty"`,
//     ServiceAccountAnnotations map[string]string `json:"serviceAccountAnnotations,omitempty"`
//   CredentialProviderResponse: metav1.TypeMeta `json:",inline"` (apiVersion, kind),
//     CacheKeyType PluginCacheKeyType `json:"cacheKeyType"`,
//     CacheDuration *metav1.Duration `json:"cacheDuration,omitempty"`,
//     Auth map[string]AuthConfig `json:"auth,omitempty"`
//   AuthConfig: Username string `json:"username"`, Password string `json:"password"`
#pragma once

#include <cctype>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dcu::kubelet::schema {

enum class Type { kString, kDuration, kStringMap, kAuthMap };

struct Field {
  const char* tag;  // the JSON name, exactly
  Type type;
};

inline const std::vector<Field> kRequest = {{"apiVersion", Type::kString},
                                            {"kind", Type::kString},
                                            {"image", Type::kString},
                                            {"serviceAccountToken", Type::kString},
                                            {"serviceAccountAnnotations", Type::kStringMap}};
inline const std::vector<Field> kResponse = {{"apiVersion", Type::kString},
                                             {"kind", Type::kString},
                                             {"cacheKeyType", Type::kString},
                                             {"cacheDuration", Type::kDuration},
                                             {"auth", Type::kAuthMap}};
inline const std::vector<Field> kAuthConfig = {{"username", Type::kString}, {"password", Type::kString}};

// Go's time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+, or "0".
inline bool IsGoDuration(const std::string& s) {
  std::size_t i = s.empty() || (s[0] != '-' && s[0] != '+') ? 0 : 1;
  if (s.substr(i) == "0") return true;
  if (i == s.size()) return false;
  static const char* kUnits[] = {"ns", "us", "\xc2\xb5s", "ms", "s", "m", "h"};
  while (i < s.size()) {
    std::size_t digits = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i, ++digits;
    if (digits == 0) return false;
    bool unit = false;
    for (const char* u : kUnits) {  // two-letter units come first: "ms" before "m"
      std::string name(u);
      if (s.compare(i, name.size(), name) == 0) {
        i += name.size();
        unit = true;
        break;
      }
    }
    if (!unit) return false;
  }
  return true;
}

// "" when value decodes into fields as the kubelet's strict decoder would,
// else the first reason it would not.
inline std::string Check(const nlohmann::json& value, const std::vector<Field>& fields, const std::string& where) {
  if (!value.is_object()) return where + ": not an object";
  for (const auto& item : value.items()) {
    const Field* field = nullptr;
    for (const Field& f : fields) {
      if (item.key() == f.tag) field = &f;
    }
    if (field == nullptr) return where + ": unknown field \"" + item.key() + "\"";
    const nlohmann::json& v = item.value();
    std::string at = where + "." + item.key();
    switch (field->type) {
      case Type::kString:
        if (!v.is_string()) return at + ": not a string";
        break;
      case Type::kDuration:
        if (!v.is_string() || !IsGoDuration(v.get<std::string>())) return at + ": not a Go duration";
        break;
      case Type::kStringMap:
        if (!v.is_object()) return at + ": not a map";
        for (const auto& entry : v.items()) {
          if (!entry.value().is_string()) return at + "." + entry.key() + ": not a string";
        }
        break;
      case Type::kAuthMap:
        if (!v.is_object()) return at + ": not a map";
        for (const auto& entry : v.items()) {
          if (std::string why = Check(entry.value(), kAuthConfig, at + "[" + entry.key() + "]"); !why.empty()) {
            return why;
          }
        }
        break;
    }
  }
  return "";
}

// What the kubelet checks of an answer to a request of api_version.
inline std::string CheckResponse(const nlohmann::json& response, const std::string& api_version) {
  if (std::string why = Check(response, kResponse, "response"); !why.empty()) return why;
  if (response.value("apiVersion", "") != api_version) return "response: apiVersion differs from the request's";
  if (response.value("kind", "") != "CredentialProviderResponse") return "response: kind";
  std::string type = response.value("cacheKeyType", "");
  if (type != "Image" && type != "Registry" && type != "Global") return "response: invalid cacheKeyType";
  return "";
}

inline std::string CheckRequest(const nlohmann::json& request) { return Check(request, kRequest, "request"); }

}  // namespace dcu::kubelet::schema
