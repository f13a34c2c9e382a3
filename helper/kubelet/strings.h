// The exact strings of the kubelet's image credential provider API
// (k8s.io/kubelet/pkg/apis/credentialprovider/{v1,v1beta1,v1alpha1}). The
// kubelet decodes a plugin's answer strictly: a wrong one drops the answer.
#pragma once

namespace dcu::kubelet {

inline constexpr const char* kApiVersions[] = {
    "credentialprovider.kubelet.k8s.io/v1",
    "credentialprovider.kubelet.k8s.io/v1beta1",
    "credentialprovider.kubelet.k8s.io/v1alpha1",
};
inline constexpr const char* kRequestKind = "CredentialProviderRequest";
inline constexpr const char* kResponseKind = "CredentialProviderResponse";

// cacheKeyType: the kubelet caches an answer per image (its full name, as
// it sent it) or per registry host.
inline constexpr const char* kCacheByImage = "Image";
inline constexpr const char* kCacheByRegistry = "Registry";

}  // namespace dcu::kubelet
