// Who a kubelet request is for, in service-account token mode (KEP-4412:
// the provider config's tokenAttributes make the kubelet send the pod's
// service-account token with each request).
#pragma once

#include <string>

#include "helper/base/status.h"

namespace dcu::kubelet {

struct ServiceAccount {
  std::string ns;    // the pod's namespace
  std::string name;  // its service account
};

// The namespace and service account from the token's claims: the
// "kubernetes.io" claim ({"namespace", "serviceaccount": {"name"}}) and
// "sub" ("system:serviceaccount:NS:NAME"), which must agree when both are
// there. The signature is not checked: the kubelet issued the token for
// this call and handed it over on stdin; it is never sent anywhere.
// InvalidInput (never quoting the token) when it is not a JWT, names no
// namespace, or its claims disagree.
StatusOr<ServiceAccount> ServiceAccountOf(const std::string& token);

}  // namespace dcu::kubelet
