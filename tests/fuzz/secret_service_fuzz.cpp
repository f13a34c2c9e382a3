// The Secret Service's replies (SearchItems, OpenSession, GetSecrets, an
// item's Attributes, Delete, ReadAlias), on any bytes, through the reader
// that get, list and erase use: a keyring provider, or anything that took
// its name on the session bus, is another process.
//
// Input: the first byte picks get, list or erase; then one chunk per call
// in the order the reader sends them: a type byte (even: a method return,
// odd: an error), a signature index (into the ones the reader expects, or
// a wrong one), a length byte and that many body bytes. A call with no
// chunk left gets an error reply.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/secret_service/dbus_connection.h"
#include "platform/secret_service/dbus_message.h"
#include "platform/secret_service/secret_service_reader.h"

namespace {

const char* const kSignatures[] = {"o", "ao", "aoao", "vo", "v", "a{o(oayays)}", "s", "", "ay", "(oayays)", "a{ss}"};

class ScriptedBus : public dcu::dbus::Bus {
 public:
  ScriptedBus(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  dcu::Status CallAll(std::vector<dcu::dbus::Call*> calls) override {
    if (++batches_ > 64) return dcu::Status::Unavailable("fuzz: too many batches");
    for (dcu::dbus::Call* call : calls) {
      dcu::dbus::Message reply;
      reply.reply_serial = 1;
      if (size_ < 3) {
        reply.type = dcu::dbus::MessageType::kError;
        reply.error_name = "org.freedesktop.DBus.Error.NoReply";
      } else {
        bool error = (data_[0] & 1) != 0;
        reply.type = error ? dcu::dbus::MessageType::kError : dcu::dbus::MessageType::kMethodReturn;
        if (error) reply.error_name = "org.freedesktop.Secret.Error.IsLocked";
        reply.signature = kSignatures[data_[1] % (sizeof(kSignatures) / sizeof(kSignatures[0]))];
        std::size_t n = data_[2];
        data_ += 3;
        size_ -= 3;
        if (n > size_) n = size_;
        reply.body.assign(reinterpret_cast<const char*>(data_), n);
        data_ += n;
        size_ -= n;
      }
      call->reply = reply;
    }
    return dcu::Status::Ok();
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  int batches_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ScriptedBus bus(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: (void)dcu::ReadSecretServiceCredential(bus, "xpkg.upbound.io"); break;
    case 1: {
      int pages = 0;
      (void)dcu::ListSecretServiceCredentials(bus, [&pages]() { ++pages; });
      break;
    }
    case 2: (void)dcu::EraseSecretServiceCredential(bus, "xpkg.upbound.io"); break;
  }
  return 0;
}
