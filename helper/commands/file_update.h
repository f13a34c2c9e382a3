// Replacing a file another program reads (Docker's config.json, the
// kubelet's provider config) so that nothing is lost: read it whole,
// bounded, then keep a backup of what it held and replace it atomically.
#pragma once

#include <string>

#include "helper/base/status.h"
#include "helper/system/file_system.h"

namespace dcu {

// Larger client files are refused, not read (a 1 MiB config.json is not
// one a person keeps; a device could be endless).
inline constexpr std::size_t kMaxClientFile = 1 << 20;

struct FileUpdate {
  std::string path;    // as named
  // Where the content is: path with symbolic links resolved, so that the
  // write goes through a link (as Docker's own save does) and keeps it.
  std::string target;
  bool through_link = false;  // target differs from path by a symbolic link
  bool exists = false;
  std::string old_text;  // "" when absent
};

// Reads path for an update. A missing file (or directory) is not an error.
// InvalidInput or Unavailable, with the path in the message, for a file that
// cannot be read whole (a FIFO or device, larger than kMaxClientFile, a
// dangling symbolic link, no permission).
StatusOr<FileUpdate> ReadForUpdate(FileSystem& fs, const std::string& path);

struct Written {
  std::string backup;        // the previous content's copy, "" when the file was new
  bool created_dir = false;  // the directory was missing and was created (0700)
};

// Writes new_text to update.target with mode 0600, atomically (a reader
// sees the old or the new file). An existing file's content is first
// copied to "<target>.bak" (0600, replacing an older backup); a missing
// directory is created 0700, an existing one is left as it is. On failure
// (an unwritable directory, a full disk) the target still holds its old
// content, and the message says what failed and that the file is unchanged.
StatusOr<Written> WriteUpdate(FileSystem& fs, const FileUpdate& update, const std::string& new_text);

}  // namespace dcu
