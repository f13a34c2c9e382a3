#include <catch2/catch.hpp>

#include "helper/base/status.h"

namespace dcu {
namespace {

TEST_CASE("status: codes and messages", "[status]") {
  CHECK(Status::Ok().ok());
  CHECK(Status::Ok().ToString() == "OK");
  Status s = Status::NotFound("keyring: nothing stored for x");
  CHECK_FALSE(s.ok());
  CHECK(s.IsNotFound());
  CHECK(s.ToString() == "NotFound: keyring: nothing stored for x");
  CHECK(Status::Unavailable("a: b").ToString() == "Unavailable: a: b");
  CHECK(Status::InvalidInput("a").code() == Code::kInvalidInput);
  CHECK(Status::Unauthenticated("a").ToString() == "Unauthenticated: a");
  CHECK(Status::Internal("a").ToString() == "Internal: a");
}

TEST_CASE("status: StatusOr holds a value or a status", "[status]") {
  StatusOr<std::string> value = std::string("v");
  REQUIRE(value.ok());
  CHECK(*value == "v");
  CHECK(value->size() == 1);
  StatusOr<std::string> error = Status::NotFound("x");
  CHECK_FALSE(error.ok());
  CHECK(error.status().IsNotFound());
}

}  // namespace
}  // namespace dcu
