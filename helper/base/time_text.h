// Times as people and programs read them in a command's output.
#pragma once

#include <cstdint>
#include <string>

namespace dcu {

// RFC 3339 in UTC, "2026-12-05T12:00:00Z", for Unix seconds from year 0 to
// 9999 (others are clamped to those years' ends).
std::string FormatRfc3339(std::int64_t unix_seconds);

// A rough length of time: "45s", "59m", "2h 5m", "3d 4h". Negative
// durations are shown as their absolute value.
std::string FormatDuration(std::int64_t seconds);

// "in 59m" for a time after now, "2h 5m ago" (or "0s ago") for one not after.
std::string FormatRelative(std::int64_t at, std::int64_t now);

}  // namespace dcu
