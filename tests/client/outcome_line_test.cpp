// The worker's line of outcomes: one in flight goes alone and at once; those that arrive while a
// call is out go together in the next (or beside it, when two calls may be out); a group refused
// as a whole for one item is sent again item by item.
#include "client/outcome_line.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/eventually.h"

namespace jobq {
namespace {

using testing::eventually;

struct Call {
  std::vector<std::string> ids;
  int jobs_wanted;
};

// A source that answers every item ok (or as `refuse` says) and leases as many jobs as asked for
// plus `surplus`; records every call.
class Recorder {
 public:
  JobSource::Handoff operator()(const std::vector<AckItem>& items, int jobs_wanted) {
    std::vector<std::string> ids;
    for (const auto& i : items) ids.push_back(i.id);
    std::size_t index;
    {
      std::lock_guard lock(m);
      calls.push_back({ids, jobs_wanted});
      index = calls.size();
    }
    if (index == 1 && hold_first) first_may_answer.wait();
    JobSource::Handoff h;
    for (const auto& i : items) h.outcomes.push_back(refuse ? refuse(items, i) : Status{});
    for (int n = 0; n < jobs_wanted + surplus; ++n) {
      Job j;
      j.id = "leased-" + std::to_string(index) + "-" + std::to_string(n);
      h.jobs.push_back(j);
    }
    return h;
  }

  std::vector<Call> recorded() {
    std::lock_guard lock(m);
    return calls;
  }

  bool hold_first = false;
  std::shared_future<void> first_may_answer;
  std::function<Status(const std::vector<AckItem>&, const AckItem&)> refuse;
  int surplus = 0;

 private:
  std::mutex m;
  std::vector<Call> calls;
};

OutcomeLine::Outcome outcome(const std::string& id, bool wants_job = true) {
  return {AckItem{id, "token-" + id}, wants_job};
}

// Sends outs[0], whose call the source holds; then the others, which queue behind it; then lets
// the first call answer and waits for every slot.
::testing::AssertionResult send_behind_a_held_call(Recorder& source, OutcomeLine& line,
                                                   std::vector<OutcomeLine::Outcome>& outs) {
  std::promise<void> open;
  source.hold_first = true;
  source.first_may_answer = open.get_future().share();
  std::vector<std::thread> slots;
  slots.emplace_back([&] { line.send(outs[0]); });
  bool held = eventually([&] { return source.recorded().size() == 1; });
  for (std::size_t i = 1; held && i < outs.size(); ++i)
    slots.emplace_back([&, i] { line.send(outs[i]); });
  bool queued = held && eventually([&] { return line.waiting() == outs.size(); });
  open.set_value();
  for (auto& t : slots) t.join();
  if (!held) return ::testing::AssertionFailure() << "the first call never came";
  if (!queued) return ::testing::AssertionFailure() << "the others never queued";
  return ::testing::AssertionSuccess();
}

TEST(OutcomeLine, OneOutcomeGoesAtOnceAndAlone) {
  Recorder source;
  OutcomeLine line(std::ref(source));
  auto mine = outcome("a");
  line.send(mine);
  ASSERT_EQ(source.recorded().size(), 1u);
  EXPECT_EQ(source.recorded()[0].ids, std::vector<std::string>{"a"});
  EXPECT_EQ(source.recorded()[0].jobs_wanted, 1);
  EXPECT_TRUE(mine.status.ok());
  ASSERT_EQ(mine.jobs.size(), 1u);
  EXPECT_EQ(line.waiting(), 0u);
}

TEST(OutcomeLine, OutcomesThatArriveWhileACallIsOutGoTogetherInTheNext) {
  Recorder source;
  OutcomeLine line(std::ref(source));
  std::vector<OutcomeLine::Outcome> outs = {outcome("a"), outcome("b"), outcome("c", false),
                                            outcome("d")};
  ASSERT_TRUE(send_behind_a_held_call(source, line, outs));

  auto calls = source.recorded();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].ids, std::vector<std::string>{"a"});
  auto second = calls[1].ids;
  std::sort(second.begin(), second.end());
  EXPECT_EQ(second, (std::vector<std::string>{"b", "c", "d"}));
  EXPECT_EQ(calls[1].jobs_wanted, 2);  // c wants none
  for (const auto& o : outs) EXPECT_TRUE(o.status.ok()) << o.item.id;
  EXPECT_EQ(outs[0].jobs.size(), 1u);
  EXPECT_EQ(outs[1].jobs.size(), 1u);
  EXPECT_EQ(outs[2].jobs.size(), 0u);
  EXPECT_EQ(outs[3].jobs.size(), 1u);
  EXPECT_EQ(line.waiting(), 0u);
}

TEST(OutcomeLine, WithTwoCallsOutASecondGoesWhileTheFirstIsHeld) {
  Recorder source;
  std::promise<void> open;
  source.hold_first = true;
  source.first_may_answer = open.get_future().share();
  OutcomeLine line(std::ref(source), 2);
  auto a = outcome("a"), b = outcome("b");
  std::thread first([&] { line.send(a); });
  ASSERT_TRUE(eventually([&] { return source.recorded().size() == 1; }));
  line.send(b);  // answered while the first call is still held
  EXPECT_TRUE(b.status.ok());
  EXPECT_EQ(b.jobs.size(), 1u);
  EXPECT_EQ(line.waiting(), 1u);  // a, still out
  open.set_value();
  first.join();
  auto calls = source.recorded();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].ids, std::vector<std::string>{"a"});
  EXPECT_EQ(calls[1].ids, std::vector<std::string>{"b"});
  EXPECT_TRUE(a.status.ok());
  EXPECT_EQ(line.waiting(), 0u);
}

TEST(OutcomeLine, AGroupRefusedAsAWholeIsSentAgainItemByItem) {
  Recorder source;
  // Like /ack with one result that is not JSON: the whole request is refused.
  source.refuse = [](const std::vector<AckItem>& items, const AckItem&) -> Status {
    for (const auto& i : items) {
      if (i.id == "bad") return Error(ErrorCode::invalid_argument, "not JSON", "result");
    }
    return {};
  };
  OutcomeLine line(std::ref(source));
  std::vector<OutcomeLine::Outcome> outs = {outcome("first"), outcome("good"), outcome("bad")};
  ASSERT_TRUE(send_behind_a_held_call(source, line, outs));

  EXPECT_TRUE(outs[0].status.ok());
  EXPECT_TRUE(outs[1].status.ok()) << outs[1].status.to_string();
  EXPECT_EQ(outs[2].status.code(), ErrorCode::invalid_argument);
  auto calls = source.recorded();
  ASSERT_EQ(calls.size(), 4u);  // first; good and bad together; then each alone
  EXPECT_EQ(calls[1].ids.size(), 2u);
  EXPECT_EQ(calls[2].ids.size(), 1u);
  EXPECT_EQ(calls[3].ids.size(), 1u);
  EXPECT_EQ(outs[1].jobs.size(), 1u);
  EXPECT_EQ(outs[2].jobs.size(), 1u);
}

TEST(OutcomeLine, JobsBeyondThoseAskedForGoToTheSenderNotLost) {
  Recorder source;
  source.surplus = 2;
  OutcomeLine line(std::ref(source));
  auto mine = outcome("a", false);
  line.send(mine);
  EXPECT_EQ(mine.jobs.size(), 2u);
}

}  // namespace
}  // namespace jobq
