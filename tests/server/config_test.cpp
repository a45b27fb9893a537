#include "jobqd/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace jobq {
namespace {

TEST(Config, DefaultsListenOnLoopbackWithTheSqliteStore) {
  Config c;
  EXPECT_EQ(c.host(), "127.0.0.1");
  EXPECT_EQ(c.port(), 8080);
  EXPECT_EQ(c.store, "sqlite://./jobq-data/jobq.db");
  EXPECT_TRUE(validate(c).ok());
}

TEST(Config, RefusesAnOpenAddressWithoutKeysUnlessInsecure) {
  Config c;
  ASSERT_TRUE(apply_setting(c, "listen", "0.0.0.0:8080").ok());
  EXPECT_EQ(validate(c).field(), "listen");
  ASSERT_TRUE(apply_setting(c, "insecure", "true").ok());
  EXPECT_TRUE(validate(c).ok());
  Config keyed;
  ASSERT_TRUE(apply_setting(keyed, "listen", "0.0.0.0:8080").ok());
  ASSERT_TRUE(apply_setting(keyed, "api_keys", "k:admin").ok());
  EXPECT_TRUE(validate(keyed).ok());
}

TEST(Config, ABlankKeyListIsAnErrorNotAnOpenServer) {
  for (std::string_view blank : {",", " ", " , "}) {
    Config c;
    ASSERT_TRUE(apply_setting(c, "listen", "0.0.0.0:8080").ok());
    EXPECT_EQ(apply_setting(c, "api_keys", blank).field(), "api_keys") << "\"" << blank << "\"";
    c.api_keys = blank;  // as if set around apply_setting: validate parses it too
    EXPECT_EQ(validate(c).field(), "api_keys") << "\"" << blank << "\"";
  }
}

TEST(Config, LimitsAndOriginsAreChecked) {
  Config c;
  EXPECT_TRUE(apply_setting(c, "cors_origins", "https://app.example.com, http://localhost:3000").ok());
  EXPECT_TRUE(apply_setting(c, "cors_origins", "*").ok());
  EXPECT_EQ(apply_setting(c, "cors_origins", "app.example.com").field(), "cors_origins");
  EXPECT_EQ(apply_setting(c, "cors_origins", "https://app.example.com/").field(), "cors_origins");
  EXPECT_EQ(apply_setting(c, "max_connections", "0").field(), "max_connections");
  ASSERT_TRUE(apply_setting(c, "max_buffered_bytes", "4096").ok());
  EXPECT_EQ(validate(c).field(), "max_buffered_bytes");  // under max_body_bytes
  ASSERT_TRUE(apply_setting(c, "max_body_bytes", "4096").ok());
  EXPECT_TRUE(validate(c).ok());
}

TEST(Config, BadValuesNameTheirSetting) {
  Config c;
  EXPECT_EQ(apply_setting(c, "sync", "sometimes").field(), "sync");
  EXPECT_EQ(apply_setting(c, "max_body_bytes", "lots").field(), "max_body_bytes");
  EXPECT_EQ(apply_setting(c, "colour", "blue").field(), "colour");
  ASSERT_TRUE(apply_setting(c, "listen", "127.0.0.1:http").ok());
  EXPECT_EQ(validate(c).field(), "listen");
}

TEST(Config, RedisSettingsAreCheckedAndReachTheStore) {
  Config c;
  EXPECT_EQ(c.redis_prefix, StoreOptions().redis_prefix);
  EXPECT_EQ(apply_setting(c, "redis_prefix", "").field(), "redis_prefix");
  EXPECT_EQ(apply_setting(c, "redis_allow_eviction", "maybe").field(), "redis_allow_eviction");
  ASSERT_TRUE(apply_setting(c, "redis_prefix", "shop:").ok());
  ASSERT_TRUE(apply_setting(c, "redis_allow_eviction", "true").ok());
  EXPECT_EQ(c.redis_prefix, "shop:");
  EXPECT_TRUE(c.redis_allow_eviction);
}

TEST(Config, ReadsATomlFileWithAKeyTable) {
  testing::TempDir dir;
  std::string path = dir.file("jobq.toml");
  std::ofstream(path) << "listen = \"127.0.0.1:9090\"\nsync = \"normal\"\n"
                         "max_body_bytes = 4096\n[api_keys]\nsecret = \"admin\"\n";
  Config c;
  ASSERT_TRUE(apply_toml_file(c, path).ok());
  EXPECT_EQ(c.port(), 9090);
  EXPECT_EQ(c.sync, SyncMode::normal);
  EXPECT_EQ(c.max_body_bytes, 4096u);
  EXPECT_EQ(c.api_keys, "secret:admin");
}

TEST(Config, ATomlSyntaxErrorNamesTheFile) {
  testing::TempDir dir;
  std::string path = dir.file("bad.toml");
  std::ofstream(path) << "listen = \n";
  Config c;
  Status s = apply_toml_file(c, path);
  EXPECT_EQ(s.field(), "config");
  EXPECT_NE(s.message().find(path), std::string::npos);
}

}  // namespace
}  // namespace jobq
