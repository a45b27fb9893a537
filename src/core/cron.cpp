#include "core/cron.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include <date/tz.h>

#include "core/cron_fields.h"
#include "core/cron_wall_time.h"

namespace jobq {

namespace {

using std::chrono::seconds;

constexpr std::int64_t kDay = 86'400;
// "Within five years": 5 * 366 days, so that five calendar years always fit.
constexpr std::int64_t kHorizon = 5 * 366 * kDay;
// Instants outside years 1-9999 give none, which keeps every sum below far from overflow and the
// calendar well inside what date's int day counts hold.
constexpr Millis kEarliest = -62'135'596'800'000;  // 0001-01-01T00:00:00Z
constexpr Millis kLatest = 253'402'300'799'999;    // 9999-12-31T23:59:59.999Z

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

date::sys_seconds instant(std::int64_t s) {
  return date::sys_seconds{seconds{s}};
}
std::int64_t count(date::sys_seconds t) {
  return t.time_since_epoch().count();
}

}  // namespace

struct CronSchedule::Impl {
  std::string expression;
  std::string time_zone;
  CronFields fields;
  const date::time_zone* zone = nullptr;  // the tzdb lives as long as the process

  // The offset period before the one that holds `now` (or that one, at the start of the zone's
  // history, where there is nothing before it).
  date::sys_info previous(const date::sys_info& now) const {
    if (count(now.begin) <= kEarliest / 1000) return now;
    return zone->get_info(now.begin - seconds{1});
  }

  // Wall time `wall` as an instant: a skipped wall time is the instant its gap ends, a repeated
  // one its first occurrence.
  std::int64_t first_instant(std::int64_t wall) const {
    const date::local_info li = zone->get_info(date::local_seconds{seconds{wall}});
    if (li.result == date::local_info::nonexistent) return count(li.first.end);
    return wall - li.first.offset.count();
  }

  // Where to start reading wall times for due times at or after `from`: normally the wall time
  // of `from`, but the start of a gap that ends exactly at `from` (its skipped times are due at
  // `from`) and the end of a repeat that `from` is inside (its first occurrences are past).
  std::int64_t start_wall(std::int64_t from) const {
    const date::sys_info now = zone->get_info(instant(from));
    const date::sys_info before = previous(now);
    const std::int64_t begin = count(now.begin);
    const std::int64_t jump = (now.offset - before.offset).count();
    if (jump > 0 && from == begin) return begin + before.offset.count();
    if (jump < 0 && from < begin - jump) return begin + before.offset.count();
    return from + now.offset.count();
  }

  // The first due time in [from, until] counting each wall time once (first_instant).
  std::optional<std::int64_t> first_due(std::int64_t from, std::int64_t until) const {
    // Wall times run at most a day ahead of the instants they name.
    const std::int64_t wall_until = until + kDay;
    std::int64_t wall = start_wall(from);
    while (auto w = next_wall_time(fields, wall, wall_until)) {
      std::int64_t t = first_instant(*w);
      if (t >= from) return t <= until ? std::optional(t) : std::nullopt;
      wall = *w + 1;
    }
    return std::nullopt;
  }

  // With every hour in the hour field, the second occurrence of each repeated wall time is due
  // too: the first one in [from, before), looking at each fall-back transition in turn.
  std::optional<std::int64_t> first_repeat_due(std::int64_t from, std::int64_t before) const {
    date::sys_info now = zone->get_info(instant(from));
    for (;;) {
      const date::sys_info prior = previous(now);
      const std::int64_t begin = count(now.begin);
      if (begin >= before) return std::nullopt;
      const std::int64_t repeat = (prior.offset - now.offset).count();
      if (repeat > 0) {
        // Instants [begin, begin + repeat) show the wall times the period before already showed.
        const std::int64_t lo = std::max(from, begin), hi = begin + repeat - 1;
        const std::int64_t offset = now.offset.count();
        if (lo <= hi) {
          if (auto w = next_wall_time(fields, lo + offset, hi + offset)) {
            std::int64_t t = *w - offset;
            return t < before ? std::optional(t) : std::nullopt;
          }
        }
      }
      if (count(now.end) >= before) return std::nullopt;
      now = zone->get_info(now.end);
    }
  }

  std::optional<Millis> next_after(Millis after) const {
    if (after < kEarliest || after > kLatest) return std::nullopt;
    const std::int64_t from = floor_div(after, 1000) + 1;  // due times are whole seconds
    const std::int64_t until = from + kHorizon;
    std::optional<std::int64_t> due = first_due(from, until);
    if (fields.every_hour()) {
      if (auto again = first_repeat_due(from, due ? *due : until + 1)) due = again;
    }
    if (!due) return std::nullopt;
    return *due * 1000;
  }
};

Result<CronSchedule> CronSchedule::parse(std::string_view expression, std::string_view time_zone) {
  auto fields = parse_cron_fields(expression);
  if (!fields) return fields.error();
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(time_zone);
    // Reading the zone's rules now makes a broken tzdata file an error here, not a silent none
    // from every next_after.
    zone->get_info(date::sys_seconds{});
  } catch (const std::exception&) {
    return Error::invalid("timezone", "\"" + std::string(time_zone) +
                                          "\" is not a time zone of the system's tzdata "
                                          "(an IANA name such as Europe/Berlin or UTC)");
  }
  auto impl = std::make_unique<Impl>();
  impl->expression = std::string(expression);
  impl->time_zone = std::string(time_zone);
  impl->fields = *fields;
  impl->zone = zone;
  return CronSchedule(std::move(impl));
}

std::optional<Millis> CronSchedule::next_after(Millis after) const {
  try {
    return impl_->next_after(after);
  } catch (...) {
    // The tzdb reads files lazily; a failure there is no due time rather than a crash.
    return std::nullopt;
  }
}

const std::string& CronSchedule::expression() const {
  return impl_->expression;
}
const std::string& CronSchedule::time_zone() const {
  return impl_->time_zone;
}

CronSchedule::CronSchedule(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CronSchedule::CronSchedule(CronSchedule&&) noexcept = default;
CronSchedule& CronSchedule::operator=(CronSchedule&&) noexcept = default;
CronSchedule::CronSchedule(const CronSchedule& other)
    : impl_(other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr) {}
CronSchedule& CronSchedule::operator=(const CronSchedule& other) {
  if (this != &other) impl_ = other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr;
  return *this;
}
CronSchedule::~CronSchedule() = default;

}  // namespace jobq
