// JobFilter and cursor as SQL: a WHERE clause with its parameters.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "jobq/requests.h"
#include "store/job_filter.h"
#include "store/sqlite/database.h"

namespace jobq::sqlite {

struct Where {
  std::string sql = "1";
  std::vector<std::variant<std::int64_t, std::string>> params;
  void bind(Statement& st, int first = 1) const;
};

Where filter_where(const JobFilter& filter);
// Adds the cursor's position to `where`, and answers the ORDER BY clause for the listing.
std::string order_after_cursor(Where& where, const ListOptions& options, const Cursor* cursor);

}  // namespace jobq::sqlite
