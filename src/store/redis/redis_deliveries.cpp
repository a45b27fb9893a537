// The redis store's webhook outbox: a hash per delivery and the sets that order them
// (lua/common.lua); each write is one script, so that claims are safe across nodes.
#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>

#include "core/ids.h"
#include "store/redis/job_fields.h"
#include "store/redis/redis_store.h"

namespace jobq {

using redis::at;
using redis::int_text;
using redis::text;

namespace {

// The most one claim takes: each delivery it may take needs a token made here beforehand.
constexpr std::size_t kMostClaimed = 1000;

std::string count_text(std::size_t n) {
  return int_text(std::int64_t(
      std::min<std::size_t>(n, std::size_t(std::numeric_limits<std::int64_t>::max()))));
}

// As common.lua's delivery_at reads it: a count, then every field and its value.
void add_delivery(std::vector<std::string>& args, const Delivery& d) {
  std::string fields[] = {"id",          d.id,
                          "job_id",      d.job_id,
                          "url",         d.url,
                          "event",       d.event,
                          "body",        d.body,
                          "status",      std::string(to_string(d.status)),
                          "attempts",    int_text(d.attempts),
                          "next_at",     int_text(d.next_at),
                          "created_at",  int_text(d.created_at),
                          "updated_at",  int_text(d.updated_at),
                          "last_status", int_text(d.last_status),
                          "last_error",  d.last_error,
                          "token",       d.token};
  args.push_back(int_text(std::int64_t(std::size(fields) / 2)));
  std::move(std::begin(fields), std::end(fields), std::back_inserter(args));
}

// A delivery that does not read is a store failure, not a caller's error.
Error unreadable(std::string_view why) {
  return Error(ErrorCode::internal, "redis store: a webhook delivery " + std::string(why));
}

bool whole(std::string_view s, std::int64_t& n) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// From its hash's field/value pairs (HGETALL, or a script's answer).
Result<Delivery> delivery_from_fields(const redisReply& flat) {
  Delivery d;
  std::int64_t attempts = 0, last_status = 0;
  const std::pair<std::string_view, std::string*> texts[] = {
      {"id", &d.id},     {"job_id", &d.job_id},         {"url", &d.url},    {"event", &d.event},
      {"body", &d.body}, {"last_error", &d.last_error}, {"token", &d.token}};
  const std::pair<std::string_view, std::int64_t*> numbers[] = {{"attempts", &attempts},
                                                                {"next_at", &d.next_at},
                                                                {"created_at", &d.created_at},
                                                                {"updated_at", &d.updated_at},
                                                                {"last_status", &last_status}};
  for (std::size_t i = 0; i + 1 < flat.elements; i += 2) {
    std::string_view name = text(at(flat, i)), value = text(at(flat, i + 1));
    for (const auto& [field, out] : texts)
      if (name == field) *out = value;
    for (const auto& [field, out] : numbers)
      if (name == field && !whole(value, *out))
        return unreadable(std::string(name) + " is not a whole number: " + std::string(value));
    if (name == "status") {
      auto status = delivery_status_from_string(value);
      if (!status) return unreadable("has an unknown status: " + std::string(value));
      d.status = *status;
    }
  }
  d.attempts = int(attempts);
  d.last_status = int(last_status);
  return d;
}

// {'ok', fields...}: a delivery per element.
Result<std::vector<Delivery>> deliveries_from(const Result<redis::Reply>& r) {
  if (!r) return r.error();
  std::vector<Delivery> out;
  out.reserve((*r)->elements - 1);
  for (std::size_t i = 1; i < (*r)->elements; ++i) {
    auto d = delivery_from_fields(at(**r, i));
    if (!d) return d.error();
    out.push_back(std::move(*d));
  }
  return out;
}

// {'ok', fields}: one delivery.
Result<Delivery> delivery_from(const Result<redis::Reply>& r) {
  if (!r) return r.error();
  return delivery_from_fields(at(**r, 1));
}

}  // namespace

Status RedisStore::add_deliveries(std::vector<Delivery> deliveries,
                                  const std::vector<std::string>& ended) {
  std::vector<std::string> args{int_text(std::int64_t(ended.size()))};
  args.insert(args.end(), ended.begin(), ended.end());
  for (const Delivery& d : deliveries) add_delivery(args, d);
  auto r = write_script("add_deliveries", args);
  return r ? Status() : Status(r.error());
}

Result<std::vector<Delivery>> RedisStore::claim_deliveries(Millis now, Millis hold_ms,
                                                           std::size_t limit) {
  std::vector<std::string> args{int_text(now), int_text(hold_ms)};
  for (std::size_t i = 0; i < std::min(limit, kMostClaimed); ++i) args.push_back(new_lease_token());
  return deliveries_from(write_script("claim_deliveries", args));
}

Status RedisStore::settle_delivery(const std::string& id, const std::string& token,
                                   const std::optional<Delivery>& next) {
  std::vector<std::string> args{id, token};
  if (next) add_delivery(args, *next);
  auto r = write_script("settle_delivery", args);
  return r ? Status() : Status(r.error());
}

Result<Delivery> RedisStore::redeliver(const std::string& id, Millis now) {
  return delivery_from(write_script("redeliver", {id, int_text(now)}));
}

Result<Delivery> RedisStore::remove_delivery(const std::string& id) {
  return delivery_from(write_script("remove_delivery", {id}));
}

Result<std::size_t> RedisStore::purge_deliveries(Millis before, std::size_t limit) {
  auto r = write_script("purge_deliveries", {int_text(before), count_text(limit)});
  if (!r) return r.error();
  std::int64_t dropped = 0;
  if (!whole(text(at(**r, 1)), dropped)) return unreadable("purge answered no count");
  return std::size_t(dropped);
}

Result<std::optional<Delivery>> RedisStore::get_delivery(const std::string& id) {
  auto r = read_call({"HGETALL", scripts_.prefix() + "delivery:" + id});
  if (!r) return r.error();
  if ((*r)->type == REDIS_REPLY_ERROR) return redis::reply_error("reading delivery " + id, **r);
  if ((*r)->elements == 0) return std::optional<Delivery>();
  auto d = delivery_from_fields(**r);
  if (!d) return d.error();
  return std::optional<Delivery>(std::move(*d));
}

Result<DeliveryPage> RedisStore::list_deliveries(const DeliveryFilter& filter) {
  std::string status = filter.status ? std::string(to_string(*filter.status)) : "";
  auto found = deliveries_from(read_script(
      "list_deliveries", {status, filter.job_id, count_text(filter.limit), filter.cursor}));
  if (!found) return found.error();
  DeliveryPage page{std::move(*found), ""};
  if (page.deliveries.size() > filter.limit) {
    page.deliveries.resize(filter.limit);
    if (!page.deliveries.empty()) page.next_cursor = page.deliveries.back().id;
  }
  return page;
}

Result<std::optional<Millis>> RedisStore::next_delivery_at() {
  auto r = read_call({"ZRANGE", scripts_.prefix() + "deliveries:due", "0", "0", "WITHSCORES"});
  if (!r) return r.error();
  if ((*r)->type == REDIS_REPLY_ERROR) return redis::reply_error("reading deliveries:due", **r);
  if ((*r)->elements < 2) return std::optional<Millis>();
  Millis at_ms = 0;
  if (!whole(text(at(**r, 1)), at_ms)) return unreadable("is due at no whole time");
  return std::optional<Millis>(at_ms);
}

Result<std::vector<std::string>> RedisStore::owed_webhooks(Millis before, std::size_t limit) {
  auto r = read_call({"ZRANGE", scripts_.prefix() + "webhooks:owed", "-inf", int_text(before),
                      "BYSCORE", "LIMIT", "0", int_text(std::int64_t(limit))});
  if (!r) return r.error();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < (*r)->elements; ++i) ids.emplace_back(redis::text(redis::at(**r, i)));
  return ids;
}

// Marks the store as having hooks, which every job that ends then owes until paid (save() in
// common.lua). Never unmarked: a node without hooks pays its jobs' debts with no deliveries.
void RedisStore::note_webhooks() {
  read_call({"SET", scripts_.prefix() + "webhooks:hooked", "1"});
}

Result<DeliveryCounts> RedisStore::count_deliveries() {
  DeliveryCounts out;
  for (auto [set, into] :
       {std::pair{"deliveries:pending", &out.pending}, std::pair{"deliveries:dead", &out.dead}}) {
    auto r = read_call({"ZCARD", scripts_.prefix() + set});
    if (!r) return r.error();
    if ((*r)->type != REDIS_REPLY_INTEGER) return unreadable(std::string(set) + " is not a set");
    *into = (*r)->integer;
  }
  return out;
}

}  // namespace jobq
