// Opening a store. The Store interface itself is private to jobq (src/store/store.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "jobq/error.h"

namespace jobq {

class Store;

enum class SyncMode {
  full,    // fsync at every group commit: an answered write survives a power cut
  normal,  // fsync at checkpoints only: survives a crash of jobqd, may lose the last writes on
           // power loss
};

struct StoreOptions {
  SyncMode sync = SyncMode::full;
  // A lease granted before a restart is renewed for this long from the restart.
  std::int64_t restart_lease_ms = 30'000;
  // The largest number of operations the sqlite writer commits in one transaction.
  std::size_t max_group = 4096;
  // The redis store keeps every key under this prefix, so that deployments can share one Redis.
  std::string redis_prefix = "jobq:";
  // The redis store refuses a Redis whose maxmemory-policy evicts keys (allkeys-*) unless set.
  bool redis_allow_eviction = false;
};

// The Store is opaque to embedders; this deleter lets them own one.
struct StoreDeleter {
  void operator()(Store* store) const;
};
using StorePtr = std::unique_ptr<Store, StoreDeleter>;

// url: "memory:", "sqlite:///absolute/path.db", "sqlite://relative/path.db", or
// "redis://[user:password@]host:port/db".
// The clock gives `now` at open (sqlite renews running leases from it).
class Clock;
Result<StorePtr> open_store(const std::string& url, const Clock& clock,
                            const StoreOptions& options = {});

// The clock to run an engine on over `store`: the one all processes sharing it agree on (the
// Redis server's, for the redis store), else `local`. It lives as long as the store.
const Clock& agreed_clock(Store& store, const Clock& local);

// The URL as it may be logged: a password in it is replaced by ***.
std::string printable_store_url(const std::string& url);

}  // namespace jobq
