#include "core/time_format.h"

#include <gtest/gtest.h>

namespace jobq {
namespace {

TEST(TimeFormat, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
}

TEST(TimeFormat, FormatsTheEdgesOfTheDayAndOfFourDigitYears) {
  EXPECT_EQ(format_time(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_time(951'868'799'999), "2000-02-29T23:59:59.999Z");
  EXPECT_EQ(format_time(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_time(253'402'300'800'000), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(-62'167'219'200'001), "-001-12-31T23:59:59.999Z");
}

TEST(TimeFormat, ParsesWhatItFormatsAndOffsets) {
  for (Millis t : {Millis(0), Millis(1'700'000'000'123), Millis(4'102'444'800'000)})
    EXPECT_EQ(parse_time(format_time(t)), t);
  EXPECT_EQ(parse_time("2023-11-14T23:13:20.5+01:00"), 1'700'000'000'500);
  EXPECT_EQ(parse_time("2023-11-14T22:13:20Z"), 1'700'000'000'000);
}

TEST(TimeFormat, RejectsMalformedTimes) {
  for (const char* bad :
       {"", "2023-11-14", "2023-13-01T00:00:00Z", "2023-11-14T22:13:20", "2023-02-30T00:00:00Z",
        "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk"})
    EXPECT_FALSE(parse_time(bad).has_value()) << bad;
}

}  // namespace
}  // namespace jobq
