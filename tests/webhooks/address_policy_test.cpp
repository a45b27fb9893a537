#include "webhooks/address_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace jobq::webhooks {
namespace {

IpAddress ip(std::string_view text) {
  auto a = parse_ip(text);
  EXPECT_TRUE(a) << text;
  return a.value_or(IpAddress{});
}

struct Case {
  const char* address;
  const char* refusal;  // nullptr: may be called
};

void expect_table(const AddressPolicy& policy, const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    auto r = policy.refusal(ip(c.address));
    if (c.refusal == nullptr)
      EXPECT_EQ(r, std::nullopt) << c.address;
    else
      EXPECT_EQ(r.value_or("(allowed)"), c.refusal) << c.address;
  }
}

TEST(AddressPolicy, RefusesLoopback) {
  expect_table({}, {{"127.0.0.1", "loopback"},
                    {"127.0.0.0", "loopback"},
                    {"127.255.255.255", "loopback"},
                    {"127.1.2.3", "loopback"},
                    {"::1", "loopback"},
                    {"::ffff:127.0.0.1", "loopback"},
                    {"64:ff9b::127.0.0.1", "loopback"},
                    {"2002:7f00:1::", "loopback"}});
}

TEST(AddressPolicy, RefusesPrivateRanges) {
  expect_table({}, {{"10.0.0.0", "private"},
                    {"10.255.255.255", "private"},
                    {"172.16.0.0", "private"},
                    {"172.31.255.255", "private"},
                    {"192.168.0.1", "private"},
                    {"192.168.255.255", "private"},
                    {"::ffff:10.1.2.3", "private"},
                    {"::ffff:192.168.1.1", "private"},
                    {"fc00::1", "private (unique local)"},
                    {"fd12:3456::1", "private (unique local)"},
                    {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "private (unique local)"}});
}

TEST(AddressPolicy, RefusesLinkLocalAndTheMetadataAddress) {
  expect_table({}, {{"169.254.169.254", "link-local (cloud metadata)"},
                    {"::ffff:169.254.169.254", "link-local (cloud metadata)"},
                    {"169.254.0.1", "link-local"},
                    {"169.254.255.255", "link-local"},
                    {"fe80::1", "link-local"},
                    {"febf:ffff::1", "link-local"},
                    {"fec0::1", "site-local (deprecated)"}});
}

TEST(AddressPolicy, RefusesUnspecifiedAndThisNetwork) {
  expect_table({}, {{"0.0.0.0", "unspecified"},
                    {"::", "unspecified"},
                    {"::ffff:0.0.0.0", "unspecified"},
                    {"0.1.2.3", "\"this network\" (reserved)"}});
}

TEST(AddressPolicy, RefusesCgnatMulticastBroadcastAndReserved) {
  expect_table({}, {{"100.64.0.0", "shared address space (CGNAT)"},
                    {"100.127.255.255", "shared address space (CGNAT)"},
                    {"224.0.0.1", "multicast"},
                    {"239.255.255.250", "multicast"},
                    {"ff02::1", "multicast"},
                    {"ff05::1:3", "multicast"},
                    {"255.255.255.255", "broadcast"},
                    {"240.0.0.1", "reserved"},
                    {"255.255.255.254", "reserved"}});
}

TEST(AddressPolicy, RefusesOtherSpecialUseRanges) {
  expect_table({}, {{"192.0.0.8", "IETF protocol assignments (reserved)"},
                    {"192.0.2.1", "documentation"},
                    {"198.51.100.7", "documentation"},
                    {"203.0.113.255", "documentation"},
                    {"198.18.0.1", "benchmarking"},
                    {"198.19.255.255", "benchmarking"},
                    {"192.88.99.1", "6to4 relay anycast (reserved)"},
                    {"2001:db8::1", "documentation"},
                    {"2001:0:4136:e378:8000:63bf:3fff:fdd2",
                     "IETF protocol assignments (Teredo, benchmarking, ...)"},
                    {"64:ff9b:1::1", "NAT64 local use"},
                    {"100::1", "reserved (outside IPv6 global unicast)"},
                    {"::1.2.3.4", "reserved (outside IPv6 global unicast)"},
                    {"4000::1", "reserved (outside IPv6 global unicast)"}});
}

TEST(AddressPolicy, AllowsGlobalAddressesAndTheEdgesOfRefusedRanges) {
  expect_table({}, {{"8.8.8.8", nullptr},
                    {"1.1.1.1", nullptr},
                    {"93.184.216.34", nullptr},
                    {"9.255.255.255", nullptr},
                    {"11.0.0.0", nullptr},
                    {"100.63.255.255", nullptr},
                    {"100.128.0.0", nullptr},
                    {"126.255.255.255", nullptr},
                    {"128.0.0.0", nullptr},
                    {"169.253.255.255", nullptr},
                    {"169.255.0.0", nullptr},
                    {"172.15.255.255", nullptr},
                    {"172.32.0.0", nullptr},
                    {"192.167.255.255", nullptr},
                    {"192.169.0.0", nullptr},
                    {"223.255.255.255", nullptr},
                    {"::ffff:8.8.8.8", nullptr},
                    {"64:ff9b::808:808", nullptr},
                    {"2002:808:808::1", nullptr},
                    {"2001:4860:4860::8888", nullptr},
                    {"2606:4700:4700::1111", nullptr},
                    {"2a00:1450:4001::1", nullptr}});
}

TEST(AddressPolicy, TheAllowListLetsItsRangesThroughAndNothingElse) {
  auto policy = AddressPolicy::from_allow_list("127.0.0.1/32, 10.0.0.0/8,fd00::/8");
  ASSERT_TRUE(policy) << policy.error().to_string();
  expect_table(policy.value(), {{"127.0.0.1", nullptr},
                                {"::ffff:127.0.0.1", nullptr},
                                {"127.0.0.2", "loopback"},
                                {"::1", "loopback"},
                                {"10.20.30.40", nullptr},
                                {"11.0.0.1", nullptr},
                                {"172.16.0.1", "private"},
                                {"fd00::1", nullptr},
                                {"fc00::1", "private (unique local)"},
                                {"169.254.169.254", "link-local (cloud metadata)"}});
}

TEST(AddressPolicy, AnAllowListOfMappedOrSingleAddressesMatchesTheirIpv4Forms) {
  auto policy = AddressPolicy::from_allow_list("::ffff:127.0.0.0/104,::1,169.254.169.254");
  ASSERT_TRUE(policy) << policy.error().to_string();
  expect_table(policy.value(), {{"127.9.9.9", nullptr},
                                {"::1", nullptr},
                                {"169.254.169.254", nullptr},
                                {"169.254.169.253", "link-local"}});
}

TEST(AddressPolicy, AnEmptyAllowListAllowsNothingSpecial) {
  for (std::string_view text : {"", " ", ",", " , "}) {
    auto policy = AddressPolicy::from_allow_list(text);
    ASSERT_TRUE(policy) << text;
    EXPECT_TRUE(policy.value().allowed().empty()) << text;
  }
}

TEST(AddressPolicy, ParseErrorsNameTheBadEntry) {
  struct Bad {
    const char* text;
    const char* entry;
    const char* why;
  };
  for (const auto& b :
       std::vector<Bad>{{"127.0.0.1/32,localhost", "\"localhost\"", "not an IP address"},
                        {"10.0.0.0/8, 10.0.0.0/33", "\"10.0.0.0/33\"", "0 to 32"},
                        {"fd00::/129", "\"fd00::/129\"", "0 to 128"},
                        {"10.0.0.0/", "\"10.0.0.0/\"", "prefix length"},
                        {"10.0.0.0/-1", "\"10.0.0.0/-1\"", "prefix length"},
                        {"10.0.0.0/08", "\"10.0.0.0/08\"", "prefix length"},
                        {"10.0.0.0/8x", "\"10.0.0.0/8x\"", "prefix length"},
                        {"10.0.0.1/8", "\"10.0.0.1/8\"", "the range is 10.0.0.0/8"},
                        {"010.0.0.0/8", "\"010.0.0.0/8\"", "not an IP address"},
                        {"1.2.3/24", "\"1.2.3/24\"", "not an IP address"},
                        {"fe80::1%eth0", "\"fe80::1%eth0\"", "not an IP address"},
                        {"256.0.0.0/8", "\"256.0.0.0/8\"", "not an IP address"}}) {
    auto policy = AddressPolicy::from_allow_list(b.text);
    ASSERT_FALSE(policy) << b.text;
    EXPECT_EQ(policy.error().field(), "allow_list");
    EXPECT_NE(policy.error().message().find(b.entry), std::string::npos)
        << b.text << ": " << policy.error().message();
    EXPECT_NE(policy.error().message().find(b.why), std::string::npos)
        << b.text << ": " << policy.error().message();
  }
}

TEST(AddressPolicy, AddressesParseAndPrintInBothFamilies) {
  EXPECT_EQ(to_string(ip("192.168.1.1")), "192.168.1.1");
  EXPECT_EQ(to_string(ip("FE80:0:0::1")), "fe80::1");
  EXPECT_FALSE(ip("::ffff:1.2.3.4") == ip("1.2.3.4"));
  EXPECT_EQ(unwrap_v4(ip("::ffff:1.2.3.4")), ip("1.2.3.4"));
  EXPECT_EQ(unwrap_v4(ip("2001:4860::1")), ip("2001:4860::1"));
  for (std::string_view text : {"", "1.2.3", "1.2.3.4.5", "::g", "example.com", " 1.2.3.4"})
    EXPECT_EQ(parse_ip(text), std::nullopt) << text;
}

}  // namespace
}  // namespace jobq::webhooks
