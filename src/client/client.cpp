// The producer's calls, the generic call, and the plumbing they share (client_calls.h).
#include "jobq/client.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>

#include "client/client_calls.h"
#include "client/transport.h"
#include "core/time_format.h"
#include "wire/job_json.h"
#include "wire/job_spec_json.h"

namespace jobq {

namespace json = boost::json;

ClientOptions ClientOptions::from_env() {
  ClientOptions o;
  const char* url = std::getenv("JOBQ_URL");
  o.url = url && *url ? url : "http://127.0.0.1:8080";
  if (const char* key = std::getenv("JOBQ_API_KEY")) o.api_key = key;
  return o;
}

Client::Client(ClientOptions options)
    : options_(std::move(options)), transport_(std::make_unique<Transport>(options_)) {}

Client::~Client() = default;

std::uint64_t Client::connections_opened() const {
  return transport_->opened();
}

ApiResult<json::value> Client::call(const std::string& method, const std::string& target,
                                    const std::optional<json::value>& body,
                                    std::chrono::milliseconds extra_timeout) {
  return send(method, target, body, extra_timeout, {});
}

ApiResult<json::value> Client::send(const std::string& method, const std::string& target,
                                    const std::optional<json::value>& body,
                                    std::chrono::milliseconds extra_timeout, std::stop_token stop) {
  std::string text;
  if (body) text = json::serialize(*body);
  auto answer = transport_->request(method, target, body ? &text : nullptr,
                                    options_.request_timeout + extra_timeout, stop);
  if (!answer) return answer.error();
  if (answer->status < 200 || answer->status >= 300)
    return error_from_answer(answer->status, answer->body);
  if (answer->body.empty()) return json::value(nullptr);
  boost::system::error_code ec;
  // A monotonic arena: the answer is decoded and dropped, and its many small allocations were
  // half of a worker's time.
  json::value v =
      json::parse(answer->body, ec, json::make_shared_resource<json::monotonic_resource>());
  if (ec)
    return ApiError(answer->status, "bad_answer",
                    method + " " + target + " answered malformed JSON: " + ec.message());
  return v;
}

ApiResult<std::string> Client::fetch_text(const std::string& method, const std::string& target) {
  auto answer = transport_->request(method, target, nullptr, options_.request_timeout);
  if (!answer) return answer.error();
  if (answer->status < 200 || answer->status >= 300)
    return error_from_answer(answer->status, answer->body);
  return std::move(answer->body);
}

ApiError bad_answer(const std::string& what, const Error& why) {
  return ApiError(0, "bad_answer", what + ": " + why.to_string());
}

ApiResult<Job> job_answer(const json::value& answer) {
  auto job = job_from_json(answer);
  if (!job) return bad_answer("the answer is not a job", job.error());
  return std::move(*job);
}

ApiResult<Job> job_answer(const ApiResult<json::value>& answer) {
  if (!answer) return answer.error();
  return job_answer(*answer);
}

ApiResult<std::vector<Job>> jobs_answer(const ApiResult<json::value>& answer) {
  if (!answer) return answer.error();
  return jobs_answer(*answer);
}

ApiResult<std::vector<Job>> jobs_answer(const json::value& answer) {
  const json::value* jobs = answer.is_object() ? answer.get_object().if_contains("jobs") : nullptr;
  if (!jobs || !jobs->is_array()) return ApiError(0, "bad_answer", "the answer has no jobs array");
  std::vector<Job> out;
  for (const json::value& j : jobs->get_array()) {
    auto job = job_from_json(j);
    if (!job) return bad_answer("a job in the answer", job.error());
    out.push_back(std::move(*job));
  }
  return out;
}

ApiResult<JobPage> page_answer(const ApiResult<json::value>& answer) {
  auto jobs = jobs_answer(answer);
  if (!jobs) return jobs.error();
  JobPage page;
  page.jobs = std::move(*jobs);
  if (const json::value* c = answer->get_object().if_contains("next_cursor"); c && c->is_string())
    page.next_cursor = std::string(c->get_string());
  return page;
}

std::string encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' ||
        c == ',') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string job_path(const std::string& id, std::string_view tail) {
  return "/api/v1/jobs/" + encode(id) + std::string(tail);
}

std::string list_query(const JobFilter& f, const ListOptions& o) {
  std::string q;
  auto add = [&](std::string_view key, const std::string& value) {
    q += q.empty() ? '?' : '&';
    q += key;
    q += '=';
    q += encode(value);
  };
  if (!f.statuses.empty()) {
    std::string s;
    for (JobStatus st : f.statuses) {
      if (!s.empty()) s += ',';
      s += to_string(st);
    }
    add("status", s);
  }
  if (!f.queue.empty()) add("queue", f.queue);
  if (!f.type.empty()) add("type", f.type);
  if (!f.user_id.empty()) add("user_id", f.user_id);
  if (!f.tag.empty()) add("tag", f.tag);
  if (f.created_after) add("created_after", format_time(*f.created_after));
  if (f.created_before) add("created_before", format_time(*f.created_before));
  const char* sort = o.sort == SortField::priority     ? "priority"
                     : o.sort == SortField::updated_at ? "updated_at"
                                                       : "created_at";
  add("sort", sort);
  add("order", o.descending ? "desc" : "asc");
  add("limit", std::to_string(o.limit));
  if (!o.cursor.empty()) add("cursor", o.cursor);
  return q;
}

ApiResult<SubmitOutcome> Client::submit(const JobSpec& spec) {
  auto body = job_spec_to_json(spec);
  if (!body) return ApiError(0, "invalid_argument", body.error().message(), body.error().field());
  std::string text = json::serialize(*body);
  auto answer = transport_->request("POST", "/api/v1/jobs", &text, options_.request_timeout);
  if (!answer) return answer.error();
  if (answer->status != 200 && answer->status != 201)
    return error_from_answer(answer->status, answer->body);
  boost::system::error_code ec;
  // A monotonic arena: the answer is decoded and dropped, and its many small allocations were
  // half of a worker's time.
  json::value v =
      json::parse(answer->body, ec, json::make_shared_resource<json::monotonic_resource>());
  if (ec) return ApiError(answer->status, "bad_answer", "submit answered malformed JSON");
  auto job = job_answer(v);
  if (!job) return job.error();
  return SubmitOutcome{std::move(*job), answer->status == 201};
}

ApiResult<std::vector<Job>> Client::submit_batch(const std::vector<JobSpec>& specs) {
  json::array jobs;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto body = job_spec_to_json(specs[i]);
    if (!body)
      return ApiError(0, "invalid_argument", body.error().message(),
                      "jobs[" + std::to_string(i) + "]." + body.error().field());
    jobs.emplace_back(std::move(*body));
  }
  return jobs_answer(call("POST", "/api/v1/jobs/batch", json::object{{"jobs", std::move(jobs)}}));
}

ApiResult<Job> Client::get(const std::string& id) {
  return job_answer(call("GET", job_path(id, "")));
}

ApiResult<JobPage> Client::list(const JobFilter& filter, const ListOptions& options) {
  return page_answer(call("GET", "/api/v1/jobs" + list_query(filter, options)));
}

ApiResult<Job> Client::cancel(const std::string& id) {
  return job_answer(call("POST", job_path(id, "/cancel")));
}

ApiResult<Job> Client::retry(const std::string& id) {
  return job_answer(call("POST", job_path(id, "/retry")));
}

ApiResult<std::optional<Job>> Client::remove(const std::string& id) {
  auto answer = call("DELETE", job_path(id, ""));
  if (!answer) return answer.error();
  if (answer->is_null()) return std::optional<Job>();
  auto job = job_answer(answer);
  if (!job) return job.error();
  return std::optional<Job>(std::move(*job));
}

ApiResult<Job> Client::update(const std::string& id, std::optional<int> priority,
                              std::optional<Millis> run_at) {
  json::object body;
  if (priority) body["priority"] = *priority;
  if (run_at) body["run_at"] = format_time(*run_at);
  return job_answer(call("PATCH", job_path(id, ""), json::value(std::move(body))));
}

ApiResult<Job> Client::wait(const std::string& id, std::chrono::milliseconds timeout) {
  constexpr std::chrono::milliseconds kServerCap{300'000};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto chunk = std::clamp(left, std::chrono::milliseconds(0), kServerCap);
    auto job =
        job_answer(call("GET", job_path(id, "/wait?timeout_ms=" + std::to_string(chunk.count())),
                        std::nullopt, chunk));
    if (!job || is_terminal(job->status) || left <= kServerCap) return job;
  }
}

}  // namespace jobq
