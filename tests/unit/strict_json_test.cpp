// JSON from outside: the same values as Boost.JSON's own parser, and a key given twice refused.
#include "wire/strict_json.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace jobq {
namespace {

namespace json = boost::json;

TEST(StrictJson, ReadsWhatBoostJsonReads) {
  for (std::string text :
       {R"({"a":1,"b":[true,false,null,-2,18446744073709551615,1.5e3],"c":{"d":"é\u00e9"}})",
        R"([])", R"("x")", R"(0)", R"({"":{"":[]}})", R"([{"k":1},{"k":2}])"}) {
    auto ours = parse_json(text);
    ASSERT_TRUE(ours.ok()) << text << ": " << ours.error().to_string();
    EXPECT_EQ(*ours, json::parse(text)) << text;
  }
}

TEST(StrictJson, RefusesAKeyGivenTwiceNamingIt) {
  auto top = parse_json(R"({"type":"a","queue":"q","type":"b"})");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.error().field(), "type");
  EXPECT_NE(top.error().message().find("twice"), std::string::npos);
  auto nested = parse_json(R"({"payload":{"x":1,"y":{"z":1,"z":2}}})");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().field(), "z");
  // The same key in sibling objects, or in an object and its child, is no duplicate.
  EXPECT_TRUE(parse_json(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})").ok());
  // Escapes are compared decoded: "\u0061" is "a".
  EXPECT_EQ(parse_json(R"({"a":1,"\u0061":2})").error().field(), "a");
}

TEST(StrictJson, MalformedTextNamesTheField) {
  for (std::string text : {"", "{", "{\"a\":}", "[1,]", "{} {}", "nul", "{\"a\":1}x"}) {
    auto v = parse_json(text, "payload");
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.error().field(), "payload") << text;
  }
}

TEST(StrictJson, RefusesNumbersBeyondADoublesRange) {
  // Found by fuzz/job_spec_fuzzer: read as infinity, such a payload was stored as "Infinity".
  for (std::string text : {R"({"n":1e999})", R"([-1e400])", R"(1E+309)"}) {
    auto v = parse_json(text, "payload");
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.error().field(), "payload");
    EXPECT_NE(v.error().message().find("range"), std::string::npos) << v.error().message();
  }
  EXPECT_TRUE(parse_json("[1.7e308, -1.7e308, 4.9e-324, 1e-999]").ok());  // underflow is 0
}

TEST(StrictJson, KeepsTheNestingLimit) {
  EXPECT_TRUE(parse_json(std::string(10, '[') + std::string(10, ']'), "body", 10).ok());
  EXPECT_FALSE(parse_json(std::string(11, '[') + std::string(11, ']'), "body", 10).ok());
}

}  // namespace
}  // namespace jobq
