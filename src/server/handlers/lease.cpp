// POST /lease: a worker asks for jobs and, with wait_ms, waits for them. A waiting lease is
// handed a matching job the moment one is ready (the engine's waiters), not by polling.
#include "server/handlers/lease.h"

#include <boost/json.hpp>

#include "server/request/body.h"
#include "server/request/long_poll.h"
#include "wire/field_reader.h"
#include "wire/job_json.h"
#include "wire/json_text.h"

namespace jobq::server {

namespace json = boost::json;

Result<LeaseAsk> read_lease(const json::object& body, const ApiLimits& limits, std::string prefix) {
  LeaseAsk ask;
  FieldReader in(body, std::move(prefix));
  in.read("worker_id", ask.request.worker_id)
      .read("queues", ask.request.queues)
      .read("types", ask.request.types)
      .read("max_jobs", ask.request.max_jobs)
      .read("lease_ms", ask.request.lease_ms)
      .read("wait_ms", ask.wait_ms)
      .check(ask.wait_ms >= 0 && ask.wait_ms <= limits.max_wait_ms, "wait_ms",
             "must be from 0 to " + std::to_string(limits.max_wait_ms));
  if (Status s = in.finish(); !s.ok()) return s;
  return ask;
}

void write_leased_jobs(JsonText& out, const std::vector<Job>& jobs) {
  out.begin_array();
  for (const Job& job : jobs) write_job(out, job, true);
  out.end_array();
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
      Reply reply{200, {}};
      JsonText out(reply.body);
      out.begin_object().key("jobs");
      write_leased_jobs(out, *jobs);
      out.end_object();
      return reply;
    });
  });
}

}  // namespace

void add_lease_routes(Router& r, Api& api) {
  r.add("POST", "/api/v1/lease", Access::work, answer_later(api, lease),
        {.long_poll = true, .never_blocks = true});
}

}  // namespace jobq::server
