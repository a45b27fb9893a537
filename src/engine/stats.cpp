#include "engine/stats.h"

#include <algorithm>
#include <map>

namespace jobq {

Stats summarize(const StoreStats& raw) {
  Stats out;
  std::map<std::string, std::vector<std::int64_t>> queues;
  std::map<std::string, TypeStats> types;
  for (const StatusCount& c : raw.counts) {
    out.by_status[int(c.status)] += c.count;
    auto& q = queues[c.queue];
    q.resize(kJobStatusCount);
    q[int(c.status)] += c.count;
    TypeStats& t = types[c.type];
    t.type = c.type;
    t.counts[int(c.status)] += c.count;
  }
  std::map<std::string, std::vector<std::int64_t>> runs;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> outcomes;  // succeeded, all
  for (const RunSample& r : raw.recent_runs) {
    runs[r.type].push_back(r.run_ms);
    auto& o = outcomes[r.type];
    o.first += r.succeeded;
    o.second += 1;
  }
  for (auto& [type, samples] : runs) {
    TypeStats& t = types[type];
    t.type = type;
    t.finished_runs = std::int64_t(samples.size());
    double sum = 0;
    for (auto ms : samples) sum += double(ms);
    t.mean_run_ms = sum / double(samples.size());
    // Nearest-rank p95.
    std::size_t rank = (samples.size() * 95 + 99) / 100;
    std::nth_element(samples.begin(), samples.begin() + (rank - 1), samples.end());
    t.p95_run_ms = double(samples[rank - 1]);
    t.success_rate = double(outcomes[type].first) / double(outcomes[type].second);
  }
  for (auto& [name, counts] : queues) out.by_queue.emplace_back(name, std::move(counts));
  for (auto& [name, t] : types) out.by_type.push_back(std::move(t));
  return out;
}

}  // namespace jobq
