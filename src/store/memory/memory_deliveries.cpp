// The memory store's webhook outbox: deliveries by id, with the pending ones by due time and the
// dead ones by their last attempt, under the store's one lock.
#include "store/delivery_rules.h"
#include "store/memory/memory_store.h"

namespace jobq {

void MemoryStore::put_delivery(Delivery d) {
  drop_delivery(d.id);
  if (d.status == DeliveryStatus::pending)
    due_.insert({d.next_at, d.id});
  else
    dead_.insert({d.updated_at, d.id});
  std::string id = d.id;
  deliveries_.emplace(std::move(id), std::move(d));
}

void MemoryStore::drop_delivery(const std::string& id) {
  auto it = deliveries_.find(id);
  if (it == deliveries_.end()) return;
  due_.erase({it->second.next_at, id});
  dead_.erase({it->second.updated_at, id});
  deliveries_.erase(it);
}

Status MemoryStore::add_deliveries(std::vector<Delivery> deliveries,
                                   const std::vector<std::string>&) {
  std::lock_guard lock(mutex_);
  for (Delivery& d : deliveries) put_delivery(std::move(d));
  return {};
}

Result<std::vector<Delivery>> MemoryStore::claim_deliveries(Millis now, Millis hold_ms,
                                                            std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (auto it = due_.begin(); it != due_.end() && it->first <= now && ids.size() < limit; ++it)
    ids.push_back(it->second);
  std::vector<Delivery> out;
  for (const std::string& id : ids) {
    Delivery d = deliveries_.at(id);
    claim(d, now, hold_ms);
    put_delivery(d);
    out.push_back(std::move(d));
  }
  return out;
}

Status MemoryStore::settle_delivery(const std::string& id, const std::string& token,
                                    const std::optional<Delivery>& next) {
  std::lock_guard lock(mutex_);
  auto it = deliveries_.find(id);
  if (it == deliveries_.end()) return delivery_not_found(id);
  if (Status s = check_claim(it->second, token); !s.ok()) return s;
  if (next)
    put_delivery(*next);
  else
    drop_delivery(id);
  return {};
}

Result<Delivery> MemoryStore::redeliver(const std::string& id, Millis now) {
  std::lock_guard lock(mutex_);
  auto it = deliveries_.find(id);
  if (it == deliveries_.end()) return delivery_not_found(id);
  Delivery d = it->second;
  if (Status s = jobq::redeliver(d, now); !s.ok()) return s;
  put_delivery(d);
  return d;
}

Result<Delivery> MemoryStore::remove_delivery(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = deliveries_.find(id);
  if (it == deliveries_.end()) return delivery_not_found(id);
  Delivery out = it->second;
  drop_delivery(id);
  return out;
}

Result<std::size_t> MemoryStore::purge_deliveries(Millis before, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::size_t dropped = 0;
  while (!dead_.empty() && dead_.begin()->first < before && dropped < limit) {
    std::string id = dead_.begin()->second;
    drop_delivery(id);
    ++dropped;
  }
  return dropped;
}

Result<std::optional<Delivery>> MemoryStore::get_delivery(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = deliveries_.find(id);
  if (it == deliveries_.end()) return std::optional<Delivery>();
  return std::optional<Delivery>(it->second);
}

Result<DeliveryPage> MemoryStore::list_deliveries(const DeliveryFilter& filter) {
  std::lock_guard lock(mutex_);
  DeliveryPage page;
  auto it = filter.cursor.empty() ? deliveries_.end() : deliveries_.lower_bound(filter.cursor);
  while (it != deliveries_.begin()) {
    --it;
    const Delivery& d = it->second;
    if (filter.status && d.status != *filter.status) continue;
    if (!filter.job_id.empty() && d.job_id != filter.job_id) continue;
    if (page.deliveries.size() == filter.limit) {
      page.next_cursor = page.deliveries.back().id;
      break;
    }
    page.deliveries.push_back(d);
  }
  return page;
}

Result<std::optional<Millis>> MemoryStore::next_delivery_at() {
  std::lock_guard lock(mutex_);
  if (due_.empty()) return std::optional<Millis>();
  return std::optional<Millis>(due_.begin()->first);
}

Result<DeliveryCounts> MemoryStore::count_deliveries() {
  std::lock_guard lock(mutex_);
  return DeliveryCounts{std::int64_t(due_.size()), std::int64_t(dead_.size())};
}

}  // namespace jobq
