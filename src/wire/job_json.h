// The JSON form of a Job, with the API's field names.
#pragma once

#include <boost/json/value.hpp>

#include "jobq/error.h"
#include "jobq/job.h"
#include "wire/field_reader.h"

namespace jobq {

class JsonText;

// The lease token is included only for the worker that holds the lease. write_job and
// job_json_text write the text at once (the answers on the hot paths); job_to_json reads that
// text back into a value, for answers built around it.
void write_job(JsonText& out, const Job& job, bool with_lease_token = false);
std::string job_json_text(const Job& job, bool with_lease_token = false);
boost::json::object job_to_json(const Job& job, bool with_lease_token = false);

// The reverse, for clients: a Job from the API's JSON form. Unknown fields are ignored (a newer
// server may add some); a known field of the wrong type is an error naming it. A null `result` is
// read as "null" for a completed job and as no result otherwise. `lease_ms` and `seq` are not part
// of the JSON form and stay 0.
Result<Job> job_from_json(const boost::json::value& json);

// Whole numbers as integers: 50 rather than 5E1.
boost::json::value number_to_json(double x);
boost::json::array strings_to_json(const std::vector<std::string>& items);

boost::json::object backoff_to_json(const Backoff& b);
// The fields a job keeps as its submit gave them, by the same names in a JobSpec and a Job.
template <class JobOrSpec>
FieldReader& read_submitted_labels(FieldReader& in, JobOrSpec& j) {
  return in.read("user_id", j.user_id)
      .read("tags", j.tags)
      .read("idempotency_key", j.idempotency_key)
      .read("depends_on", j.depends_on)
      .read("callback_url", j.callback_url)
      .read("result_ttl_ms", j.result_ttl_ms);
}

// Whether a field nobody reads is an error: in what a user wrote (a typo), not in a server's
// answer (a newer server may add fields).
enum class UnknownFields { refused, ignored };
Result<Backoff> backoff_from_json(const boost::json::value& json, std::string_view field,
                                  UnknownFields unknown = UnknownFields::ignored);

}  // namespace jobq
