// An in-memory Secret Service behind the dbus::Bus seam, for unit tests of
// secret_service_reader.cpp. It answers the calls the reader makes
// (ReadAlias, SearchItems, OpenSession, GetSecrets, Properties.Get of an
// item's Attributes, Item.Delete), records every batch, and behaves like
// gnome-keyring 42 towards a client it does not know yet: until a batch
// with a call to it has been answered, any call but ReadAlias fails, and
// OpenSession "crashes" the daemon (see secret_service_reader.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "platform/secret_service/dbus_connection.h"
#include "platform/secret_service/dbus_message.h"

namespace dcu::testing {

class FakeSecretService : public dbus::Bus {
 public:
  struct Item {
    std::string path;
    std::map<std::string, std::string> attributes;
    std::string secret;
    bool locked = false;
  };

  // Adds an item; returns its path.
  std::string Add(std::map<std::string, std::string> attributes, std::string secret, bool locked = false) {
    std::string path = "/org/freedesktop/secrets/collection/login/" + std::to_string(++last_id_);
    items_.push_back({path, std::move(attributes), std::move(secret), locked});
    return path;
  }

  Status CallAll(std::vector<dbus::Call*> calls) override {
    std::vector<std::string> batch;
    bool to_service = false;
    for (dbus::Call* call : calls) {
      batch.push_back(call->member);
      if (call->destination == "org.freedesktop.secrets") to_service = true;
      if (crashed_) {
        Error(call, "org.freedesktop.DBus.Error.ServiceUnknown", "the daemon is gone");
      } else if (!knows_client_ && call->member != "ReadAlias") {
        if (call->member == "OpenSession") {
          crashed_ = true;
          Error(call, "org.freedesktop.DBus.Error.NoReply", "the daemon aborted");
        } else {
          Error(call, "org.freedesktop.DBus.Error.UnknownMethod", "Method is not implemented");
        }
      } else {
        Answer(call);
      }
    }
    batches_.push_back(batch);
    if (to_service) knows_client_ = true;
    return Status::Ok();
  }

  bool crashed() const { return crashed_; }
  const std::vector<std::vector<std::string>>& batches() const { return batches_; }
  const std::vector<std::map<std::string, std::string>>& searches() const { return searches_; }
  const std::vector<Item>& items() const { return items_; }
  int calls(const std::string& member) const {
    int n = 0;
    for (const auto& batch : batches_) {
      for (const auto& m : batch) n += m == member;
    }
    return n;
  }

 private:
  static void Error(dbus::Call* call, const std::string& name, const std::string& text) {
    dbus::Writer w;
    w.String(text);
    call->reply = dbus::Message{dbus::MessageType::kError, true, 0, name, "s", w.data()};
  }
  static void Return(dbus::Call* call, const std::string& signature, const dbus::Writer& w) {
    call->reply = dbus::Message{dbus::MessageType::kMethodReturn, true, 0, "", signature, w.data()};
  }
  Item* Find(const std::string& path) {
    for (Item& item : items_) {
      if (item.path == path) return &item;
    }
    return nullptr;
  }

  void Answer(dbus::Call* call) {
    dbus::Reader r(call->body, true);
    dbus::Writer w;
    const std::string& m = call->member;
    if (m == "ReadAlias") {
      w.String("/org/freedesktop/secrets/collection/login");
      return Return(call, "o", w);
    }
    if (m == "SearchItems") {
      std::map<std::string, std::string> wanted;
      r.StringDict(&wanted);
      searches_.push_back(wanted);
      for (bool locked : {false, true}) {
        auto mark = w.BeginArray(4);
        for (const Item& item : items_) {
          bool match = item.locked == locked;
          for (const auto& [k, v] : wanted) {
            auto it = item.attributes.find(k);
            if (it == item.attributes.end() || it->second != v) match = false;
          }
          if (match) w.String(item.path);
        }
        w.EndArray(mark);
      }
      return Return(call, "aoao", w);
    }
    if (m == "OpenSession") {
      w.Signature("s");
      w.String("");
      w.String("/org/freedesktop/secrets/session/s" + std::to_string(++sessions_));
      return Return(call, "vo", w);
    }
    if (m == "GetSecrets") {
      std::vector<std::string> paths;
      std::size_t end = 0;
      r.BeginArray(4, &end);
      while (r.Before(end)) {
        std::string p;
        r.String(&p);
        paths.push_back(p);
      }
      std::string session;
      r.String(&session);
      auto mark = w.BeginArray(8);
      for (const std::string& p : paths) {
        Item* item = Find(p);
        if (item == nullptr || item->locked) continue;
        w.Align(8);
        w.String(p);
        w.Align(8);
        w.String(session);
        w.Bytes("");
        w.Bytes(item->secret);
        w.String("text/plain");
      }
      w.EndArray(mark);
      return Return(call, "a{o(oayays)}", w);
    }
    Item* item = Find(call->path);
    if (item == nullptr) return Error(call, "org.freedesktop.DBus.Error.UnknownObject", "no such object");
    if (m == "Get") {
      w.Signature("a{ss}");
      auto mark = w.BeginArray(8);
      for (const auto& [k, v] : item->attributes) {
        w.Align(8);
        w.String(k);
        w.String(v);
      }
      w.EndArray(mark);
      return Return(call, "v", w);
    }
    if (m == "Delete") {
      std::string path = item->path;
      for (auto it = items_.begin(); it != items_.end(); ++it) {
        if (it->path == path) {
          items_.erase(it);
          break;
        }
      }
      w.String("/");
      return Return(call, "o", w);
    }
    Error(call, "org.freedesktop.DBus.Error.UnknownMethod", "not in the fake: " + m);
  }

  std::vector<Item> items_;
  std::vector<std::vector<std::string>> batches_;
  std::vector<std::map<std::string, std::string>> searches_;
  int last_id_ = 0;
  int sessions_ = 0;
  bool knows_client_ = false;
  bool crashed_ = false;
};

}  // namespace dcu::testing
