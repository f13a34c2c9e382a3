#include "helper/kubelet/service_account.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "helper/organizations.h"
#include "helper/upbound/robot_token.h"

namespace dcu::kubelet {
namespace {

using json = nlohmann::json;

constexpr const char* kSubjectPrefix = "system:serviceaccount:";

Status Bad(const std::string& why) { return Status::InvalidInput("service-account token: " + why); }

std::string StringAt(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

StatusOr<ServiceAccount> ServiceAccountOf(const std::string& token) {
  json claims = json::parse(JwtClaims(token), nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return Bad("not a JWT with JSON claims");

  ServiceAccount from_claim, from_subject;
  if (auto k8s = claims.find("kubernetes.io"); k8s != claims.end() && k8s->is_object()) {
    from_claim.ns = StringAt(*k8s, "namespace");
    if (auto sa = k8s->find("serviceaccount"); sa != k8s->end() && sa->is_object()) {
      from_claim.name = StringAt(*sa, "name");
    }
  }
  std::string subject = StringAt(claims, "sub");
  if (subject.compare(0, std::char_traits<char>::length(kSubjectPrefix), kSubjectPrefix) == 0) {
    std::string rest = subject.substr(std::char_traits<char>::length(kSubjectPrefix));
    std::size_t colon = rest.find(':');
    if (colon == std::string::npos) return Bad("\"sub\" is not system:serviceaccount:NAMESPACE:NAME");
    from_subject = {rest.substr(0, colon), rest.substr(colon + 1)};
  }
  if (from_claim.ns.empty() && from_subject.ns.empty()) return Bad("its claims name no namespace");
  if (!from_claim.ns.empty() && !from_subject.ns.empty() &&
      (from_claim.ns != from_subject.ns || from_claim.name != from_subject.name)) {
    return Bad("\"sub\" and the kubernetes.io claim name different service accounts");
  }
  ServiceAccount account = from_claim.ns.empty() ? from_subject : from_claim;
  if (!IsNamespaceName(account.ns)) return Bad("the namespace in its claims is not a namespace name");
  // A service account's name is a DNS subdomain; it appears in messages.
  bool name_ok = account.name.size() <= 253 && std::all_of(account.name.begin(), account.name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
  if (!name_ok) return Bad("the service account's name in its claims is not a Kubernetes name");
  return account;
}

}  // namespace dcu::kubelet
