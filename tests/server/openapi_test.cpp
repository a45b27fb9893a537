// docs/openapi.yaml, as built in and served at GET /api/v1/openapi.json, against the server's real
// route table: every route is documented, and every documented operation is routed.
#include "server/openapi.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "server/api.h"
#include "support/engine_fixture.h"

namespace jobq::server {
namespace {

namespace json = boost::json;

// Long polls are not exercised here; their timers never fire.
class NoTimers : public Timers {
 public:
  Id after(std::chrono::milliseconds, std::function<void()>) override { return next_++; }
  bool cancel(Id) override { return true; }

 private:
  std::atomic<Id> next_{1};
};

// The Api wired as jobqd wires it (src/jobqd/main.cpp), over a memory store.
struct Server {
  testing::EngineFixture fixture{"memory"};
  NoTimers timers;
  JobWatchers watchers{fixture.bus};
  StreamHub streams{fixture.bus, fixture.clock};
  WorkerRegistry workers{fixture.clock};
  Throughput throughput{fixture.bus, fixture.clock};
  Metrics metrics{fixture.bus};
  Api api{
      .engine = *fixture.engine,
      .timers = timers,
      .watchers = watchers,
      .streams = streams,
      .workers = workers,
      .throughput = throughput,
      .metrics = metrics,
      .run_blocking = [](std::function<void()> work) { work(); },
      .ready = [] { return true; },
  };
  Router router = make_router(api);
};

std::string_view access_name(Access a) {
  switch (a) {
    case Access::open:
      return "open";
    case Access::read:
      return "read";
    case Access::produce:
      return "produce";
    case Access::work:
      return "work";
    case Access::operate:
      return "operate";
  }
  return "?";
}

const std::set<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                        "options", "head", "patch", "trace"};

std::string upper(std::string s) {
  for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

json::object document() {
  boost::system::error_code ec;
  json::value v = json::parse(openapi_json(), ec);
  EXPECT_FALSE(ec) << "openapi_json() is not JSON: " << ec.message();
  EXPECT_TRUE(v.is_object());
  return v.is_object() ? v.get_object() : json::object{};
}

// "GET /api/v1/jobs/{id}" -> the operation object.
std::map<std::string, json::object> operations(const json::object& doc) {
  std::map<std::string, json::object> out;
  const json::value* paths = doc.if_contains("paths");
  if (!paths || !paths->is_object()) return out;
  for (const auto& [path, item] : paths->get_object())
    if (item.is_object())
      for (const auto& [method, op] : item.get_object())
        if (kMethods.count(std::string(method)) && op.is_object())
          out[upper(std::string(method)) + " " + std::string(path)] = op.get_object();
  return out;
}

std::string lines(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += "  " + s + "\n";
  return out;
}

TEST(OpenApi, IsAnOpenApi303DocumentWithUniqueOperationIds) {
  json::object doc = document();
  ASSERT_TRUE(doc.contains("openapi"));
  EXPECT_EQ(doc.at("openapi"), "3.0.3");
  auto ops = operations(doc);
  EXPECT_FALSE(ops.empty());
  std::map<std::string, std::string> ids;
  for (const auto& [name, op] : ops) {
    const json::value* id = op.if_contains("operationId");
    if (!id || !id->is_string() || id->get_string().empty()) {
      ADD_FAILURE() << name << " has no operationId";
      continue;
    }
    auto [it, fresh] = ids.emplace(std::string(id->get_string()), name);
    EXPECT_TRUE(fresh) << "operationId " << it->first << " of " << name << " is also that of "
                       << it->second;
  }
}

TEST(OpenApi, DocumentsExactlyTheRoutesOfTheServer) {
  Server server;
  std::set<std::string> routed;
  for (const Route& r : server.router.routes()) routed.insert(r.method + " " + r.pattern);
  std::set<std::string> documented;
  for (const auto& [name, op] : operations(document())) documented.insert(name);

  std::set<std::string> undocumented, unrouted;
  for (const auto& r : routed)
    if (!documented.count(r)) undocumented.insert(r);
  for (const auto& d : documented)
    if (!routed.count(d)) unrouted.insert(d);
  EXPECT_TRUE(undocumented.empty() && unrouted.empty())
      << "docs/openapi.yaml and the route table (make_router) disagree.\n"
      << "Routes of the server missing from docs/openapi.yaml (" << undocumented.size() << "):\n"
      << lines(undocumented) << "Operations of docs/openapi.yaml missing from the server ("
      << unrouted.size() << "):\n"
      << lines(unrouted);
}

// x-jobq-access names the route's Access, and exactly the open routes need no key.
TEST(OpenApi, DocumentsTheAccessOfEachRoute) {
  Server server;
  auto ops = operations(document());
  for (const Route& r : server.router.routes()) {
    std::string name = r.method + " " + r.pattern;
    auto it = ops.find(name);
    if (it == ops.end()) continue;  // DocumentsExactlyTheRoutesOfTheServer reports it
    const json::object& op = it->second;
    const json::value* access = op.if_contains("x-jobq-access");
    EXPECT_TRUE(access && access->is_string() && access->get_string() == access_name(r.access))
        << name << ": x-jobq-access is " << (access ? json::serialize(*access) : "missing")
        << ", the route's access is " << access_name(r.access);
    const json::value* security = op.if_contains("security");
    bool no_key = security && security->is_array() && security->get_array().empty();
    EXPECT_EQ(no_key, r.access == Access::open)
        << name << ": an open route must have `security: []`, and only an open route";
  }
}

TEST(OpenApi, IsServedAsJsonToAnyone) {
  Server server;
  auto match = server.router.match("GET", "/api/v1/openapi.json");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->access, Access::open);
  std::optional<Reply> reply;
  Call call;
  call.method = "GET";
  call.path = "/api/v1/openapi.json";
  match.route->handler(call, Responder([&](ReplyMaker make) { reply = make(); }));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->content_type, "application/json");
  EXPECT_EQ(reply->body, openapi_json());
  EXPECT_EQ(json::parse(reply->body).at("info").at("title"), "jobq");
}

}  // namespace
}  // namespace jobq::server
