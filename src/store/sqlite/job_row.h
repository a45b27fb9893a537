// A Job as a row of the jobs table, and back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "jobq/job.h"
#include "store/sqlite/database.h"

namespace jobq::sqlite {

// "seq, id, type, ..." in the order read_job expects.
const std::string& job_columns();
// Reads a row selected with job_columns(), starting at column `first`.
Job read_job(const Statement& st, int first = 0);

// Writes jobs through one connection: a whole row on insert, and on update only the columns that
// changed, so that indexes over unchanged columns are left alone. Not thread-safe.
class JobWriter {
 public:
  explicit JobWriter(Database& db);
  ~JobWriter();
  // Answers the seq SQLite assigned.
  std::int64_t insert(const Job& job);
  void update(const Job& before, const Job& after);

 private:
  Database& db_;
  Statement insert_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Statement>> updates_;  // by changed-column mask
};

}  // namespace jobq::sqlite
