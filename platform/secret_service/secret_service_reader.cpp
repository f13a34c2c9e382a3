#include "platform/secret_service/secret_service_reader.h"

#include <vector>

#include "platform/secret_service/dbus_connection.h"
#include "platform/secret_service/keyring_common.h"

namespace dcu {
namespace {

using dbus::Call;
using dbus::Message;
using dbus::MessageType;
using dbus::Reader;
using dbus::Writer;

constexpr const char* kService = "org.freedesktop.secrets";
constexpr const char* kServicePath = "/org/freedesktop/secrets";
constexpr const char* kServiceInterface = "org.freedesktop.Secret.Service";
constexpr const char* kItemInterface = "org.freedesktop.Secret.Item";

struct Found {
  std::vector<std::string> unlocked;
  std::vector<std::string> locked;
};

struct Item {
  std::string path;
  bool locked = false;
  std::map<std::string, std::string> attributes;
};

Status CheckReply(const Call& call) {
  if (call.reply.type == MessageType::kMethodReturn) return Status::Ok();
  std::string message;
  Reader r(call.reply.body, call.reply.little_endian);
  if (call.reply.signature.rfind('s', 0) == 0) r.String(&message);
  return keyring::FromDBusError(call.member, call.reply.error_name + ": " + message);
}

Status Malformed(const Call& call) {
  return Status::Unavailable("keyring: " + call.member + ": unexpected reply from the Secret Service");
}

Call ServiceCall(const char* member, const char* signature, std::string body) {
  return Call{kService, kServicePath, kServiceInterface, member, signature, std::move(body), {}};
}

Call Search(std::initializer_list<std::pair<std::string_view, std::string_view>> attributes) {
  Writer w;
  w.StringDict(attributes);
  return ServiceCall("SearchItems", "a{ss}", std::move(w.data()));
}

StatusOr<Found> ParseSearch(const Call& call) {
  Status status = CheckReply(call);
  if (!status.ok()) return status;
  if (call.reply.signature != "aoao") return Malformed(call);
  Reader r(call.reply.body, call.reply.little_endian);
  Found found;
  for (std::vector<std::string>* list : {&found.unlocked, &found.locked}) {
    std::size_t end = 0;
    r.BeginArray(4, &end);
    while (r.Before(end)) {
      std::string path;
      if (r.String(&path)) list->push_back(path);
    }
  }
  if (!r.ok()) return Malformed(call);
  return found;
}

Call GetAttributes(const std::string& item) {
  Writer w;
  w.String(kItemInterface);
  w.String("Attributes");
  return Call{kService, item, "org.freedesktop.DBus.Properties", "Get", "ss", std::move(w.data()), {}};
}

Status ParseAttributes(const Call& call, std::map<std::string, std::string>* out) {
  Status status = CheckReply(call);
  if (!status.ok()) return status;
  Reader r(call.reply.body, call.reply.little_endian);
  std::string inner;
  if (call.reply.signature != "v" || !r.Signature(&inner) || inner != "a{ss}" || !r.StringDict(out)) {
    return Malformed(call);
  }
  return Status::Ok();
}

// Connects, then runs SearchItems for each attribute set in one round trip
// (with OpenSession first when a session is wanted).
class Session {
 public:
  explicit Session(const SecretStoreOptions& options) : options_(options) {}

  Status Open() {
    auto deadline = dbus::Clock::now() + std::chrono::seconds(options_.timeout_seconds);
    StatusOr<std::unique_ptr<dbus::Connection>> conn = dbus::Connection::OpenSessionBus(options_, deadline);
    if (!conn.ok()) return conn.status();
    conn_ = std::move(*conn);
    return Status::Ok();
  }

  Status Run(std::vector<Call*> calls) {
    Status status = conn_->CallAll(std::move(calls));
    if (status.ok()) return status;
    if (status.message().find("in time") != std::string::npos) return keyring::TimeoutError("D-Bus", options_.timeout_seconds);
    return status;
  }

  // Fetches the attributes of every item in one round trip.
  StatusOr<std::vector<Item>> Describe(const Found& found) {
    std::vector<Item> items;
    for (const auto& path : found.unlocked) items.push_back({path, false, {}});
    for (const auto& path : found.locked) items.push_back({path, true, {}});
    std::vector<Call> calls;
    calls.reserve(items.size());
    for (const Item& item : items) calls.push_back(GetAttributes(item.path));
    std::vector<Call*> pointers;
    for (Call& call : calls) pointers.push_back(&call);
    Status status = Run(pointers);
    if (!status.ok()) return status;
    for (std::size_t i = 0; i < items.size(); ++i) {
      status = ParseAttributes(calls[i], &items[i].attributes);
      if (!status.ok()) return status;
    }
    return items;
  }

 private:
  const SecretStoreOptions& options_;
  std::unique_ptr<dbus::Connection> conn_;
};

StatusOr<std::string> ParseSecret(const Call& call, const std::string& item) {
  Status status = CheckReply(call);
  if (!status.ok()) return status;
  if (call.reply.signature != "a{o(oayays)}") return Malformed(call);
  Reader r(call.reply.body, call.reply.little_endian);
  std::size_t end = 0;
  r.BeginArray(8, &end);
  while (r.Before(end)) {
    std::string path, session, parameters, value, content_type;
    r.Align(8);
    r.String(&path);
    r.Align(8);
    r.String(&session);
    r.Bytes(&parameters);
    r.Bytes(&value);
    r.String(&content_type);
    if (r.ok() && path == item) return value;
  }
  if (!r.ok()) return Malformed(call);
  return Status::Unavailable("keyring: the Secret Service returned no secret for " + item);
}

}  // namespace

StatusOr<Credential> ReadSecretServiceCredential(const std::string& server, const SecretStoreOptions& options) {
  Session session(options);
  Status status = session.Open();
  if (!status.ok()) return status;

  Writer open_args;
  open_args.String("plain");
  open_args.Signature("s");
  open_args.String("");
  Call open = ServiceCall("OpenSession", "sv", std::move(open_args.data()));
  Call ours = Search({{"xdg:schema", keyring::kSchemaName}, {"server", server}});
  Call legacy = Search({{"xdg:schema", keyring::kDockerSchemaName}, {"docker_cli", "1"}});
  status = session.Run({&open, &ours, &legacy});
  if (!status.ok()) return status;
  status = CheckReply(open);
  if (!status.ok()) return status;
  std::string session_path;
  {
    Reader r(open.reply.body, open.reply.little_endian);
    std::size_t i = 0;
    if (open.reply.signature != "vo" || !r.Skip("v", &i) || !r.String(&session_path)) return Malformed(open);
  }

  // Ours first; else docker-credential-secretservice's under any spelling.
  StatusOr<Found> found = ParseSearch(ours);
  if (!found.ok()) return found.status();
  Item chosen;
  if (!found->unlocked.empty() || !found->locked.empty()) {
    chosen.path = !found->unlocked.empty() ? found->unlocked.front() : found->locked.front();
    chosen.locked = found->unlocked.empty();
  } else {
    StatusOr<Found> docker = ParseSearch(legacy);
    if (!docker.ok()) return docker.status();
    StatusOr<std::vector<Item>> items = session.Describe(*docker);
    if (!items.ok()) return items.status();
    for (const Item& item : *items) {
      auto it = item.attributes.find("server");
      if (it == item.attributes.end()) continue;
      if (keyring::ItemKey(it->second) == server) {
        chosen = item;
        break;
      }
    }
    if (chosen.path.empty()) return Status::NotFound("keyring: nothing stored for " + server);
  }
  if (chosen.locked) return keyring::LockedError("the collection holding " + server);

  Writer secret_args;
  Writer::ArrayMark paths = secret_args.BeginArray(4);
  secret_args.String(chosen.path);
  secret_args.EndArray(paths);
  secret_args.String(session_path);
  Call secrets = ServiceCall("GetSecrets", "aoo", std::move(secret_args.data()));
  Call attributes = GetAttributes(chosen.path);
  status = session.Run({&secrets, &attributes});
  if (!status.ok()) return status;
  Credential cred;
  cred.server = server;
  status = ParseAttributes(attributes, &chosen.attributes);
  if (!status.ok()) return status;
  cred.username = chosen.attributes["username"];
  StatusOr<std::string> secret = ParseSecret(secrets, chosen.path);
  if (!secret.ok()) return secret.status();
  cred.secret = std::move(*secret);
  return cred;
}

StatusOr<std::map<std::string, std::string>> ListSecretServiceCredentials(const SecretStoreOptions& options) {
  Session session(options);
  Status status = session.Open();
  if (!status.ok()) return status;
  Call ours = Search({{"xdg:schema", keyring::kSchemaName}});
  Call legacy = Search({{"xdg:schema", keyring::kDockerSchemaName}, {"docker_cli", "1"}});
  status = session.Run({&ours, &legacy});
  if (!status.ok()) return status;

  std::map<std::string, std::string> entries;
  bool first = true;
  for (Call* call : {&ours, &legacy}) {
    StatusOr<Found> found = ParseSearch(*call);
    if (!found.ok()) return found.status();
    StatusOr<std::vector<Item>> items = session.Describe(*found);
    if (!items.ok()) return items.status();
    for (Item& item : *items) {
      std::string key = keyring::ItemKey(item.attributes["server"]);
      if (key.empty()) continue;
      if (first) {
        entries[key] = item.attributes["username"];
      } else {
        entries.emplace(key, item.attributes["username"]);  // ours win
      }
    }
    first = false;
  }
  return entries;
}

}  // namespace dcu
