// The conformance suite: one set of tests, in one file per area (submit, lease, finish,
// cancel_retry, sweep, list, queues), run unchanged against every backend (backends.cpp): the
// engine's whole behaviour over each store, with a manual clock and no sleeps. A new backend is
// done when it passes.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/engine_fixture.h"

namespace jobq::testing {

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  EngineFixture f{GetParam(), options()};
  Engine& engine() { return *f.engine; }
  static EngineOptions options() {
    EngineOptions o;
    o.default_backoff = {1000, 2.0, 60'000, false};  // exact delays, so tests can step to them
    o.jitter_seed = 42;
    return o;
  }
};

}  // namespace jobq::testing
