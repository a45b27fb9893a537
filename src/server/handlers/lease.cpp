// POST /lease: a worker asks for jobs and, with wait_ms, waits for them. A waiting lease is
// handed a matching job the moment one is ready (the engine's waiters), not by polling.
#include "server/handlers/lease.h"

#include <boost/json.hpp>

#include "core/job_json.h"
#include "server/request/field_reader.h"
#include "server/request/long_poll.h"

namespace jobq::server {

namespace json = boost::json;

Result<LeaseAsk> read_lease(const json::object& body, const ApiLimits& limits, std::string prefix) {
  LeaseAsk ask;
  std::int64_t max_jobs = ask.request.max_jobs;
  FieldReader in(body, std::move(prefix));
  in.require("worker_id")
      .read("worker_id", ask.request.worker_id)
      .read("queues", ask.request.queues)
      .read("types", ask.request.types)
      .read("max_jobs", max_jobs)
      .read("lease_ms", ask.request.lease_ms)
      .read("wait_ms", ask.wait_ms)
      .check(max_jobs >= 1 && std::size_t(max_jobs) <= limits.max_lease_jobs, "max_jobs",
             "must be from 1 to " + std::to_string(limits.max_lease_jobs))
      .check(ask.wait_ms >= 0 && ask.wait_ms <= limits.max_wait_ms, "wait_ms",
             "must be from 0 to " + std::to_string(limits.max_wait_ms));
  if (Status s = in.finish(); !s.ok()) return s;
  ask.request.max_jobs = int(max_jobs);
  return ask;
}

json::array leased_jobs_json(const std::vector<Job>& jobs) {
  json::array out;
  out.reserve(jobs.size());
  for (const Job& job : jobs) out.emplace_back(job_to_json(job, true));
  return out;
}

void serve_lease(Api& api, const std::shared_ptr<ClientGone>& client_gone, const LeaseAsk& ask,
                 std::function<void(Result<std::vector<Job>>)> answer) {
  if (ask.wait_ms == 0) return api.engine.lease_now_async(ask.request, std::move(answer));
  // Completed by the engine's waiters handing over jobs. The time running out or the worker
  // hanging up leases nothing, unless a lease for this waiter is under way already.
  auto poll = LongPoll<Result<std::vector<Job>>>::make(api.timers, std::move(answer));
  auto handle = api.engine.lease_async(
      ask.request, [poll](Result<std::vector<Job>> jobs) { poll->answer(std::move(jobs)); });
  poll->wait(std::chrono::milliseconds(ask.wait_ms), *client_gone,
             {.withdraw = [&api, handle] { return api.engine.cancel_wait(handle); },
              .answer = [](PollEnd, auto answer) { answer(std::vector<Job>{}); }});
}

namespace {

void lease(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  auto ask = read_lease(*body, api.limits);
  if (!ask) return respond(error_reply(ask.error()));
  // The jobs are turned into JSON on the connection's thread, not the store's writer.
  serve_lease(api, call.client_gone, *ask, [respond](Result<std::vector<Job>> jobs) {
    respond.build([jobs = std::move(jobs)] {
      if (!jobs) return error_reply(jobs.error());
      return json_reply(200, json::object{{"jobs", leased_jobs_json(*jobs)}});
    });
  });
}

}  // namespace

void add_lease_routes(Router& r, Api& api) {
  r.add("POST", "/api/v1/lease", Access::work, answer_later(api, lease),
        {.long_poll = true, .never_blocks = true});
}

}  // namespace jobq::server
