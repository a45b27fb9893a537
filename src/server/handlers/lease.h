// What POST /lease shares with the lease that POST /ack may carry: reading the request, serving it
// (waiting up to wait_ms, withdrawn if the client hangs up), and the leased jobs as JSON.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jobq/requests.h"
#include "server/api.h"
#include "wire/json_text.h"

namespace jobq::server {

struct LeaseAsk {
  LeaseRequest request;
  std::int64_t wait_ms = 0;
};

// Decodes the request; the engine checks it (Engine::check_lease). The wait is the server's, so
// its range is checked here. `prefix` names the fields in errors, e.g. "lease." inside an /ack.
Result<LeaseAsk> read_lease(const boost::json::object& body, const ApiLimits& limits,
                            std::string prefix = {});

// Calls `answer` exactly once, from any thread: with the jobs leased (none if the wait ran out or
// the client hung up), or the store's error.
void serve_lease(Api& api, const std::shared_ptr<ClientGone>& client_gone, const LeaseAsk& ask,
                 std::function<void(Result<std::vector<Job>>)> answer);

// Each job with its lease token.
void write_leased_jobs(JsonText& out, const std::vector<Job>& jobs);

}  // namespace jobq::server
