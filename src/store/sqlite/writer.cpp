#include "store/sqlite/writer.h"

namespace jobq::sqlite {

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
  std::unique_lock lock(mutex_);
  pending_.push_back({std::move(work), std::move(done)});
  if (committing_ || stopping_ || !quiet_) {
    wake_.notify_one();
    return;
  }
  committing_ = true;
  lead(lock);
}

void Writer::lead(std::unique_lock<std::mutex>& lock) {
  std::deque<Op> group;
  while (!pending_.empty() && group.size() < max_group_) {
    group.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
  lock.unlock();
  Status status = commit_group(group);
  for (Op& op : group) op.done(status);
  std::size_t size = group.size();
  group.clear();
  lock.lock();
  committing_ = false;
  quiet_ = size == 1 && pending_.empty();
  if (!pending_.empty()) wake_.notify_one();  // posted meanwhile: the writer thread takes them
}

void Writer::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return (stopping_ || !pending_.empty()) && !committing_; });
    if (pending_.empty()) return;  // stopping, and everything answered
    committing_ = true;
    lead(lock);
  }
}

Status Writer::commit_group(std::deque<Op>& group) {
  try {
    db_.exec("BEGIN IMMEDIATE");
  } catch (const SqliteError& e) {
    return Error::unavailable(std::string("store: cannot begin a transaction: ") + e.what());
  }
  try {
    for (Op& op : group) op.work();
    db_.exec("COMMIT");
    ++commits_;
    return {};
  } catch (const std::exception& e) {  // SqliteError, or a failure of some work's own
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
