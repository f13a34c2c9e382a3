#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "helper/commands/text_diff.h"

namespace dcu {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Applies a unified diff to old_text as patch would (hunks in order, context
// checked); "<failed>" when it does not apply.
std::string Apply(const std::string& old_text, const std::string& diff) {
  std::vector<std::string> old_lines;
  for (std::size_t at = 0; at < old_text.size();) {
    std::size_t nl = old_text.find('\n', at);
    std::size_t end = nl == std::string::npos ? old_text.size() : nl + 1;
    old_lines.push_back(old_text.substr(at, end - at));
    at = end;
  }
  std::vector<std::string> d = Lines(diff);
  std::string out;
  std::size_t next_old = 0;  // old lines consumed
  for (std::size_t i = 2; i < d.size();) {
    if (d[i].rfind("@@ -", 0) != 0) return "<failed>";
    std::size_t old_start = std::stoul(d[i].substr(4));
    std::size_t first = old_start == 0 ? 0 : old_start - 1;
    // An empty old range names the line before it.
    if (d[i].find(",0 +") != std::string::npos && d[i].find("-" + std::to_string(old_start) + ",0") != std::string::npos) {
      first = old_start;
    }
    while (next_old < first) out += old_lines[next_old++];
    for (++i; i < d.size() && d[i].rfind("@@", 0) != 0; ++i) {
      const std::string& l = d[i];
      bool no_newline = i + 1 < d.size() && d[i + 1] == "\\ No newline at end of file";
      std::string body = l.substr(1) + (no_newline ? "" : "\n");
      if (l[0] == ' ' || l[0] == '-') {
        if (next_old >= old_lines.size() || old_lines[next_old] != body) return "<failed>";
        ++next_old;
      }
      if (l[0] == ' ' || l[0] == '+') out += body;
      if (no_newline) ++i;
    }
  }
  while (next_old < old_lines.size()) out += old_lines[next_old++];
  return out;
}

TEST_CASE("text diff: equal texts give nothing", "[text_diff]") {
  CHECK(UnifiedDiff("a\n", "a\n", "x", "x").empty());
  CHECK(UnifiedDiff("", "", "x", "x").empty());
}

TEST_CASE("text diff: one change with three lines of context, as diff -u prints it", "[text_diff]") {
  std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  std::string b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  CHECK(UnifiedDiff(a, b, "/p", "/p") ==
        "--- /p\n+++ /p\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST_CASE("text diff: a new file, a missing last newline, single-line ranges", "[text_diff]") {
  CHECK(UnifiedDiff("", "a\nb\n", "/dev/null", "/p") == "--- /dev/null\n+++ /p\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  CHECK(UnifiedDiff("a", "b", "/p", "/p") ==
        "--- /p\n+++ /p\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n");
  CHECK(UnifiedDiff("a\n", "a\nb\n", "/p", "/p") == "--- /p\n+++ /p\n@@ -1 +1,2 @@\n a\n+b\n");
  CHECK(UnifiedDiff("a\nb\n", "b\n", "/p", "/p") == "--- /p\n+++ /p\n@@ -1,2 +1 @@\n-a\n b\n");
}

TEST_CASE("text diff: distant changes make separate hunks, near ones one", "[text_diff]") {
  std::string a, far, near;
  for (int i = 1; i <= 20; ++i) a += std::to_string(i) + "\n";
  far = a, near = a;
  far.replace(far.find("2\n"), 2, "two\n");
  far.replace(far.find("19\n"), 3, "nineteen\n");
  near.replace(near.find("5\n"), 2, "five\n");
  near.replace(near.find("11\n"), 3, "eleven\n");
  std::string d = UnifiedDiff(a, far, "/p", "/p");
  CHECK(d.find("@@ -1,5 +1,5 @@") != std::string::npos);
  CHECK(d.find("@@ -16,5 +16,5 @@") != std::string::npos);
  std::string n = UnifiedDiff(a, near, "/p", "/p");
  CHECK(n.find("@@ -2,13 +2,13 @@") != std::string::npos);
  CHECK(n.find("@@", n.find("@@") + 20) == std::string::npos);
  CHECK(Apply(a, d) == far);
  CHECK(Apply(a, n) == near);
}

TEST_CASE("text diff: random edits always apply back to the new text", "[text_diff]") {
  std::mt19937 random(7);
  for (int round = 0; round < 300; ++round) {
    std::string a, b;
    int n = static_cast<int>(random() % 30);
    for (int i = 0; i < n; ++i) a += std::to_string(random() % 6) + "\n";
    for (char c : a) {
      if (c != '\n') {
        switch (random() % 5) {
          case 0: continue;                                    // drop a line
          case 1: b += std::to_string(random() % 6) + "\n"; break;  // insert one
          default: break;
        }
        b += c;
        b += "\n";
      }
    }
    if (random() % 4 == 0 && !b.empty()) b.pop_back();  // no newline at the end
    INFO("a=" << a << " b=" << b);
    CHECK(Apply(a, UnifiedDiff(a, b, "/p", "/p")) == (a == b ? a : b));
  }
}

TEST_CASE("text diff: a huge change falls back to removed-and-added, still correct", "[text_diff]") {
  std::string a, b;
  for (int i = 0; i < 3000; ++i) a += "a" + std::to_string(i) + "\n", b += "b" + std::to_string(i) + "\n";
  std::string d = UnifiedDiff(a, b, "/p", "/p");
  CHECK(d.find("@@ -1,3000 +1,3000 @@") != std::string::npos);
  CHECK(Apply(a, d) == b);
}

}  // namespace
}  // namespace dcu
