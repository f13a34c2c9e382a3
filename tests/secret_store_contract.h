// The behaviour every SecretStore must show, run against each backend.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "helper/system/secret_store.h"

namespace dcu {

// Precondition: nothing is stored under servers starting with `prefix`.
inline void CheckSecretStoreContract(SecretStore& store, const std::string& prefix) {
  const std::string a = prefix + "a.example:5000";
  const std::string b = prefix + "b.example";

  SECTION("get of an absent server is NotFound") {
    StatusOr<Credential> got = store.Get(a);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().IsNotFound());
  }
  SECTION("put then get round-trips every byte") {
    const std::string secret("a\0b\xe2\x9c\x93\xff\n", 8);
    REQUIRE(store.Put({a, "robot", secret}).ok());
    StatusOr<Credential> got = store.Get(a);
    REQUIRE(got.ok());
    CHECK(got->server == a);
    CHECK(got->username == "robot");
    CHECK(got->secret == secret);
    REQUIRE(store.Erase(a).ok());
  }
  SECTION("an empty secret round-trips") {
    REQUIRE(store.Put({a, "robot", ""}).ok());
    StatusOr<Credential> got = store.Get(a);
    REQUIRE(got.ok());
    CHECK(got->secret.empty());
    REQUIRE(store.Erase(a).ok());
  }
  SECTION("put again replaces, also under another username") {
    REQUIRE(store.Put({a, "first", "one"}).ok());
    REQUIRE(store.Put({a, "first", "two"}).ok());
    REQUIRE(store.Put({a, "second", "three"}).ok());
    StatusOr<Credential> got = store.Get(a);
    REQUIRE(got.ok());
    CHECK(got->username == "second");
    CHECK(got->secret == "three");
    StatusOr<std::map<std::string, std::string>> listed = store.List();
    REQUIRE(listed.ok());
    CHECK(listed->count(a) == 1);
    CHECK(listed->at(a) == "second");
    REQUIRE(store.Erase(a).ok());
  }
  SECTION("erase removes only its server and is idempotent") {
    REQUIRE(store.Put({a, "ua", "sa"}).ok());
    REQUIRE(store.Put({b, "ub", "sb"}).ok());
    REQUIRE(store.Erase(a).ok());
    REQUIRE(store.Erase(a).ok());
    CHECK(store.Get(a).status().IsNotFound());
    StatusOr<Credential> other = store.Get(b);
    REQUIRE(other.ok());
    CHECK(other->secret == "sb");
    REQUIRE(store.Erase(b).ok());
  }
  SECTION("list names every server with its username") {
    REQUIRE(store.Put({a, "ua", "sa"}).ok());
    REQUIRE(store.Put({b, "<token>", "refresh"}).ok());
    StatusOr<std::map<std::string, std::string>> listed = store.List();
    REQUIRE(listed.ok());
    CHECK(listed->at(a) == "ua");
    CHECK(listed->at(b) == "<token>");
    REQUIRE(store.Erase(a).ok());
    REQUIRE(store.Erase(b).ok());
    listed = store.List();
    REQUIRE(listed.ok());
    CHECK(listed->count(a) == 0);
    CHECK(listed->count(b) == 0);
  }
}

}  // namespace dcu
