#include "helper/commands/cred_helpers.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "helper/base/text.h"
#include "helper/commands/json_edit.h"

namespace dcu {
namespace {

using json = nlohmann::json;

constexpr std::size_t kShownValue = 60;

std::string Shown(const json& value) {
  std::string s = value.dump();
  return s.size() > kShownValue ? s.substr(0, kShownValue) + "..." : s;
}

json Parse(const std::string& text) {
  // CheckJsonObject passed: blank text is the empty object.
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  return json::parse(text, nullptr, false);
}

}  // namespace

std::string AuthsKeyHost(const std::string& key) {
  std::string host = key;
  for (const char* scheme : {"https://", "http://"}) {
    if (ToLower(host.substr(0, std::char_traits<char>::length(scheme))) == scheme) {
      host = host.substr(std::char_traits<char>::length(scheme));
    }
  }
  return ToLower(host.substr(0, host.find('/')));
}

StatusOr<CredHelpersChange> AddCredHelpers(const std::string& text, const std::vector<std::string>& hosts) {
  Status valid = CheckJsonObject(text);
  if (!valid.ok()) return valid;
  json doc = Parse(text);
  if (doc.is_discarded()) return Status::Internal("the file did not parse twice alike");

  CredHelpersChange change;
  const json* helpers = doc.contains("credHelpers") ? &doc["credHelpers"] : nullptr;
  if (helpers != nullptr && !helpers->is_object()) {
    return Status::InvalidInput(std::string("\"credHelpers\" is a JSON ") + helpers->type_name() +
                                ", not an object");
  }
  std::vector<std::pair<std::string, std::string>> entries;
  for (const std::string& host : hosts) {
    entries.emplace_back(host, kCredHelperName);
    if (helpers == nullptr || !helpers->contains(host)) {
      change.added.push_back(host);
    } else if (helpers->at(host) == kCredHelperName) {
      change.kept.push_back(host);
    } else {
      change.replaced.emplace_back(host, Shown(helpers->at(host)));
    }
  }
  if (doc.contains("credsStore") && doc["credsStore"].is_string()) {
    change.creds_store = doc["credsStore"].get<std::string>();
  }
  if (doc.contains("auths") && doc["auths"].is_object()) {
    for (const auto& item : doc["auths"].items()) {
      const json& entry = item.value();
      bool saved = entry.is_object() && entry.contains("auth") && entry["auth"].is_string() &&
                   !entry["auth"].get<std::string>().empty();
      if (saved && std::find(hosts.begin(), hosts.end(), AuthsKeyHost(item.key())) != hosts.end()) {
        change.saved_auths.push_back(item.key());
      }
    }
  }

  if (!change.changed()) {
    change.text = text;
    return change;
  }
  StatusOr<std::string> edited = SetStringMembers(text, "credHelpers", entries);
  if (!edited.ok()) return edited.status();
  // The edit works on text; check it did exactly what was meant.
  json expected = doc;
  for (const auto& [host, helper] : entries) expected["credHelpers"][host] = helper;
  if (CheckJsonObject(*edited).ok() && Parse(*edited) == expected) {
    change.text = std::move(*edited);
    return change;
  }
  return Status::Internal("the edited file would not say what was meant; nothing written");
}

StatusOr<CredHelpersRemoval> RemoveCredHelpers(const std::string& text) {
  Status valid = CheckJsonObject(text);
  if (!valid.ok()) return valid;
  json doc = Parse(text);
  if (doc.is_discarded()) return Status::Internal("the file did not parse twice alike");
  CredHelpersRemoval removal;
  removal.text = text;
  if (doc.contains("credHelpers")) {
    if (!doc["credHelpers"].is_object()) {
      return Status::InvalidInput(std::string("\"credHelpers\" is a JSON ") + doc["credHelpers"].type_name() +
                                  ", not an object");
    }
    for (const auto& item : doc["credHelpers"].items()) {
      if (item.value() == kCredHelperName) removal.removed.push_back(item.key());
    }
  }
  removal.creds_store = doc.contains("credsStore") && doc["credsStore"] == kCredHelperName;
  if (!removal.changed()) return removal;

  json expected = doc;
  StatusOr<std::string> edited = RemoveMembers(text, "credHelpers", removal.removed);
  if (!edited.ok()) return edited.status();
  for (const std::string& host : removal.removed) expected["credHelpers"].erase(host);
  if (removal.creds_store) {
    edited = RemoveMembers(*edited, "", {"credsStore"});
    if (!edited.ok()) return edited.status();
    expected.erase("credsStore");
  }
  if (!CheckJsonObject(*edited).ok() || Parse(*edited) != expected) {
    return Status::Internal("the edited file would not say what was meant; nothing written");
  }
  removal.text = std::move(*edited);
  return removal;
}

}  // namespace dcu
