#define CATCH_CONFIG_MAIN
// With _UNICODE, Catch2 would define wmain, which MinGW links only with
// -municode; the test filters are ASCII, so main is enough.
#define DO_NOT_USE_WMAIN
#include <catch2/catch.hpp>
