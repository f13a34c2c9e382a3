#include "helper/docker/actions.h"

#include <istream>
#include <ostream>

#include "helper/base/text.h"
#include "helper/base/version.h"
#include "helper/base/wipe.h"
#include "helper/docker/registry_key.h"
#include "helper/docker/strings.h"
#include "helper/docker/wire.h"
#include "helper/upbound/credential.h"

namespace dcu {
namespace {

int PrintLine(Context& ctx, const char* line) {
  ctx.out << line << "\n";
  return 1;
}

// What get and erase read: the server URL on stdin, as sent and as a key.
struct ServerInput {
  std::string url;
  StatusOr<std::string> key = Status::NotFound("");
};

// Reads and normalises the server URL; returns the exit code of an input
// that ends the action there, or -1 to go on. A URL that does not normalise
// is no error here: the caller decides what it means.
int ReadServer(Context& ctx, ServerInput* input) {
  StatusOr<std::string> raw = ReadAllInput(ctx.in);
  if (!raw.ok()) return ReportError(ctx, raw.status());
  input->url = std::string(TrimSpace(*raw));
  if (input->url.empty()) return PrintLine(ctx, protocol::kMissingServerURL);
  input->key = NormalizeRegistryKey(input->url);
  return -1;
}

}  // namespace

int ReportError(Context& ctx, const Status& status) {
  if (status.IsNotFound()) return PrintLine(ctx, protocol::kNotFound);
  ctx.out << kProgramName << ": error: " << status.message() << "\n";
  return 1;
}

int RunStore(Context& ctx) {
  StatusOr<std::string> input = ReadAllInput(ctx.in);
  if (!input.ok()) return ReportError(ctx, input.status());
  StatusOr<Credential> cred = ParseStoreRequest(*input);
  Wipe(input.value());
  if (!cred.ok()) return ReportError(ctx, cred.status());
  if (cred->server.empty()) return PrintLine(ctx, protocol::kMissingServerURL);
  if (cred->username.empty()) return PrintLine(ctx, protocol::kMissingUsername);

  StatusOr<std::string> key = NormalizeRegistryKey(cred->server);
  if (!key.ok()) return ReportError(ctx, key.status());
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) return ReportError(ctx, loaded);
  cred->server = *key;
  if (ctx.settings().IsUpboundRegistry(*key)) {
    StatusOr<bool> derived = IsDerivedCredential(ctx, *key, *cred);
    if (!derived.ok() || *derived) Wipe(cred->secret);
    if (!derived.ok()) return ReportError(ctx, derived.status());
    if (*derived) return 0;
  }
  // A new robot token must not be answered with the old one's credential.
  Status stored = ChangeStoredCredential(ctx, *key, [&ctx, &cred]() { return ctx.Store().Put(*cred); });
  Wipe(cred->secret);
  if (!stored.ok()) return ReportError(ctx, stored);
  return 0;
}

int RunGet(Context& ctx) {
  ServerInput input;
  if (int code = ReadServer(ctx, &input); code >= 0) return code;
  // A URL that cannot be a registry has no credential; Docker then goes on
  // anonymously instead of failing the pull.
  if (!input.key.ok()) return PrintLine(ctx, protocol::kNotFound);
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) return ReportError(ctx, loaded);

  StatusOr<RegistryCredential> cred = CredentialFor(ctx, *input.key);
  if (!cred.ok()) return ReportError(ctx, cred.status());
  ctx.out << FormatGetResponse(input.url, cred->username, cred->secret);
  Wipe(cred->secret);
  return 0;
}

int RunErase(Context& ctx) {
  ServerInput input;
  if (int code = ReadServer(ctx, &input); code >= 0) return code;
  // Nothing can be stored under a key that does not normalise.
  if (!input.key.ok()) return 0;
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) return ReportError(ctx, loaded);
  const std::string& key = *input.key;
  Status erased = ChangeStoredCredential(ctx, key, [&ctx, &key]() { return ctx.Store().Erase(key); });
  if (!erased.ok()) return ReportError(ctx, erased);
  return 0;
}

int RunList(Context& ctx) {
  // list ignores stdin (Docker sends "unused"), so it never reads it.
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) return ReportError(ctx, loaded);
  StatusOr<std::map<std::string, std::string>> entries = ctx.Store().List();
  if (!entries.ok()) return ReportError(ctx, entries.status());
  ctx.out << FormatListResponse(*entries);
  return 0;
}

}  // namespace dcu
