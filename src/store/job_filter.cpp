#include "store/job_filter.h"

#include <algorithm>
#include <charconv>

namespace jobq {

bool matches(const Job& job, const JobFilter& f) {
  if (!f.statuses.empty() &&
      std::find(f.statuses.begin(), f.statuses.end(), job.status) == f.statuses.end())
    return false;
  if (!f.queue.empty() && job.queue != f.queue) return false;
  if (!f.type.empty() && job.type != f.type) return false;
  if (!f.user_id.empty() && job.user_id != f.user_id) return false;
  if (!f.tag.empty() && std::find(job.tags.begin(), job.tags.end(), f.tag) == job.tags.end())
    return false;
  if (f.created_after && job.created_at < *f.created_after) return false;
  if (f.created_before && job.created_at >= *f.created_before) return false;
  return true;
}

Status validate_list_options(const ListOptions& o) {
  if (o.limit < 1 || o.limit > 1000) return Error::invalid("limit", "must be between 1 and 1000");
  return {};
}

std::int64_t sort_key(const Job& job, SortField sort) {
  switch (sort) {
    case SortField::priority:
      return job.priority;
    case SortField::updated_at:
      return job.updated_at;
    case SortField::created_at:
      return job.seq;
  }
  return job.seq;
}

std::string encode_cursor(const Cursor& c) {
  return std::to_string(c.key) + "." + std::to_string(c.seq);
}

Result<Cursor> decode_cursor(const std::string& text) {
  Cursor c;
  auto dot = text.find('.');
  auto bad = Error::invalid("cursor", "not a cursor from a previous page");
  if (dot == std::string::npos) return bad;
  const char* end = text.data() + text.size();
  auto r1 = std::from_chars(text.data(), text.data() + dot, c.key);
  auto r2 = std::from_chars(text.data() + dot + 1, end, c.seq);
  if (r1.ec != std::errc() || r1.ptr != text.data() + dot || r2.ec != std::errc() || r2.ptr != end)
    return bad;
  return c;
}

bool after_cursor(const Job& job, const Cursor& c, const ListOptions& o) {
  std::int64_t key = sort_key(job, o.sort);
  if (o.descending) return key < c.key || (key == c.key && job.seq < c.seq);
  return key > c.key || (key == c.key && job.seq > c.seq);
}

bool list_before(const Job& a, const Job& b, const ListOptions& o) {
  std::int64_t ka = sort_key(a, o.sort), kb = sort_key(b, o.sort);
  if (ka != kb) return o.descending ? ka > kb : ka < kb;
  return o.descending ? a.seq > b.seq : a.seq < b.seq;
}

}  // namespace jobq
