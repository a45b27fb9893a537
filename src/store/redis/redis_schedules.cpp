// The redis store's schedules: a hash each, its record as JSON (as the sqlite store keeps it)
// beside the fields the scripts read and move (lua/common.lua), so that a fire changes them in
// Lua without decoding and encoding the record again, which cjson would not give back as it was
// (the template's numbers, its empty lists).
#include <boost/json.hpp>

#include <charconv>
#include <limits>

#include "store/redis/job_fields.h"
#include "store/redis/redis_store.h"
#include "wire/schedule_json.h"

namespace jobq {

namespace json = boost::json;
using redis::at;
using redis::int_text;
using redis::text;

namespace {

// The fields save_schedule.lua keeps beside the record, in its order; the record holds the rest.
constexpr const char* kBeside[] = {"paused", "next_run_at", "last_run_at", "updated_at",
                                   "last_job_id"};

std::vector<std::string> save_args(const char* mode, const Schedule& s) {
  json::object record = schedule_to_json(s);
  for (const char* field : kBeside) record.erase(field);
  return {mode,
          s.spec.name,
          json::serialize(record),
          s.spec.paused ? "1" : "0",
          int_text(s.next_run_at),
          int_text(s.last_run_at),
          int_text(s.updated_at),
          s.last_job_id};
}

Error unreadable(std::string_view why) {
  return Error(ErrorCode::internal, "redis store: a schedule " + std::string(why));
}

Result<Millis> millis_of(std::string_view s) {
  Millis n = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
    return unreadable("time is not a whole number: " + std::string(s));
  return n;
}

// A schedule from its hash's fields (HGETALL); one that does not read is a store failure, not a
// user's error.
Result<Schedule> schedule_from_fields(const redisReply& flat) {
  std::string record, paused, last_job_id;
  std::string_view next_run_at, last_run_at, updated_at;
  for (std::size_t i = 0; i + 1 < flat.elements; i += 2) {
    std::string_view name = text(at(flat, i)), value = text(at(flat, i + 1));
    if (name == "record") record = value;
    if (name == "paused") paused = value;
    if (name == "last_job_id") last_job_id = value;
    if (name == "next_run_at") next_run_at = value;
    if (name == "last_run_at") last_run_at = value;
    if (name == "updated_at") updated_at = value;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(record, ec);
  if (ec) return unreadable("record is not JSON: " + ec.message());
  auto s = schedule_from_json(parsed);
  if (!s) return unreadable("record does not read: " + s.error().to_string());
  auto next = millis_of(next_run_at), last = millis_of(last_run_at),
       updated = millis_of(updated_at);
  if (!next) return next.error();
  if (!last) return last.error();
  if (!updated) return updated.error();
  s->spec.paused = paused == "1";
  s->next_run_at = *next;
  s->last_run_at = *last;
  s->updated_at = *updated;
  s->last_job_id = std::move(last_job_id);
  return s;
}

// An HGETALL's answer: the schedule, or none if the hash is empty.
Result<std::optional<Schedule>> found(const Result<redis::Reply>& r, const std::string& name) {
  if (!r) return r.error();
  if ((*r)->type == REDIS_REPLY_ERROR) return redis::reply_error("reading schedule " + name, **r);
  if ((*r)->elements == 0) return std::optional<Schedule>();
  auto s = schedule_from_fields(**r);
  if (!s) return s.error();
  return std::optional<Schedule>(std::move(*s));
}

// {'ok', fields...}: a schedule per element.
Result<std::vector<Schedule>> schedules_from(const Result<redis::Reply>& r) {
  if (!r) return r.error();
  std::vector<Schedule> out;
  out.reserve((*r)->elements - 1);
  for (std::size_t i = 1; i < (*r)->elements; ++i) {
    auto s = schedule_from_fields(at(**r, i));
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace

Status RedisStore::insert_schedule(const Schedule& schedule) {
  auto r = write_script("save_schedule", save_args("insert", schedule));
  return r ? Status() : Status(r.error());
}

Status RedisStore::update_schedule(const Schedule& schedule, Millis read_next_run_at) {
  auto args = save_args("update", schedule);
  args.push_back(int_text(read_next_run_at));
  auto r = write_script("save_schedule", args);
  return r ? Status() : Status(r.error());
}

Result<Schedule> RedisStore::remove_schedule(const std::string& name) {
  auto r = write_script("remove_schedule", {name});
  if (!r) return r.error();
  return schedule_from_fields(at(**r, 1));
}

// Every operation of a write is applied as it runs (one script or command each: redis_store.h),
// so the writer's connection sees what the group wrote before, as current() does for jobs.
Result<std::optional<Schedule>> RedisStore::current_schedule(const std::string& name) {
  return found(writer_connection().call({"HGETALL", scripts_.prefix() + "schedule:" + name}), name);
}

Result<std::vector<SubmitOutcome>> RedisStore::fire_schedule(ScheduleFire fire) {
  std::vector<std::string> args{fire.name, int_text(fire.due), int_text(fire.next_run_at),
                                int_text(fire.last_run_at), int_text(fire.now)};
  add_submit_jobs(args, fire.jobs);
  auto r = write_script("fire_schedule", args);
  if (!r) return r.error();
  return submit_outcomes(**r);
}

Result<std::optional<Schedule>> RedisStore::get_schedule(const std::string& name) {
  return found(read_call({"HGETALL", scripts_.prefix() + "schedule:" + name}), name);
}

Result<std::vector<Schedule>> RedisStore::list_schedules() {
  return schedules_from(read_script("schedules", {"all"}));
}

Result<std::vector<Schedule>> RedisStore::due_schedules(Millis now, std::size_t limit) {
  auto most = std::int64_t(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  return schedules_from(read_script("schedules", {"due", int_text(now), int_text(most)}));
}

}  // namespace jobq
