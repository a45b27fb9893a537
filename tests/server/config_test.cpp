#include "jobqd/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.h"

namespace jobq {
namespace {

// Each TOML text, as a file of its own, is refused naming `field`, with the file's path in the
// message.
void expect_files_refused(const std::vector<std::pair<std::string, std::string>>& cases) {
  testing::TempDir dir;
  for (const auto& [text, field] : cases) {
    std::string path = dir.file("refused.toml");
    std::ofstream(path) << text;
    Config c;
    Status s = apply_toml_file(c, path);
    EXPECT_EQ(s.field(), field) << text << " -> " << s.to_string();
    EXPECT_NE(s.message().find(path), std::string::npos) << s.to_string();
  }
}

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
  EXPECT_TRUE(
      apply_setting(c, "cors_origins", "https://app.example.com, http://localhost:3000").ok());
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

TEST(Config, RetentionSettingsReachTheEngineOptions) {
  Config c;
  EXPECT_EQ(c.retention, Retention());
  EXPECT_EQ(c.retention.completed_ms, 24LL * 3600 * 1000);
  EXPECT_EQ(c.retention.dead_letter_cap, 1000u);
  ASSERT_TRUE(apply_setting(c, "retain_completed_ms", "3600000").ok());
  ASSERT_TRUE(apply_setting(c, "retain_cancelled_ms", "0").ok());
  ASSERT_TRUE(apply_setting(c, "retain_failed_ms", "60000").ok());
  ASSERT_TRUE(apply_setting(c, "dead_letter_cap", "0").ok());
  EXPECT_EQ(c.retention.completed_ms, 3'600'000);
  EXPECT_EQ(c.retention.cancelled_ms, 0);
  EXPECT_EQ(c.retention.failed_ms, 60'000);
  EXPECT_EQ(c.retention.dead_letter_cap, 0u);
  EXPECT_EQ(apply_setting(c, "retain_failed_ms", "-1").field(), "retain_failed_ms");
  EXPECT_EQ(apply_setting(c, "retain_completed_ms", "1d").field(), "retain_completed_ms");
  EXPECT_EQ(apply_setting(c, "dead_letter_cap", "many").field(), "dead_letter_cap");
}

TEST(Config, ATomlFileGivesQueuesRetentionOfTheirOwn) {
  testing::TempDir dir;
  std::string path = dir.file("jobq.toml");
  std::ofstream(path) << "retain_completed_ms = 60000\n"
                         "[queues.mail]\nretain_completed_ms = 1000\ndead_letter_cap = 50\n"
                         "[queues.\"reports.daily\"]\nretain_failed_ms = 0\n";
  Config c;
  Status s = apply_toml_file(c, path);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_EQ(c.retention.completed_ms, 60'000);
  ASSERT_EQ(c.retention.queues.size(), 2u);
  QueueRetention mail = c.retention.queues.at("mail");
  EXPECT_EQ(mail.completed_ms, 60'000 / 60);
  EXPECT_EQ(mail.dead_letter_cap, 50u);
  EXPECT_FALSE(mail.failed_ms.has_value()) << "unset: the server's";
  EXPECT_EQ(c.retention.queues.at("reports.daily").failed_ms, 0);
}

TEST(Config, ATomlFileSetsLimitsOfQueuesAndTypes) {
  testing::TempDir dir;
  std::string path = dir.file("jobq.toml");
  std::ofstream(path) << "[queues.mail]\nmax_running = 5\ndead_letter_cap = 50\n"
                         "[types.charge]\nstarts = { count = 10, period_ms = 1000 }\n";
  Config c;
  Status s = apply_toml_file(c, path);
  ASSERT_TRUE(s.ok()) << s.to_string();
  ASSERT_EQ(c.limits.size(), 2u);
  EXPECT_EQ(c.limits[0].scope, LimitScope::queue);
  EXPECT_EQ(c.limits[0].name, "mail");
  EXPECT_EQ(c.limits[0].limits, (Limits{5, {}}));
  EXPECT_EQ(c.limits[1].scope, LimitScope::type);
  EXPECT_EQ(c.limits[1].limits, (Limits{0, {10, 1000}}));
  EXPECT_EQ(c.retention.queues.at("mail").dead_letter_cap, 50u);
}

TEST(Config, TiersAndTheDefaultTierComeFromTheFile) {
  testing::TempDir dir;
  std::string path = dir.file("jobq.toml");
  std::ofstream(path) << "default_tier = \"free\"\n"
                         "[tiers.free]\nsubmits = { count = 5, period_ms = 86400000 }\n"
                         "[tiers.paid]\nsubmits = { count = 1000, period_ms = 3600000 }\n"
                         "max_running = 10\n"
                         "[tiers.team]\nmax_running = 3\n";
  Config c;
  Status s = apply_toml_file(c, path);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_TRUE(validate(c).ok());
  EXPECT_EQ(c.default_tier, "free");
  EXPECT_EQ(c.tiers.at("free"), (Rate{5, 86'400'000}));
  EXPECT_EQ(c.tiers.at("paid"), (Rate{1000, 3'600'000}));
  EXPECT_EQ(c.tiers.at("team"), Rate{}) << "a tier with a running cap and no submit quota";
  EXPECT_EQ(c.tier_max_running, (std::map<std::string, std::int64_t>{{"paid", 10}, {"team", 3}}));

  Config unknown;
  ASSERT_TRUE(apply_setting(unknown, "default_tier", "gold").ok());
  EXPECT_EQ(validate(unknown).field(), "default_tier");

  Config key_tier;
  ASSERT_TRUE(apply_setting(key_tier, "api_keys", "k:producer/gold").ok());
  EXPECT_EQ(validate(key_tier).field(), "api_keys");
  key_tier.tiers["gold"] = Rate{10, 1000};
  EXPECT_TRUE(validate(key_tier).ok()) << validate(key_tier).to_string();
}

TEST(Config, ABadTierNamesItsField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[tiers.free]\nsubmits = { count = 5 }\n", "tiers.free.submits.period_ms"},
      {"[tiers.free]\nsubmits = { count = 0, period_ms = 1000 }\n", "tiers.free.submits.count"},
      {"[tiers.free]\nsubmits = 5\n", "tiers.free.submits"},
      {"[tiers.free]\nmax_running = 0\n", "tiers.free.max_running"},
      {"[tiers.free]\nmax_running = \"5\"\n", "tiers.free.max_running"},
      {"[tiers.free]\nmax_burst = 5\n", "tiers.free.max_burst"},
      {"[tiers.free]\n", "tiers.free.submits"},
      {"tiers = 5\n", "tiers"},
  };
  expect_files_refused(cases);
}

TEST(Config, ABadLimitNamesItsTableAndField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[queues.mail]\nmax_running = -1\n", "queues.mail.max_running"},
      {"[queues.mail]\nmax_running = \"many\"\n", "queues.mail.max_running"},
      {"[queues.mail]\nstarts = { count = 10 }\n", "queues.mail.starts.period_ms"},
      {"[queues.mail]\nstarts = { count = 10, period_ms = 1000, burst = 3 }\n",
       "queues.mail.starts.burst"},
      {"[types.charge]\nretain_failed_ms = 5\n", "types.charge.retain_failed_ms"},
      {"[types.\"bad type\"]\nmax_running = 5\n", "types.bad type"},
      {"types = 5\n", "types"},
  };
  expect_files_refused(cases);
}

TEST(Config, ABadQueueSettingNamesTheQueueAndTheSetting) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[queues.mail]\nretain_completed_ms = -5\n", "queues.mail.retain_completed_ms"},
      {"[queues.mail]\nretain_completed_ms = \"1h\"\n", "queues.mail.retain_completed_ms"},
      {"[queues.mail]\nlisten = 5\n", "queues.mail.listen"},
      {"[queues.\"bad queue\"]\ndead_letter_cap = 5\n", "queues.bad queue.dead_letter_cap"},
      {"[queues]\nmail = 5\n", "queues"},
      {"queues = 5\n", "queues"},
  };
  expect_files_refused(cases);
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
