// The versioned schema of the sqlite store. PRAGMA user_version holds the version; each migration
// moves it up by one inside a transaction.
#pragma once

#include "store/sqlite/database.h"

namespace jobq::sqlite {

inline constexpr int kSchemaVersion = 1;

// Brings the database to kSchemaVersion; refuses a database newer than this build knows.
void migrate(Database& db);

}  // namespace jobq::sqlite
