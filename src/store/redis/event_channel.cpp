#include "store/redis/event_channel.h"

#include "core/ids.h"

namespace jobq::redis {

RedisEventChannel::RedisEventChannel(Address address, std::string channel)
    : address_(address),
      channel_(std::move(channel)),
      node_(new_lease_token() + "\n"),
      publisher_(address),
      subscriber_(address, /*waits_forever=*/true) {
  // Subscribed before the constructor returns: whatever another node publishes from then on is
  // heard (if Redis is there now; if not, the hearer keeps trying).
  bool subscribed = subscribe();
  sender_ = std::thread([this] { send_loop(); });
  hearer_ = std::thread([this, subscribed] { hear_loop(subscribed); });
}

bool RedisEventChannel::subscribe() {
  auto r = subscriber_.call({"SUBSCRIBE", channel_});
  if (r && (*r)->type != REDIS_REPLY_ERROR) return true;
  if (r) subscriber_.interrupt();  // refused (NOAUTH, say): start over on a new connection
  return false;
}

RedisEventChannel::~RedisEventChannel() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  sender_.join();
  // The hearer may be connecting as we interrupt, and block after: interrupt until it is out.
  while (!hearer_done_) {
    subscriber_.interrupt();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  hearer_.join();
}

void RedisEventChannel::publish(std::string message) {
  {
    std::lock_guard lock(mutex_);
    if (queued_.size() >= kMaxQueued) {
      queued_.pop_front();
      ++dropped_;
    }
    queued_.push_back(node_ + message);
  }
  wake_.notify_all();
}

void RedisEventChannel::listen(Heard heard) {
  std::lock_guard lock(heard_mutex_);
  heard_ = std::move(heard);
}

bool RedisEventChannel::pause_or_stop(std::chrono::milliseconds pause) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, pause, [this] { return stopping_; });
}

void RedisEventChannel::send_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    if (stopping_) return;
    std::vector<std::vector<std::string>> commands;
    while (!queued_.empty() && commands.size() < 1000) {
      commands.push_back({"PUBLISH", channel_, std::move(queued_.front())});
      queued_.pop_front();
    }
    lock.unlock();
    // At most once: a batch that meets a broken connection is not sent again.
    if (!publisher_.call_all(commands)) {
      dropped_ += commands.size();
      if (pause_or_stop(std::chrono::milliseconds(100))) return;
    }
    lock.lock();
  }
}

void RedisEventChannel::hear_loop(bool subscribed) {
  struct Done {
    std::atomic<bool>& done;
    ~Done() { done = true; }
  } done{hearer_done_};
  while (!pause_or_stop(std::chrono::milliseconds(0))) {
    if (!subscribed && !subscribe()) {
      if (pause_or_stop(std::chrono::milliseconds(200))) return;
      continue;
    }
    subscribed = false;  // once this connection goes, subscribe on the next
    for (;;) {
      auto reply = subscriber_.next_reply();
      if (!reply) break;  // gone (or interrupted): connect again
      const redisReply& r = **reply;
      if (r.type != REDIS_REPLY_ARRAY || r.elements != 3 || text(at(r, 0)) != "message") continue;
      std::string_view message = text(at(r, 2));
      if (message.substr(0, node_.size()) == node_) continue;
      auto eol = message.find('\n');
      if (eol == std::string_view::npos) continue;
      std::lock_guard lock(heard_mutex_);
      if (heard_) heard_(message.substr(eol + 1));
    }
    if (pause_or_stop(std::chrono::milliseconds(200))) return;
  }
}

}  // namespace jobq::redis
