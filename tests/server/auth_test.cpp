#include "server/request/auth.h"

#include <gtest/gtest.h>

namespace jobq::server {
namespace {

TEST(ApiKeys, ParsesKeysWithRoles) {
  auto keys = ApiKeys::parse(" a1:admin, p1:producer ,w1:worker,v1:viewer");
  ASSERT_TRUE(keys.ok()) << keys.error().to_string();
  EXPECT_EQ(keys->find("a1")->role, Role::admin);
  EXPECT_EQ(keys->find("p1")->role, Role::producer);
  EXPECT_EQ(keys->find("w1")->role, Role::worker);
  EXPECT_EQ(keys->find("v1")->role, Role::viewer);
  EXPECT_EQ(keys->find("nobody"), std::nullopt);
}

TEST(ApiKeys, RefusesUnknownRolesAndMissingColons) {
  EXPECT_EQ(ApiKeys::parse("k:root").error().field(), "api_keys");
  EXPECT_EQ(ApiKeys::parse("justakey").error().field(), "api_keys");
  EXPECT_EQ(ApiKeys::parse(":admin").error().field(), "api_keys");
  EXPECT_EQ(ApiKeys::parse("  :admin").error().field(), "api_keys");
  EXPECT_TRUE(ApiKeys::parse("").value().empty());
}

TEST(ApiKeys, AnEmptyEntryIsAnErrorNotNoKeys) {
  // Each of these once parsed as no keys, which let jobqd listen on any address unprotected.
  for (std::string_view text :
       {",", " ", " , ", "a:admin,", ",a:admin", "a:admin,,b:viewer", "\t"}) {
    auto keys = ApiKeys::parse(text);
    ASSERT_FALSE(keys.ok()) << "\"" << text << "\"";
    EXPECT_EQ(keys.error().field(), "api_keys");
    EXPECT_NE(keys.error().message().find("empty"), std::string::npos) << keys.error().message();
  }
}

TEST(ApiKeys, AKeyGivenTwiceIsAnError) {
  EXPECT_FALSE(ApiKeys::parse("k:admin,k:viewer").ok());
  EXPECT_FALSE(ApiKeys::parse("k:admin, k :admin").ok());
}

TEST(ApiKeys, MatchesWholeKeysOnly) {
  auto keys = ApiKeys::parse("secret-key:admin,other:viewer").value();
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys.find("secret-key")->role, Role::admin);
  EXPECT_EQ(keys.find("other")->role, Role::viewer);
  for (std::string_view near : {"secret-ke", "secret-keyy", "Secret-key", "", "secret-key "})
    EXPECT_EQ(keys.find(near), std::nullopt) << near;
}

TEST(BearerToken, TheSchemeInAnyCaseThenOneSpaceAndTheToken) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("BEARER abc"), "abc");
  for (std::string_view bad : {"", "Bearer", "Bearer ", "Bearer  abc", "Bearerabc", "Basic abc",
                               "Token abc", "Bearer a b"})
    EXPECT_EQ(bearer_token(bad), std::nullopt) << bad;
}

TEST(Roles, GrantTheirGroupsOfRoutes) {
  for (Role role : {Role::admin, Role::producer, Role::worker, Role::viewer}) {
    EXPECT_TRUE(allows(role, Access::open));
    EXPECT_TRUE(allows(role, Access::read));
  }
  EXPECT_TRUE(allows(Role::admin, Access::operate));
  EXPECT_TRUE(allows(Role::producer, Access::produce));
  EXPECT_FALSE(allows(Role::producer, Access::work));
  EXPECT_FALSE(allows(Role::producer, Access::operate));
  EXPECT_TRUE(allows(Role::worker, Access::work));
  EXPECT_FALSE(allows(Role::worker, Access::produce));
  EXPECT_FALSE(allows(Role::viewer, Access::produce));
  EXPECT_FALSE(allows(Role::viewer, Access::work));
  EXPECT_FALSE(allows(Role::viewer, Access::operate));
}

// "admin:key" in base64url is "YWRtaW46a2V5"; "k?>" is "az8-" (the URL-safe '-').
TEST(WebSocketKey, IsReadFromTheBearerSubprotocol) {
  EXPECT_EQ(key_from_websocket_protocols("jobq, jobq.bearer.YWRtaW46a2V5"), "admin:key");
  EXPECT_EQ(key_from_websocket_protocols("jobq.bearer.YWRtaW46a2V5=,jobq"), "admin:key");
  EXPECT_EQ(key_from_websocket_protocols("jobq.bearer.az8-"), "k?>");
}

TEST(WebSocketKey, IsAbsentWhenNotOfferedOrNotBase64Url) {
  EXPECT_EQ(key_from_websocket_protocols(""), std::nullopt);
  EXPECT_EQ(key_from_websocket_protocols("jobq"), std::nullopt);
  EXPECT_EQ(key_from_websocket_protocols("jobq.bearer."), std::nullopt);
  EXPECT_EQ(key_from_websocket_protocols("jobq.bearer.a+b/"), std::nullopt);  // plain base64
  EXPECT_EQ(key_from_websocket_protocols("jobq.bearer.YWRtaW46a2V5Z"),
            std::nullopt);  // a lone char
}

TEST(WebSocketKey, OffersAreMatchedWholeItemByItem) {
  EXPECT_TRUE(offers_websocket_protocol("chat, jobq", "jobq"));
  EXPECT_TRUE(offers_websocket_protocol("jobq", "jobq"));
  EXPECT_FALSE(offers_websocket_protocol("jobq.bearer.YQ", "jobq"));
  EXPECT_FALSE(offers_websocket_protocol("", "jobq"));
}

TEST(ApiKeys, AKeyMayPutItsSubmitsInATier) {
  auto keys = ApiKeys::parse("app:key:producer/free, paid:producer / paid, ops:admin");
  ASSERT_TRUE(keys.ok()) << keys.error().to_string();
  EXPECT_EQ(keys->find("app:key")->role, Role::producer);
  EXPECT_EQ(keys->find("app:key")->tier, "free");
  EXPECT_EQ(keys->find("paid")->tier, "paid");
  EXPECT_EQ(keys->find("ops")->tier, "");
  for (const char* bad : {"k:producer/", "k:producer/bad tier", "k:/free"}) {
    auto refused = ApiKeys::parse(bad);
    EXPECT_FALSE(refused.ok()) << bad;
    if (!refused.ok()) EXPECT_EQ(refused.error().field(), "api_keys");
  }
}

TEST(Authorize, WithNoKeysEveryoneIsAdmin) {
  ApiKeys none;
  for (Access access : {Access::open, Access::read, Access::operate}) {
    auto caller = authorize(none, {}, access);
    ASSERT_TRUE(caller.ok());
    ASSERT_TRUE(caller->has_value());
    EXPECT_EQ((*caller)->role, Role::admin);
  }
}

TEST(Authorize, AnOpenRouteReadsNoKey) {
  auto keys = ApiKeys::parse("k:viewer").value();
  auto caller = authorize(keys, {"Bearer wrong", ""}, Access::open);
  ASSERT_TRUE(caller.ok());
  EXPECT_FALSE(caller->has_value());
}

TEST(Authorize, GivesTheKeysRoleFromEitherHeader) {
  auto keys = ApiKeys::parse("admin:key:producer").value();
  auto bearer = authorize(keys, {"Bearer admin:key", ""}, Access::produce);
  ASSERT_TRUE(bearer.ok());
  EXPECT_EQ((*bearer)->role, Role::producer);
  auto websocket = authorize(keys, {"", "jobq, jobq.bearer.YWRtaW46a2V5"}, Access::read);
  ASSERT_TRUE(websocket.ok());
  EXPECT_EQ((*websocket)->role, Role::producer);
}

TEST(Authorize, RefusesAMissingOrUnknownKeyWith401AndAWeakRoleWith403) {
  auto keys = ApiKeys::parse("v:viewer").value();
  auto missing = authorize(keys, {}, Access::read);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().status, 401);
  EXPECT_EQ(missing.error().field, "Authorization");
  auto unknown = authorize(keys, {"Bearer x", ""}, Access::read);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().status, 401);
  EXPECT_EQ(unknown.error().message, "unknown API key");
  auto weak = authorize(keys, {"Bearer v", ""}, Access::produce);
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().status, 403);
  EXPECT_EQ(weak.error().code, "forbidden");
}

}  // namespace
}  // namespace jobq::server
