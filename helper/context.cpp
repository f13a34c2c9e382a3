#include "helper/context.h"

namespace dcu {
namespace {

constexpr std::size_t kMaxCaBundle = 4 << 20;

// The lower-case variable, else the upper-case one (HttpOptions).
std::string ProxyVariable(const Env& env, const std::string& lower, const std::string& upper) {
  auto it = env.find(lower);
  if (it == env.end() || it->second.empty()) it = env.find(upper);
  return it == env.end() ? "" : it->second;
}

}  // namespace

Status Context::LoadSettings() {
  if (!loaded_) {
    loaded_.emplace(dcu::LoadSettings(env, fs));
    if (loaded_->ok()) {
      settings_ = &loaded_->value();
      log.set_debug(settings_->debug);
    }
  }
  return loaded_->status();
}

SecretStore& Context::Store() {
  if (!store_) store_ = system_.open_secret_store(settings().keyring);
  return *store_;
}

HttpClient Context::Http(int max_attempts) {
  const System& system = system_;
  FileSystem& files = fs;
  std::string ca_bundle = settings().ca_bundle;
  HttpOptions proxies;
  proxies.http_proxy = ProxyVariable(env, "http_proxy", "HTTP_PROXY");
  proxies.https_proxy = ProxyVariable(env, "https_proxy", "HTTPS_PROXY");
  proxies.all_proxy = ProxyVariable(env, "all_proxy", "ALL_PROXY");
  proxies.no_proxy = ProxyVariable(env, "no_proxy", "NO_PROXY");
  auto open = [&system, &files, ca_bundle, proxies]() -> StatusOr<std::unique_ptr<HttpTransport>> {
    HttpOptions options = proxies;
    if (!ca_bundle.empty()) {
      // Read here, through the file system, so every transport gets PEM text.
      StatusOr<std::string> pem = files.ReadFile(ca_bundle, kMaxCaBundle);
      if (!pem.ok()) return Status::InvalidInput("http: cannot read ca_bundle " + ca_bundle);
      if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        return Status::InvalidInput("http: ca_bundle " + ca_bundle + " holds no PEM certificate");
      }
      options.extra_ca_pem = std::move(*pem);
    }
    return system.open_http(options);
  };
  RetryPolicy policy = retry;
  if (max_attempts > 0) policy.max_attempts = max_attempts;
  return HttpClient(open, policy, log);
}

}  // namespace dcu
