// Workers' reports on many leased jobs in one request. POST /ack completes and fails jobs and may
// lease the next ones; POST /heartbeats renews many leases. Each entry carries its lease token and
// is answered on its own: a stale token is that entry's conflict and changes nothing.
#include <boost/json.hpp>
#include <mutex>
#include <optional>

#include "server/api.h"
#include "server/handlers/lease.h"
#include "server/handlers/report_fields.h"
#include "server/request/body.h"
#include "wire/field_reader.h"
#include "wire/job_json.h"
#include "wire/json_text.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

json::object error_json(const Error& e) {
  return {{"code", to_string(e.code())}, {"message", e.message()}};
}

// The same, written at once (the /ack answer is written as text: it carries leased jobs).
void write_error(JsonText& w, const Error& e) {
  w.begin_object().key("code").string(to_string(e.code())).key("message").string(e.message());
  w.end_object();
}

// The array `key` of the body, each item an object; absent is empty.
Result<std::vector<const json::object*>> objects_of(const json::object& body,
                                                    std::string_view key) {
  std::vector<const json::object*> out;
  const json::value* v = body.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return Error::invalid(std::string(key), "must be an array");
  const json::array& items = v->get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_object())
      return Error::invalid(std::string(key) + "[" + std::to_string(i) + "]", "must be an object");
    out.push_back(&items[i].get_object());
  }
  return out;
}

std::string entry_prefix(std::string_view key, std::size_t i) {
  return std::string(key) + "[" + std::to_string(i) + "].";
}

// What an /ack collects while its entries (and its lease) are answered, from any thread.
struct AckCall {
  AckCall(Responder r) : respond(std::move(r)) {}
  std::mutex mutex;
  std::vector<std::string> ids;  // in the answer's order: completions, then failures
  std::vector<std::optional<Result<Job>>> results;
  std::optional<Error> batch_error;  // the completions' store write failed
  bool ids_only = false;
  bool leasing = false;
  std::optional<Result<std::vector<Job>>> leased;
  std::size_t pending = 0;
  Responder respond;

  Reply reply() const {
    // Without a lease, a failed write of the completions fails the call, as before. With one,
    // its entries say so instead, so that the jobs leased in the same call reach the worker.
    if (batch_error && !leasing) return error_reply(*batch_error);
    Reply out{200, {}};
    JsonText w(out.body);
    w.begin_object().key("results").begin_array();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const Result<Job>& r = *results[i];
      w.begin_object().key("id").string(ids[i]).key("ok").boolean(r.ok());
      if (!r)
        write_error(w.key("error"), r.error());
      else if (!ids_only)
        write_job(w.key("job"), *r);
      w.end_object();
    }
    w.end_array();
    if (leasing) {
      w.key("jobs");
      write_leased_jobs(w, leased && *leased ? **leased : std::vector<Job>{});
      if (leased && !*leased) write_error(w.key("lease_error"), leased->error());
    }
    w.end_object();
    return out;
  }
};

// The last answer in (entries and lease) builds the reply.
void answered(const std::shared_ptr<AckCall>& ack) {
  {
    std::lock_guard lock(ack->mutex);
    if (--ack->pending > 0) return;
  }
  ack->respond.build([ack] { return ack->reply(); });
}

void ack(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  for (const auto& item : *body) {
    std::string_view key = item.key();
    if (key != "complete" && key != "fail" && key != "lease" && key != "answer")
      return respond(error_reply(Error::invalid(std::string(key), "unknown field")));
  }
  auto ids_only = read_ids_only(*body);
  if (!ids_only) return respond(error_reply(ids_only.error()));
  auto complete_items = objects_of(*body, "complete");
  if (!complete_items) return respond(error_reply(complete_items.error()));
  auto fail_items = objects_of(*body, "fail");
  if (!fail_items) return respond(error_reply(fail_items.error()));

  std::vector<Completion> completions;
  for (std::size_t i = 0; i < complete_items->size(); ++i) {
    Completion c;
    FieldReader in(*(*complete_items)[i], entry_prefix("complete", i));
    in.require("id").read("id", c.id).require("lease_token").read("lease_token", c.lease_token);
    in.read_json("result", c.result_json);
    if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
    completions.push_back(std::move(c));
  }
  std::vector<FailEntry> failures;
  for (std::size_t i = 0; i < fail_items->size(); ++i) {
    FailEntry f;
    FieldReader in(*(*fail_items)[i], entry_prefix("fail", i));
    in.require("id").read("id", f.id);
    read_fail(in, f);
    if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
    failures.push_back(std::move(f));
  }
  std::optional<LeaseAsk> lease;
  if (const json::value* v = body->if_contains("lease"); v && !v->is_null()) {
    if (!v->is_object()) return respond(error_reply(Error::invalid("lease", "must be an object")));
    auto ask = read_lease(v->get_object(), api.limits, "lease.");
    if (!ask) return respond(error_reply(ask.error()));
    // Checked before anything is written, so that a bad lease refuses the whole call.
    if (Status s = api.engine.validate_lease(ask->request); !s.ok())
      return respond(error_reply(Error(s.code(), s.message(), "lease." + s.field())));
    lease = std::move(*ask);
  }

  auto ack = std::make_shared<AckCall>(std::move(respond));
  ack->ids_only = *ids_only;
  ack->leasing = lease.has_value();
  for (const auto& c : completions) ack->ids.push_back(c.id);
  for (const auto& f : failures) ack->ids.push_back(f.id);
  ack->results.resize(ack->ids.size());
  // One count for this function itself, so that no early answer builds the reply too soon.
  ack->pending = 1 + (completions.empty() ? 0 : 1) + failures.size() + (lease ? 1 : 0);
  std::size_t completed = completions.size();
  if (!completions.empty())
    api.engine.complete_many_async(
        std::move(completions), [ack, completed](Result<std::vector<Result<Job>>> done) {
          {
            std::lock_guard lock(ack->mutex);
            if (!done) ack->batch_error = done.error();
            for (std::size_t i = 0; i < completed; ++i)
              ack->results[i] = done ? std::move((*done)[i]) : Result<Job>(done.error());
          }
          answered(ack);
        });
  for (std::size_t k = 0; k < failures.size(); ++k) {
    FailEntry& f = failures[k];
    api.engine.fail_async(f.id, f.token, std::move(f.report),
                          [ack, at = completed + k](Result<Job> job) {
                            {
                              std::lock_guard lock(ack->mutex);
                              ack->results[at] = std::move(job);
                            }
                            answered(ack);
                          });
  }
  // Issued with the reports rather than after them, so that on a durable store they share one
  // commit. The worker asks for as many jobs as it will have free slots once these are in.
  if (lease)
    serve_lease(api, call.client_gone, *lease, [ack](Result<std::vector<Job>> jobs) {
      {
        std::lock_guard lock(ack->mutex);
        ack->leased = std::move(jobs);
      }
      answered(ack);
    });
  answered(ack);
}

struct HeartbeatsCall {
  HeartbeatsCall(Responder r) : respond(std::move(r)) {}
  std::mutex mutex;
  std::vector<std::string> ids;
  std::vector<std::optional<Result<HeartbeatReply>>> results;
  std::size_t pending = 0;
  Responder respond;
};

void heartbeats_answered(const std::shared_ptr<HeartbeatsCall>& beats) {
  {
    std::lock_guard lock(beats->mutex);
    if (--beats->pending > 0) return;
  }
  beats->respond.build([beats] {
    json::array entries;
    for (std::size_t i = 0; i < beats->ids.size(); ++i) {
      const Result<HeartbeatReply>& r = *beats->results[i];
      json::object entry{{"id", beats->ids[i]}, {"ok", r.ok()}};
      if (r)
        for (auto& [key, value] : heartbeat_json(*r)) entry[key] = value;
      else
        entry["error"] = error_json(r.error());
      entries.emplace_back(std::move(entry));
    }
    return json_reply(200, json::object{{"results", std::move(entries)}});
  });
}

struct HeartbeatEntry {
  std::string id, token;
  Progress progress;
};

void heartbeats(Api& api, const Call& call, Responder respond) {
  auto body = body_object(call);
  if (!body) return respond(error_reply(body.error()));
  for (const auto& item : *body)
    if (item.key() != "jobs")
      return respond(error_reply(Error::invalid(item.key(), "unknown field")));
  if (!body->contains("jobs")) return respond(error_reply(Error::invalid("jobs", "is required")));
  auto items = objects_of(*body, "jobs");
  if (!items) return respond(error_reply(items.error()));
  std::size_t most = api.engine.options().max_lease_jobs;
  if (items->size() > most)
    return respond(
        error_reply(Error::invalid("jobs", "at most " + std::to_string(most) + " jobs a call")));
  std::vector<HeartbeatEntry> entries;
  for (std::size_t i = 0; i < items->size(); ++i) {
    HeartbeatEntry e;
    FieldReader in(*(*items)[i], entry_prefix("jobs", i));
    in.require("id").read("id", e.id);
    read_heartbeat(in, e.token, e.progress);
    if (Status s = in.finish(); !s.ok()) return respond(error_reply(s));
    entries.push_back(std::move(e));
  }
  auto beats = std::make_shared<HeartbeatsCall>(std::move(respond));
  for (const auto& e : entries) beats->ids.push_back(e.id);
  beats->results.resize(entries.size());
  beats->pending = 1 + entries.size();
  for (std::size_t i = 0; i < entries.size(); ++i)
    api.engine.heartbeat_async(entries[i].id, entries[i].token, entries[i].progress,
                               [beats, i](Result<HeartbeatReply> reply) {
                                 {
                                   std::lock_guard lock(beats->mutex);
                                   beats->results[i] = std::move(reply);
                                 }
                                 heartbeats_answered(beats);
                               });
  heartbeats_answered(beats);
}

}  // namespace

void add_ack_routes(Router& r, Api& api) {
  // A long poll: the lease it may carry can wait, and is withdrawn if the worker hangs up.
  r.add("POST", "/api/v1/ack", Access::work, answer_later(api, ack),
        {.long_poll = true, .never_blocks = true});
  r.add("POST", "/api/v1/heartbeats", Access::work, answer_later(api, heartbeats),
        {.never_blocks = true});
}

}  // namespace jobq::server
