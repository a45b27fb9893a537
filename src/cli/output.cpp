#include "cli/output.h"

#include <boost/json/serialize.hpp>
#include <cstdio>

#include "core/time_format.h"
#include "wire/job_json.h"

namespace jobq::cli {

void print_json(const boost::json::value& value) {
  std::string text = boost::json::serialize(value);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void print_job_json(const Job& job) {
  print_json(job_to_json(job));
}

std::string status_text(const Job& job) {
  std::string s(to_string(job.status));
  if (job.cancel_requested) s += " (cancel requested)";
  return s;
}

std::string time_text(Millis t) {
  return t ? format_time(t) : "-";
}

std::string max_running_text(std::int64_t max_running) {
  return max_running > 0 ? std::to_string(max_running) : "-";
}

std::string duration_text(Millis ms) {
  struct Unit {
    Millis ms;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}};
  for (const Unit& u : kUnits)
    if (ms > 0 && ms % u.ms == 0) return std::to_string(ms / u.ms) + u.name;
  return std::to_string(ms) + "ms";
}

std::string rate_text(const Rate& rate) {
  if (rate.count <= 0) return "-";
  return std::to_string(rate.count) + "/" + duration_text(rate.period_ms);
}

std::string value_text(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  return boost::json::serialize(value);
}

std::string member_text(const boost::json::value& object, std::string_view key) {
  const boost::json::object* o = object.if_object();
  const boost::json::value* v = o ? o->if_contains(key) : nullptr;
  return v && !v->is_null() ? value_text(*v) : "";
}

std::string list_text(const boost::json::value& object, std::string_view key) {
  const boost::json::object* o = object.if_object();
  const boost::json::value* v = o ? o->if_contains(key) : nullptr;
  if (!v || !v->is_array()) return "";
  std::string s;
  for (const auto& item : v->get_array()) s += (s.empty() ? "" : ",") + value_text(item);
  return s;
}

namespace {

std::string progress_text(const Job& job) {
  std::string s = value_text(number_to_json(job.progress)) + "%";
  if (!job.stage.empty()) s += " " + job.stage;
  return s;
}

}  // namespace

Table jobs_table(const std::vector<Job>& jobs) {
  Table table({"ID", "TYPE", "QUEUE", "STATUS", "PRI", "PROGRESS", "ATTEMPT", "CREATED"});
  table.align_right(4);
  for (const Job& j : jobs)
    table.add_row({j.id, j.type, j.queue, status_text(j), std::to_string(j.priority),
                   progress_text(j),
                   std::to_string(j.attempt) + "/" + std::to_string(j.max_attempts),
                   time_text(j.created_at)});
  return table;
}

void print_job_details(const Job& job) {
  std::vector<std::pair<std::string, std::string>> rows;
  auto add = [&](std::string name, std::string value) {
    if (!value.empty()) rows.emplace_back(std::move(name), std::move(value));
  };
  add("id", job.id);
  add("type", job.type);
  add("queue", job.queue);
  add("status", status_text(job));
  add("priority", std::to_string(job.priority));
  add("progress", progress_text(job));
  add("message", job.progress_message);
  if (job.total_items || job.processed_items)
    add("items", std::to_string(job.processed_items.value_or(0)) + "/" +
                     (job.total_items ? std::to_string(*job.total_items) : "?"));
  add("attempt", std::to_string(job.attempt) + "/" + std::to_string(job.max_attempts));
  if (job.timeout_ms) add("timeout", std::to_string(job.timeout_ms) + " ms");
  if (job.soft_timeout_ms) add("soft timeout", std::to_string(job.soft_timeout_ms) + " ms");
  add("worker", job.worker_id);
  add("user", job.user_id);
  std::string tags;
  for (const auto& t : job.tags) tags += (tags.empty() ? "" : ", ") + t;
  add("tags", tags);
  std::string deps;
  for (const auto& d : job.depends_on) deps += (deps.empty() ? "" : ", ") + d;
  add("depends on", deps);
  add("idempotency key", job.idempotency_key);
  add("callback url", job.callback_url);
  add("created", time_text(job.created_at));
  if (job.run_at > job.created_at) add("run at", time_text(job.run_at));
  if (job.started_at) add("started", time_text(job.started_at));
  if (job.completed_at) add("finished", time_text(job.completed_at));
  add("payload", job.payload);
  if (job.status == JobStatus::completed) add("result", job.result.empty() ? "null" : job.result);
  if (const JobError* e = job.error())
    add("error", e->message + " (attempt " + std::to_string(e->attempt) + ")");
  std::size_t width = 0;
  for (const auto& [name, value] : rows) width = std::max(width, name.size());
  for (const auto& [name, value] : rows)
    std::printf("%s:%s %s\n", name.c_str(), std::string(width - name.size(), ' ').c_str(),
                value.c_str());
  // A traceback is many lines; it goes last, as it is.
  if (const JobError* e = job.error(); e && !e->traceback.empty())
    std::printf("traceback:\n%s%s", e->traceback.c_str(), e->traceback.ends_with('\n') ? "" : "\n");
}

}  // namespace jobq::cli
