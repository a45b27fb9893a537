#include "core/cron_fields.h"

#include <array>
#include <string>
#include <vector>

namespace jobq {

namespace {

struct FieldSpec {
  const char* name;
  int lo, hi;
  int max_step;              // the number of distinct values: a larger step is a mistake
  const char* const* names;  // three-letter names in value order, or null
  int first_named;           // the value of names[0]
  const char* names_hint;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",  "JUL",
                                       "AUG", "SEP", "OCT", "NOV", "DEC", nullptr};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", nullptr};

constexpr FieldSpec kSecond{"second", 0, 59, 60, nullptr, 0, nullptr};
constexpr FieldSpec kMinute{"minute", 0, 59, 60, nullptr, 0, nullptr};
constexpr FieldSpec kHour{"hour", 0, 23, 24, nullptr, 0, nullptr};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, 31, nullptr, 0, nullptr};
constexpr FieldSpec kMonth{"month", 1, 12, 12, kMonthNames, 1, "a month name (JAN-DEC)"};
// 7 is Sunday as well as 0, so the values run to 7 but there are only seven of them.
constexpr FieldSpec kDayOfWeek{"day-of-week", 0, 7, 7, kDayNames, 0, "a day name (SUN-SAT)"};

Error field_error(const FieldSpec& f, const std::string& message) {
  return Error::invalid("cron", std::string(f.name) + ": " + message);
}

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

char upper(char c) {
  return (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string range_text(int lo, int hi) {
  return std::to_string(lo) + "-" + std::to_string(hi);
}

// A number, or a name where the field has names. Range-checked against the field.
Result<int> parse_value(const FieldSpec& f, std::string_view text) {
  if (all_digits(text)) {
    // More than four digits cannot be in any field's range; checking first keeps int from overflow.
    if (text.size() > 4)
      return field_error(f, std::string(text) + " is out of range " + range_text(f.lo, f.hi));
    int v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    if (v < f.lo || v > f.hi)
      return field_error(f, std::to_string(v) + " is out of range " + range_text(f.lo, f.hi));
    return v;
  }
  if (f.names && text.size() == 3) {
    for (int i = 0; f.names[i]; ++i) {
      const char* n = f.names[i];
      if (upper(text[0]) == n[0] && upper(text[1]) == n[1] && upper(text[2]) == n[2])
        return f.first_named + i;
    }
  }
  return field_error(f, quoted(text) + " is not a number" +
                            (f.names_hint ? std::string(" or ") + f.names_hint : std::string()));
}

// One list item: `*`, `a`, `a-b`, each optionally followed by `/step` (`a/step` runs to the end).
Status add_item(const FieldSpec& f, std::string_view item, std::uint64_t& bits) {
  if (item.empty()) return field_error(f, "an empty value (two commas, or a comma at an end)");
  std::string_view base = item;
  int step = 1;
  bool stepped = false;
  if (auto slash = item.find('/'); slash != std::string_view::npos) {
    base = item.substr(0, slash);
    std::string_view step_text = item.substr(slash + 1);
    if (!all_digits(step_text))
      return field_error(f, "the step in " + quoted(item) + " must be a number");
    int s = 0;
    for (char c : step_text.substr(0, 4)) s = s * 10 + (c - '0');
    if (step_text.size() > 4 || s < 1 || s > f.max_step)
      return field_error(f, "step " + std::string(step_text) + " in " + quoted(item) +
                                " is out of range 1-" + std::to_string(f.max_step));
    step = s;
    stepped = true;
  }
  int lo = 0, hi = 0;
  if (base == "*") {
    lo = f.lo;
    hi = f.lo + f.max_step - 1;  // day-of-week: 0-6, so that `*/2` does not add 7 (Sunday again)
  } else if (auto dash = base.find('-'); dash != std::string_view::npos) {
    auto a = parse_value(f, base.substr(0, dash));
    if (!a) return a.error();
    auto b = parse_value(f, base.substr(dash + 1));
    if (!b) return b.error();
    if (*a > *b)
      return field_error(f, std::string(base) + " is a reversed range (" + std::to_string(*a) +
                                " is after " + std::to_string(*b) + ")");
    lo = *a;
    hi = *b;
  } else {
    auto a = parse_value(f, base);
    if (!a) return a.error();
    lo = *a;
    hi = stepped ? f.lo + f.max_step - 1 : *a;
    if (hi < lo) hi = lo;  // day-of-week `7/2`: just Sunday
  }
  for (int v = lo; v <= hi; v += step) {
    int bit = (&f == &kDayOfWeek && v == 7) ? 0 : v;
    bits |= std::uint64_t{1} << bit;
  }
  return {};
}

Result<std::uint64_t> parse_field(const FieldSpec& f, std::string_view text) {
  std::uint64_t bits = 0;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (Status st = add_item(f, item, bits); !st.ok()) return st;
    if (comma == std::string_view::npos) return bits;
    start = comma + 1;
  }
}

std::vector<std::string_view> split_fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

constexpr const char* kMacroList =
    "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly";

// What each macro stands for, as a five-field expression.
const char* macro_expansion(std::string_view name) {
  std::string lower;
  for (char c : name) lower += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  if (lower == "@yearly" || lower == "@annually") return "0 0 1 1 *";
  if (lower == "@monthly") return "0 0 1 * *";
  if (lower == "@weekly") return "0 0 * * 0";
  if (lower == "@daily" || lower == "@midnight") return "0 0 * * *";
  if (lower == "@hourly") return "0 * * * *";
  return nullptr;
}

}  // namespace

Result<CronFields> parse_cron_fields(std::string_view expression) {
  std::vector<std::string_view> parts = split_fields(expression);
  if (parts.empty())
    return Error::invalid("cron", std::string("is empty: give 5 fields (minute hour day-of-month "
                                              "month day-of-week), 6 (second first) or one of ") +
                                      kMacroList);
  if (parts[0].front() == '@') {
    const char* expansion = macro_expansion(parts[0]);
    if (!expansion)
      return Error::invalid("cron",
                            "unknown macro " + quoted(parts[0]) + ": use one of " + kMacroList);
    if (parts.size() > 1)
      return Error::invalid("cron", "a macro stands alone: " + quoted(parts[0]) +
                                        " is followed by " + quoted(parts[1]));
    return parse_cron_fields(expansion);
  }
  if (parts.size() != 5 && parts.size() != 6)
    return Error::invalid("cron",
                          "expected 5 fields (minute hour day-of-month month day-of-week) "
                          "or 6 (second first), got " +
                              std::to_string(parts.size()));
  CronFields out;
  std::size_t i = 0;
  if (parts.size() == 6) {
    auto s = parse_field(kSecond, parts[i++]);
    if (!s) return s.error();
    out.seconds = *s;
  } else {
    out.seconds = 1;  // second 0
  }
  const std::array<const FieldSpec*, 5> specs{&kMinute, &kHour, &kDayOfMonth, &kMonth, &kDayOfWeek};
  std::array<std::uint64_t, 5> bits{};
  for (std::size_t k = 0; k < specs.size(); ++k, ++i) {
    auto b = parse_field(*specs[k], parts[i]);
    if (!b) return b.error();
    bits[k] = *b;
  }
  out.minutes = bits[0];
  out.hours = static_cast<std::uint32_t>(bits[1]);
  out.days = static_cast<std::uint32_t>(bits[2]);
  out.months = static_cast<std::uint32_t>(bits[3]);
  out.weekdays = static_cast<std::uint32_t>(bits[4]);
  out.any_day_of_month = parts[i - 3] == "*";
  out.any_day_of_week = parts[i - 1] == "*";
  return out;
}

}  // namespace jobq
