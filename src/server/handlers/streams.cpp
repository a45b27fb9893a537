// Live streams: one job's changes (GET /jobs/{id}/ws and /events), and every event, filterable
// (GET /events/ws and /events). The server carries them; this file opens them.
#include "server/api.h"
#include "wire/job_json.h"

namespace jobq::server {

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

StreamOpening opening(Api& api, std::shared_ptr<EventStream> stream, Message first) {
  StreamHub& hub = api.streams;
  return {stream, std::move(first), [&hub, stream] { hub.close(stream); }};
}

// The job as it is now, then every change; subscribed before the read so nothing falls between.
Result<StreamOpening> open_job(Api& api, const Call& call) {
  for (const auto& [name, value] : call.query)
    return Error::invalid(name, "unknown query parameter");
  StreamFilter filter;
  filter.job_id = call.param("id");
  auto stream = api.streams.open(filter);
  if (!stream) return stream.error();
  auto job = api.engine.get(filter.job_id);
  if (!job) {
    api.streams.close(*stream);
    return job.error();
  }
  (*stream)->start_after(*job);
  if (is_terminal(job->status)) (*stream)->finish(EventStream::End::done);
  return opening(api, *stream, event_message("snapshot", *job));
}

Result<StreamOpening> open_all(Api& api, const Call& call) {
  StreamFilter filter;
  for (const auto& [name, value] : call.query) {
    if (name == "queue") {
      filter.queues = split(value);
    } else if (name == "type") {
      filter.types = split(value);
    } else if (name == "event") {
      filter.events = split(value);
      for (const auto& e : filter.events)
        if (!parse_event_type(e)) return Error::invalid("event", "unknown event \"" + e + "\"");
    } else {
      return Error::invalid(name, "unknown query parameter");
    }
  }
  auto stream = api.streams.open(filter);
  if (!stream) return stream.error();
  return opening(api, *stream, nullptr);
}

}  // namespace

void add_stream_routes(Router& r, Api& api) {
  auto job = [&api](const Call& call) { return open_job(api, call); };
  auto all = [&api](const Call& call) { return open_all(api, call); };
  r.add_stream("/api/v1/jobs/{id}/ws", Access::read, Transport::websocket, job);
  r.add_stream("/api/v1/jobs/{id}/events", Access::read, Transport::sse, job);
  r.add_stream("/api/v1/events/ws", Access::read, Transport::websocket, all);
  r.add_stream("/api/v1/events", Access::read, Transport::sse, all);
}

}  // namespace jobq::server
