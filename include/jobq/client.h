// The C++ client of jobqd's HTTP API (docs/api.md): producers, workers and operators.
//
// Thread-safe: one Client may be shared by any number of threads. Requests reuse keep-alive
// connections from a bounded pool; a request that finds the pool empty opens a new connection,
// and at most `max_idle_connections` are kept afterwards. Every call blocks the calling thread
// until the answer, an error or its timeout.
//
// Errors are values: each call returns an ApiResult<T> (a Result with an ApiError) carrying the
// HTTP status, the API's error code, its message and the offending field.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "jobq/error.h"
#include "jobq/job.h"
#include "jobq/limits.h"
#include "jobq/requests.h"
#include "jobq/schedule.h"
#include "jobq/webhooks.h"
#include "jobq/workers.h"

namespace jobq {

// An answer that was not a success, or no answer at all.
class ApiError {
 public:
  ApiError() = default;
  ApiError(int status, std::string code, std::string message, std::string field = {})
      : status_(status),
        code_(std::move(code)),
        message_(std::move(message)),
        field_(std::move(field)) {}

  bool ok() const { return code_.empty(); }
  // The HTTP status; 0 when no answer came (see code()).
  int status() const { return status_; }
  // The API's code (`not_found`, `conflict`, `invalid_argument`, `unauthorized`, `forbidden`,
  // `payload_too_large`, `unavailable`, ...), or, with status 0, one of the client's own:
  // `connect_failed` (nobody answered), `timeout`, `transport` (the connection broke),
  // `bad_answer` (the server's answer was not what the API promises), `invalid_argument` (the
  // call's own arguments were refused before sending; field() names which).
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  // details.field of the answer: the offending field or query parameter, if any.
  const std::string& field() const { return field_; }

  // The nearest engine error code: 400 -> invalid_argument, 404 -> not_found, 409 -> conflict,
  // 413 -> payload_too_large, 503 and no answer -> unavailable, anything else -> internal.
  ErrorCode error_code() const;
  Error to_error() const;  // for code shared with the in-process engine
  // "404 not_found: no job with id ..." or "connect_failed: ...".
  std::string to_string() const;

 private:
  int status_ = 0;
  std::string code_;
  std::string message_;
  std::string field_;
};

template <class T>
using ApiResult = Result<T, ApiError>;
using ApiStatus = ApiError;  // ok() when the call succeeded

struct ClientOptions {
  // http://host:port, optionally with a path prefix. Default: $JOBQ_URL, else
  // http://127.0.0.1:8080.
  std::string url;
  // Sent as `Authorization: Bearer KEY` when not empty. Default: $JOBQ_API_KEY.
  std::string api_key;
  std::chrono::milliseconds connect_timeout{5'000};
  // For one request and its answer; a long poll (lease, wait) gets its wait on top.
  std::chrono::milliseconds request_timeout{30'000};
  std::size_t max_idle_connections = 16;
  std::string user_agent = "jobq-cpp/0.1";

  // The defaults above with url and api_key read from the environment.
  static ClientOptions from_env();
};

// One message of a job's or of the events stream.
struct JobEvent {
  std::string event;  // `snapshot` (first message of a job stream), `submitted`, `progress`, ...
  Job job;
  std::string text;  // the message as the server sent it, for printing as JSON
};

// Which events GET /events/ws sends; an empty list means any.
struct EventFilter {
  std::vector<std::string> queues;
  std::vector<std::string> types;
  std::vector<std::string> events;
};

// The answer to an /ack that also leased: one status per item, in the items' order, the jobs
// leased, and why the lease was not served (ok when it was).
struct AckAndLease {
  std::vector<ApiStatus> results;
  std::vector<Job> jobs;
  ApiStatus lease_error;
};

// Called with each message of a stream; return false to stop reading.
using EventHandler = std::function<bool(const JobEvent&)>;

class Client {
 public:
  explicit Client(ClientOptions options = ClientOptions::from_env());
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientOptions& options() const { return options_; }

  // Producers.
  ApiResult<SubmitOutcome> submit(const JobSpec& spec);
  // All-or-nothing on the server: one invalid spec rejects the batch (field `jobs[i].name`).
  ApiResult<std::vector<Job>> submit_batch(const std::vector<JobSpec>& specs);
  ApiResult<Job> get(const std::string& id);
  ApiResult<JobPage> list(const JobFilter& filter = {}, const ListOptions& options = {});
  ApiResult<Job> cancel(const std::string& id);
  ApiResult<Job> retry(const std::string& id);
  // DELETE: an active job is cancelled (the job comes back); a finished one is removed (nullopt).
  ApiResult<std::optional<Job>> remove(const std::string& id);
  ApiResult<Job> update(const std::string& id, std::optional<int> priority,
                        std::optional<Millis> run_at);
  // The job once it is finished, or as it is when `timeout` has passed (check its status).
  // Timeouts over the server's 300 s cap are served by several polls.
  ApiResult<Job> wait(const std::string& id, std::chrono::milliseconds timeout);

  // Streams (WebSocket). Both block the calling thread and call `on_event` from it.
  // watch: a snapshot, then every change of the job; returns ok once the server closes the stream
  // after a terminal event, or when on_event returns false or `stop` is requested.
  ApiStatus watch(const std::string& id, const EventHandler& on_event, std::stop_token stop = {});
  // events: every event matching `filter` from now on, until on_event returns false, `stop` is
  // requested, or the server closes the stream (ok on a normal close, an error otherwise).
  ApiStatus events(const EventFilter& filter, const EventHandler& on_event,
                   std::stop_token stop = {});

  // Workers. `wait` is the long poll: the call returns as soon as a job is leased, or with no
  // jobs once `wait` has passed. A stop request hangs up (code `cancelled`); the server then
  // withdraws the waiting lease.
  ApiResult<std::vector<Job>> lease(const LeaseRequest& request,
                                    std::chrono::milliseconds wait = {}, std::stop_token stop = {});
  ApiResult<HeartbeatReply> heartbeat(const std::string& id, const std::string& token,
                                      const Progress& progress = {});
  ApiResult<Job> complete(const std::string& id, const std::string& token,
                          const std::string& result_json = "null");
  ApiResult<Job> fail(const std::string& id, const std::string& token, const std::string& message,
                      const std::string& traceback = {}, bool retryable = true);
  // Gives back a leased job this worker did not start: queued again, its attempt not counted.
  ApiResult<Job> release(const std::string& id, const std::string& token);
  // Each item answered on its own: the job, or why not.
  ApiResult<std::vector<ApiResult<Job>>> ack(const std::vector<AckItem>& items);
  // ack() and lease() in one request: the outcomes are reported (a stale token fails its item
  // only) and up to lease.max_jobs jobs are leased, waiting up to `wait` as lease() does.
  ApiResult<AckAndLease> ack_and_lease(const std::vector<AckItem>& items, const LeaseRequest& lease,
                                       std::chrono::milliseconds wait = {},
                                       std::stop_token stop = {});
  ApiResult<WorkerOrders> beat(const WorkerBeat& beat);

  // Operators: the answers as the API documents them (docs/api.md), as JSON.
  ApiResult<boost::json::value> queues();
  ApiResult<boost::json::value> pause_queue(const std::string& queue);
  ApiResult<boost::json::value> resume_queue(const std::string& queue);
  ApiResult<boost::json::value> workers();
  ApiResult<boost::json::value> scale_worker(const std::string& id, int concurrency);
  ApiResult<boost::json::value> quiet_worker(const std::string& id);
  ApiResult<boost::json::value> stop_worker(const std::string& id);
  ApiResult<JobPage> dead_letters(const JobFilter& filter = {}, const ListOptions& options = {});
  ApiResult<Job> retry_dead_letter(const std::string& id);
  // Every matching dead letter queued again (filter's queue, type, user_id and tag).
  ApiResult<std::vector<Job>> retry_dead_letters(const JobFilter& filter = {});
  ApiResult<std::int64_t> purge_dead_letters();
  ApiResult<boost::json::value> stats();
  ApiResult<boost::json::value> type_stats(const std::string& type);

  // Cron schedules (docs/api.md "Schedules").
  ApiResult<Schedule> create_schedule(const ScheduleSpec& spec);
  ApiResult<std::vector<Schedule>> schedules();
  ApiResult<Schedule> schedule(const std::string& name);
  ApiResult<Schedule> update_schedule(const std::string& name, const boost::json::object& changes);
  ApiResult<Schedule> pause_schedule(const std::string& name);
  ApiResult<Schedule> resume_schedule(const std::string& name);
  ApiResult<Schedule> delete_schedule(const std::string& name);
  ApiResult<Job> trigger_schedule(const std::string& name);  // the job submitted now

  // Limits per queue and per type (docs/api.md "Limits"; the Limits of include/jobq/limits.h).
  // limits(): every setting there is. A scope without limits reads as none(), not as an error;
  // set_limits replaces the whole setting (a part left none is removed), clear_limits removes it;
  // each answers the setting as it is now.
  ApiResult<std::vector<LimitSetting>> limits();
  ApiResult<LimitSetting> limits(LimitScope scope, const std::string& name);
  ApiResult<LimitSetting> set_limits(LimitScope scope, const std::string& name,
                                     const Limits& limits);
  ApiResult<LimitSetting> clear_limits(LimitScope scope, const std::string& name);

  // Webhooks (docs/api.md "Webhooks"; the types of include/jobq/webhooks.h). webhooks(): the
  // server's settings (enabled only with a webhook_secret). The outbox holds each delivery until it
  // is delivered (then it is gone) or dead: a listed delivery has no body, get_delivery's has.
  // retry_delivery sends a dead one again (409 conflict when it is pending); remove_delivery drops
  // one, pending or dead. Each answers the delivery; its token reads as kClaimedToken
  // (src/wire/delivery_json.h) when a sender holds it.
  ApiResult<WebhookSettings> webhooks();
  ApiResult<DeliveryPage> list_deliveries(const DeliveryFilter& filter = {});
  ApiResult<Delivery> get_delivery(const std::string& id);
  ApiResult<Delivery> retry_delivery(const std::string& id);
  ApiResult<Delivery> remove_delivery(const std::string& id);

  // Any route: `target` is the path under the URL (e.g. "/api/v1/queues") with its query string;
  // `body` is sent as JSON when given. The answer's JSON (null for a 204), or its error.
  ApiResult<boost::json::value> call(const std::string& method, const std::string& target,
                                     const std::optional<boost::json::value>& body = std::nullopt,
                                     std::chrono::milliseconds extra_timeout = {});

  // Any route whose answer is not JSON (GET /metrics): the body as text, or its error.
  ApiResult<std::string> fetch_text(const std::string& method, const std::string& target);

  // How many connections this client has opened so far (to check reuse).
  std::uint64_t connections_opened() const;

  // The wire (src/client/transport.h); not part of the API.
  class Transport;

 private:
  ApiResult<boost::json::value> send(const std::string& method, const std::string& target,
                                     const std::optional<boost::json::value>& body,
                                     std::chrono::milliseconds extra_timeout, std::stop_token stop);

  ClientOptions options_;
  std::unique_ptr<Transport> transport_;
};

// The query string of GET /jobs for a filter and list options ("?status=queued&limit=50...").
std::string list_query(const JobFilter& filter, const ListOptions& options);

}  // namespace jobq
