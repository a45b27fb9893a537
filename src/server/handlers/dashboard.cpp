// The dashboard: index.html at / and at each page's own path (so that a deep link or a reload
// works), and its scripts and styles under /ui/. Open to anyone, like /health: the page holds no
// data, and asks for an API key before it reads any.
#include "server/api.h"
#include "server/web_assets.h"

namespace jobq::server {

namespace {

// The page takes no script, style or connection from elsewhere, so text that slipped into the
// page as HTML would still run nothing.
constexpr std::string_view kPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

Reply serve(const WebAsset* asset, const Call& call) {
  if (!asset) return error_reply(404, "not_found", "no dashboard file " + call.param("file"));
  Reply reply;
  reply.headers = {{"ETag", std::string(asset->etag)},
                   {"Cache-Control", "no-cache"},  // revalidated by ETag: a new build shows at once
                   {"X-Content-Type-Options", "nosniff"},
                   {"Content-Security-Policy", std::string(kPolicy)},
                   {"Referrer-Policy", "no-referrer"}};
  // If-None-Match may list several tags, weak (W/"...") or not; any that names this one will do.
  if (call.if_none_match.find(asset->etag) != std::string::npos) {
    reply.status = 304;
    reply.content_type.clear();
    return reply;
  }
  reply.content_type = std::string(asset->content_type);
  reply.body = std::string(asset->body);
  return reply;
}

Reply page(Api&, const Call& call) {
  return serve(find_web_asset("index.html"), call);
}

Reply file(Api&, const Call& call) {
  return serve(find_web_asset(call.param("file")), call);
}

}  // namespace

void add_dashboard_routes(Router& r, Api& api) {
  for (const char* path : {"/", "/jobs", "/jobs/{id}", "/workers", "/dead-letters", "/queues",
                           "/schedules", "/webhooks"})
    r.add("GET", path, Access::open, answer_now(api, page));
  r.add("GET", "/ui/{file}", Access::open, answer_now(api, file));
}

}  // namespace jobq::server
