// webhooks hooks|ls|show|retry|rm: the server's webhook settings and its outbox of deliveries
// (pending ones waiting for a send, dead ones out of attempts).
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "wire/delivery_json.h"

namespace jobq::cli {
namespace {

std::string delivery_status_text(const Delivery& d) {
  std::string s(to_string(d.status));
  if (!d.token.empty()) s += " (claimed)";  // a sender is sending it now
  return s;
}

// "503: HTTP 503: busy", "refused: ...", or "-" before any answer or error.
std::string last_text(const Delivery& d) {
  std::string status = d.last_status > 0 ? std::to_string(d.last_status) : "";
  if (d.last_error.empty()) return status.empty() ? "-" : status;
  return status.empty() ? d.last_error : status + ": " + d.last_error;
}

std::string any_if_empty(const std::string& name) {
  return name.empty() ? "*" : name;
}

void print_delivery_details(const Delivery& d) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"id", d.id},
      {"job", d.job_id},
      {"event", d.event},
      {"url", d.url},
      {"status", delivery_status_text(d)},
      {"attempts", std::to_string(d.attempts)},
  };
  if (d.status == DeliveryStatus::pending) rows.emplace_back("next attempt", time_text(d.next_at));
  rows.emplace_back("created", time_text(d.created_at));
  rows.emplace_back("updated", time_text(d.updated_at));
  if (d.last_status > 0) rows.emplace_back("last status", std::to_string(d.last_status));
  if (!d.last_error.empty()) rows.emplace_back("last error", d.last_error);
  rows.emplace_back("body", d.body);
  std::size_t width = 0;
  for (const auto& [name, value] : rows) width = std::max(width, name.size());
  for (const auto& [name, value] : rows)
    std::printf("%s:%s %s\n", name.c_str(), std::string(width - name.size(), ' ').c_str(),
                value.c_str());
}

void add_hooks(CLI::App& parent, Session& session) {
  auto json = std::make_shared<bool>(false);
  auto* c = parent.add_subcommand(
      "hooks", "whether jobqd calls webhooks, its [[webhooks]], attempts and dead retention");
  c->add_flag("--json", *json, "the answer as JSON");
  c->callback([&session, json] {
    auto s = session.client().webhooks();
    if (!s) return session.fail("webhooks hooks", s.error());
    if (*json) return print_json(webhook_settings_to_json(*s));
    if (s->enabled)
      std::printf("webhooks: on, %d attempts, dead kept %s\n", s->max_attempts,
                  duration_text(s->dead_retention_ms).c_str());
    else
      std::printf("webhooks: off (jobqd has no webhook_secret)\n");
    if (s->hooks.empty()) {
      if (s->enabled) std::printf("no [[webhooks]]: only jobs' callback_url are called\n");
      return;
    }
    Table table({"URL", "QUEUE", "TYPE", "EVENTS"});
    for (const WebhookHook& h : s->hooks) {
      std::string events;
      for (WebhookEvent e : h.events) {
        if (!events.empty()) events += ",";
        events += to_string(e);
      }
      table.add_row({h.url, any_if_empty(h.queue), any_if_empty(h.type), any_if_empty(events)});
    }
    table.print(stdout);
  });
}

void add_ls(CLI::App& parent, Session& session) {
  struct Flags {
    std::string status, job;
    int limit = 50;
    std::string cursor;
    bool all = false, json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = parent.add_subcommand("ls", "deliveries not yet delivered, newest first");
  c->add_option("-s,--status", f->status, "pending or dead")
      ->check(CLI::IsMember({"pending", "dead"}));
  c->add_option("--job", f->job, "only the deliveries of this job");
  c->add_option("-n,--limit", f->limit, "deliveries per page (1..1000)")
      ->check(CLI::Range(1, 1000));
  c->add_option("--cursor", f->cursor, "the next page, from the previous page's next_cursor");
  c->add_flag("--all", f->all, "every page, not just the first");
  c->add_flag("--json", f->json, "the answer as JSON: {\"deliveries\":[...],\"next_cursor\":...}");
  c->callback([&session, f] {
    DeliveryFilter filter;
    filter.status = delivery_status_from_string(f->status);  // CLI11 has checked it
    filter.job_id = f->job;
    filter.limit = std::size_t(f->limit);
    filter.cursor = f->cursor;
    std::vector<Delivery> all;
    std::string next;
    // Bounded: a cursor that never ends would be a server bug, not a reason to loop forever.
    for (int page = 0; page < 100'000; ++page) {
      auto answer = session.client().list_deliveries(filter);
      if (!answer) return session.fail("webhooks ls", answer.error());
      for (Delivery& d : answer->deliveries) all.push_back(std::move(d));
      next = answer->next_cursor;
      if (!f->all || next.empty()) break;
      filter.cursor = next;
    }
    if (f->json) {
      boost::json::array list;
      for (const Delivery& d : all) list.push_back(delivery_to_json(d, false));
      return print_json(boost::json::object{
          {"deliveries", std::move(list)},
          {"next_cursor", next.empty() ? boost::json::value(nullptr) : boost::json::value(next)}});
    }
    Table table({"ID", "EVENT", "STATUS", "ATTEMPTS", "JOB", "URL", "LAST"});
    table.align_right(3);
    for (const Delivery& d : all)
      table.add_row({d.id, d.event, delivery_status_text(d), std::to_string(d.attempts), d.job_id,
                     d.url, last_text(d)});
    table.print(stdout);
    if (!next.empty()) std::fprintf(stderr, "more: --cursor %s (or --all)\n", next.c_str());
  });
}

// show, retry, rm: one delivery by id, answered with the delivery.
void add_by_id(CLI::App& parent, Session& session, const std::string& verb, const std::string& help,
               ApiResult<Delivery> (Client::*call)(const std::string&)) {
  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* c = parent.add_subcommand(verb, help);
  c->add_option("id", *id, "the delivery's id")->required();
  c->add_flag("--json", *json, "print the delivery, with its body, as JSON");
  c->callback([&session, id, json, verb, call] {
    auto d = (session.client().*call)(*id);
    if (!d) return session.fail("webhooks " + verb + " " + *id, d.error());
    if (*json) return print_json(delivery_to_json(*d, true));
    if (verb == "show") return print_delivery_details(*d);
    std::printf("%s %s\n", d->id.c_str(),
                verb == "rm" ? "removed" : delivery_status_text(*d).c_str());
  });
}

}  // namespace

void add_webhook_commands(CLI::App& app, Session& session) {
  auto* webhooks =
      app.add_subcommand("webhooks", "webhooks and their deliveries: hooks, ls, show, retry, rm");
  webhooks->require_subcommand(1);
  add_hooks(*webhooks, session);
  add_ls(*webhooks, session);
  add_by_id(*webhooks, session, "show", "one delivery, with the JSON body it sends",
            &Client::get_delivery);
  add_by_id(*webhooks, session, "retry", "send a dead delivery again, its attempts from 0",
            &Client::retry_delivery);
  add_by_id(*webhooks, session, "rm", "drop a delivery, pending or dead: it is never sent",
            &Client::remove_delivery);
}

}  // namespace jobq::cli
