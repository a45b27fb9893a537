#include "jobqd/declared_schedules.h"

#include <spdlog/spdlog.h>

#include "wire/schedule_json.h"

namespace jobq {

namespace {

Error named(const std::string& name, const Error& e) {
  return e.within("schedules." + name);
}

SchedulePatch everything(const ScheduleSpec& s) {
  SchedulePatch p;
  p.cron = s.cron;
  p.timezone = s.timezone;
  p.job = s.job;
  p.overlap = s.overlap;
  p.misfire = s.misfire;
  p.misfire_limit = s.misfire_limit;
  p.paused = s.paused;
  return p;
}

}  // namespace

Status apply_declared_schedules(Engine& engine, const std::vector<DeclaredSchedule>& declared) {
  for (const DeclaredSchedule& d : declared) {
    const std::string& name = d.spec.name;
    auto existing = engine.get_schedule(name);
    if (!existing && existing.error().code() != ErrorCode::not_found)
      return named(name, existing.error());
    if (!existing) {
      auto created = engine.create_schedule(d.spec);
      // Another node sharing the store may have created it first; it reads as that one's.
      if (!created && created.error().code() != ErrorCode::conflict)
        return named(name, created.error());
      if (created) spdlog::info("schedule {} created from the config file", name);
      continue;
    }
    ScheduleSpec want = d.spec;
    if (!d.sets_paused) want.paused = existing->spec.paused;
    if (schedule_spec_to_json(want) == schedule_spec_to_json(existing->spec)) continue;
    auto updated = engine.update_schedule(name, everything(want));
    if (!updated) return named(name, updated.error());
    spdlog::info("schedule {} updated from the config file", name);
  }
  return {};
}

}  // namespace jobq
