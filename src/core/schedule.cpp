// The names of a schedule's policies, and the tag of its jobs.
#include "jobq/schedule.h"

namespace jobq {

std::string_view to_string(Overlap o) {
  switch (o) {
    case Overlap::allow:
      return "allow";
    case Overlap::skip:
      return "skip";
    case Overlap::cancel_previous:
      return "cancel_previous";
  }
  return "allow";
}

std::string_view to_string(Misfire m) {
  switch (m) {
    case Misfire::skip:
      return "skip";
    case Misfire::run_once:
      return "run_once";
    case Misfire::run_all:
      return "run_all";
  }
  return "run_once";
}

std::optional<Overlap> overlap_from_string(std::string_view s) {
  for (Overlap o : {Overlap::allow, Overlap::skip, Overlap::cancel_previous})
    if (to_string(o) == s) return o;
  return std::nullopt;
}

std::optional<Misfire> misfire_from_string(std::string_view s) {
  for (Misfire m : {Misfire::skip, Misfire::run_once, Misfire::run_all})
    if (to_string(m) == s) return m;
  return std::nullopt;
}

std::string schedule_tag(std::string_view name) {
  return "schedule:" + std::string(name);
}

}  // namespace jobq
