#include "helper/base/shown_url.h"

namespace dcu {

std::string ShownUrl(std::string_view url) {
  std::size_t sep = url.find("://");
  std::size_t start = sep == std::string_view::npos ? 0 : sep + 3;
  std::string_view scheme = url.substr(0, start);
  std::string_view rest = url.substr(start);
  std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  rest = rest.substr(0, rest.find_first_of("?#"));

  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::string_view part : {scheme, rest}) {
    for (char c : part) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f) {
        out += "\\x";
        out.push_back(hex[u >> 4]);
        out.push_back(hex[u & 0xf]);
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

}  // namespace dcu
