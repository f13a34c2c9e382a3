// TEMPORARY (issue 11 in progress): replaced by the WinHTTP transport.
#include "helper/system/http_transport.h"

namespace dcu {
namespace {
class PendingHttp : public HttpTransport {
 public:
  StatusOr<HttpResponse> Send(const HttpRequest&, std::chrono::steady_clock::time_point) override {
    return Status::Unavailable("pending");
  }
};
}  // namespace
std::unique_ptr<HttpTransport> NewHttpTransport(const HttpOptions&) { return std::make_unique<PendingHttp>(); }
}  // namespace dcu
