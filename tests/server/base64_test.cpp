#include "server/transport/base64.h"

#include <gtest/gtest.h>

namespace jobq::server {
namespace {

TEST(Base64, DecodesBothAlphabetsWithOrWithoutPadding) {
  EXPECT_EQ(base64_decode("aGVsbG8=", Base64::standard), "hello");
  EXPECT_EQ(base64_decode("aGVsbG8", Base64::standard), "hello");
  EXPECT_EQ(base64_decode("+/8=", Base64::standard), "\xfb\xff");
  EXPECT_EQ(base64_decode("-_8", Base64::url), "\xfb\xff");
  EXPECT_EQ(base64_decode("", Base64::url), "");
}

TEST(Base64, RefusesTheOtherAlphabetAndLoneCharacters) {
  EXPECT_EQ(base64_decode("-_8", Base64::standard), std::nullopt);
  EXPECT_EQ(base64_decode("+/8", Base64::url), std::nullopt);
  EXPECT_EQ(base64_decode("aGVsbA", Base64::standard), "hell");
  EXPECT_EQ(base64_decode("aGVsb", Base64::standard), std::nullopt);  // 5th character: no byte
  EXPECT_EQ(base64_decode("a", Base64::standard), std::nullopt);
  EXPECT_EQ(base64_decode("ab c", Base64::standard), std::nullopt);
}

}  // namespace
}  // namespace jobq::server
