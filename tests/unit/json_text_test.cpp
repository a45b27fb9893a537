// JsonText's output is JSON that reads back as what was written: escapes, numbers, and the
// commas of nested objects and arrays.
#include "wire/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>

namespace jobq {
namespace {

namespace json = boost::json;

TEST(JsonText, StringsReadBackAsWritten) {
  const std::string tricky = "quote \" backslash \\ newline \n tab \t cr \r bell \x07 unit \x1f é ✓";
  std::string out;
  JsonText(out).string(tricky);
  EXPECT_EQ(json::parse(out).as_string(), tricky);
  EXPECT_EQ(out.find('\x07'), std::string::npos) << "control characters are escaped: " << out;
}

TEST(JsonText, NumbersAreWholeWhereTheyCanBeAndNullWhereJsonCannotHoldThem) {
  std::string out;
  JsonText w(out);
  w.begin_array()
      .number(42)
      .number(0.5)
      .number(-3)
      .number(1e300)
      .number(1.5e-7)
      .number(std::nan(""))
      .number(std::numeric_limits<double>::infinity())
      .integer(-9'007'199'254'740'993)
      .end_array();
  EXPECT_EQ(out.substr(0, 9), "[42,0.5,-");
  auto a = json::parse(out).as_array();
  ASSERT_EQ(a.size(), 8u);
  EXPECT_TRUE(a[0].is_int64());
  EXPECT_EQ(a[1].as_double(), 0.5);
  EXPECT_EQ(a[2].as_int64(), -3);
  EXPECT_EQ(a[3].as_double(), 1e300);
  EXPECT_EQ(a[4].as_double(), 1.5e-7);
  EXPECT_TRUE(a[5].is_null());
  EXPECT_TRUE(a[6].is_null());
  EXPECT_EQ(a[7].as_int64(), -9'007'199'254'740'993);
}

TEST(JsonText, NestedContainersGetTheirCommas) {
  std::string out;
  JsonText w(out);
  w.begin_object().key("a").begin_array().end_array().key("b").begin_object().end_object();
  w.key("c").begin_array().begin_object().key("x").null().end_object().boolean(false).end_array();
  w.key("d").raw(R"({"k":[1,2]})").key("e").raw("").key("f").string_or_null("");
  w.end_object();
  EXPECT_EQ(json::parse(out), json::parse(R"({"a":[],"b":{},"c":[{"x":null},false],
                                              "d":{"k":[1,2]},"e":null,"f":null})"));
}

}  // namespace
}  // namespace jobq
