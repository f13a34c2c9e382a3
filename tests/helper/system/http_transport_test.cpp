#include <catch2/catch.hpp>

#include "helper/system/http_transport.h"

namespace dcu {
namespace {

TEST_CASE("http: headers are looked up in any case", "[http]") {
  HttpResponse r;
  r.headers = {{"Content-Type", "application/json"},
               {"set-cookie", "a=1"},
               {"SET-COOKIE", "b=2"},
               {"Retry-After", "3"}};
  CHECK(r.Header("content-type") == "application/json");
  CHECK(r.Header("CONTENT-TYPE") == "application/json");
  CHECK(r.Header("retry-after") == "3");
  CHECK(r.Header("Set-Cookie") == "a=1");
  CHECK(r.Header("X-Missing").empty());
  CHECK(r.AllHeaders("Set-Cookie") == std::vector<std::string>{"a=1", "b=2"});
  CHECK(r.AllHeaders("x-missing").empty());
}

}  // namespace
}  // namespace dcu
