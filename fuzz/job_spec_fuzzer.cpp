// Fuzzes request and answer bodies as JSON text: a submit (POST /api/v1/jobs, handlers/jobs.cpp),
// each item of a batch ({"jobs": [...]}), and a job as the C++ client reads one back.
// A spec the server accepts must also survive the client's way back (job_spec_to_json) unchanged,
// (doubles to their last digit aside, see same()), or a client could not resubmit what it was
// given.
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/job_spec.h"
#include "wire/job_json.h"
#include "wire/job_spec_json.h"
#include "wire/strict_json.h"

namespace json = boost::json;

namespace {

// Equal, but for doubles a few units in the last place apart: Boost.JSON 1.81 does not round long
// decimals correctly when it reads them, so 2.2222222E52 and 2.2222221999999998E52 trade places
// each time a payload is read and written (found by this target; a library limit, not jobq's).
bool same(const json::value& a, const json::value& b) {
  if (a.is_double() || b.is_double()) {
    if (!a.is_number() || !b.is_number()) return false;
    double x = a.to_number<double>(), y = b.to_number<double>();
    return x == y || std::fabs(x - y) <= 1e-15 * std::fmax(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (const auto* arr = a.if_array()) {
    const auto& other = b.get_array();
    if (arr->size() != other.size()) return false;
    for (std::size_t i = 0; i < arr->size(); ++i)
      if (!same((*arr)[i], other[i])) return false;
    return true;
  }
  if (const auto* obj = a.if_object()) {
    const auto& other = b.get_object();
    if (obj->size() != other.size()) return false;
    for (const auto& item : *obj) {
      const auto* twin = other.if_contains(item.key());
      if (!twin || !same(item.value(), *twin)) return false;
    }
    return true;
  }
  return a == b;
}

// What the server accepts: the handler's decoding, then the engine's rules.
jobq::Result<jobq::JobSpec> accept(const json::value& body, const jobq::SpecLimits& limits) {
  auto spec = jobq::job_spec_from_json(body);
  if (!spec) return spec;
  if (jobq::Status s = jobq::validate_spec(*spec, limits); !s.ok()) return s;
  return spec;
}

void submit(const json::value& body, const jobq::SpecLimits& limits) {
  auto spec = accept(body, limits);
  if (!spec) return;
  auto out = jobq::job_spec_to_json(*spec);
  if (!out) std::abort();  // the server accepted a spec it cannot describe
  auto again = accept(*out, limits);
  if (!again) std::abort();  // ... or whose description it would refuse
  auto out_again = jobq::job_spec_to_json(*again);
  if (!out_again || !same(*out_again, *out)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = jobq::parse_json(text, "body");
  if (!body) return 0;
  jobq::SpecLimits limits;  // the server's defaults, with webhooks on: callback_url is read too
  limits.callbacks = true;
  submit(*body, limits);
  if (const auto* object = body->if_object())
    if (const auto* jobs = object->if_contains("jobs"); jobs && jobs->is_array())
      for (const auto& item : jobs->get_array()) submit(item, limits);
  // A job as GET /api/v1/jobs/{id} answers it, read by the client; formatting it again walks every
  // time and number it took in. Times outside years 0..9999 are written but not read back, so
  // the way back is not required to succeed.
  if (auto job = jobq::job_from_json(*body)) {
    json::object again = jobq::job_to_json(*job, true);
    (void)jobq::job_from_json(again);
  }
  return 0;
}
