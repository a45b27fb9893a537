#include "store/sqlite/sqlite_filter.h"

namespace jobq::sqlite {

void Where::bind(Statement& st, int i) const {
  for (const auto& p : params) {
    if (auto n = std::get_if<std::int64_t>(&p))
      st.bind(i++, *n);
    else
      st.bind(i++, std::get<std::string>(p));
  }
}

Where filter_where(const JobFilter& f) {
  Where w;
  auto add = [&w](const std::string& clause, auto value) {
    w.sql += " AND " + clause;
    w.params.emplace_back(value);
  };
  if (!f.statuses.empty()) {
    w.sql += " AND status IN (";
    for (std::size_t i = 0; i < f.statuses.size(); ++i) {
      w.sql += i ? ", ?" : "?";
      w.params.emplace_back(std::string(to_string(f.statuses[i])));
    }
    w.sql += ")";
  }
  if (!f.queue.empty()) add("queue = ?", f.queue);
  if (!f.type.empty()) add("type = ?", f.type);
  if (!f.user_id.empty()) add("user_id = ?", f.user_id);
  if (!f.tag.empty()) add("EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE value = ?)", f.tag);
  if (f.created_after) add("created_at >= ?", std::int64_t(*f.created_after));
  if (f.created_before) add("created_at < ?", std::int64_t(*f.created_before));
  return w;
}

std::string order_after_cursor(Where& w, const ListOptions& o, const Cursor* cursor) {
  std::string key = o.sort == SortField::priority     ? "priority"
                    : o.sort == SortField::updated_at ? "updated_at"
                                                      : "seq";
  const char* cmp = o.descending ? "<" : ">";
  const char* dir = o.descending ? " DESC" : " ASC";
  if (cursor) {
    if (key == "seq") {
      w.sql += std::string(" AND seq ") + cmp + " ?";
      w.params.emplace_back(cursor->seq);
    } else {
      w.sql += " AND (" + key + " " + cmp + " ? OR (" + key + " = ? AND seq " + cmp + " ?))";
      w.params.emplace_back(cursor->key);
      w.params.emplace_back(cursor->key);
      w.params.emplace_back(cursor->seq);
    }
  }
  return key == "seq" ? "seq" + std::string(dir) : key + dir + ", seq" + dir;
}

}  // namespace jobq::sqlite
