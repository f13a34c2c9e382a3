#include "platform/windows/winhttp_errors.h"

#include <winhttp.h>

#include <vector>

#include "platform/windows/wide.h"

namespace dcu::win {
namespace {

// Winsock's codes, which wine's WinHTTP passes through (winsock2.h would
// clash with the test servers' includes order; the values are fixed).
constexpr DWORD kWsaTimedOut = 10060;
constexpr DWORD kWsaConnectionRefused = 10061;

// Which checks a failed handshake's certificate failed, in the words of
// OpenSSL's verify errors where one fits.
std::string CertificateProblems(DWORD flags) {
  struct Flag {
    DWORD bit;
    const char* text;
  };
  static const Flag kFlags[] = {
      {WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA, "unable to get local issuer certificate (untrusted root)"},
      {WINHTTP_CALLBACK_STATUS_FLAG_CERT_DATE_INVALID, "certificate has expired or is not yet valid"},
      {WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID, "certificate does not match the host name"},
      {WINHTTP_CALLBACK_STATUS_FLAG_CERT_REVOKED, "certificate revoked"},
      {WINHTTP_CALLBACK_STATUS_FLAG_CERT_REV_FAILED, "certificate revocation check failed"},
      {WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CERT, "invalid certificate"},
  };
  std::string out;
  for (const Flag& f : kFlags) {
    if ((flags & f.bit) != 0) out += (out.empty() ? "" : "; ") + std::string(f.text);
  }
  return out;
}

std::string CertificateFailure(const std::string& problems) {
  return "SSL peer certificate or SSH remote key was not OK (SSL certificate problem: " + problems + ")";
}

}  // namespace

std::string WinHttpErrorText(DWORD code) {
  if (code < WINHTTP_ERROR_BASE || code > WINHTTP_ERROR_LAST) return ErrorText(code);
  wchar_t* buffer = nullptr;
  DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_IGNORE_INSERTS,
                           GetModuleHandleW(L"winhttp.dll"), code, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  std::string text = n > 0 ? Narrow(buffer, n) : std::string();
  if (buffer != nullptr) LocalFree(buffer);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '.')) {
    text.pop_back();
  }
  if (text.empty()) {
    // Wine's winhttp.dll has no message table.
    switch (code) {
      case ERROR_WINHTTP_SECURE_CHANNEL_ERROR: text = "A security error occurred"; break;
      case ERROR_WINHTTP_SECURE_FAILURE: text = "A security error occurred in the certificate"; break;
      case ERROR_WINHTTP_CONNECTION_ERROR: text = "The connection with the server was reset or terminated"; break;
      default: text = "WinHTTP error";
    }
  }
  return text + " (error " + std::to_string(code) + ")";
}

Status Failure(DWORD error, const std::string& context, const Observed& observed,
               std::chrono::steady_clock::time_point sent) {
  std::string detail;
  switch (error) {
    case ERROR_WINHTTP_TIMEOUT:
    case ERROR_TIMEOUT:
    case kWsaTimedOut: {
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent);
      detail = "timed out after " + std::to_string(took.count()) + " ms";
      break;
    }
    case ERROR_WINHTTP_NAME_NOT_RESOLVED:
      detail = observed.proxied ? "Couldn't resolve proxy name" : "Couldn't resolve host name";
      break;
    case ERROR_WINHTTP_CANNOT_CONNECT:
    case kWsaConnectionRefused:
      detail = "Couldn't connect to server";
      break;
    case ERROR_WINHTTP_HEADER_SIZE_OVERFLOW:
    case ERROR_WINHTTP_RESPONSE_DRAIN_OVERFLOW:
      detail = "response too large";
      break;
    case ERROR_WINHTTP_INVALID_SERVER_RESPONSE:
      detail = "Weird server reply";
      break;
    case ERROR_WINHTTP_CONNECTION_ERROR:
      detail = "Failure when receiving data from the peer (" + WinHttpErrorText(error) + ")";
      break;
    case ERROR_WINHTTP_SECURE_CERT_DATE_INVALID:
      detail = CertificateFailure(CertificateProblems(WINHTTP_CALLBACK_STATUS_FLAG_CERT_DATE_INVALID));
      break;
    case ERROR_WINHTTP_SECURE_CERT_CN_INVALID:
      detail = CertificateFailure(CertificateProblems(WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID));
      break;
    case ERROR_WINHTTP_SECURE_INVALID_CA:
      detail = CertificateFailure(CertificateProblems(WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA));
      break;
    case ERROR_WINHTTP_SECURE_CERT_REVOKED:
    case ERROR_WINHTTP_SECURE_CERT_REV_FAILED:
    case ERROR_WINHTTP_SECURE_INVALID_CERT:
    case ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE:
      detail = CertificateFailure(WinHttpErrorText(error));
      break;
    case ERROR_WINHTTP_SECURE_FAILURE:
    case ERROR_WINHTTP_SECURE_CHANNEL_ERROR: {
      std::string problems = CertificateProblems(observed.secure_failure);
      detail = problems.empty() ? "SSL connect error (" + WinHttpErrorText(error) + ")" : CertificateFailure(problems);
      break;
    }
    default:
      detail = WinHttpErrorText(error);
  }
  return Status::Unavailable(context + ": " + detail);
}

}  // namespace dcu::win
