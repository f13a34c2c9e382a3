#include "helper/commands/doctor/report.h"

#include <nlohmann/json.hpp>

namespace dcu::doctor {
namespace {

using json = nlohmann::json;

constexpr std::size_t kNameColumn = 52;

// Details quote file keys and server answers: no control character reaches
// a terminal.
std::string Printable(std::string text) {
  for (char& ch : text) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
  }
  return text;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : sep) + item;
  return joined;
}

std::string Setting(const std::string& kind) {
  return "DOCKER_CREDENTIAL_UPBOUND_EXCHANGE=" + kind + " (or config key \"exchange\": \"" + kind + "\")";
}

void PrintRepository(std::ostream& out, const RepositoryReport& r, ExchangeKind current) {
  out << "\n--repository " << r.repository;
  if (!r.error.empty()) {
    out << ": " << r.error << "\n";
    return;
  }
  out << " on " << r.host << ", asked for pull,push with robot " << r.access_id << ":\n";
  for (const KindGrant& g : r.kinds) {
    std::string name = ExchangeKindName(g.kind);
    std::string shown = Printable(g.asked ? (g.actions.empty() ? "nothing" : Join(g.actions, ",")) : g.error);
    out << "   " << name << std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') << shown
        << (g.kind == current ? "   (current setting)" : "") << "\n";
  }
  const std::string& org = r.repository.substr(0, r.repository.find('/'));
  out << "for pull: " << (r.pull.empty() ? "no exchange gets pull on " + r.repository : Setting(r.pull)) << "\n";
  out << "for push: "
      << (r.push.empty() ? "no exchange gets push on " + r.repository + " (give the robot's team write access in " + org + ")"
                         : Setting(r.push))
      << "\n";
}

}  // namespace

bool AllPass(const std::vector<Check>& checks) {
  for (const Check& c : checks) {
    if (c.verdict == Verdict::kFail) return false;
  }
  return true;
}

void PrintText(std::ostream& out, const std::vector<Check>& checks, const std::optional<RepositoryReport>& repo,
               ExchangeKind current) {
  int ok = 0, failed = 0, warnings = 0, skipped = 0;
  for (const Check& c : checks) {
    std::string head = std::to_string(c.number) + ". " + c.name + " ";
    if (head.size() < kNameColumn) head += std::string(kNameColumn - head.size(), '.');
    out << head << " " << VerdictName(c.verdict, false);
    if (!c.detail.empty()) out << (c.verdict == Verdict::kSkipped ? ": " : " (") << Printable(c.detail)
                               << (c.verdict == Verdict::kSkipped ? "" : ")");
    out << "\n";
    if (!c.fix.empty() && (c.verdict == Verdict::kFail || c.verdict == Verdict::kWarning)) {
      out << "   fix: " << Printable(c.fix) << "\n";
    }
    ok += c.verdict == Verdict::kOk;
    failed += c.verdict == Verdict::kFail;
    warnings += c.verdict == Verdict::kWarning;
    skipped += c.verdict == Verdict::kSkipped;
  }
  if (repo) PrintRepository(out, *repo, current);
  out << (repo ? "\n" : "") << checks.size() << " checks: " << ok << " ok, " << failed << " failed, " << warnings
      << " warnings, " << skipped << " skipped\n";
}

void PrintJson(std::ostream& out, const std::vector<Check>& checks, const std::optional<RepositoryReport>& repo) {
  json doc = json::object();
  doc["checks"] = json::array();
  for (const Check& c : checks) {
    doc["checks"].push_back({{"number", c.number},
                             {"name", c.name},
                             {"verdict", VerdictName(c.verdict, true)},
                             {"detail", c.detail},
                             {"fix", c.fix}});
  }
  if (repo) {
    json r = {{"repository", repo->repository}, {"host", repo->host}, {"accessId", repo->access_id}};
    if (!repo->error.empty()) r["error"] = repo->error;
    json kinds = json::object();
    for (const KindGrant& g : repo->kinds) {
      json k = json::object();
      if (g.asked) {
        k["granted"] = g.actions;
      } else {
        k["error"] = g.error;
      }
      kinds[ExchangeKindName(g.kind)] = k;
    }
    r["kinds"] = kinds;
    r["pull"] = repo->pull.empty() ? json(nullptr) : json(repo->pull);
    r["push"] = repo->push.empty() ? json(nullptr) : json(repo->push);
    doc["repository"] = r;
  } else {
    doc["repository"] = nullptr;
  }
  doc["ok"] = AllPass(checks);
  // Details may hold bytes from files and servers: never throw on them.
  out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace dcu::doctor
