// GET /jobs/{id}/wait: a long poll that answers once the job has finished or the time is up.
#include "core/int_text.h"
#include "core/job_json.h"
#include "server/api.h"
#include "server/request/long_poll.h"

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

void wait(Api& api, const Call& call, Responder respond) {
  auto timeout = timeout_of(api, call);
  if (!timeout) return respond(error_reply(timeout.error()));
  std::string id = call.param("id");
  auto poll = LongPoll<Reply>::make(api.timers, std::move(respond));
  // Completed by the job's terminal event; watched before the read, so that a job finishing in
  // between is not missed. When the time is up the job is read again, on the blocking pool.
  auto watch = api.watchers.watch(id, [poll](const Event& e) {
    if (is_terminal(e.job->status)) poll->answer(json_reply(200, job_to_json(*e.job)));
  });
  auto job = api.engine.get(id);
  if (!job || is_terminal(job->status) || *timeout == 0) poll->answer(job_reply(job));
  poll->wait(std::chrono::milliseconds(*timeout), *call.client_gone,
             {.answer =
                  [&api, id](PollEnd why, LongPoll<Reply>::Answer answer) {
                    if (why == PollEnd::hung_up)
                      return answer(error_reply(499, "client_closed", "the client went away"));
                    api.run_blocking([&api, id, answer] { answer(job_reply(api.engine.get(id))); });
                  },
              .release = [&api, watch] { api.watchers.unwatch(watch); }});
}

}  // namespace

void add_job_wait_routes(Router& r, Api& api) {
  r.add("GET", "/api/v1/jobs/{id}/wait", Access::read, answer_later(api, wait),
        {.long_poll = true});
}

}  // namespace jobq::server
