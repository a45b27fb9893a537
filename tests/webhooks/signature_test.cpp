#include "webhooks/signature.h"

#include <gtest/gtest.h>

#include <vector>

namespace jobq::webhooks {
namespace {

constexpr std::int64_t kT = 1700000000;

TEST(Signature, MatchesAVectorComputedByPythonsHmac) {
  // python3 -c 'import hmac,hashlib;print(hmac.new(b"k", b"1700000000.{}",
  //             hashlib.sha256).hexdigest())'
  EXPECT_EQ(sign("k", kT, "{}"),
            "c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146");
  EXPECT_EQ(signature_header("k", kT, "{}"),
            "t=1700000000,v1=c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146");
}

TEST(Signature, AHeaderVerifiesForItsSecretTimeAndBody) {
  std::string h = signature_header("s3cret", kT, R"({"id":"j1"})");
  EXPECT_TRUE(verify("s3cret", h, R"({"id":"j1"})", kT, 300));
  EXPECT_TRUE(verify("s3cret", h, R"({"id":"j1"})", kT + 300, 300));
  EXPECT_TRUE(verify("s3cret", h, R"({"id":"j1"})", kT - 300, 300));
}

TEST(Signature, AChangedBodySecretOrTimestampFails) {
  std::string h = signature_header("s3cret", kT, R"({"id":"j1"})");
  EXPECT_FALSE(verify("s3cret", h, R"({"id":"j2"})", kT, 300));
  EXPECT_FALSE(verify("other", h, R"({"id":"j1"})", kT, 300));
  std::string v1 = h.substr(h.find(",v1="));
  EXPECT_FALSE(verify("s3cret", "t=1700000001" + v1, R"({"id":"j1"})", kT, 300));
}

TEST(Signature, AStaleOrFarFutureTimestampFails) {
  std::string h = signature_header("s3cret", kT, "{}");
  EXPECT_FALSE(verify("s3cret", h, "{}", kT + 301, 300));
  EXPECT_FALSE(verify("s3cret", h, "{}", kT - 301, 300));
  std::string far = signature_header("s3cret", INT64_MIN, "{}");
  EXPECT_FALSE(verify("s3cret", far, "{}", INT64_MAX, 300));
}

TEST(Signature, AMalformedHeaderFails) {
  std::string mac = sign("k", kT, "{}");
  for (const std::string& h :
       std::vector<std::string>{"", "v1=" + mac, "t=1700000000", "t=,v1=" + mac, "t=17e8,v1=" + mac,
                                "t=1700000000,v1=" + mac.substr(1),
                                "t=1700000000,t=1700000000,v1=" + mac, "t=1700000000,v1="})
    EXPECT_FALSE(verify("k", h, "{}", kT, 300)) << h;
}

}  // namespace
}  // namespace jobq::webhooks
