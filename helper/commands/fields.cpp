#include "helper/commands/fields.h"

namespace dcu {
namespace {

constexpr std::size_t kWidth = 80;

}  // namespace

void PrintField(std::ostream& out, const std::string& label, std::size_t label_width, const std::string& value) {
  std::string head = label + ":";
  std::string line = "  " + head + std::string(head.size() < label_width ? label_width - head.size() : 1, ' ');
  const std::size_t indent = line.size();
  std::size_t start = indent;
  std::size_t pos = 0;
  while (pos < value.size()) {
    std::size_t end = value.find(' ', pos);
    std::string word = value.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? value.size() : end + 1;
    if (line.size() > start && line.size() + 1 + word.size() > kWidth) {
      out << line << "\n";
      line = std::string(indent, ' ');
    }
    line += (line.size() > start ? " " : "") + word;
  }
  out << line << "\n";
}

}  // namespace dcu
