// Queues: pausing and resuming.
#include <gtest/gtest.h>

#include <atomic>

#include "store/conformance.h"
#include "support/eventually.h"

namespace jobq::testing {

TEST_P(StoreConformance, PausedQueueLeasesNothingUntilResumed) {
  Job image = f.submit("resize", "images");
  Job mail = f.submit("email", "mail");
  ASSERT_TRUE(engine().pause_queue("images").ok());
  EXPECT_EQ(*engine().paused_queues(), std::vector<std::string>{"images"});
  auto leased = f.lease(5, {"images", "mail"});
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].id, mail.id);
  EXPECT_EQ(f.get(image.id).status, JobStatus::queued);

  std::atomic<bool> woken{false};
  LeaseRequest waiting{.worker_id = "w2", .queues = {"images"}};
  engine().lease_async(waiting, [&](Result<std::vector<Job>> r) {
    EXPECT_TRUE(r.ok() && r->size() == 1 && r->front().id == image.id);
    woken = true;
  });
  EXPECT_FALSE(woken);
  ASSERT_TRUE(engine().resume_queue("images").ok());
  // Resuming serves the waiting lease (with no sweeper here, nothing else could).
  EXPECT_TRUE(testing::eventually([&] { return woken.load(); }));
  EXPECT_TRUE(engine().paused_queues()->empty());
}

}  // namespace jobq::testing
