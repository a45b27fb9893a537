// The redis store's schedules. Not yet kept: every call is refused, so that a schedule is never
// accepted where it would not fire.
#include "store/redis/redis_store.h"

namespace jobq {

namespace {

Error unsupported() {
  return Error(ErrorCode::unavailable, "the redis store does not keep schedules yet", "store");
}

}  // namespace

Status RedisStore::insert_schedule(const Schedule&) { return unsupported(); }
Status RedisStore::update_schedule(const Schedule&) { return unsupported(); }
Result<Schedule> RedisStore::remove_schedule(const std::string&) { return unsupported(); }
Result<std::optional<Schedule>> RedisStore::current_schedule(const std::string&) {
  return unsupported();
}
Result<std::vector<SubmitOutcome>> RedisStore::fire_schedule(ScheduleFire) {
  return unsupported();
}
Result<std::optional<Schedule>> RedisStore::get_schedule(const std::string&) {
  return unsupported();
}
Result<std::vector<Schedule>> RedisStore::list_schedules() { return unsupported(); }
Result<std::vector<Schedule>> RedisStore::due_schedules(Millis, std::size_t) {
  return std::vector<Schedule>{};  // none kept, none due: the sweeps go on
}

}  // namespace jobq
