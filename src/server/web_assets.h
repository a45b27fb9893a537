// The dashboard's files (web/), built into the binary. Defined in a source that the build
// generates from them (scripts/web_to_cpp.py).
#pragma once

#include <string_view>

namespace jobq::server {

struct WebAsset {
  std::string_view name;          // the file's base name, e.g. "app.js"
  std::string_view content_type;  // by extension
  std::string_view etag;          // quoted hash of the bytes
  std::string_view body;
};

// The asset of that name, or null.
const WebAsset* find_web_asset(std::string_view name);

}  // namespace jobq::server
