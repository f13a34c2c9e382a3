// A unified diff of two texts, as `diff -u` prints it, for configure
// --dry-run: a person reads it, and `patch` applies it.
#pragma once

#include <string>

namespace dcu {

// "--- old_label\n+++ new_label\n" and @@ hunks with three lines of
// context; "" when the texts are equal. A last line without a newline is
// marked "\ No newline at end of file". Lines common to both ends are
// matched first; the rest is compared line by line (a longest common
// subsequence) when small, else shown removed and added whole: always a
// correct diff, minimal for the small edits configure makes.
std::string UnifiedDiff(const std::string& old_text, const std::string& new_text, const std::string& old_label,
                        const std::string& new_label);

}  // namespace dcu
