// Who owns a file and who else may open it: the Windows meaning of the
// POSIX mode checks (uid, 0600, 0700) the file system contract speaks of.
#pragma once

#include <windows.h>

#include <string>
#include <vector>

#include "helper/base/status.h"

namespace dcu::win {

// What a file's owner and DACL allow, as far as the contract cares.
struct Access {
  bool owned = false;         // owner is this user (or the token's default owner)
  bool others_read = false;   // a SID beyond this user, SYSTEM and Administrators may read
  bool others_write = false;  // ... may write, delete, or change the DACL or owner
  bool Private() const { return owned && !others_read && !others_write; }
  // A POSIX-like mode for doctor's messages: 0600, 0644, 0622 or 0666.
  unsigned Mode() const;
};

// The security of an open handle (READ_CONTROL). A DACL that cannot be read,
// or a NULL DACL (FAT, some network shares), lets everyone in.
Access AccessOf(HANDLE handle);

// This process's user SID as text ("S-1-5-21-...-1001"); "" if unknown.
std::string UserSidText();

// A security descriptor for a new private file or directory: owner this
// user, a protected DACL (nothing inherited) granting full access to this
// user and SYSTEM only; directories pass it on to what is created inside.
// Freed with LocalFree.
StatusOr<PSECURITY_DESCRIPTOR> PrivateDescriptor(bool directory);

}  // namespace dcu::win
