#include "core/cron.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "core/time_format.h"

namespace jobq {
namespace {

Millis at(const char* utc) {
  auto t = parse_time(utc);
  EXPECT_TRUE(t.has_value()) << utc;
  return t.value_or(0);
}

CronSchedule cron(const char* expression, const char* zone = "UTC") {
  auto s = CronSchedule::parse(expression, zone);
  EXPECT_TRUE(s.ok()) << expression << " in " << zone << ": "
                      << (s.ok() ? std::string() : s.error().message());
  return s.ok() ? std::move(s).value() : std::move(CronSchedule::parse("* * * * *", "UTC").value());
}

// The next `n` due times after `after`, as "2026-03-08T07:00:00Z" (".000" left out when whole).
std::vector<std::string> dues(const CronSchedule& s, const char* after, int n) {
  std::vector<std::string> out;
  Millis t = at(after);
  for (int i = 0; i < n; ++i) {
    auto next = s.next_after(t);
    if (!next) {
      out.push_back("none");
      break;
    }
    std::string text = format_time(*next);
    if (auto dot = text.find(".000Z"); dot != std::string::npos) text.replace(dot, 5, "Z");
    out.push_back(text);
    t = *next;
  }
  return out;
}

using V = std::vector<std::string>;

// --- the fields -------------------------------------------------------------------------------

TEST(CronFields, StarIsEveryMinuteAndASingleValueIsThatOne) {
  EXPECT_EQ(dues(cron("* * * * *"), "2026-05-04T10:00:30Z", 2),
            (V{"2026-05-04T10:01:00Z", "2026-05-04T10:02:00Z"}));
  EXPECT_EQ(dues(cron("5 4 * * *"), "2026-05-04T10:00:00Z", 2),
            (V{"2026-05-05T04:05:00Z", "2026-05-06T04:05:00Z"}));
}

TEST(CronFields, RangesListsAndSteps) {
  EXPECT_EQ(dues(cron("0 9-11 * * *"), "2026-05-04T00:00:00Z", 4),
            (V{"2026-05-04T09:00:00Z", "2026-05-04T10:00:00Z", "2026-05-04T11:00:00Z",
               "2026-05-05T09:00:00Z"}));
  EXPECT_EQ(dues(cron("0,30 8 * * *"), "2026-05-04T00:00:00Z", 3),
            (V{"2026-05-04T08:00:00Z", "2026-05-04T08:30:00Z", "2026-05-05T08:00:00Z"}));
  EXPECT_EQ(dues(cron("*/15 8 * * *"), "2026-05-04T00:00:00Z", 5),
            (V{"2026-05-04T08:00:00Z", "2026-05-04T08:15:00Z", "2026-05-04T08:30:00Z",
               "2026-05-04T08:45:00Z", "2026-05-05T08:00:00Z"}));
  EXPECT_EQ(dues(cron("10-50/20 8 * * *"), "2026-05-04T00:00:00Z", 4),
            (V{"2026-05-04T08:10:00Z", "2026-05-04T08:30:00Z", "2026-05-04T08:50:00Z",
               "2026-05-05T08:10:00Z"}));
  EXPECT_EQ(dues(cron("5/15 8 * * *"), "2026-05-04T00:00:00Z", 5),
            (V{"2026-05-04T08:05:00Z", "2026-05-04T08:20:00Z", "2026-05-04T08:35:00Z",
               "2026-05-04T08:50:00Z", "2026-05-05T08:05:00Z"}));
  EXPECT_EQ(dues(cron("0 1,3-4,*/12 * * *"), "2026-05-04T00:30:00Z", 5),
            (V{"2026-05-04T01:00:00Z", "2026-05-04T03:00:00Z", "2026-05-04T04:00:00Z",
               "2026-05-04T12:00:00Z", "2026-05-05T00:00:00Z"}));
}

TEST(CronFields, MonthAndDayNamesInAnyCase) {
  EXPECT_EQ(dues(cron("0 0 1 jun,Dec *"), "2026-01-01T00:00:00Z", 3),
            (V{"2026-06-01T00:00:00Z", "2026-12-01T00:00:00Z", "2027-06-01T00:00:00Z"}));
  EXPECT_EQ(dues(cron("0 0 1 FEB-apr *"), "2026-01-01T00:00:00Z", 4),
            (V{"2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z",
               "2027-02-01T00:00:00Z"}));
  // 2026-05-08 is a Friday.
  EXPECT_EQ(dues(cron("0 0 * * mon-Fri"), "2026-05-08T00:00:00Z", 2),
            (V{"2026-05-11T00:00:00Z", "2026-05-12T00:00:00Z"}));
  // A name with a step runs to the end of the week: Monday, Wednesday, Friday.
  EXPECT_EQ(dues(cron("0 0 * * MON/2"), "2026-05-04T00:00:00Z", 3),
            (V{"2026-05-06T00:00:00Z", "2026-05-08T00:00:00Z", "2026-05-11T00:00:00Z"}));
  EXPECT_EQ(dues(cron("0 0 * * sAt,SUN"), "2026-05-04T00:00:00Z", 3),
            (V{"2026-05-09T00:00:00Z", "2026-05-10T00:00:00Z", "2026-05-16T00:00:00Z"}));
}

TEST(CronFields, DayOfWeekSevenIsSunday) {
  // 2026-05-10 is a Sunday.
  const V sundays{"2026-05-10T00:00:00Z", "2026-05-17T00:00:00Z"};
  EXPECT_EQ(dues(cron("0 0 * * 7"), "2026-05-04T00:00:00Z", 2), sundays);
  EXPECT_EQ(dues(cron("0 0 * * 0"), "2026-05-04T00:00:00Z", 2), sundays);
  EXPECT_EQ(dues(cron("0 0 * * 6-7"), "2026-05-04T00:00:00Z", 3),
            (V{"2026-05-09T00:00:00Z", "2026-05-10T00:00:00Z", "2026-05-16T00:00:00Z"}));
}

TEST(CronFields, SixFieldsStartWithSeconds) {
  EXPECT_EQ(dues(cron("*/10 * * * * *"), "2026-05-04T10:00:05Z", 7),
            (V{"2026-05-04T10:00:10Z", "2026-05-04T10:00:20Z", "2026-05-04T10:00:30Z",
               "2026-05-04T10:00:40Z", "2026-05-04T10:00:50Z", "2026-05-04T10:01:00Z",
               "2026-05-04T10:01:10Z"}));
  EXPECT_EQ(dues(cron("30 0 12 * * *"), "2026-05-04T12:00:30Z", 1), (V{"2026-05-05T12:00:30Z"}));
}

TEST(CronFields, EachMacroIsItsFiveFields) {
  const char* after = "2026-05-04T10:20:00Z";  // a Monday
  EXPECT_EQ(dues(cron("@yearly"), after, 1), (V{"2027-01-01T00:00:00Z"}));
  EXPECT_EQ(dues(cron("@annually"), after, 1), (V{"2027-01-01T00:00:00Z"}));
  EXPECT_EQ(dues(cron("@monthly"), after, 1), (V{"2026-06-01T00:00:00Z"}));
  EXPECT_EQ(dues(cron("@weekly"), after, 2), (V{"2026-05-10T00:00:00Z", "2026-05-17T00:00:00Z"}));
  EXPECT_EQ(dues(cron("@daily"), after, 1), (V{"2026-05-05T00:00:00Z"}));
  EXPECT_EQ(dues(cron("@midnight"), after, 1), (V{"2026-05-05T00:00:00Z"}));
  EXPECT_EQ(dues(cron("@hourly"), after, 2), (V{"2026-05-04T11:00:00Z", "2026-05-04T12:00:00Z"}));
  EXPECT_EQ(dues(cron("@DAILY"), after, 1), (V{"2026-05-05T00:00:00Z"}));
}

// --- the two day fields -----------------------------------------------------------------------

TEST(CronDays, BothRestrictedMatchEitherDayOfMonthOrDayOfWeek) {
  // April 2026: the 13th is a Monday; the Fridays are the 3rd, 10th, 17th and 24th.
  EXPECT_EQ(dues(cron("0 0 13 * FRI"), "2026-04-01T00:00:00Z", 6),
            (V{"2026-04-03T00:00:00Z", "2026-04-10T00:00:00Z", "2026-04-13T00:00:00Z",
               "2026-04-17T00:00:00Z", "2026-04-24T00:00:00Z", "2026-05-01T00:00:00Z"}));
}

TEST(CronDays, WithOneDayFieldStarTheOtherAloneDecides) {
  EXPECT_EQ(dues(cron("0 0 13 * *"), "2026-04-01T00:00:00Z", 2),
            (V{"2026-04-13T00:00:00Z", "2026-05-13T00:00:00Z"}));
  EXPECT_EQ(dues(cron("0 0 * * FRI"), "2026-04-01T00:00:00Z", 2),
            (V{"2026-04-03T00:00:00Z", "2026-04-10T00:00:00Z"}));
  // A month restricts as an AND with either day rule.
  EXPECT_EQ(dues(cron("0 0 13 5 FRI"), "2026-04-01T00:00:00Z", 3),
            (V{"2026-05-01T00:00:00Z", "2026-05-08T00:00:00Z", "2026-05-13T00:00:00Z"}));
}

// --- next_after -------------------------------------------------------------------------------

TEST(CronNext, IsStrictlyAfter) {
  auto s = cron("0 12 * * *");
  EXPECT_EQ(dues(s, "2026-05-04T12:00:00Z", 1), (V{"2026-05-05T12:00:00Z"}));
  EXPECT_EQ(dues(s, "2026-05-04T11:59:59.999Z", 1), (V{"2026-05-04T12:00:00Z"}));
  EXPECT_EQ(dues(s, "2026-05-04T12:00:00.001Z", 1), (V{"2026-05-05T12:00:00Z"}));
}

TEST(CronNext, CrossesMonthAndYearEnds) {
  EXPECT_EQ(dues(cron("0 0 1 * *"), "2026-12-15T00:00:00Z", 2),
            (V{"2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"}));
  EXPECT_EQ(dues(cron("59 23 31 12 *"), "2026-12-31T23:59:00Z", 1), (V{"2027-12-31T23:59:00Z"}));
  // Only the months that have a 31st.
  EXPECT_EQ(dues(cron("0 0 31 * *"), "2026-01-31T00:00:00Z", 3),
            (V{"2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"}));
}

TEST(CronNext, FebruaryTwentyNinthIsInLeapYearsOnly) {
  EXPECT_EQ(dues(cron("0 0 29 2 *"), "2026-03-01T00:00:00Z", 2),
            (V{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}));
}

TEST(CronNext, NeverWithinFiveYearsIsNoneAndQuick) {
  auto s = cron("0 0 30 2 *");
  // Minute by minute, five years are 2.6 million steps a call: this loop would take minutes.
  int calls = 0;
  for (Millis t = at("2026-01-01T00:00:00Z"); t < at("2026-01-01T00:00:00Z") + 200'000; t += 1000) {
    EXPECT_EQ(s.next_after(t), std::nullopt);
    ++calls;
  }
  EXPECT_EQ(calls, 200);
  EXPECT_EQ(cron("*/10 * * 30 2 *", "America/New_York").next_after(0), std::nullopt);
  EXPECT_EQ(cron("* * 31 4,6,9,11 *", "Europe/Berlin").next_after(0), std::nullopt);
}

TEST(CronNext, InstantsOutsideYearsOneToNineThousandNineHundredNinetyNineHaveNone) {
  auto s = cron("* * * * *");
  EXPECT_EQ(s.next_after(std::numeric_limits<Millis>::max()), std::nullopt);
  EXPECT_EQ(s.next_after(std::numeric_limits<Millis>::min()), std::nullopt);
}

TEST(CronNext, ZonesWithoutDaylightSavingArePlain) {
  EXPECT_EQ(dues(cron("30 2 * * *", "UTC"), "2026-03-08T00:00:00Z", 2),
            (V{"2026-03-08T02:30:00Z", "2026-03-09T02:30:00Z"}));
  EXPECT_EQ(dues(cron("0 9 * * *", "Asia/Tokyo"), "2026-03-08T00:00:00Z", 2),
            (V{"2026-03-09T00:00:00Z", "2026-03-10T00:00:00Z"}));
  // Tokyo's midnight on New Year's Day is 15:00Z the day before.
  EXPECT_EQ(dues(cron("@yearly", "Asia/Tokyo"), "2026-06-01T00:00:00Z", 1),
            (V{"2026-12-31T15:00:00Z"}));
}

// --- daylight saving --------------------------------------------------------------------------
// America/New_York 2026: 02:00 EST -> 03:00 EDT on March 8 (07:00Z), 02:00 EDT -> 01:00 EST on
// November 1 (06:00Z). Europe/Berlin: 02:00 -> 03:00 on March 29 (01:00Z), 03:00 -> 02:00 on
// October 25 (01:00Z).

TEST(CronDst, ASkippedWallTimeIsDueOnceWhenTheGapEnds) {
  auto s = cron("30 2 * * *", "America/New_York");
  EXPECT_EQ(dues(s, "2026-03-07T12:00:00Z", 3),
            (V{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"}));
  // From just before the gap's end, and from exactly there (strictly after: not again).
  EXPECT_EQ(dues(s, "2026-03-08T06:59:59.500Z", 1), (V{"2026-03-08T07:00:00Z"}));
  EXPECT_EQ(dues(s, "2026-03-08T07:00:00Z", 1), (V{"2026-03-09T06:30:00Z"}));
}

TEST(CronDst, AGapMatchedManyTimesIsDueOnce) {
  EXPECT_EQ(dues(cron("*/15 2 * * *", "America/New_York"), "2026-03-07T12:00:00Z", 3),
            (V{"2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z", "2026-03-09T06:15:00Z"}));
  EXPECT_EQ(dues(cron("*/10 * 2 * * *", "America/New_York"), "2026-03-08T06:00:00Z", 2),
            (V{"2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"}));
}

TEST(CronDst, EveryHourMeetsTheGapAtItsEndThenGoesOn) {
  EXPECT_EQ(dues(cron("30 * * * *", "America/New_York"), "2026-03-08T05:00:00Z", 4),
            (V{"2026-03-08T05:30:00Z", "2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z",
               "2026-03-08T07:30:00Z"}));
  // 03:00 local is itself due and is the gap's end: one due time, not two.
  EXPECT_EQ(dues(cron("0 * * * *", "America/New_York"), "2026-03-08T05:00:00Z", 3),
            (V{"2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"}));
}

TEST(CronDst, ARepeatedWallTimeIsDueAtItsFirstOccurrence) {
  auto s = cron("30 1 * * *", "America/New_York");
  EXPECT_EQ(dues(s, "2026-10-31T12:00:00Z", 3),
            (V{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"}));
  // From inside the repeated hour, the second 01:30 is not due.
  EXPECT_EQ(dues(s, "2026-11-01T06:10:00Z", 1), (V{"2026-11-02T06:30:00Z"}));
  EXPECT_EQ(dues(cron("*/20 1 * * *", "America/New_York"), "2026-11-01T04:00:00Z", 4),
            (V{"2026-11-01T05:00:00Z", "2026-11-01T05:20:00Z", "2026-11-01T05:40:00Z",
               "2026-11-02T06:00:00Z"}));
}

TEST(CronDst, EveryHourIsDueInBothRepeatedHours) {
  EXPECT_EQ(dues(cron("30 * * * *", "America/New_York"), "2026-11-01T04:00:00Z", 4),
            (V{"2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z",
               "2026-11-01T07:30:00Z"}));
  EXPECT_EQ(dues(cron("@hourly", "America/New_York"), "2026-11-01T04:30:00Z", 3),
            (V{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"}));
  // From inside the second 01:00 hour.
  EXPECT_EQ(dues(cron("30 * * * *", "America/New_York"), "2026-11-01T06:10:00Z", 2),
            (V{"2026-11-01T06:30:00Z", "2026-11-01T07:30:00Z"}));
}

TEST(CronDst, BerlinSpringsForwardAndFallsBackTheSameWay) {
  auto s = cron("30 2 * * *", "Europe/Berlin");
  EXPECT_EQ(dues(s, "2026-03-28T12:00:00Z", 2),
            (V{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}));
  EXPECT_EQ(dues(s, "2026-10-24T12:00:00Z", 2),
            (V{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}));
  EXPECT_EQ(dues(cron("30 * * * *", "Europe/Berlin"), "2026-10-25T00:00:00Z", 3),
            (V{"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"}));
}

// --- errors -----------------------------------------------------------------------------------

struct BadCron {
  const char* expression;
  const char* message_part;  // what the message must say: the cron field and the problem
};

TEST(CronErrors, NameTheCronFieldThatIsWrong) {
  const BadCron cases[] = {
      {"60 * * * *", "minute: 60 is out of range 0-59"},
      {"* 24 * * *", "hour: 24 is out of range 0-23"},
      {"* * 0 * *", "day-of-month: 0 is out of range 1-31"},
      {"* * 32 * *", "day-of-month: 32 is out of range 1-31"},
      {"* * * 13 *", "month: 13 is out of range 1-12"},
      {"* * * * 8", "day-of-week: 8 is out of range 0-7"},
      {"60 * * * * *", "second: 60 is out of range 0-59"},
      {"99999999999 * * * *", "minute: 99999999999 is out of range 0-59"},
      {"*/0 * * * *", "minute: step 0"},
      {"* */25 * * *", "hour: step 25"},
      {"* * * * */x", "day-of-week: the step in \"*/x\" must be a number"},
      {"5-1 * * * *", "minute: 5-1 is a reversed range"},
      {"* * * DEC-JAN *", "month: DEC-JAN is a reversed range"},
      {"* * * *", "expected 5 fields"},
      {"* * * * * * *", "got 7"},
      {"@every", "unknown macro \"@every\""},
      {"@daily 5", "a macro stands alone"},
      {"", "is empty"},
      {"   ", "is empty"},
      {"a b c d e", "minute: \"a\" is not a number"},
      {"* * * JANUARY *", "month: \"JANUARY\" is not a number or a month name (JAN-DEC)"},
      {"* * * * FUN", "day-of-week: \"FUN\" is not a number or a day name (SUN-SAT)"},
      {"1,,2 * * * *", "minute: an empty value"},
      {"1, * * * *", "minute: an empty value"},
      {"-5 * * * *", "minute: \"\" is not a number"},
      {"*-5 * * * *", "minute: \"*\" is not a number"},
      {"1-2-3 * * * *", "minute: \"2-3\" is not a number"},
      {"? * * * *", "minute: \"?\" is not a number"},
  };
  int checked = 0;
  for (const BadCron& c : cases) {
    auto s = CronSchedule::parse(c.expression, "UTC");
    ASSERT_FALSE(s.ok()) << c.expression;
    EXPECT_EQ(s.error().code(), ErrorCode::invalid_argument) << c.expression;
    EXPECT_EQ(s.error().field(), "cron") << c.expression;
    EXPECT_NE(s.error().message().find(c.message_part), std::string::npos)
        << c.expression << ": " << s.error().message();
    ++checked;
  }
  EXPECT_EQ(checked, int(std::size(cases)));
}

TEST(CronErrors, AnUnknownZoneIsTheTimezoneField) {
  for (const char* zone : {"Nowhere/Special", "", "america/new_york", "UTC+2"}) {
    auto s = CronSchedule::parse("* * * * *", zone);
    ASSERT_FALSE(s.ok()) << zone;
    EXPECT_EQ(s.error().code(), ErrorCode::invalid_argument);
    EXPECT_EQ(s.error().field(), "timezone") << zone;
    EXPECT_NE(s.error().message().find(zone), std::string::npos) << s.error().message();
  }
}

// --- the value --------------------------------------------------------------------------------

TEST(CronSchedule, KeepsItsTextAndCopiesAndMovesAsAValue) {
  auto s = cron("*/5 9-17 * * MON-FRI", "Europe/Berlin");
  EXPECT_EQ(s.expression(), "*/5 9-17 * * MON-FRI");
  EXPECT_EQ(s.time_zone(), "Europe/Berlin");
  CronSchedule copy = s;
  CronSchedule moved = std::move(s);
  EXPECT_EQ(copy.expression(), moved.expression());
  EXPECT_EQ(copy.next_after(at("2026-05-04T00:00:00Z")), at("2026-05-04T07:00:00Z"));
  copy = moved;
  EXPECT_EQ(copy.time_zone(), "Europe/Berlin");
}

}  // namespace
}  // namespace jobq
