// The row "ws": the fan-out of GET /api/v1/events/ws to many watchers.
#include <boost/beast/websocket.hpp>

#include "http/bodies.h"
#include "http/conn.h"
#include "http/jobqd.h"
#include "http/rows.h"

namespace bench {

namespace {

namespace websocket = beast::websocket;

// ---- 5. WebSocket fan-out -----------------------------------------------------------------------

const char* kEventsTarget = "/api/v1/events/ws";
using WsStream = websocket::stream<beast::tcp_stream>;

// Connects and upgrades; "" on success, else why not. `status` gets the HTTP status of a
// declined upgrade.
task<std::string> ws_open(WsStream& ws, std::uint16_t port, int& status) {
  auto& tcp_layer = beast::get_lowest_layer(ws);
  tcp_layer.expires_after(kCallTimeout);
  auto [ec] = co_await tcp_layer.async_connect(
      tcp::endpoint(asio::ip::address_v4::loopback(), port), nothrow);
  if (ec) co_return "connect: " + ec.message();
  tcp_layer.socket().set_option(tcp::no_delay(true));
  tcp_layer.expires_never();  // the websocket stream times its handshake itself
  websocket::stream_base::timeout t{};
  t.handshake_timeout = kCallTimeout;
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  ws.set_option(t);
  websocket::response_type res;
  auto [hec] =
      co_await ws.async_handshake(res, "127.0.0.1:" + std::to_string(port), kEventsTarget, nothrow);
  if (hec) {
    status = int(res.result_int());
    co_return "upgrade: " + hec.message() +
        (status ? " (HTTP " + std::to_string(status) + " " + clip(res.body()) + ")" : "");
  }
  co_return "";
}

struct FanoutState {
  Deadline deadline;
  std::uint16_t port;
  int watchers, jobs;
  std::vector<std::atomic<Steady::rep>> sent_at;  // per job, just before its submit was sent
  std::vector<std::vector<double>> delays_us;     // per watcher
  std::atomic<int> opened{0}, open_failed{0}, probe_seen{0}, finished{0};
  std::atomic<i64> messages{0};   // every frame, the probe's included
  std::atomic<int> submitted{0};  // jobs answered 201 (the probe not included)
  std::atomic<Steady::rep> first_submit{0}, last_message{0};
  double submit_seconds = 0;  // the submits alone
  std::atomic<bool> submitting{false};
  double open_seconds = 0;
  Problems problems;

  FanoutState(Steady::duration limit, std::uint16_t p, int w, int j)
      : deadline(limit),
        port(p),
        watchers(w),
        jobs(j),
        sent_at(std::size_t(j)),
        delays_us(std::size_t(w)) {}
};

// The payload's "n" of the job in an event frame, when the event is "submitted".
std::optional<i64> submitted_n(std::string_view frame, std::string& error) {
  boost::system::error_code ec;
  json::value v = json::parse(frame, ec);
  const json::object* o = v.if_object();
  const json::value* event = o ? o->if_contains("event") : nullptr;
  const json::value* job = o ? o->if_contains("job") : nullptr;
  if (ec || !event || !event->is_string() || !job || !job->is_object()) {
    error = "not an event frame: " + clip(std::string(frame));
    return std::nullopt;
  }
  if (event->get_string() != "submitted") return std::nullopt;
  const json::value* payload = job->get_object().if_contains("payload");
  const json::value* n =
      payload && payload->is_object() ? payload->get_object().if_contains("n") : nullptr;
  if (!n || !n->is_int64()) return std::nullopt;  // not one of ours
  return n->get_int64();
}

task<> watcher(FanoutState& s, int w) {
  WsStream ws(co_await asio::this_coro::executor);
  int status = 0;
  std::string e = co_await ws_open(ws, s.port, status);
  if (!e.empty()) {
    s.problems.add("GET " + std::string(kEventsTarget) + ": " + e);
    ++s.open_failed;
    co_return;
  }
  ++s.opened;
  // From here the row's deadline bounds every read.
  beast::get_lowest_layer(ws).expires_at(s.deadline.end);
  std::vector<char> seen(std::size_t(s.jobs), 0);
  int got = 0;
  bool probe = false;
  i64 frames = 0;
  beast::flat_buffer buffer;
  std::string error;
  auto& mine = s.delays_us[std::size_t(w)];
  while (got < s.jobs) {
    auto [ec, n] = co_await ws.async_read(buffer, nothrow);
    if (ec) {
      s.problems.add("watcher " + std::to_string(w) + " read: " + ec.message() + " after " +
                     std::to_string(got) + " of " + std::to_string(s.jobs) + " submitted events");
      break;
    }
    auto now = Steady::now();
    ++frames;
    auto k = submitted_n(beast::buffers_to_string(buffer.data()), error);
    buffer.consume(buffer.size());
    if (!error.empty()) {
      s.problems.add("watcher " + std::to_string(w) + ": " + error);
      error.clear();
    }
    if (!k) continue;
    if (*k == -1 && !probe) {
      probe = true;
      ++s.probe_seen;
    } else if (*k >= 0 && *k < s.jobs && !seen[std::size_t(*k)]) {
      seen[std::size_t(*k)] = 1;
      ++got;
      auto sent = s.sent_at[std::size_t(*k)].load();
      if (sent != 0)
        mine.push_back(std::chrono::duration<double, std::micro>(
                           now - Steady::time_point(Steady::duration(sent)))
                           .count());
      auto t = now.time_since_epoch().count();
      auto last = s.last_message.load();
      while (last < t && !s.last_message.compare_exchange_weak(last, t)) {
      }
    }
  }
  s.messages += frames;
  ++s.finished;
  beast::get_lowest_layer(ws).expires_after(2s);
  co_await ws.async_close(websocket::close_code::normal, nothrow);
}

// Waits (polling) until `done()` or the deadline; false at the deadline.
template <class F>
task<bool> wait_until(F done, const Deadline& deadline) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  while (!done()) {
    if (deadline.passed()) co_return false;
    t.expires_after(2ms);
    co_await t.async_wait(nothrow);
  }
  co_return true;
}

// Waits for every watcher to open, submits a probe job until every watcher has seen it (the
// watchers are subscribed), then submits the jobs one after another on one connection.
task<> fanout_producer(FanoutState& s) {
  Conn conn(co_await asio::this_coro::executor, s.port);
  auto open_start = Steady::now();
  co_await wait_until([&] { return s.opened + s.open_failed >= s.watchers; }, s.deadline);
  s.open_seconds = seconds_since(open_start);
  if (s.opened == 0) co_return;
  Answer probe = co_await conn.call(http::verb::post, "/api/v1/jobs",
                                    R"({"type":"bench-probe","payload":{"n":-1}})");
  if (!probe.ok(201)) s.problems.add(describe("POST /api/v1/jobs (probe)", probe));
  if (!co_await wait_until([&] { return s.probe_seen >= s.opened; }, s.deadline))
    s.problems.add("only " + std::to_string(s.probe_seen.load()) + " of " +
                   std::to_string(s.opened.load()) + " watchers saw the probe job's event");
  auto first = Steady::now();
  s.first_submit = first.time_since_epoch().count();
  for (int k = 0; k < s.jobs && !s.deadline.passed() && !s.problems.gave_up(); ++k) {
    s.sent_at[std::size_t(k)] = Steady::now().time_since_epoch().count();
    std::string body = numbered_job(k);
    Answer a = co_await conn.call(http::verb::post, "/api/v1/jobs", std::move(body));
    if (a.ok(201))
      ++s.submitted;
    else
      s.problems.add(describe("POST /api/v1/jobs", a));
  }
  s.submit_seconds = seconds_since(first);
}

}  // namespace

Row fanout(const std::string& binary, const StoreKind& kind, int watchers, int jobs,
           Steady::duration limit) {
  Row r;
  r.measurement = "WebSocket fan-out of GET " + std::string(kEventsTarget) + " to " +
                  group(watchers) +
                  " watchers: messages delivered/s; submit → `submitted` event "
                  "at each watcher, p50 / p99 / max";
  r.store = kind.label;
  Servers servers(binary, kind);
  Meter meter{servers};

  // Is the route there at all?
  int status = 0;
  auto first = run_one<std::string>(
      [&](asio::any_io_executor ex) -> task<std::string> {
        WsStream ws(ex);
        std::string e = co_await ws_open(ws, servers.port(), status);
        if (e.empty()) {
          beast::get_lowest_layer(ws).expires_after(2s);
          co_await ws.async_close(websocket::close_code::normal, nothrow);
        }
        co_return e;
      },
      15s);
  if (!first || !first->empty()) {
    std::string why = first ? *first : "no answer in 15 s";
    bool missing = status == 404;
    r.result = missing ? "skipped" : "failed";
    Problems none;
    r.notes = join(missing ? "route not available: " + why : "the first upgrade failed: " + why,
                   meter.finish(1, 1, true, none));
    return r;
  }

  FanoutState s(limit, servers.port(), watchers, jobs);
  Clients clients(kClientThreads);
  for (int w = 0; w < watchers; ++w) clients.spawn(w, watcher(s, w));
  clients.spawn(0, fanout_producer(s));
  bool finished = clients.run(limit + kHardGrace);

  std::vector<double> all;
  for (auto& d : s.delays_us) all.insert(all.end(), d.begin(), d.end());
  i64 expected = i64(s.opened.load()) * jobs;
  double window = s.first_submit.load() == 0 || s.last_message.load() == 0
                      ? 0
                      : std::chrono::duration<double>(
                            Steady::duration(s.last_message.load() - s.first_submit.load()))
                            .count();
  i64 delivered = i64(all.size());
  // A healthy fan-out delivers within milliseconds; these are stalls (such as a lost wake-up).
  i64 late = std::count_if(all.begin(), all.end(), [](double us) { return us > 1e6; });
  r.result = (window > 0 ? group(std::llround(double(delivered) / window)) : std::string("0")) +
             " msg/s; " + fixed(percentile(all, 0.5) / 1000, 1) + " / " +
             fixed(percentile(all, 0.99) / 1000, 1) + " / " +
             fixed(percentile(all, 1.0) / 1000, 1) + " ms";
  r.n = delivered;
  r.seconds = window;  // from the first submit to the last event received
  r.notes = join(
      join(shortfall(delivered, expected, s.deadline),
           group(s.opened.load()) + " of " + group(watchers) + " watchers opened in " +
               fixed(s.open_seconds, 2) + " s; " + group(s.submitted.load()) + " of " +
               group(jobs) + " jobs submitted one at a time on one connection, in " +
               fixed(s.submit_seconds, 2) + " s; " + group(delivered) + " of " + group(expected) +
               " `submitted` events delivered in " + fixed(window, 2) + " s (" +
               group(s.messages.load()) + " frames in all)" +
               (late ? "; " + group(late) + " events reached a watcher over 1 s after their submit"
                     : "")),
      meter.finish(clients.threads(), watchers + 1, finished, s.problems));
  return r;
}

}  // namespace bench
