// The webhook sender: threads that claim the engine's due deliveries, send each (delivery.h) and
// settle it with what the send came to. The engine decides retries and dead-lettering; the outbox
// is the store's, so a delivery a sender had claimed when its process died is claimed again once
// the claim runs out (WebhookOptions::hold_ms), by this node or another.
//
// A sender wakes when a job ends (an event on the bus, this node's or relayed from another) and
// otherwise when the soonest pending delivery is due, looking again at least every idle_poll.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "jobq/engine.h"
#include "jobq/events.h"
#include "webhooks/delivery.h"

namespace jobq::webhooks {

struct SenderOptions {
  std::string secret;  // signs every body (signature.h)
  AddressPolicy policy;
  std::string ca_file;  // PEM roots trusted for https:// receivers; empty: the system's
  std::chrono::milliseconds timeout{10'000};  // one send, connect to last byte
  std::size_t max_response_bytes = 64 * 1024;
  int threads = 4;        // sends at once
  std::size_t batch = 8;  // deliveries one thread claims at a time
  std::chrono::milliseconds idle_poll{1000};
};

using SendFunction = std::function<DeliveryOutcome(const DeliveryRequest&)>;
using ErrorLog = std::function<void(const std::string&)>;

class Sender {
 public:
  Sender(Engine& engine, EventBus& bus, SenderOptions options, ErrorLog log,
         SendFunction send = deliver);
  ~Sender();  // stops
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void start();
  // Finishes the sends under way (each bounded by the timeout) and joins the threads. Claimed
  // deliveries not yet sent stay claimed until their hold runs out.
  void stop();

  // One round on the caller's thread: claims up to `batch` due deliveries, sends each and settles
  // it; how many it claimed. For tests and for the threads' loop.
  Result<std::size_t> send_due();

 private:
  void run();
  void settle(const Delivery& delivery, const DeliveryOutcome& outcome);
  void wake();

  Engine& engine_;
  EventBus& bus_;
  SenderOptions options_;
  ErrorLog log_;
  SendFunction send_;
  EventBus::SubscriptionId subscription_ = 0;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace jobq::webhooks
