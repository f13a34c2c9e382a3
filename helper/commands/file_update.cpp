#include "helper/commands/file_update.h"

namespace dcu {
namespace {

std::string DirOf(const std::string& path) {
  std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

StatusOr<FileUpdate> ReadForUpdate(FileSystem& fs, const std::string& path) {
  FileUpdate update;
  update.path = path;
  update.target = path;
  StatusOr<std::string> resolved = fs.ResolvePath(path);
  if (!resolved.ok()) {
    if (resolved.status().IsNotFound()) return update;
    return resolved.status();
  }
  update.target = *resolved;
  // realpath also makes a relative path absolute: only a link counts.
  std::string dir = DirOf(path);
  StatusOr<std::string> real_dir = fs.ResolvePath(dir.empty() ? "." : dir);
  std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  update.through_link = !real_dir.ok() || (*real_dir == "/" ? "" : *real_dir) + "/" + name != update.target;
  StatusOr<std::string> text = fs.ReadFile(update.target, kMaxClientFile);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return update;
    return text.status();
  }
  update.exists = true;
  update.old_text = std::move(*text);
  return update;
}

StatusOr<Written> WriteUpdate(FileSystem& fs, const FileUpdate& update, const std::string& new_text) {
  Written written;
  const std::string& target = update.target;
  if (update.exists) {
    written.backup = target + ".bak";
    Status saved = fs.WritePrivateFileAtomic(written.backup, update.old_text);
    if (!saved.ok()) {
      return Status::Unavailable("cannot write the backup " + written.backup + " (" + saved.message() + "); " +
                                 update.path + " is unchanged");
    }
  } else {
    std::string dir = DirOf(target);
    // Only a missing directory is made private: an existing one (a home,
    // /etc/kubernetes) keeps the permissions it has.
    if (!dir.empty() && !fs.Fingerprint(dir).ok()) {
      Status made = fs.EnsurePrivateDir(dir);
      if (!made.ok()) return Status::Unavailable("cannot create the directory " + dir + " (" + made.message() + ")");
      written.created_dir = true;
    }
  }
  Status wrote = fs.WritePrivateFileAtomic(target, new_text);
  if (!wrote.ok()) {
    return Status::Unavailable("cannot write " + target + " (" + wrote.message() + "); " + update.path +
                               (update.exists ? " is unchanged" : " was not created"));
  }
  return written;
}

}  // namespace dcu
