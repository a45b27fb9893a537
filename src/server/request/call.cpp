#include "server/request/call.h"

#include <atomic>

namespace jobq::server {

const std::string& Call::param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return kEmpty;
}

std::optional<std::string> Call::query_value(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

void ClientGone::on_gone(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (!gone_) {
      fn_ = std::move(fn);
      return;
    }
  }
  fn();
}

void ClientGone::fire() {
  std::function<void()> fn;
  {
    std::lock_guard lock(mutex_);
    if (gone_) return;
    gone_ = true;
    fn = std::move(fn_);
  }
  if (fn) fn();
}

struct Responder::State {
  Sink sink;
  std::atomic<bool> answered{false};
  ~State() {
    if (!answered) sink([] { return error_reply(500, "internal", "the handler did not answer"); });
  }
};

Responder::Responder(Sink sink) : state_(std::make_shared<State>()) {
  state_->sink = std::move(sink);
}

void Responder::operator()(Reply reply) const {
  build([reply = std::make_shared<Reply>(std::move(reply))] { return std::move(*reply); });
}

void Responder::build(ReplyMaker make) const {
  if (state_->answered.exchange(true)) return;
  state_->sink(std::move(make));
}

}  // namespace jobq::server
