// login: read a robot token (never from argv), check it with one round
// trip, store it, say what was done. A token that is rejected, or that
// nobody could check, is not stored.
#include <chrono>

#include "helper/base/time_text.h"
#include "helper/base/wipe.h"
#include "helper/commands/commands.h"
#include "helper/commands/fields.h"
#include "helper/commands/server_arg.h"
#include "helper/commands/token_input.h"
#include "helper/upbound/token_check.h"

namespace dcu {
namespace {

constexpr std::size_t kMaxAccessId = 256;

int Fail(Context& ctx, const std::string& message) {
  ctx.log.Error("login: " + message);
  return 1;
}

// Access IDs end up in output lines and keyring attributes.
bool IsPrintableWord(const std::string& text) {
  if (text.empty() || text.size() > kMaxAccessId) return false;
  for (char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

StatusOr<RobotToken> ReadToken(Context& ctx, const Args& args) {
  bool file = args.Has("token-file"), in = args.Has("token-stdin");
  if (file && in) return Status::InvalidInput("give --token-file or --token-stdin, not both");
  if (!file && !in) {
    return Status::InvalidInput(
        "give the robot token with --token-file FILE (what `up robot token create <robot> <name> --file FILE` "
        "writes) or --token-stdin; never on the command line");
  }
  if (args.Has("access-id") && !in) {
    return Status::InvalidInput("--access-id goes with --token-stdin and a bare token");
  }
  StatusOr<RobotToken> robot = file ? ReadTokenFile(ctx.fs, args.Value("token-file"))
                                    : ReadTokenStdin(ctx.in, args.Value("access-id"));
  if (robot.ok() && !IsPrintableWord(robot->access_id)) {
    Wipe(robot->token);
    return Status::InvalidInput(robot->origin + ": the access ID is not one word of printable characters");
  }
  return robot;
}

// "until when" of what was verified, as one phrase.
std::string Until(Context& ctx, const TokenCheck& check) {
  const Settings& s = ctx.settings();
  std::int64_t now = ctx.fs.Now();
  if (s.exchange == ExchangeKind::kDirect) {
    if (s.verify_period_seconds <= 0) return "get does not ask again (verifyPeriod 0)";
    return "get asks again after " + FormatRfc3339(check.verdict.until) + " (" +
           FormatRelative(check.verdict.until, now) + ", verifyPeriod)";
  }
  const char* what = s.exchange == ExchangeKind::kSession ? "the session" : "the org-scoped token";
  return std::string(what) + " expires " + FormatRfc3339(check.exchanged.expires_at) + " (" +
         FormatRelative(check.exchanged.expires_at, now) + "); get exchanges again before then";
}

void WarnOverridden(Context& ctx) {
  const Settings& s = ctx.settings();
  if (!s.robot_token_file.empty()) {
    ctx.log.Warning(s.robot_token_file_label + " is set (" + s.robot_token_file +
                    "): get keeps using that file, not the stored token, until it is unset");
  } else if (!s.robot_token.empty()) {
    ctx.log.Warning("UP_ROBOT_TOKEN is set: get keeps using it, not the stored token, until it is unset");
  }
}

}  // namespace

int RunLogin(Context& ctx, const Args& args) {
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) return Fail(ctx, loaded.message());
  const Settings& settings = ctx.settings();
  StatusOr<std::string> host = ServerKey(settings, args, true);
  if (!host.ok()) return Fail(ctx, host.status().message());
  StatusOr<RobotToken> robot = ReadToken(ctx, args);
  if (!robot.ok()) return Fail(ctx, robot.status().message());

  TokenScope scope = StoredTokenScope(settings, *host);
  TokenCheck check;
  bool verify = !args.Has("no-verify");
  if (verify) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(settings.timeout_seconds);
    check = CheckRobotToken(ctx, scope, *robot, deadline);
    if (check.outcome != TokenCheck::kAccepted) {
      Wipe(robot->token);
      if (check.outcome == TokenCheck::kRejected) return Fail(ctx, "not stored: " + check.reason);
      return Fail(ctx, "not stored: the token could not be checked: " + check.reason +
                           " (check the network and the endpoints, or store it unchecked with --no-verify)");
    }
  }
  bool seeded = false;
  Status stored = StoreRobotToken(ctx, *host, *robot, verify ? &check : nullptr, &seeded);
  Wipe(robot->token);
  Wipe(check.exchanged.secret);
  if (!stored.ok()) return Fail(ctx, "not stored: the secret store: " + stored.message());

  ctx.out << "Logged in to " << *host << "\n";
  auto field = [&ctx](const char* label, const std::string& value) { PrintField(ctx.out, label, 12, value); };
  field("access ID", robot->access_id);
  field("exchange", ExchangeKindName(settings.exchange));
  if (verify) {
    field("verified", check.reason);
    field("until", Until(ctx, check));
  } else {
    field("verified", "no (--no-verify); the first get checks it");
  }
  field("stored in", "the secret store (the item for " + *host + ")");
  if (seeded) {
    field("cached", settings.exchange == ExchangeKind::kDirect ? "the verdict, so the next get asks nobody"
                                                               : "the credential, so the next get asks nobody");
  }
  WarnOverridden(ctx);
  return 0;
}

}  // namespace dcu
