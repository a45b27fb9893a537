// A Job as a row of the jobs table, and back.
#pragma once

#include <string>

#include "jobq/job.h"
#include "store/sqlite/database.h"

namespace jobq::sqlite {

// "seq, id, type, ..." in the order read_job expects.
const std::string& job_columns();
// INSERT of a whole job (seq assigned by SQLite), and UPDATE of every column but seq and id
// (WHERE seq = last parameter).
const std::string& insert_job_sql();
const std::string& update_job_sql();

void bind_job_for_insert(Statement& st, const Job& job);
void bind_job_for_update(Statement& st, const Job& job);
// Reads a row selected with kJobColumns, starting at column `first`.
Job read_job(const Statement& st, int first = 0);

}  // namespace jobq::sqlite
