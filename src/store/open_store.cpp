#include <exception>

#include "jobq/clock.h"
#include "jobq/store.h"
#include "store/memory/memory_store.h"
#include "store/redis/redis_store.h"
#include "store/sqlite/sqlite_store.h"

namespace jobq {

void StoreDeleter::operator()(Store* store) const {
  delete store;
}

Result<StorePtr> open_store(const std::string& url, const Clock& clock,
                            const StoreOptions& options) {
  if (url == "memory:" || url == "memory://") return StorePtr(new MemoryStore());
  const std::string sqlite_prefix = "sqlite://";
  if (url.rfind(sqlite_prefix, 0) == 0) {
    std::string path = url.substr(sqlite_prefix.size());
    if (path.empty()) return Error::invalid("store", "sqlite:// needs a file path");
    try {
      return StorePtr(new SqliteStore(path, clock.now(), options));
    } catch (const std::exception& e) {
      return Error::unavailable("cannot open " + path + ": " + e.what());
    }
  }
  if (url.rfind("redis://", 0) == 0) {
    auto store = RedisStore::open(url, clock, options);
    if (!store) return store.error();
    return StorePtr(store->release());
  }
  return Error::invalid("store", "unknown store \"" + url +
                                     "\"; use memory:, sqlite:///path/to/file.db or "
                                     "redis://host:port/db");
}

const Clock& agreed_clock(Store& store, const Clock& local) {
  const Clock* shared = store.shared_clock();
  return shared ? *shared : local;
}

std::string printable_store_url(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace jobq
