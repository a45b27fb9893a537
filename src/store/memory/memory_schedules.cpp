// The memory store's schedules: a map by name, under the store's one lock (a firing holds it
// from its fence to its move, its submit included).
#include <algorithm>

#include "store/memory/memory_store.h"
#include "store/schedule_fire.h"

namespace jobq {

Status MemoryStore::insert_schedule(const Schedule& schedule) {
  std::lock_guard lock(mutex_);
  if (!schedules_.emplace(schedule.spec.name, schedule).second)
    return Error(ErrorCode::conflict, "a schedule named " + schedule.spec.name + " exists", "name");
  return {};
}

Status MemoryStore::update_schedule(const Schedule& schedule, Millis read_next_run_at) {
  std::lock_guard lock(mutex_);
  auto it = schedules_.find(schedule.spec.name);
  if (it == schedules_.end()) return Error::not_found("no schedule named " + schedule.spec.name);
  if (it->second.next_run_at != read_next_run_at)
    return Error::conflict("schedule " + schedule.spec.name + " has fired since it was read");
  it->second = schedule;
  return {};
}

Result<Schedule> MemoryStore::remove_schedule(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = schedules_.find(name);
  if (it == schedules_.end()) return Error::not_found("no schedule named " + name);
  Schedule out = std::move(it->second);
  schedules_.erase(it);
  return out;
}

Result<std::optional<Schedule>> MemoryStore::current_schedule(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = schedules_.find(name);
  return it == schedules_.end() ? std::nullopt : std::optional<Schedule>(it->second);
}

Result<std::vector<SubmitOutcome>> MemoryStore::fire_schedule(ScheduleFire fire) {
  std::lock_guard lock(mutex_);
  auto it = schedules_.find(fire.name);
  if (it == schedules_.end()) return Error::not_found("no schedule named " + fire.name);
  Schedule& s = it->second;
  if (Status fenced = check_fire(s, fire); !fenced.ok()) return fenced;
  std::vector<SubmitOutcome> out;
  if (!fire.jobs.empty()) {
    auto submitted = submit_locked(std::move(fire.jobs));
    if (!submitted) return submitted.error();
    out = std::move(*submitted);
  }
  move_on(s, fire, out);
  return out;
}

Result<std::optional<Schedule>> MemoryStore::get_schedule(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = schedules_.find(name);
  return it == schedules_.end() ? std::nullopt : std::optional<Schedule>(it->second);
}

Result<std::vector<Schedule>> MemoryStore::list_schedules() {
  std::lock_guard lock(mutex_);
  std::vector<Schedule> out;
  for (const auto& [name, s] : schedules_) out.push_back(s);
  return out;
}

Result<std::vector<Schedule>> MemoryStore::due_schedules(Millis now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<Schedule> out;
  for (const auto& [name, s] : schedules_)
    if (!s.spec.paused && s.next_run_at > 0 && s.next_run_at <= now) out.push_back(s);
  std::sort(out.begin(), out.end(),
            [](const Schedule& a, const Schedule& b) { return a.next_run_at < b.next_run_at; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace jobq
