#include "server/request/router.h"

namespace jobq::server {

namespace {

// Splits "/a/b/c" into its segments; an empty path has none.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}

bool match_path(const std::vector<std::string>& want, const std::vector<std::string_view>& path,
                NameValues& params) {
  if (want.size() != path.size()) return false;
  NameValues found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    std::string_view w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}')
      found.emplace_back(std::string(w.substr(1, w.size() - 2)), std::string(path[i]));
    else if (w != path[i])
      return false;
  }
  params = std::move(found);
  return true;
}

std::vector<std::string> split_pattern(std::string_view pattern) {
  std::vector<std::string> out;
  for (auto s : segments(pattern)) out.emplace_back(s);
  return out;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler handler,
                 RouteTraits traits) {
  auto parts = split_pattern(pattern);
  routes_.push_back({std::move(method),
                     std::move(pattern),
                     access,
                     std::move(handler),
                     Transport::http,
                     {},
                     std::move(parts),
                     traits.long_poll,
                     traits.never_blocks});
}

void Router::add_stream(std::string pattern, Access access, Transport transport,
                        StreamOpener open) {
  auto parts = split_pattern(pattern);
  routes_.push_back(
      {"GET", std::move(pattern), access, {}, transport, std::move(open), std::move(parts)});
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  auto parts = segments(path);
  for (const auto& route : routes_) {
    NameValues params;
    if (!match_path(route.segments, parts, params)) continue;
    // A literal segment beats a {param}: /jobs/batch is not /jobs/{id}. Routes with literals
    // are added before their {param} twins, so the first match wins.
    if (route.method == method) {
      m.route = &route;
      m.params = std::move(params);
      return m;
    }
    m.path_known = true;
    m.allow += (m.allow.empty() ? "" : ", ") + route.method;
  }
  return m;
}

}  // namespace jobq::server
