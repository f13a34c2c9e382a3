#include "helper/commands/status_rows.h"

#include <map>

#include "helper/base/wipe.h"
#include "helper/upbound/token_check.h"

namespace dcu {
namespace {

struct Stored {
  bool ok = true;
  std::string error;
  std::map<std::string, std::string> entries;  // key -> username
};

// Fills source and access ID, and reads the cache, for a served host's or
// an organization's scope.
void DescribeScope(Context& ctx, const TokenScope& scope, const Stored& stored, StatusRow* row) {
  const Settings& s = scope.settings;
  row->exchange = ExchangeKindName(s.exchange);
  bool in_store = stored.entries.count(scope.host) != 0;
  if (!s.robot_token_file.empty()) {
    row->source = row->kind == StatusRow::kOrganization ? "organization-token-file" : "token-file";
    row->source_path = s.robot_token_file;
    row->source_text = (row->kind == StatusRow::kOrganization ? s.robot_token_file_label
                                                              : "token file " + s.robot_token_file_label) +
                       " " + s.robot_token_file;
  } else if (!s.robot_token.empty()) {
    row->source = "environment";
    row->source_text = "environment UP_ROBOT_TOKEN";
  } else if (in_store) {
    row->source = "secret-store";
    row->source_text = "the secret store";
  } else if (!stored.ok) {
    row->source = "unknown";
    row->source_text = "unknown: the secret store cannot be read";
  } else {
    row->source_text = "none";
  }
  if (row->kind == StatusRow::kRegistry && in_store && row->source != "secret-store") {
    row->notes.push_back("a token stored for it in the secret store is unused while " +
                         (row->source == "environment" ? std::string("UP_ROBOT_TOKEN") : s.robot_token_file_label) +
                         " is set");
  }

  std::optional<RobotToken> robot;
  // The stored username is the access ID; the token itself is read only
  // where the cache names entries by it (a direct pair's verdict).
  bool read_token = row->source != "secret-store" || s.exchange == ExchangeKind::kDirect;
  if (row->source == "secret-store") row->access_id = stored.entries.at(scope.host);
  if (read_token && row->source != "none" && row->source != "unknown") {
    StatusOr<RobotToken> loaded =
        LoadRobotToken(s, scope.host, ctx.fs, [&ctx]() -> SecretStore& { return ctx.Store(); });
    if (loaded.ok()) {
      robot = std::move(*loaded);
      row->access_id = robot->access_id;
    } else if (row->source == "secret-store") {
      row->notes.push_back("the token could not be read: " + loaded.status().message());
    } else {
      row->notes.push_back(loaded.status().message());
    }
  }
  CacheState cache = InspectCache(ctx, scope, robot ? &*robot : nullptr);
  if (robot) Wipe(robot->token);
  if (cache.credential) {
    row->credential = StatusRow::Cached{cache.credential->username, cache.credential->obtained_at,
                                        cache.credential->expires_at};
    Wipe(cache.credential->secret);
  }
  row->verdict = std::move(cache.verdict);
  row->failure = std::move(cache.failure);
}

}  // namespace

StatusReport CollectStatus(Context& ctx) {
  const Settings& settings = ctx.settings();
  StatusReport report;
  report.now = ctx.fs.Now();
  Stored stored;
  StatusOr<std::map<std::string, std::string>> list = ctx.Store().List();
  if (list.ok()) {
    stored.entries = std::move(*list);
  } else {
    stored.ok = false;
    stored.error = list.status().message();
    report.secret_store_ok = false;
    report.secret_store_error = stored.error;
  }
  for (const std::string& host : settings.registry_hosts) {
    StatusRow row;
    row.key = host;
    DescribeScope(ctx, HostScope(settings, host), stored, &row);
    report.rows.push_back(std::move(row));
  }
  for (const Organization& org : settings.organizations) {
    StatusRow row;
    row.kind = StatusRow::kOrganization;
    row.key = org.Prefix();
    row.organization = org.name;
    DescribeScope(ctx, OrganizationScope(settings, org), stored, &row);
    report.rows.push_back(std::move(row));
  }
  for (const auto& [key, username] : stored.entries) {
    if (settings.IsUpboundRegistry(key)) continue;
    StatusRow row;
    row.kind = StatusRow::kStored;
    row.key = key;
    row.source = "secret-store";
    row.source_text = "the secret store";
    row.access_id = username;
    row.exchange = "stored";
    report.rows.push_back(std::move(row));
  }
  return report;
}

}  // namespace dcu
