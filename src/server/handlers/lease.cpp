// POST /lease: a worker asks for jobs and, with wait_ms, waits for them. A waiting lease is
// handed a matching job the moment one is ready (the engine's waiters), not by polling.
#include <boost/json.hpp>
#include <mutex>

#include "core/job_json.h"
#include "server/api.h"
#include "server/field_reader.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

Reply jobs_reply(const Result<std::vector<Job>>& jobs) {
  if (!jobs) return error_reply(jobs.error());
  json::array out;
  out.reserve(jobs->size());
  for (const Job& job : *jobs) out.emplace_back(job_to_json(job, true));
  return json_reply(200, json::object{{"jobs", std::move(out)}});
}

struct PendingLease {
  std::mutex mutex;
  bool answered = false;
  std::optional<Timers::Id> timer;
};

void lease(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  LeaseRequest request;
  std::int64_t wait_ms = 0, max_jobs = request.max_jobs;
  FieldReader in(*body);
  in.require("worker_id")
      .read("worker_id", request.worker_id)
      .read("queues", request.queues)
      .read("types", request.types)
      .read("max_jobs", max_jobs)
      .read("lease_ms", request.lease_ms)
      .read("wait_ms", wait_ms)
      .check(max_jobs >= 1 && std::size_t(max_jobs) <= api.limits.max_lease_jobs, "max_jobs",
             "must be from 1 to " + std::to_string(api.limits.max_lease_jobs))
      .check(wait_ms >= 0 && wait_ms <= api.limits.max_wait_ms, "wait_ms",
             "must be from 0 to " + std::to_string(api.limits.max_wait_ms));
  if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
  request.max_jobs = int(max_jobs);
  // The jobs are turned into JSON on the connection's thread, not the store's writer.
  auto answer = [respond](Result<std::vector<Job>> jobs) {
    respond.build([jobs = std::move(jobs)] { return jobs_reply(jobs); });
  };
  if (wait_ms == 0) return api.engine.lease_now_async(request, answer);

  auto pending = std::make_shared<PendingLease>();
  auto handle =
      api.engine.lease_async(request, [&api, pending, answer](Result<std::vector<Job>> jobs) {
        std::optional<Timers::Id> timer;
        {
          std::lock_guard lock(pending->mutex);
          pending->answered = true;
          timer = pending->timer;
        }
        if (timer) api.timers.cancel(*timer);
        answer(std::move(jobs));
      });
  {
    std::lock_guard lock(pending->mutex);
    if (pending->answered) return;
    pending->timer = api.timers.after(std::chrono::milliseconds(wait_ms), [&api, handle, respond] {
      // If the waiter is already being served, its callback answers instead.
      if (api.engine.cancel_wait(handle)) respond(jobs_reply(std::vector<Job>{}));
    });
  }
  // A worker that hangs up stops waiting, so that no job is leased to a closed connection.
  call.client_gone->on_gone([&api, handle, pending, respond] {
    if (!api.engine.cancel_wait(handle)) return;
    std::optional<Timers::Id> timer;
    {
      std::lock_guard lock(pending->mutex);
      timer = pending->timer;
    }
    if (timer) api.timers.cancel(*timer);
    respond(jobs_reply(std::vector<Job>{}));
  });
}

}  // namespace

void add_lease_routes(Router& r, Api& api) {
  r.add(
      "POST", "/api/v1/lease", Access::work,
      [&api](const Call& call, Responder respond) { lease(api, call, std::move(respond)); },
      {.long_poll = true, .never_blocks = true});
}

}  // namespace jobq::server
