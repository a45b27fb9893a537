// The JSON bodies http_bench sends and the parts of the answers it reads.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/common.h"

namespace bench {

namespace json = boost::json;

// ---- JSON bodies and answers --------------------------------------------------------------------

inline std::string batch_body(int n) {
  std::string body = R"({"jobs":[)";
  for (int i = 0; i < n; ++i) body += (i ? "," : "") + kJob;
  return body + "]}";
}

inline std::string lease_body(const std::string& worker, int max_jobs, int wait_ms) {
  return json::serialize(
      json::object{{"worker_id", worker}, {"max_jobs", max_jobs}, {"wait_ms", wait_ms}});
}

struct Leased {
  std::string id, token;
};

// The jobs of a lease answer; nullopt if it is not one.
inline std::optional<std::vector<Leased>> leased_jobs(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* jobs = v.get_object().if_contains("jobs");
  if (!jobs || !jobs->is_array()) return std::nullopt;
  std::vector<Leased> out;
  for (auto& j : jobs->get_array()) {
    auto* o = j.if_object();
    if (!o) return std::nullopt;
    auto* id = o->if_contains("id");
    auto* token = o->if_contains("lease_token");
    if (!id || !id->is_string() || !token || !token->is_string()) return std::nullopt;
    out.push_back({std::string(id->get_string()), std::string(token->get_string())});
  }
  return out;
}

inline std::optional<std::string> job_id(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto* id = v.get_object().if_contains("id");
  if (!id || !id->is_string()) return std::nullopt;
  return std::string(id->get_string());
}

inline std::string complete_target(const std::string& id) {
  return "/api/v1/jobs/" + id + "/complete";
}

inline std::string complete_body(const std::string& token) {
  return json::serialize(json::object{{"lease_token", token}});
}

inline std::string numbered_job(i64 n) {
  return R"({"type":"bench","payload":{"n":)" + std::to_string(n) + "}}";
}

inline json::array completions(const std::vector<Leased>& jobs) {
  json::array complete;
  for (const auto& j : jobs)
    complete.push_back(json::object{{"id", j.id}, {"lease_token", j.token}});
  return complete;
}

inline std::string ack_body(const std::vector<Leased>& jobs) {
  return json::serialize(json::object{{"complete", completions(jobs)}});
}

// An /ack that completes `jobs` and leases the next ones in the same call (a worker's own loop).
inline std::string ack_lease_body(const std::vector<Leased>& jobs, const std::string& lease) {
  return json::serialize(json::object{
      {"complete", completions(jobs)}, {"lease", json::parse(lease)}, {"answer", "ids"}});
}

// How many entries of an /ack answer are ok, and the first error among the others.
inline std::pair<int, std::string> ack_outcome(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return {0, "not JSON: " + clip(body)};
  auto* results = v.get_object().if_contains("results");
  if (!results || !results->is_array()) return {0, "no results: " + clip(body)};
  int ok = 0;
  std::string first_error;
  for (auto& r : results->get_array()) {
    auto* o = r.if_object();
    auto* good = o ? o->if_contains("ok") : nullptr;
    if (good && good->is_bool() && good->get_bool())
      ++ok;
    else if (first_error.empty())
      first_error = clip(json::serialize(r));
  }
  return {ok, first_error};
}
}  // namespace bench
