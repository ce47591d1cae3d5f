#ifndef GRID_CSQLITE_SHIM_H
#define GRID_CSQLITE_SHIM_H
// The SQLite C API for the few places that read column values straight off a statement GRDB prepared and steps
// (LedgerVerifier's packed rows); everything else goes through GRDB.
#include <sqlite3.h>
#endif
