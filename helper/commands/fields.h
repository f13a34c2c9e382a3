// "  label:    value" lines as login and status print them, wrapped at
// spaces to 80 columns with continuation lines under the value.
#pragma once

#include <ostream>
#include <string>

namespace dcu {

// label_width: the column (after the two-space indent) where values start;
// a longer label gets one space. A word longer than a line stays whole.
void PrintField(std::ostream& out, const std::string& label, std::size_t label_width, const std::string& value);

}  // namespace dcu
