// Every backend the conformance suite runs on.
#include "store/conformance.h"

namespace jobq::testing {

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace jobq::testing
