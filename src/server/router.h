// The route table: method and path pattern ("/api/v1/jobs/{id}") to a handler and the access it
// needs. Matching is by path segments; a {name} segment matches any one segment.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/auth.h"
#include "server/call.h"

namespace jobq::server {

struct Route {
  std::string method;
  std::string pattern;
  Access access;
  Handler handler;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    bool path_known = false;       // some route has this path, with another method (405)
    NameValues params;
  };
  Match match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace jobq::server
