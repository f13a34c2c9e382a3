// Edits to a JSON document's text that change only what they must: every
// other byte (key order, numbers as written, escapes, indentation, line
// ends) stays as it was. Re-serialising a parsed document would not: 1.50
// would become 1.5, an integer past 64 bits a rounded float, "\u00e9"
// a raw "é", and Docker's tabs whatever indentation the library writes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "helper/base/status.h"

namespace dcu {

// How deep a document may nest: deeper ones are refused before anything
// recursive (comparison, printing) walks them. Go's decoder allows 10000.
inline constexpr int kMaxJsonDepth = 512;

// Checks that text is one JSON object as Docker and containers/image read
// it: InvalidInput "not valid JSON (line L, column C)" (never the parser's
// text, which quotes the file: it may hold a password), "a JSON <type>,
// not an object", "holds a number beyond a double's range" (1e400),
// "nested deeper than N levels", or "starts with a byte order mark ...".
// Empty or blank text is an empty object, as Docker reads an empty
// config.json.
Status CheckJsonObject(const std::string& text);

// Sets text[object_key][key] = value (strings) for each pair, keeping the
// rest of the text byte for byte: an existing value is replaced where it
// stands, a missing key is added after the object's last member, and a
// missing object_key after the document's last member, indented as the
// surrounding members are (Docker's tab when there are none).
// Preconditions: CheckJsonObject(text) passed. InvalidInput when
// text[object_key] is not an object, or when object_key or one of the keys
// appears twice at its level (which one counts differs between readers).
StatusOr<std::string> SetStringMembers(const std::string& text, const std::string& object_key,
                                       const std::vector<std::pair<std::string, std::string>>& members);

// Removes the members named in keys from text[object_key] (from the
// top-level object when object_key is ""), keeping every other member's
// text byte for byte; the remaining members are joined as the object's
// last two were. Keys that are absent are ignored; an object left empty
// stays as "{}". Preconditions as for SetStringMembers; InvalidInput when
// text[object_key] is not an object.
StatusOr<std::string> RemoveMembers(const std::string& text, const std::string& object_key,
                                    const std::vector<std::string>& keys);

}  // namespace dcu
