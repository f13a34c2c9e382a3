// Doctor's output: the numbered checks and the --repository table, as
// text for a person or as one JSON document. Nothing here is a secret:
// checks never put one in a detail or a fix.
#pragma once

#include <optional>
#include <ostream>
#include <vector>

#include "helper/commands/doctor/check.h"
#include "helper/commands/doctor/repository_probe.h"

namespace dcu::doctor {

// Whether the checks pass: no check failed (warnings and skips allowed).
bool AllPass(const std::vector<Check>& checks);

// "1. NAME ........ ok (detail)", a "   fix: ..." line after a failure or
// warning that has one, the repository table, then
// "N checks: X ok, Y failed, Z warnings, W skipped".
void PrintText(std::ostream& out, const std::vector<Check>& checks, const std::optional<RepositoryReport>& repo,
               ExchangeKind current);

// {"checks":[{"number","name","verdict","detail","fix"}],"repository":{..}|null,"ok":bool}
void PrintJson(std::ostream& out, const std::vector<Check>& checks, const std::optional<RepositoryReport>& repo);

}  // namespace dcu::doctor
