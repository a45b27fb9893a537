#include "server/live/worker_registry.h"

#include <boost/json.hpp>

#include "store/local_worker_book.h"
#include "wire/field_reader.h"
#include "wire/job_json.h"

namespace jobq::server {

namespace json = boost::json;

namespace {

std::string beat_text(const WorkerBeat& b) {
  return json::serialize(json::object{{"types", strings_to_json(b.types)},
                                      {"queues", strings_to_json(b.queues)},
                                      {"concurrency", b.concurrency},
                                      {"running", b.running},
                                      {"host", b.host},
                                      {"pid", b.pid},
                                      {"version", b.version}});
}

// The book holds what this registry wrote; a record it cannot read shows as an empty beat.
WorkerBeat beat_from(const std::string& id, const std::string& text) {
  WorkerBeat b;
  b.id = id;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return b;
  FieldReader in(v.get_object());
  read_beat(in, b);
  return b;
}

WorkerCommand command_named(const std::string& name) {
  if (name == "quiet") return WorkerCommand::quiet;
  if (name == "stop") return WorkerCommand::stop;
  return WorkerCommand::run;
}

}  // namespace

FieldReader& read_beat(FieldReader& in, WorkerBeat& b) {
  return in.read("types", b.types)
      .read("queues", b.queues)
      .read("concurrency", b.concurrency)
      .read("running", b.running)
      .read("host", b.host)
      .read("pid", b.pid)
      .read("version", b.version);
}

std::string_view to_string(WorkerCommand c) {
  switch (c) {
    case WorkerCommand::run:
      return "run";
    case WorkerCommand::quiet:
      return "quiet";
    case WorkerCommand::stop:
      return "stop";
  }
  return "run";
}

std::string_view WorkerRecord::state() const {
  if (lost) return "lost";
  if (command == WorkerCommand::stop) return "stopping";
  if (command == WorkerCommand::quiet) return "quiet";
  return "active";
}

WorkerRegistry::WorkerRegistry(const Clock& clock, std::int64_t lost_after_ms,
                               std::int64_t forget_after_ms, WorkerBook* shared)
    : clock_(clock),
      lost_after_ms_(lost_after_ms),
      forget_after_ms_(forget_after_ms),
      own_(shared ? nullptr : std::make_unique<LocalWorkerBook>()),
      book_(shared ? *shared : *own_) {}

WorkerRegistry::~WorkerRegistry() = default;

Result<WorkerRecord> WorkerRegistry::view(const Result<WorkerEntry>& entry) const {
  if (!entry) return entry.error();
  WorkerRecord w;
  w.beat = beat_from(entry->id, entry->beat);
  w.command = command_named(entry->command);
  w.concurrency = entry->concurrency;
  w.first_seen_at = entry->first_seen_at;
  w.last_beat_at = entry->last_beat_at;
  w.lost = clock_.now() - w.last_beat_at > lost_after_ms_;
  return w;
}

Result<WorkerRecord> WorkerRegistry::beat(WorkerBeat beat) {
  Millis now = clock_.now();
  return view(book_.beat(beat.id, beat_text(beat), beat.concurrency, now, now - forget_after_ms_));
}

Result<std::vector<WorkerRecord>> WorkerRegistry::list() {
  auto entries = book_.list(clock_.now() - forget_after_ms_);
  if (!entries) return entries.error();
  std::vector<WorkerRecord> out;
  for (const WorkerEntry& e : *entries) out.push_back(*view(e));
  return out;
}

Result<WorkerRecord> WorkerRegistry::scale(const std::string& id, int concurrency) {
  return view(book_.scale(id, concurrency));
}

Result<WorkerRecord> WorkerRegistry::command(const std::string& id, WorkerCommand command) {
  return view(book_.command(id, std::string(to_string(command))));
}

Result<std::size_t> WorkerRegistry::alive() {
  auto workers = list();
  if (!workers) return workers.error();
  std::size_t n = 0;
  for (const WorkerRecord& w : *workers) n += !w.lost;
  return n;
}

}  // namespace jobq::server
