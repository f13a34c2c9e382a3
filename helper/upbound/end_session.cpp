#include "helper/upbound/end_session.h"

#include "helper/base/shown_url.h"
#include "helper/base/wipe.h"

namespace dcu {

Status EndSession(const Settings& settings, const std::string& sid, HttpClient& http,
                  std::chrono::steady_clock::time_point deadline) {
  HttpRequest request;
  request.method = "POST";
  request.url = settings.api_endpoint + "/v1/logout";
  request.headers = {{"Cookie", "SID=" + sid}, {"Accept", "application/json"}};
  StatusOr<HttpResponse> response = http.Send(request, deadline);
  Wipe(request.headers[0].second);
  std::string what = "POST " + ShownUrl(request.url);
  if (!response.ok()) return Status::Unavailable("cannot reach Upbound: " + response.status().message());
  if (response->status >= 200 && response->status <= 299) return Status::Ok();
  if (response->status == 401) return Status::NotFound(what + " answered 401: the session had already ended");
  return Status::Unavailable("Upbound failed: " + what + " answered " + std::to_string(response->status));
}

}  // namespace dcu
