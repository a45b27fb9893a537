// Reads: listing with filters and cursors, and stats.
#include <gtest/gtest.h>

#include <set>

#include "store/conformance.h"

namespace jobq::testing {

TEST_P(StoreConformance, ListFiltersByEveryField) {
  JobSpec s1 = f.spec("email", "mail");
  s1.user_id = "u1";
  s1.tags = {"vip", "eu"};
  Job j1 = f.submit(s1);
  f.clock.advance(1000);
  JobSpec s2 = f.spec("video", "media");
  s2.user_id = "u2";
  s2.tags = {"eu"};
  Job j2 = f.submit(s2);
  f.clock.advance(1000);
  Job j3 = f.submit("email", "mail");
  auto ids = [&](JobFilter filter) {
    std::vector<std::string> out;
    auto page = engine().list(filter, {});
    EXPECT_TRUE(page.ok());
    for (const auto& j : page->jobs) out.push_back(j.id);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}), (V{j3.id, j2.id, j1.id}));  // newest first by default
  EXPECT_EQ(ids({.queue = "mail"}), (V{j3.id, j1.id}));
  EXPECT_EQ(ids({.type = "video"}), (V{j2.id}));
  EXPECT_EQ(ids({.user_id = "u1"}), (V{j1.id}));
  EXPECT_EQ(ids({.tag = "eu"}), (V{j2.id, j1.id}));
  EXPECT_EQ(ids({.created_after = j2.created_at}), (V{j3.id, j2.id}));
  EXPECT_EQ(ids({.created_before = j2.created_at}), (V{j1.id}));
  f.lease(1, {"media"});
  EXPECT_EQ(ids({.statuses = {JobStatus::running}}), (V{j2.id}));
  EXPECT_EQ(ids({.statuses = {JobStatus::queued}, .queue = "mail"}), (V{j3.id, j1.id}));
}

TEST_P(StoreConformance, CursorPagesCoverEveryJobOnceInOrder) {
  for (int i = 0; i < 23; ++i) {
    f.submit("t", "default", i % 3 * 10);
    f.clock.advance(1);
  }
  for (SortField sort : {SortField::created_at, SortField::priority, SortField::updated_at}) {
    for (bool desc : {true, false}) {
      ListOptions o;
      o.sort = sort;
      o.descending = desc;
      o.limit = 5;
      std::vector<Job> all;
      for (int page_no = 0; page_no < 10; ++page_no) {
        auto page = engine().list({}, o);
        ASSERT_TRUE(page.ok());
        all.insert(all.end(), page->jobs.begin(), page->jobs.end());
        if (page->next_cursor.empty()) break;
        o.cursor = page->next_cursor;
      }
      ASSERT_EQ(all.size(), 23u);
      std::set<std::string> ids;
      for (const auto& j : all) ids.insert(j.id);
      EXPECT_EQ(ids.size(), 23u);
      if (sort == SortField::priority) {
        for (std::size_t i = 1; i < all.size(); ++i) {
          EXPECT_TRUE(desc ? all[i - 1].priority >= all[i].priority
                           : all[i - 1].priority <= all[i].priority);
        }
      }
    }
  }
  ListOptions bad;
  bad.cursor = "garbage";
  EXPECT_EQ(engine().list({}, bad).error().field(), "cursor");
  bad.cursor.clear();
  bad.limit = 0;
  EXPECT_EQ(engine().list({}, bad).error().field(), "limit");
}

TEST_P(StoreConformance, StatsCountByStatusQueueAndTypeWithRunTimes) {
  for (int i = 0; i < 4; ++i) f.submit("render", "media");
  f.submit("email", "mail");
  for (int i = 0; i < 4; ++i) {
    Job job = f.lease(1, {"media"}).front();
    f.clock.advance(100 * (i + 1));
    if (i < 3)
      ASSERT_TRUE(engine().complete(job.id, job.lease_token, "1").ok());
    else
      ASSERT_TRUE(engine().fail(job.id, job.lease_token, {"x", "", false}).ok());
  }
  auto stats = engine().stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->by_status[int(JobStatus::completed)], 3);
  EXPECT_EQ(stats->by_status[int(JobStatus::failed)], 1);
  EXPECT_EQ(stats->by_status[int(JobStatus::queued)], 1);
  ASSERT_EQ(stats->by_queue.size(), 2u);
  EXPECT_EQ(stats->by_queue[1].first, "media");
  EXPECT_EQ(stats->by_queue[1].second[int(JobStatus::completed)], 3);
  ASSERT_EQ(stats->by_type.size(), 2u);
  const TypeStats& render = stats->by_type[1];
  EXPECT_EQ(render.type, "render");
  EXPECT_DOUBLE_EQ(render.mean_run_ms, 250.0);  // 100, 200, 300, 400
  EXPECT_DOUBLE_EQ(render.p95_run_ms, 400.0);
  EXPECT_DOUBLE_EQ(render.success_rate, 0.75);
}

}  // namespace jobq::testing
