#include "core/time_format.h"

#include <chrono>
#include <cstdio>

namespace jobq {

namespace {

using namespace std::chrono;

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

// Every job answer and event carries several of these, so the digits are written by hand:
// snprintf was a tenth of a submit's CPU.
std::string format_time(Millis t) {
  sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(t)));
  year_month_day ymd(day);
  int ms_of_day = int(t - duration_cast<milliseconds>(day.time_since_epoch()).count());
  int y = int(ymd.year());
  if (y < 0 || y > 9999) {  // outside what parse_time reads back; still written, not refused
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, unsigned(ymd.month()),
                  unsigned(ymd.day()), ms_of_day / 3'600'000, ms_of_day / 60'000 % 60,
                  ms_of_day / 1000 % 60, ms_of_day % 1000);
    return buf;
  }
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](std::size_t at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[at + std::size_t(i)] = char('0' + value % 10);
  };
  put(0, y, 4);
  put(5, int(unsigned(ymd.month())), 2);
  put(8, int(unsigned(ymd.day())), 2);
  put(11, ms_of_day / 3'600'000, 2);
  put(14, ms_of_day / 60'000 % 60, 2);
  put(17, ms_of_day / 1000 % 60, 2);
  put(20, ms_of_day % 1000, 3);
  return out;
}

std::optional<Millis> parse_time(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, sec))
    return std::nullopt;
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  Millis ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    std::size_t n = pos - start;
    if (n == 0 || n > 9) return std::nullopt;
    for (std::size_t i = 0; i < 3; ++i) ms = ms * 10 + (i < n ? s[start + i] - '0' : 0);
  }
  Millis offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om) * 60'000LL;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  Millis days_ms = duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()).count();
  return days_ms + ((h * 60 + mi) * 60 + sec) * 1000LL + ms - offset;
}

}  // namespace jobq
