#include "core/cron_wall_time.h"

#include <bit>

#include <date/date.h>

namespace jobq {

namespace {

constexpr std::int64_t kDay = 86'400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The lowest set bit at or above `from`, or -1.
int next_bit(std::uint64_t mask, int from) {
  if (from >= 64) return -1;
  std::uint64_t above = mask & (~std::uint64_t{0} << from);
  return above ? std::countr_zero(above) : -1;
}

bool day_matches(const CronFields& f, const date::year_month_day& ymd, date::weekday wd) {
  bool dom = (f.days >> unsigned(ymd.day())) & 1;
  bool dow = (f.weekdays >> wd.c_encoding()) & 1;
  // Vixie cron: with both day fields restricted either one will do; with one of them `*` (all
  // set) this is simply the other.
  if (f.any_day_of_month || f.any_day_of_week) return dom && dow;
  return dom || dow;
}

// The first matching time of day at or after `tod` seconds past midnight, or -1.
std::int64_t first_time_of_day(const CronFields& f, std::int64_t tod) {
  const int h0 = int(tod / 3600), m0 = int(tod / 60 % 60), s0 = int(tod % 60);
  for (int h = next_bit(f.hours, h0); h >= 0; h = next_bit(f.hours, h + 1)) {
    for (int m = next_bit(f.minutes, h == h0 ? m0 : 0); m >= 0; m = next_bit(f.minutes, m + 1)) {
      int s = next_bit(f.seconds, (h == h0 && m == m0) ? s0 : 0);
      if (s >= 0) return h * 3600 + m * 60 + s;
    }
  }
  return -1;
}

}  // namespace

std::optional<std::int64_t> next_wall_time(const CronFields& f, std::int64_t from,
                                           std::int64_t until) {
  std::int64_t day = floor_div(from, kDay);
  std::int64_t tod = from - day * kDay;
  const std::int64_t last_day = floor_div(until, kDay);
  while (day <= last_day) {
    const date::sys_days d{date::days{static_cast<int>(day)}};
    const date::year_month_day ymd{d};
    if (!((f.months >> unsigned(ymd.month())) & 1)) {
      // The whole month is out: on to the first of the next one.
      const auto next_month = ymd.year() / ymd.month() / 1 + date::months{1};
      day = date::sys_days{next_month}.time_since_epoch().count();
      tod = 0;
      continue;
    }
    if (day_matches(f, ymd, date::weekday{d})) {
      if (std::int64_t t = first_time_of_day(f, tod); t >= 0) {
        std::int64_t wall = day * kDay + t;
        if (wall > until) return std::nullopt;
        return wall;
      }
    }
    ++day;
    tod = 0;
  }
  return std::nullopt;
}

}  // namespace jobq
