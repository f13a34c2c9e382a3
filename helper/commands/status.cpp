// status: where each registry's token comes from and what the cache holds,
// from local state only (no request leaves the machine). JSON with --json:
//
//   {"now": RFC 3339, "now_unix": N,
//    "secret_store": {"ok": bool, "error": string|null},
//    "hosts": [{"key", "kind": "registry"|"organization"|"stored",
//               "organization": string|null,
//               "source": "environment"|"token-file"|"secret-store"|
//                         "organization-token-file"|"none"|"unknown",
//               "source_path": string|null, "source_text",
//               "access_id": string|null,
//               "exchange": "direct"|"session"|"org-token"|"stored",
//               "credential": {"username", "obtained_at", "obtained_at_unix",
//                              "expires_at", "expires_at_unix", "expired"}|null,
//               "verdict": {"verdict": "accepted"|"rejected"|"refused", "reason",
//                           "checked_at", "checked_at_unix", "until", "until_unix"}|null,
//               "last_failure": {"at", "at_unix", "message"}|null,
//               "notes": [string]}]}
//
// Times are RFC 3339 in UTC, each with its Unix seconds beside it.
#include <nlohmann/json.hpp>

#include "helper/base/time_text.h"
#include "helper/commands/commands.h"
#include "helper/commands/fields.h"
#include "helper/commands/status_rows.h"

namespace dcu {
namespace {

using json = nlohmann::json;

const char* KindName(StatusRow::Kind kind) {
  switch (kind) {
    case StatusRow::kRegistry: return "registry";
    case StatusRow::kOrganization: return "organization";
    case StatusRow::kStored: return "stored";
  }
  return "stored";
}

json OrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

void PutTime(json& object, const std::string& name, std::int64_t at) {
  object[name] = FormatRfc3339(at);
  object[name + "_unix"] = at;
}

json RowJson(const StatusRow& row, std::int64_t now) {
  json j = {{"key", row.key},
            {"kind", KindName(row.kind)},
            {"organization", OrNull(row.organization)},
            {"source", row.source},
            {"source_path", OrNull(row.source_path)},
            {"source_text", row.source_text},
            {"access_id", OrNull(row.access_id)},
            {"exchange", row.exchange},
            {"credential", nullptr},
            {"verdict", nullptr},
            {"last_failure", nullptr},
            {"notes", row.notes}};
  if (row.credential) {
    json c = {{"username", row.credential->username}};
    PutTime(c, "obtained_at", row.credential->obtained_at);
    PutTime(c, "expires_at", row.credential->expires_at);
    c["expired"] = row.credential->expires_at <= now;
    j["credential"] = c;
  }
  if (row.verdict) {
    json v = {{"verdict", VerdictKindName(row.verdict->kind)}, {"reason", row.verdict->reason}};
    PutTime(v, "checked_at", row.verdict->checked_at);
    PutTime(v, "until", row.verdict->until);
    j["verdict"] = v;
  }
  if (row.failure) {
    json f = {{"message", row.failure->message}};
    PutTime(f, "at", row.failure->at);
    j["last_failure"] = f;
  }
  return j;
}

void PrintJson(Context& ctx, const StatusReport& report) {
  json doc;
  PutTime(doc, "now", report.now);
  doc["secret_store"] = {{"ok", report.secret_store_ok}, {"error", OrNull(report.secret_store_error)}};
  doc["hosts"] = json::array();
  for (const StatusRow& row : report.rows) doc["hosts"].push_back(RowJson(row, report.now));
  ctx.out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

std::string When(std::int64_t at, std::int64_t now) { return FormatRfc3339(at) + " (" + FormatRelative(at, now) + ")"; }

void Field(Context& ctx, const char* name, const std::string& value) { PrintField(ctx.out, name, 14, value); }

void PrintRow(Context& ctx, const StatusRow& row, std::int64_t now) {
  switch (row.kind) {
    case StatusRow::kRegistry: ctx.out << row.key << " (served registry)\n"; break;
    case StatusRow::kOrganization: ctx.out << row.key << " (organization " << row.organization << ")\n"; break;
    case StatusRow::kStored:
      ctx.out << row.key << " (stored credential, not an Upbound registry)\n";
      Field(ctx, "user", row.access_id);
      return;
  }
  Field(ctx, "token", row.source_text);
  if (!row.access_id.empty()) Field(ctx, "access ID", row.access_id);
  Field(ctx, "exchange", row.exchange);
  if (row.exchange != "direct") {
    if (!row.credential) {
      Field(ctx, "cached", "nothing");
    } else {
      Field(ctx, "cached", row.credential->username + (row.credential->expires_at <= now ? ", expired " : ", expires ") +
                               When(row.credential->expires_at, now));
    }
  }
  if (row.verdict) {
    Field(ctx, "verdict", std::string(VerdictKindName(row.verdict->kind)) + " until " +
                              When(row.verdict->until, now) + ": " + row.verdict->reason);
  } else if (row.exchange == "direct" && row.source != "none") {
    Field(ctx, "verdict", "none cached (the next get asks the registry)");
  }
  Field(ctx, "last failure", row.failure ? When(row.failure->at, now) + ": " + row.failure->message : "none");
  for (const std::string& note : row.notes) Field(ctx, "note", note);
}

}  // namespace

int RunStatus(Context& ctx, const Args& args) {
  if (Status loaded = ctx.LoadSettings(); !loaded.ok()) {
    ctx.log.Error("status: " + loaded.message());
    return 1;
  }
  StatusReport report = CollectStatus(ctx);
  if (args.Has("json")) {
    PrintJson(ctx, report);
    return 0;
  }
  if (!report.secret_store_ok) {
    ctx.out << "secret store: cannot be read, so tokens stored there are not shown\n";
    Field(ctx, "error", report.secret_store_error);
    ctx.out << "\n";
  }
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    if (i > 0) ctx.out << "\n";
    PrintRow(ctx, report.rows[i], report.now);
  }
  return 0;
}

}  // namespace dcu
