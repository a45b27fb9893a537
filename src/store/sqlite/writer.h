// The sqlite store's writes, with group commit: operations posted while a transaction commits
// are gathered into the next one, and each is answered only after the transaction holding it has
// committed (or rolled back). While writes come one at a time, one posted while nothing commits
// is committed at once on the caller's thread (no thread hop to the writer and back: LevelDB's
// writer, who commits for the group it leads); under load (the last group had company, or
// writes arrived while it committed) they go to the writer thread, so that no caller's event
// loop waits on the disk for others. One group at a time, its Dones before the next group.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "jobq/error.h"
#include "store/sqlite/database.h"

namespace jobq::sqlite {

class Writer {
 public:
  // Runs inside the open transaction, on the thread committing the group. May throw
  // (SqliteError, say), which rolls the whole group back.
  using Work = std::function<void()>;
  // Runs on the thread that committed the group, after it ended: ok if committed, else why not.
  using Done = std::function<void(const Status&)>;

  // `rolled_back` runs after a failed group, before any Done, so that the store can rebuild
  // what it keeps in memory from the durable record.
  Writer(Database& db, std::size_t max_group, std::function<void()> rolled_back);
  ~Writer();  // finishes every posted operation, then stops

  void post(Work work, Done done);

  std::uint64_t commits() const { return commits_; }

 private:
  struct Op {
    Work work;
    Done done;
  };
  void loop();
  // Under `lock`, with committing_ just set: takes the next group from pending_, commits it and
  // runs its Dones (unlocked meanwhile), then clears committing_.
  void lead(std::unique_lock<std::mutex>& lock);
  Status commit_group(std::deque<Op>& group);

  Database& db_;
  std::size_t max_group_;
  std::function<void()> rolled_back_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Op> pending_;
  bool committing_ = false;  // a group is being committed or answered
  bool quiet_ = true;        // the last group was one write, and none came while it committed
  bool stopping_ = false;
  std::atomic<std::uint64_t> commits_{0};
  std::thread thread_;
};

}  // namespace jobq::sqlite
