#include "platform/secret_service/secret_service_reader.h"

#include <algorithm>
#include <functional>
#include <memory>
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

// Runs a batch of calls; transport failures (a timeout) become one line.
Status Run(dbus::Bus& bus, std::vector<Call>& calls) {
  std::vector<Call*> pointers;
  pointers.reserve(calls.size());
  for (Call& call : calls) pointers.push_back(&call);
  return bus.CallAll(std::move(pointers));
}

Status RunOne(dbus::Bus& bus, Call& call) { return bus.CallAll({&call}); }

// The attributes of every item, in pages: each page is one batch (and, on
// a real connection, gets its own deadline through next_page).
constexpr std::size_t kPage = 512;

Status Describe(dbus::Bus& bus, std::vector<Item>* items, const std::function<void()>& next_page) {
  for (std::size_t start = 0; start < items->size(); start += kPage) {
    if (next_page) next_page();
    std::size_t end = std::min(items->size(), start + kPage);
    std::vector<Call> calls;
    calls.reserve(end - start);
    for (std::size_t i = start; i < end; ++i) calls.push_back(GetAttributes((*items)[i].path));
    Status status = Run(bus, calls);
    if (!status.ok()) return status;
    for (std::size_t i = start; i < end; ++i) {
      status = ParseAttributes(calls[i - start], &(*items)[i].attributes);
      if (!status.ok()) return status;
    }
  }
  return Status::Ok();
}

std::vector<Item> ItemsOf(const Found& found) {
  std::vector<Item> items;
  for (const auto& path : found.unlocked) items.push_back({path, false, {}});
  for (const auto& path : found.locked) items.push_back({path, true, {}});
  return items;
}

Call SearchOurs(const std::string& server) {
  return Search({{"xdg:schema", keyring::kSchemaName}, {"server", server}});
}

Call SearchLegacy(const std::string& spelling) {
  return Search({{"xdg:schema", keyring::kDockerSchemaName}, {"docker_cli", "1"}, {"server", spelling}});
}

// The legacy searches for server, one per spelling, to run in one batch.
std::vector<Call> LegacySearches(const std::string& server) {
  std::vector<Call> calls;
  for (const std::string& spelling : keyring::LegacyServerSpellings(server)) {
    calls.push_back(SearchLegacy(spelling));
  }
  return calls;
}

// The first item of the first search that found one, unlocked first.
StatusOr<Item> FirstFound(const std::vector<Call>& searches) {
  Item locked;
  for (const Call& call : searches) {
    StatusOr<Found> found = ParseSearch(call);
    if (!found.ok()) return found.status();
    if (!found->unlocked.empty()) return Item{found->unlocked.front(), false, {}};
    if (locked.path.empty() && !found->locked.empty()) locked = Item{found->locked.front(), true, {}};
  }
  return locked;
}

// The first call to the provider, before any that needs it to know us.
// gnome-keyring 42 learns of a client in an idle callback that its message
// filter queues for each message, and can serve the message itself first:
// SearchItems then fails ("not implemented") and OpenSession aborts the
// daemon. ReadAlias needs no client state (for an unknown client it only
// answers "/"), and once it is answered the callback has run, or runs
// before anything queued after it at its lower priority.
Status Introduce(dbus::Bus& bus) {
  Writer w;
  w.String("default");
  Call call = ServiceCall("ReadAlias", "s", std::move(w.data()));
  Status status = RunOne(bus, call);
  if (!status.ok()) return status;
  return CheckReply(call);
}

Status ToOneLine(Status status, int timeout_seconds) {
  if (!status.ok() && status.message().find("in time") != std::string::npos) {
    return keyring::TimeoutError("D-Bus", timeout_seconds);
  }
  return status;
}

StatusOr<std::unique_ptr<dbus::Connection>> Connect(const SecretStoreOptions& options) {
  auto deadline = dbus::Clock::now() + std::chrono::seconds(options.timeout_seconds);
  return dbus::Connection::OpenSessionBus(options, deadline);
}

}  // namespace

StatusOr<Credential> ReadSecretServiceCredential(dbus::Bus& bus, const std::string& server) {
  Status status = Introduce(bus);
  if (!status.ok()) return status;
  // 1. Ours.
  Call ours = SearchOurs(server);
  status = RunOne(bus, ours);
  if (!status.ok()) return status;
  StatusOr<Item> chosen = FirstFound({ours});
  if (!chosen.ok()) return chosen.status();
  // Several of ours only while a store replaces one username's item with
  // another's, or after one killed then: the unmarked item is the one in
  // use (keyring_common.h, kSupersededAttribute).
  if (StatusOr<Found> found = ParseSearch(ours); found.ok() && found->unlocked.size() > 1) {
    std::vector<Item> items = ItemsOf(Found{found->unlocked, {}});
    status = Describe(bus, &items, nullptr);
    if (!status.ok()) return status;
    for (const Item& item : items) {
      auto marked = item.attributes.find(keyring::kSupersededAttribute);
      if (marked == item.attributes.end() || marked->second != "1") {
        chosen = Item{item.path, false, {}};
        break;
      }
    }
  }

  // 2. Only when ours is missing: docker-credential-secretservice's, by
  // exact spelling, in one batch.
  if (chosen->path.empty()) {
    std::vector<Call> legacy = LegacySearches(server);
    status = Run(bus, legacy);
    if (!status.ok()) return status;
    chosen = FirstFound(legacy);
    if (!chosen.ok()) return chosen.status();
    if (chosen->path.empty()) return Status::NotFound("keyring: nothing stored for " + server);
  }
  if (chosen->locked) return keyring::LockedError("the collection holding " + server);

  // 3. A session (never in the first call, see Introduce) and the attributes.
  Writer open_args;
  open_args.String("plain");
  open_args.Signature("s");
  open_args.String("");
  std::vector<Call> second{ServiceCall("OpenSession", "sv", std::move(open_args.data())),
                           GetAttributes(chosen->path)};
  status = Run(bus, second);
  if (!status.ok()) return status;
  const Call& open = second[0];
  status = CheckReply(open);
  if (!status.ok()) return status;
  std::string session_path;
  {
    Reader r(open.reply.body, open.reply.little_endian);
    std::size_t i = 0;
    if (open.reply.signature != "vo" || !r.Skip("v", &i) || !r.String(&session_path)) return Malformed(open);
  }
  status = ParseAttributes(second[1], &chosen->attributes);
  if (!status.ok()) return status;

  // 4. The secret.
  Writer secret_args;
  Writer::ArrayMark paths = secret_args.BeginArray(4);
  secret_args.String(chosen->path);
  secret_args.EndArray(paths);
  secret_args.String(session_path);
  Call secrets = ServiceCall("GetSecrets", "aoo", std::move(secret_args.data()));
  status = RunOne(bus, secrets);
  if (!status.ok()) return status;
  StatusOr<std::string> secret = ParseSecret(secrets, chosen->path);
  if (!secret.ok()) return secret.status();
  Credential cred;
  cred.server = server;
  cred.username = chosen->attributes["username"];
  cred.secret = std::move(*secret);
  return cred;
}

StatusOr<std::map<std::string, std::string>> ListSecretServiceCredentials(
    dbus::Bus& bus, const std::function<void()>& next_page) {
  Status status = Introduce(bus);
  if (!status.ok()) return status;
  std::vector<Call> searches{Search({{"xdg:schema", keyring::kSchemaName}}),
                             Search({{"xdg:schema", keyring::kDockerSchemaName}, {"docker_cli", "1"}})};
  status = Run(bus, searches);
  if (!status.ok()) return status;

  std::map<std::string, std::string> entries;
  for (int legacy = 0; legacy < 2; ++legacy) {
    StatusOr<Found> found = ParseSearch(searches[legacy]);
    if (!found.ok()) return found.status();
    std::vector<Item> items = ItemsOf(*found);
    status = Describe(bus, &items, next_page);
    if (!status.ok()) return status;
    // An unmarked item of ours comes first and wins over a superseded one.
    std::stable_partition(items.begin(), items.end(), [](Item& item) {
      return item.attributes[keyring::kSupersededAttribute] != "1";
    });
    for (Item& item : items) {
      const std::string& attribute = item.attributes["server"];
      std::string key = legacy ? keyring::LegacyItemKey(attribute) : keyring::ItemKey(attribute);
      if (key.empty()) continue;
      entries.emplace(key, item.attributes["username"]);  // ours come first and win
    }
  }
  return entries;
}

Status EraseSecretServiceCredential(dbus::Bus& bus, const std::string& server) {
  // Ours and every legacy spelling in one batch; nothing is deleted unless
  // all of them can be.
  Status status = Introduce(bus);
  if (!status.ok()) return status;
  std::vector<Call> searches = LegacySearches(server);
  searches.insert(searches.begin(), SearchOurs(server));
  status = Run(bus, searches);
  if (!status.ok()) return status;
  std::vector<Call> deletes;
  for (const Call& search : searches) {
    StatusOr<Found> found = ParseSearch(search);
    if (!found.ok()) return found.status();
    if (!found->locked.empty()) return keyring::LockedError("the collection holding the credential");
    for (const std::string& path : found->unlocked) {
      deletes.push_back(Call{kService, path, kItemInterface, "Delete", "", "", {}});
    }
  }
  status = Run(bus, deletes);
  if (!status.ok()) return status;
  for (const Call& call : deletes) {
    status = CheckReply(call);
    if (!status.ok()) return status;
    std::string prompt;
    Reader r(call.reply.body, call.reply.little_endian);
    if (call.reply.signature != "o" || !r.String(&prompt)) return Malformed(call);
    // A prompt would need a desktop to answer it; we never show one.
    if (prompt != "/") return keyring::LockedError("the collection holding the credential");
  }
  return Status::Ok();
}

StatusOr<Credential> ReadSecretServiceCredential(const std::string& server, const SecretStoreOptions& options) {
  StatusOr<std::unique_ptr<dbus::Connection>> conn = Connect(options);
  if (!conn.ok()) return conn.status();
  StatusOr<Credential> cred = ReadSecretServiceCredential(**conn, server);
  if (!cred.ok()) return ToOneLine(cred.status(), options.timeout_seconds);
  return cred;
}

StatusOr<std::map<std::string, std::string>> ListSecretServiceCredentials(const SecretStoreOptions& options) {
  StatusOr<std::unique_ptr<dbus::Connection>> conn = Connect(options);
  if (!conn.ok()) return conn.status();
  dbus::Connection* c = conn->get();
  // A keyring with thousands of items takes gnome-keyring longer than one
  // timeout to describe (it looks each item up by a linear scan): each
  // page of kPage items gets the full timeout, so a provider that stops
  // answering is still caught within it.
  auto next_page = [c, &options] {
    c->set_deadline(dbus::Clock::now() + std::chrono::seconds(options.timeout_seconds));
  };
  auto entries = ListSecretServiceCredentials(*c, next_page);
  if (!entries.ok()) return ToOneLine(entries.status(), options.timeout_seconds);
  return entries;
}

Status EraseSecretServiceCredential(const std::string& server, const SecretStoreOptions& options) {
  StatusOr<std::unique_ptr<dbus::Connection>> conn = Connect(options);
  if (!conn.ok()) return conn.status();
  return ToOneLine(EraseSecretServiceCredential(**conn, server), options.timeout_seconds);
}

}  // namespace dcu
