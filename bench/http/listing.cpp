// The row family "listing": pages of GET /api/v1/jobs on a redis store holding many jobs, by
// filter and order, with the jobs each page loaded (HGETALL calls in Redis' own command
// statistics): a page should touch about its own jobs, not the store.
#include "http/bodies.h"
#include "http/conn.h"
#include "http/jobqd.h"
#include "http/rows.h"

namespace bench {

namespace {

// Job i: one in 100 in the queue "rare", the rest in "bulk"; type t0..t4; priority i mod 100.
std::string mixed_batch(i64 first, int n) {
  std::string body = R"({"jobs":[)";
  for (int k = 0; k < n; ++k) {
    i64 i = first + k;
    body += std::string(k ? "," : "") + R"({"type":"t)" + std::to_string(i % 5) +
            R"(","queue":")" + (i % 100 == 7 ? "rare" : "bulk") + R"(","priority":)" +
            std::to_string(i % 100) + R"(,"payload":{"n":1}})";
  }
  return body + "]}";
}

struct Fill {
  Deadline deadline;
  std::uint16_t port;
  std::atomic<i64> next{0}, done{0};
  i64 n;
  Problems problems;
};

task<> filler(Fill& f) {
  Conn conn(co_await asio::this_coro::executor, f.port);
  for (;;) {
    i64 first = f.next.fetch_add(kBatch);
    if (first >= f.n || f.deadline.passed() || f.problems.gave_up()) break;
    int k = int(std::min<i64>(kBatch, f.n - first));
    Answer a = co_await conn.call(http::verb::post, "/api/v1/jobs/batch", mixed_batch(first, k));
    if (a.ok(201))
      f.done += k;
    else
      f.problems.add(describe("POST /api/v1/jobs/batch", a));
  }
}

struct Page {
  std::string query, what;
};

}  // namespace

std::vector<Row> listing(const std::string& binary, int n, int pages, Steady::duration fill_limit,
                         Steady::duration limit) {
  Servers servers(binary, kRedis);
  Fill f{Deadline(fill_limit), servers.port(), {}, {}, n};
  {
    Clients clients(kClientThreads);
    for (int c = 0; c < kBatchConns; ++c) clients.spawn(c, filler(f));
    clients.run(fill_limit + kHardGrace);
  }
  i64 stored = f.done.load();
  const std::vector<Page> cases = {
      {"", "every job, newest first"},
      {"queue=rare", "queue=rare (1 job in 100), newest first"},
      {"type=t3&status=queued", "type=t3 and status=queued (1 in 5), newest first"},
      {"sort=priority", "every job by priority"},
      {"queue=bulk&sort=priority", "queue=bulk (99 in 100) by priority"},
      {"queue=rare&sort=priority", "queue=rare (1 in 100) by priority"},
      {"queue=rare&sort=updated_at&order=asc", "queue=rare by updated_at, oldest first"},
  };
  std::vector<Row> rows;
  for (const Page& c : cases) {
    Deadline deadline(limit);
    Problems problems;
    std::vector<double> micros;
    i64 loaded = 0;
    int taken = 0;
    servers.redis()->reset_stats();
    run_one<int>(
        [&](asio::any_io_executor ex) -> task<int> {
          Conn conn(ex, servers.port());
          std::string cursor;
          while (taken < pages && !deadline.passed() && !problems.gave_up()) {
            std::string target = "/api/v1/jobs?limit=50" + (c.query.empty() ? "" : "&" + c.query) +
                                 (cursor.empty() ? "" : "&cursor=" + cursor);
            auto t0 = Steady::now();
            Answer a = co_await conn.call(http::verb::get, target, "");
            micros.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
            if (!a.ok(200)) {
              problems.add(describe("GET " + target, a));
              break;
            }
            ++taken;
            boost::system::error_code ec;
            json::value v = json::parse(a.body, ec);
            auto* next = ec || !v.is_object() ? nullptr : v.get_object().if_contains("next_cursor");
            if (!next || !next->is_string()) break;  // the last page
            cursor = std::string(next->get_string());
          }
          co_return 0;
        },
        limit + kHardGrace);
    loaded = servers.redis()->calls_of("hgetall");
    Row r;
    r.measurement = "GET /api/v1/jobs, pages of 50 following next_cursor: " + c.what +
                    "; latency p50 / p99, jobs loaded per page";
    r.store = servers.kind().label + ", " + group(stored) + " jobs";
    double per_page = taken ? double(loaded) / taken : 0;
    r.result = fixed(percentile(micros, 0.5) / 1000, 2) + " / " +
               fixed(percentile(micros, 0.99) / 1000, 2) + " ms, " + fixed(per_page, 0) +
               " loaded";
    r.n = taken;
    for (double m : micros) r.seconds += m / 1e6;
    r.target = "about 50 loaded per page";
    r.met = per_page <= 100;
    r.notes = join(join(shortfall(stored, n, f.deadline), problems.note()), f.problems.note());
    rows.push_back(r);
  }
  std::string notes = servers.stop();
  if (!notes.empty() && !rows.empty()) rows.back().notes = join(rows.back().notes, notes);
  return rows;
}

}  // namespace bench
