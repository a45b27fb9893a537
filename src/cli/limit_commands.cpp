// limits ls|set|rm: the limits of queues and of types (a running cap and a start rate).
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/job_flags.h"
#include "cli/output.h"
#include "wire/limits_json.h"

namespace jobq::cli {
namespace {

// CLI11 has checked the text already (queue or type).
LimitScope scope_of(const std::string& text) {
  return limit_scope_from_string(text).value_or(LimitScope::queue);
}

// "queue mail: at most 5 running, 10 starts per 1m", or "queue mail: no limits".
void print_setting(const LimitSetting& s, bool json) {
  if (json) return print_json(limit_setting_to_json(s));
  std::string text;
  if (s.limits.max_running > 0)
    text = "at most " + std::to_string(s.limits.max_running) + " running";
  if (s.limits.starts.count > 0) {
    std::string rate = rate_text(s.limits.starts);
    std::size_t slash = rate.find('/');
    text += (text.empty() ? "" : ", ") + rate.substr(0, slash) + " starts per " +
            rate.substr(slash + 1);
  }
  std::printf("%s %s: %s\n", std::string(to_string(s.scope)).c_str(), s.name.c_str(),
              text.empty() ? "no limits" : text.c_str());
}

// The positional arguments of set and rm: which scope, and its name.
struct Target {
  std::string scope;
  std::string name;

  void add_to(CLI::App& c) {
    c.add_option("scope", scope, "queue or type")
        ->required()
        ->check(CLI::IsMember({"queue", "type"}));
    c.add_option("name", name, "the queue's or the type's name")->required();
  }
  std::string what(const std::string& verb) const {
    return "limits " + verb + " " + scope + " " + name;
  }
};

void add_ls(CLI::App& parent, Session& session) {
  auto json = std::make_shared<bool>(false);
  auto* ls = parent.add_subcommand("ls", "every limit set, on queues and on types");
  ls->add_flag("--json", *json, "the answer as JSON");
  ls->callback([&session, json] {
    auto all = session.client().limits();
    if (!all) return session.fail("limits ls", all.error());
    if (*json) {
      boost::json::array out;
      for (const LimitSetting& s : *all) out.emplace_back(limit_setting_to_json(s));
      return print_json(boost::json::object{{"limits", std::move(out)}});
    }
    Table table({"SCOPE", "NAME", "MAX_RUNNING", "STARTS"});
    table.align_right(2);
    for (const LimitSetting& s : *all)
      table.add_row({std::string(to_string(s.scope)), s.name,
                     max_running_text(s.limits.max_running), rate_text(s.limits.starts)});
    table.print(stdout);
  });
}

void add_set(CLI::App& parent, Session& session) {
  struct Flags {
    Target target;
    std::optional<std::int64_t> max_running;
    std::optional<std::string> rate;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* c = parent.add_subcommand(
      "set", "replace the limits of a queue or a type (a limit not given is removed)");
  f->target.add_to(*c);
  c->add_option("--max-running", f->max_running,
                "at most this many of its jobs running (0: no cap)");
  c->add_option(
      "--rate", f->rate,
      "at most COUNT starts per PERIOD, in bursts of up to COUNT (10/1s, 100/1m, 5/500ms)");
  c->add_flag("--json", f->json, "print the setting as JSON");
  c->callback([&session, f] {
    if (!f->max_running && !f->rate)
      return session.fail(Error::invalid(
          "limits set", "give --max-running, --rate or both (`jobq limits rm` removes limits)"));
    Limits limits;
    if (f->max_running) limits.max_running = *f->max_running;
    if (f->rate) {
      auto rate = parse_rate(*f->rate, "--rate");
      if (!rate) return session.fail(rate.error());
      limits.starts = *rate;
    }
    const Target& t = f->target;
    auto set = session.client().set_limits(scope_of(t.scope), t.name, limits);
    if (!set) return session.fail(t.what("set"), set.error());
    print_setting(*set, f->json);
  });
}

void add_rm(CLI::App& parent, Session& session) {
  auto target = std::make_shared<Target>();
  auto json = std::make_shared<bool>(false);
  auto* c = parent.add_subcommand("rm", "remove the limits of a queue or a type");
  target->add_to(*c);
  c->add_flag("--json", *json, "print the setting, now none, as JSON");
  c->callback([&session, target, json] {
    auto cleared = session.client().clear_limits(scope_of(target->scope), target->name);
    if (!cleared) return session.fail(target->what("rm"), cleared.error());
    print_setting(*cleared, *json);
  });
}

}  // namespace

void add_limit_commands(CLI::App& app, Session& session) {
  auto* limits = app.add_subcommand(
      "limits", "limits of queues and of types (running cap, start rate): ls, set, rm");
  limits->require_subcommand(1);
  add_ls(*limits, session);
  add_set(*limits, session);
  add_rm(*limits, session);
}

}  // namespace jobq::cli
