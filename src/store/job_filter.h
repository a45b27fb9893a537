// Filters and cursors for listing jobs, shared by every backend so that pages agree.
#pragma once

#include <cstdint>
#include <string>

#include "jobq/error.h"
#include "jobq/job.h"
#include "jobq/requests.h"

namespace jobq {

bool matches(const Job& job, const JobFilter& filter);

// Checks limit and sort; the cursor is checked by decode_cursor.
Status validate_list_options(const ListOptions& options);

// A position in a listing: the sort key of the last job shown, then its seq.
struct Cursor {
  std::int64_t key = 0;
  std::int64_t seq = 0;
};

std::int64_t sort_key(const Job& job, SortField sort);
std::string encode_cursor(const Cursor& c);
Result<Cursor> decode_cursor(const std::string& text);
// True if `job` comes after the cursor in this listing's order.
bool after_cursor(const Job& job, const Cursor& c, const ListOptions& options);
// Listing order: sort key, then seq, ascending or descending.
bool list_before(const Job& a, const Job& b, const ListOptions& options);

}  // namespace jobq
