#include "platform/windows/windows_security.h"

#include <aclapi.h>
#include <sddl.h>

#include "platform/windows/wide.h"

namespace dcu::win {
namespace {

// A token's SID of one kind (TokenUser, TokenOwner), copied out.
std::vector<BYTE> TokenSid(TOKEN_INFORMATION_CLASS kind) {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return {};
  DWORD size = 0;
  GetTokenInformation(token, kind, nullptr, 0, &size);
  std::vector<BYTE> info(size);
  std::vector<BYTE> sid;
  if (size > 0 && GetTokenInformation(token, kind, info.data(), size, &size)) {
    // TOKEN_USER and TOKEN_OWNER both start with the SID pointer.
    PSID p = kind == TokenUser ? reinterpret_cast<TOKEN_USER*>(info.data())->User.Sid
                               : reinterpret_cast<TOKEN_OWNER*>(info.data())->Owner;
    if (IsValidSid(p)) {
      sid.resize(GetLengthSid(p));
      CopySid(static_cast<DWORD>(sid.size()), sid.data(), p);
    }
  }
  CloseHandle(token);
  return sid;
}

const std::vector<BYTE>& UserSid() {
  static const std::vector<BYTE> sid = TokenSid(TokenUser);
  return sid;
}

// An elevated administrator's new files are owned by Administrators (the
// token's default owner), not by the user.
const std::vector<BYTE>& DefaultOwnerSid() {
  static const std::vector<BYTE> sid = TokenSid(TokenOwner);
  return sid;
}

bool Is(PSID sid, const std::vector<BYTE>& known) {
  return !known.empty() && EqualSid(sid, const_cast<BYTE*>(known.data()));
}

bool IsWellKnown(PSID sid, WELL_KNOWN_SID_TYPE type) { return IsWellKnownSid(sid, type) != FALSE; }

// Whom a private file may let in besides its user: the system and the
// machine's administrators (who can take any file anyway), and OWNER
// RIGHTS (the owner, checked separately).
bool Trusted(PSID sid) {
  return Is(sid, UserSid()) || Is(sid, DefaultOwnerSid()) || IsWellKnown(sid, WinLocalSystemSid) ||
         IsWellKnown(sid, WinBuiltinAdministratorsSid) || IsWellKnown(sid, WinCreatorOwnerRightsSid);
}

constexpr ACCESS_MASK kRead = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;
constexpr ACCESS_MASK kWrite = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_DELETE_CHILD | DELETE | WRITE_DAC |
                               WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL;

}  // namespace

unsigned Access::Mode() const { return 0600u | (others_read ? 044u : 0u) | (others_write ? 022u : 0u); }

Access AccessOf(HANDLE handle) {
  Access access;
  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (GetSecurityInfo(handle, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                      nullptr, &dacl, nullptr, &sd) != ERROR_SUCCESS) {
    access.others_read = access.others_write = true;
    return access;
  }
  access.owned = owner != nullptr && (Is(owner, UserSid()) || Is(owner, DefaultOwnerSid()));
  if (dacl == nullptr) {
    access.others_read = access.others_write = true;  // a NULL DACL: everyone, everything
  }
  for (DWORD i = 0; dacl != nullptr && i < dacl->AceCount; ++i) {
    void* raw = nullptr;
    if (!GetAce(dacl, i, &raw)) continue;
    auto* header = static_cast<ACE_HEADER*>(raw);
    if ((header->AceFlags & INHERIT_ONLY_ACE) != 0) continue;  // only for what is created inside
    if (header->AceType == ACCESS_DENIED_ACE_TYPE) continue;
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE) {
      // Object and callback ACEs: not worth parsing, and not ours.
      access.others_read = access.others_write = true;
      continue;
    }
    auto* ace = static_cast<ACCESS_ALLOWED_ACE*>(raw);
    if (Trusted(reinterpret_cast<PSID>(&ace->SidStart))) continue;
    if ((ace->Mask & kRead) != 0) access.others_read = true;
    if ((ace->Mask & kWrite) != 0) access.others_write = true;
  }
  LocalFree(sd);
  return access;
}

std::string UserSidText() {
  const std::vector<BYTE>& sid = UserSid();
  if (sid.empty()) return "";
  wchar_t* text = nullptr;
  if (!ConvertSidToStringSidW(const_cast<BYTE*>(sid.data()), &text)) return "";
  std::string result = Narrow(text, wcslen(text));
  LocalFree(text);
  return result;
}

StatusOr<PSECURITY_DESCRIPTOR> PrivateDescriptor(bool directory) {
  std::string sid = UserSidText();
  if (sid.empty()) return Status::Unavailable("cannot read this process's user: " + ErrorText(GetLastError()));
  // OICI: files and directories created inside get the same two entries.
  std::string flags = directory ? "OICI" : "";
  std::string sddl = "O:" + sid + "D:P(A;" + flags + ";FA;;;" + sid + ")(A;" + flags + ";FA;;;SY)";
  StatusOr<std::wstring> wide = Wide(sddl, "security descriptor");
  if (!wide.ok()) return wide.status();
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(wide->c_str(), SDDL_REVISION_1, &sd, nullptr)) {
    return Status::Unavailable("cannot build a private security descriptor: " + ErrorText(GetLastError()));
  }
  return sd;
}

}  // namespace dcu::win
