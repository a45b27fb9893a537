// Fuzzes the query string of GET /api/v1/jobs: the bytes after '?' are percent-decoded by
// Boost.URL as the server does (transport/dispatch.cpp), read by parse_list_query, and the
// listing is run on an engine over the memory store holding a few jobs, so filters, offsets and
// cursors reach the store's paging code. A cursor the server hands out must decode to itself.
#include <boost/url/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "jobq/clock.h"
#include "jobq/engine.h"
#include "jobq/events.h"
#include "jobq/store.h"
#include "server/request/list_query.h"
#include "store/job_filter.h"

namespace {

// Built once and kept to the end (reachable, so not a leak): a run is thousands of inputs.
struct World {
  jobq::ManualClock clock;
  jobq::EventBus bus;
  jobq::StorePtr store;
  std::unique_ptr<jobq::Engine> engine;

  World() {
    auto opened = jobq::open_store("memory:", clock);
    if (!opened) std::abort();
    store = std::move(*opened);
    engine = std::make_unique<jobq::Engine>(*store, clock, bus);
    const char* types[] = {"report", "email", "video"};
    for (int i = 0; i < 12; ++i) {
      jobq::JobSpec spec;
      spec.type = types[i % 3];
      spec.queue = i % 2 ? "default" : "media";
      spec.priority = 10 * (i % 5);
      spec.user_id = "u" + std::to_string(i % 4);
      spec.tags = {"t" + std::to_string(i % 3)};
      if (i % 4 == 3) spec.delay_ms = 60'000;  // some scheduled, not queued
      if (!engine->submit(spec)) std::abort();
      clock.advance(1000);
    }
  }
};

World& world() {
  static World* w = new World;
  return *w;
}

void check_cursor(const std::string& text) {
  auto c = jobq::decode_cursor(text);
  if (!c) return;
  auto back = jobq::decode_cursor(jobq::encode_cursor(*c));
  if (!back || back->key != c->key || back->seq != c->seq) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string query(reinterpret_cast<const char*>(data), size);
  check_cursor(query);  // the cursor text alone, before any URL decoding
  auto target = boost::urls::parse_origin_form("/api/v1/jobs?" + query);
  if (!target) return 0;
  jobq::server::Call call;
  call.method = "GET";
  call.path = target->path();
  for (auto param : target->params())
    call.query.emplace_back(std::string(param.key), std::string(param.value));
  auto parsed = jobq::server::parse_list_query(call);
  if (!parsed) return 0;
  if (!parsed->options.cursor.empty()) check_cursor(parsed->options.cursor);
  auto page = jobq::server::run_list(*world().engine, *parsed);
  if (page) {
    (void)jobq::server::page_to_json(*page);
    if (!page->next_cursor.empty() && !jobq::decode_cursor(page->next_cursor)) std::abort();
  }
  return 0;
}
