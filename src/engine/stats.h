// Stats from a store's group counts and recent run times.
#pragma once

#include "jobq/stats.h"
#include "store/store.h"

namespace jobq {

Stats summarize(const StoreStats& raw);

}  // namespace jobq
