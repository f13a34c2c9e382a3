#include "helper/commands/text_diff.h"

#include <algorithm>
#include <vector>

namespace dcu {
namespace {

constexpr std::size_t kContext = 3;
// Cells of the LCS table: beyond this the middle is shown replaced whole.
constexpr std::size_t kMaxCells = 4'000'000;

// Lines with their newline ("" for none at the end).
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    std::size_t end = nl == std::string::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(at, end - at));
    at = end;
  }
  return lines;
}

enum class Op { kKeep, kRemove, kAdd };

struct Edit {
  Op op;
  std::size_t line;  // index into old (keep, remove) or new (add)
};

// The edit script turning a[lo_a, hi_a) into b[lo_b, hi_b).
void Middle(const std::vector<std::string>& a, std::size_t lo_a, std::size_t hi_a, const std::vector<std::string>& b,
            std::size_t lo_b, std::size_t hi_b, std::vector<Edit>* script) {
  std::size_t n = hi_a - lo_a, m = hi_b - lo_b;
  if (n == 0 || m == 0 || (n + 1) * (m + 1) > kMaxCells) {
    for (std::size_t i = lo_a; i < hi_a; ++i) script->push_back({Op::kRemove, i});
    for (std::size_t j = lo_b; j < hi_b; ++j) script->push_back({Op::kAdd, j});
    return;
  }
  // lcs[i][j]: the longest common subsequence of a[lo_a+i..] and b[lo_b+j..].
  std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[lo_a + i] == b[lo_b + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[lo_a + i] == b[lo_b + j]) {
      script->push_back({Op::kKeep, lo_a + i});
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      script->push_back({Op::kRemove, lo_a + i++});  // removals first, as diff -u shows them
    } else {
      script->push_back({Op::kAdd, lo_b + j++});
    }
  }
}

std::string Range(std::size_t start, std::size_t count) {
  // diff -u: a range of one line is just its number; an empty one names
  // the line before it.
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

void AppendLine(std::string* out, char mark, const std::string& line) {
  *out += mark;
  *out += line;
  if (line.empty() || line.back() != '\n') *out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string UnifiedDiff(const std::string& old_text, const std::string& new_text, const std::string& old_label,
                        const std::string& new_label) {
  if (old_text == new_text) return "";
  std::vector<std::string> a = Lines(old_text), b = Lines(new_text);
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  std::vector<Edit> script;
  for (std::size_t i = 0; i < prefix; ++i) script.push_back({Op::kKeep, i});
  Middle(a, prefix, a.size() - suffix, b, prefix, b.size() - suffix, &script);
  for (std::size_t i = a.size() - suffix; i < a.size(); ++i) script.push_back({Op::kKeep, i});

  std::string out = "--- " + old_label + "\n+++ " + new_label + "\n";
  // Old and new line numbers at each step of the script.
  std::vector<std::size_t> at_a(script.size() + 1), at_b(script.size() + 1);
  for (std::size_t k = 0; k < script.size(); ++k) {
    at_a[k + 1] = at_a[k] + (script[k].op != Op::kAdd);
    at_b[k + 1] = at_b[k] + (script[k].op != Op::kRemove);
  }
  std::size_t k = 0;
  while (k < script.size()) {
    if (script[k].op == Op::kKeep) {
      ++k;
      continue;
    }
    // A hunk: from kContext keeps before this change to kContext after the
    // last change that is at most 2 * kContext keeps from the previous one.
    std::size_t begin = k >= kContext ? k - kContext : 0;
    std::size_t end = k;
    for (;;) {
      while (end < script.size() && script[end].op != Op::kKeep) ++end;
      std::size_t keeps = 0;
      while (end + keeps < script.size() && script[end + keeps].op == Op::kKeep) ++keeps;
      if (end + keeps < script.size() && keeps <= 2 * kContext) {
        end += keeps;
        continue;
      }
      end += std::min(keeps, kContext);
      break;
    }
    out += "@@ -" + Range(at_a[begin], at_a[end] - at_a[begin]) + " +" + Range(at_b[begin], at_b[end] - at_b[begin]) +
           " @@\n";
    for (std::size_t s = begin; s < end; ++s) {
      const Edit& e = script[s];
      if (e.op == Op::kKeep) AppendLine(&out, ' ', a[e.line]);
      if (e.op == Op::kRemove) AppendLine(&out, '-', a[e.line]);
      if (e.op == Op::kAdd) AppendLine(&out, '+', b[e.line]);
    }
    k = end;
  }
  return out;
}

}  // namespace dcu
