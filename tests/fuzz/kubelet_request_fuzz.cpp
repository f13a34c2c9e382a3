// The kubelet's CredentialProviderRequest, its image and its
// service-account token: parsed, never crashing, whatever the bytes.
#include <cstdint>
#include <string>

#include "helper/kubelet/image.h"
#include "helper/kubelet/service_account.h"
#include "helper/kubelet/wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  dcu::StatusOr<dcu::kubelet::ProviderRequest> request = dcu::kubelet::ParseProviderRequest(input);
  if (request.ok()) {
    (void)dcu::kubelet::ParseImage(request->image);
    (void)dcu::kubelet::ServiceAccountOf(request->service_account_token);
  }
  (void)dcu::kubelet::ParseImage(input);
  (void)dcu::kubelet::ServiceAccountOf(input);
  return 0;
}
