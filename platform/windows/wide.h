// UTF-8 (the core's strings) to UTF-16 (the W functions) and back. Every
// string the core hands the platform is UTF-8; one that is not is refused,
// never guessed at in the ANSI code page.
#pragma once

#include <windows.h>

#include <string>

#include "helper/base/status.h"

namespace dcu::win {

// InvalidInput "<what>: not valid UTF-8" when text is not UTF-8.
inline StatusOr<std::wstring> Wide(const std::string& text, const std::string& what) {
  if (text.empty()) return std::wstring();
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()),
                              nullptr, 0);
  if (n <= 0) return Status::InvalidInput(what + ": not valid UTF-8");
  std::wstring out(static_cast<std::size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text.data(), static_cast<int>(text.size()), out.data(), n);
  return out;
}

// Unpaired surrogates (which Windows allows in names) become U+FFFD.
inline std::string Narrow(const wchar_t* text, std::size_t length) {
  if (length == 0) return std::string();
  int n = WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), nullptr, 0, nullptr, nullptr);
  if (n <= 0) return std::string();
  std::string out(static_cast<std::size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, text, static_cast<int>(length), out.data(), n, nullptr, nullptr);
  return out;
}

inline std::string Narrow(const std::wstring& text) { return Narrow(text.data(), text.size()); }

// The message Windows has for a GetLastError() code, on one line, with the
// code ("Access is denied (error 5)").
inline std::string ErrorText(DWORD code) {
  wchar_t* buffer = nullptr;
  DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                           nullptr, code, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  std::string text = n > 0 ? Narrow(buffer, n) : std::string();
  if (buffer != nullptr) LocalFree(buffer);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '.')) {
    text.pop_back();
  }
  if (text.empty()) text = "Windows error";
  return text + " (error " + std::to_string(code) + ")";
}

}  // namespace dcu::win
