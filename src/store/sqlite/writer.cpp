#include "store/sqlite/writer.h"

#include <future>

namespace jobq::sqlite {

namespace {
thread_local const Writer* tl_in_group = nullptr;
}  // namespace

Writer::Writer(Database& db, std::size_t max_group, std::function<void()> rolled_back)
    : db_(db),
      max_group_(max_group),
      rolled_back_(std::move(rolled_back)),
      thread_([this] { loop(); }) {}

Writer::~Writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Writer::post(Work work, Done done) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({std::move(work), std::move(done)});
  }
  wake_.notify_one();
}

bool Writer::in_group() const {
  return tl_in_group == this;
}

Status Writer::run(Work work) {
  std::promise<Status> answer;
  auto future = answer.get_future();
  post(std::move(work), [&answer](const Status& s) { answer.set_value(s); });
  return future.get();
}

void Writer::loop() {
  std::deque<Op> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and everything answered
      while (!pending_.empty() && group.size() < max_group_) {
        group.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }
    Status status = commit_group(group);
    for (Op& op : group) op.done(status);
    group.clear();
  }
}

Status Writer::commit_group(std::deque<Op>& group) {
  try {
    db_.exec("BEGIN IMMEDIATE");
  } catch (const SqliteError& e) {
    return Error::unavailable(std::string("store: cannot begin a transaction: ") + e.what());
  }
  try {
    tl_in_group = this;
    for (Op& op : group) op.work();
    tl_in_group = nullptr;
    db_.exec("COMMIT");
    ++commits_;
    return {};
  } catch (const std::exception& e) {  // SqliteError, or a failure of some work's own
    tl_in_group = nullptr;
    if (!sqlite3_get_autocommit(db_.handle())) {
      try {
        db_.exec("ROLLBACK");
      } catch (const SqliteError&) {
        // The connection rolled back by itself (SQLite does on some I/O errors).
      }
    }
    rolled_back_();
    return Error::unavailable(std::string("store: write failed, nothing was written: ") + e.what());
  }
}

}  // namespace jobq::sqlite
