#include "server/request/long_poll.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace jobq::server {
namespace {

// Timers that fire only when the test says so.
class HandTimers : public Timers {
 public:
  Id after(std::chrono::milliseconds, std::function<void()> fn) override {
    pending_[next_] = std::move(fn);
    return next_++;
  }
  bool cancel(Id id) override { return pending_.erase(id) > 0; }
  void fire_all() {
    auto due = std::move(pending_);
    pending_.clear();
    for (auto& [id, fn] : due) fn();
  }
  std::size_t pending() const { return pending_.size(); }

 private:
  Id next_ = 1;
  std::map<Id, std::function<void()>> pending_;
};

struct Poll {
  HandTimers timers;
  ClientGone gone;
  std::vector<int> answers;
  int releases = 0;
  std::shared_ptr<LongPoll<int>> poll =
      LongPoll<int>::make(timers, [this](int value) { answers.push_back(value); });

  void wait(std::function<bool()> withdraw = [] { return true; }) {
    poll->wait(
        std::chrono::milliseconds(100), gone,
        {.withdraw = std::move(withdraw),
         .answer = [](PollEnd why, auto answer) { answer(why == PollEnd::time_up ? 0 : -1); },
         .release = [this] { ++releases; }});
  }
};

TEST(LongPoll, TheEventAnswersOnceAndCancelsTheTimer) {
  Poll p;
  p.wait();
  EXPECT_TRUE(p.poll->answer(7));
  EXPECT_FALSE(p.poll->answer(8));
  p.gone.fire();
  p.timers.fire_all();
  EXPECT_EQ(p.answers, std::vector<int>{7});
  EXPECT_EQ(p.releases, 1);
  EXPECT_EQ(p.timers.pending(), 0u);
}

TEST(LongPoll, TheTimerAnswersWhenNoEventCame) {
  Poll p;
  p.wait();
  p.timers.fire_all();
  EXPECT_FALSE(p.poll->answer(7));
  p.gone.fire();
  EXPECT_EQ(p.answers, std::vector<int>{0});
  EXPECT_EQ(p.releases, 1);
}

TEST(LongPoll, AHangUpAnswersAndTheTimerThenDoesNothing) {
  Poll p;
  p.wait();
  p.gone.fire();
  p.timers.fire_all();
  EXPECT_EQ(p.answers, std::vector<int>{-1});
  EXPECT_EQ(p.releases, 1);
}

TEST(LongPoll, AnEventThatCannotBeWithdrawnIsTheAnswer) {
  Poll p;
  int withdrawals = 0;
  p.wait([&] {
    ++withdrawals;
    return false;
  });
  p.timers.fire_all();
  p.gone.fire();
  EXPECT_TRUE(p.answers.empty());
  EXPECT_TRUE(p.poll->answer(7));
  EXPECT_EQ(p.answers, std::vector<int>{7});
  EXPECT_EQ(withdrawals, 1);
}

TEST(LongPoll, AnAnswerBeforeTheWaitArmsNothingAndReleasesOnce) {
  Poll p;
  EXPECT_TRUE(p.poll->answer(7));
  p.wait();
  EXPECT_EQ(p.timers.pending(), 0u);
  p.gone.fire();
  EXPECT_EQ(p.answers, std::vector<int>{7});
  EXPECT_EQ(p.releases, 1);
}

TEST(LongPoll, AClientGoneBeforeTheWaitEndsItAtOnce) {
  Poll p;
  p.gone.fire();
  p.wait();
  EXPECT_EQ(p.answers, std::vector<int>{-1});
  EXPECT_EQ(p.releases, 1);
}

}  // namespace
}  // namespace jobq::server
