#include "client/outcome_line.h"

#include <algorithm>

namespace jobq {

namespace {

// A call refused as a whole for what one outcome carries (a result that is not JSON, a body too
// large): each is sent again on its own, so that only that one is refused.
bool refused_whole(const JobSource::Handoff& h) {
  if (h.outcomes.size() < 2) return false;
  for (const Status& s : h.outcomes) {
    if (s.ok()) return false;
  }
  ErrorCode code = h.outcomes.front().code();
  return code == ErrorCode::invalid_argument || code == ErrorCode::payload_too_large;
}

}  // namespace

void OutcomeLine::send(Outcome& mine) {
  std::unique_lock lock(mutex_);
  line_.push_back(&mine);
  answered_.wait(lock, [&] { return mine.answered || line_.front() == &mine; });
  if (mine.answered) return;
  std::vector<Outcome*> group(line_.begin(), line_.begin() + std::min(line_.size(), kMaxGroup));
  lock.unlock();

  auto handoff = send_group(group);
  std::size_t next = 0;
  for (std::size_t i = 0; i < group.size(); ++i) {
    group[i]->status = std::move(handoff.outcomes.at(i));
    if (group[i]->wants_job && next < handoff.jobs.size())
      group[i]->jobs.push_back(std::move(handoff.jobs[next++]));
  }
  for (; next < handoff.jobs.size(); ++next) mine.jobs.push_back(std::move(handoff.jobs[next]));

  lock.lock();
  for (Outcome* o : group) {
    o->answered = true;
    line_.pop_front();
  }
  answered_.notify_all();
}

JobSource::Handoff OutcomeLine::send_group(const std::vector<Outcome*>& group) {
  std::vector<AckItem> items;
  int wanted = 0;
  for (const Outcome* o : group) {
    items.push_back(o->item);
    wanted += o->wants_job ? 1 : 0;
  }
  auto handoff = send_(items, wanted);
  if (!refused_whole(handoff)) return handoff;
  JobSource::Handoff each;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto alone = send_({items[i]}, group[i]->wants_job ? 1 : 0);
    each.outcomes.push_back(std::move(alone.outcomes.at(0)));
    for (Job& j : alone.jobs) each.jobs.push_back(std::move(j));
  }
  return each;
}

std::size_t OutcomeLine::waiting() const {
  std::lock_guard lock(mutex_);
  return line_.size();
}

}  // namespace jobq
