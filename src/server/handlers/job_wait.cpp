// GET /jobs/{id}/wait: a long poll that answers once the job has finished or the time is up.
#include <mutex>

#include "core/int_text.h"
#include "core/job_json.h"
#include "server/api.h"

namespace jobq::server {

namespace {

constexpr std::int64_t kDefaultWaitMs = 30'000;

Result<std::int64_t> timeout_of(const Api& api, const Call& call) {
  auto text = call.query_value("timeout_ms");
  for (const auto& [name, value] : call.query)
    if (name != "timeout_ms") return Error::invalid(name, "unknown query parameter");
  if (!text) return kDefaultWaitMs;
  return parse_int("timeout_ms", *text, 0, api.limits.max_wait_ms);
}

// One wait: answered by a terminal event, by the timer, or at once if the job is finished.
struct Wait : std::enable_shared_from_this<Wait> {
  Api& api;
  Responder respond;
  std::mutex mutex;
  bool answered = false;
  std::optional<Timers::Id> timer;
  JobWatchers::Id watch = 0;

  Wait(Api& a, Responder r) : api(a), respond(std::move(r)) {}

  void finish(Reply reply) {
    std::optional<Timers::Id> t;
    {
      std::lock_guard lock(mutex);
      if (answered) return;
      answered = true;
      t = timer;
    }
    api.watchers.unwatch(watch);
    if (t) api.timers.cancel(*t);
    respond(std::move(reply));
  }
};

void wait(Api& api, const Call& call, Responder respond) {
  auto timeout = timeout_of(api, call);
  if (!timeout) return respond(error_reply(timeout.error()));
  std::string id = call.param("id");
  auto w = std::make_shared<Wait>(api, std::move(respond));
  // Watch before reading, so that a job finishing in between is not missed.
  w->watch = api.watchers.watch(id, [w](const Event& e) {
    if (is_terminal(e.job->status)) w->finish(json_reply(200, job_to_json(*e.job)));
  });
  auto job = api.engine.get(id);
  if (!job || is_terminal(job->status) || *timeout == 0) return w->finish(job_reply(job));
  {
    std::lock_guard lock(w->mutex);
    if (w->answered) return;
    w->timer = api.timers.after(std::chrono::milliseconds(*timeout), [w, id] {
      w->api.run_blocking([w, id] { w->finish(job_reply(w->api.engine.get(id))); });
    });
  }
  call.client_gone->on_gone(
      [w] { w->finish(error_reply(499, "client_closed", "the client went away")); });
}

}  // namespace

void add_job_wait_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/jobs/{id}/wait", Access::read, answer_later(api, wait),
        {.long_poll = true});
}

}  // namespace jobq::server
