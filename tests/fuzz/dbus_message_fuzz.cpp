// The D-Bus message parser, on whatever a bus (or something pretending to
// be one) sends.
#include <cstdint>
#include <string_view>

#include "platform/secret_service/dbus_message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)dcu::dbus::MessageSize(bytes);
  (void)dcu::dbus::ParseMessage(bytes);
  return 0;
}
