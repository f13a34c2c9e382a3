#include "helper/credential_actions.h"

#include <istream>
#include <ostream>

#include "helper/protocol.h"
#include "helper/protocol_strings.h"
#include "helper/registry_key.h"
#include "helper/settings.h"
#include "helper/text.h"
#include "helper/upbound_credentials.h"
#include "helper/wipe.h"

namespace dcu {
namespace {

// Reads the server URL that get and erase take on stdin.
StatusOr<std::string> ReadServerURL(ActionContext& ctx) {
  StatusOr<std::string> input = ReadAllInput(ctx.in);
  if (!input.ok()) return input.status();
  return std::string(TrimSpace(*input));
}

// An Upbound registry gets an exchanged credential; any other registry what
// was stored for it, unchanged.
StatusOr<RegistryCredential> CredentialFor(ActionContext& ctx, const Settings& settings,
                                           const std::string& key) {
  if (settings.IsUpboundRegistry(key)) {
    UpboundDeps deps{*ctx.platform.fs,
                     [&ctx]() -> SecretStore& { return ctx.Store(); },
                     [&ctx, &settings]() {
                       HttpOptions options;
                       options.ca_bundle = settings.ca_bundle;
                       options.debug = settings.debug;
                       return ctx.platform.open_http(options);
                     },
                     RetryPolicy(),
                     ctx.err};
    return GetUpboundCredential(settings, ctx.env, key, deps);
  }
  StatusOr<Credential> stored = ctx.Store().Get(key);
  if (!stored.ok()) return stored.status();
  return RegistryCredential{std::move(stored->username), std::move(stored->secret)};
}

int PrintLine(ActionContext& ctx, const char* line) {
  ctx.out << line << "\n";
  return 1;
}

}  // namespace

SecretStore& ActionContext::Store() {
  if (!store) store = platform.open_secret_store();
  return *store;
}

int ReportError(ActionContext& ctx, const Status& status) {
  if (status.IsNotFound()) return PrintLine(ctx, protocol::kNotFound);
  ctx.out << protocol::kName << ": error: " << status.message() << "\n";
  return 1;
}

int RunStore(ActionContext& ctx) {
  StatusOr<std::string> input = ReadAllInput(ctx.in);
  if (!input.ok()) return ReportError(ctx, input.status());
  StatusOr<StoreRequest> request = ParseStoreRequest(*input);
  Wipe(input.value());
  if (!request.ok()) return ReportError(ctx, request.status());
  Credential cred;
  cred.username = request->username;
  cred.secret = request->secret;
  Wipe(request->secret);
  if (request->server_url.empty()) return PrintLine(ctx, protocol::kMissingServerURL);
  if (cred.username.empty()) return PrintLine(ctx, protocol::kMissingUsername);

  StatusOr<std::string> key = NormalizeRegistryKey(request->server_url);
  if (!key.ok()) return ReportError(ctx, key.status());
  StatusOr<Settings> settings = LoadSettings(ctx.env);
  if (!settings.ok()) return ReportError(ctx, settings.status());
  cred.server = *key;
  Status stored = ctx.Store().Put(cred);
  Wipe(cred.secret);
  if (!stored.ok()) return ReportError(ctx, stored);
  // A new robot token must not be answered with the old one's credential.
  if (settings->IsUpboundRegistry(*key)) InvalidateUpboundCache(*settings, ctx.env, *key, *ctx.platform.fs);
  return 0;
}

int RunGet(ActionContext& ctx) {
  StatusOr<std::string> url = ReadServerURL(ctx);
  if (!url.ok()) return ReportError(ctx, url.status());
  if (url->empty()) return PrintLine(ctx, protocol::kMissingServerURL);
  // A URL that cannot be a registry has no credential; Docker then goes on
  // anonymously instead of failing the pull.
  StatusOr<std::string> key = NormalizeRegistryKey(*url);
  if (!key.ok()) return PrintLine(ctx, protocol::kNotFound);
  StatusOr<Settings> settings = LoadSettings(ctx.env);
  if (!settings.ok()) return ReportError(ctx, settings.status());

  StatusOr<RegistryCredential> cred = CredentialFor(ctx, *settings, *key);
  if (!cred.ok()) return ReportError(ctx, cred.status());
  ctx.out << FormatGetResponse(*url, cred->username, cred->secret);
  Wipe(cred->secret);
  return 0;
}

int RunErase(ActionContext& ctx) {
  StatusOr<std::string> url = ReadServerURL(ctx);
  if (!url.ok()) return ReportError(ctx, url.status());
  if (url->empty()) return PrintLine(ctx, protocol::kMissingServerURL);
  // Nothing can be stored under a key that does not normalise.
  StatusOr<std::string> key = NormalizeRegistryKey(*url);
  if (!key.ok()) return 0;
  StatusOr<Settings> settings = LoadSettings(ctx.env);
  if (!settings.ok()) return ReportError(ctx, settings.status());
  Status erased = ctx.Store().Erase(*key);
  if (!erased.ok()) return ReportError(ctx, erased);
  if (settings->IsUpboundRegistry(*key)) InvalidateUpboundCache(*settings, ctx.env, *key, *ctx.platform.fs);
  return 0;
}

int RunList(ActionContext& ctx) {
  // list ignores stdin (Docker sends "unused"), so it never reads it.
  StatusOr<std::map<std::string, std::string>> entries = ctx.Store().List();
  if (!entries.ok()) return ReportError(ctx, entries.status());
  ctx.out << FormatListResponse(*entries);
  return 0;
}

}  // namespace dcu
