// The OpenAPI document of the server (docs/openapi.yaml), as compact JSON. Defined in a source
// that the build generates from the YAML (scripts/openapi_to_cpp.py).
#pragma once

#include <string_view>

namespace jobq::server {

std::string_view openapi_json();

}  // namespace jobq::server
