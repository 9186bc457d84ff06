/* cairn — the database: opening, creating, migrating, transactions.
 *
 * One SQLite file holds everything. Opening follows DESIGN.md §8: STRICT
 * tables, foreign keys on (and verified), WAL with synchronous=FULL, a busy
 * timeout, secure_delete, temp_store=MEMORY, application_id stamped, and the
 * embedded migrations applied by PRAGMA user_version. A file made by a newer
 * cairn is refused. Only cairn_store_open() with CAIRN_STORE_CREATE makes a
 * file; it makes it 0600, in directories made 0700, and refuses symlinks.
 */
#ifndef CAIRN_STORE_H
#define CAIRN_STORE_H

#include <stdint.h>

#include "cairn/status.h"

struct cairn_store;

/* PRAGMA application_id of every cairn database: "CAIR". */
#define CAIRN_APPLICATION_ID 0x43414952

/* Pass to cairn_store_open() as `path` for a private in-memory database (tests). */
#define CAIRN_STORE_MEMORY ":memory:"

enum cairn_store_flags {
    CAIRN_STORE_CREATE = 1u << 0, /* create the file (and 0700 parents) when missing */
};

/* Opens the database at `path` and brings its schema up to date.
 *
 * Without CAIRN_STORE_CREATE a missing file is CAIRN_ERR_NO_DATABASE. A
 * symlink or anything other than a regular file is CAIRN_ERR_PERMISSION; a
 * file from another program is CAIRN_ERR_NOT_CAIRN; a schema newer than this
 * build is CAIRN_ERR_NEWER. On success *out owns the connection (free with
 * cairn_store_close()); on failure *out is NULL and nothing was created
 * except, with CAIRN_STORE_CREATE, the empty directories on the way. */
enum cairn_status cairn_store_open(const char *path, unsigned flags, struct cairn_store **out,
                                   struct cairn_error *err);

/* Closes the connection, frees *store and sets it to NULL. NULL is fine. */
void cairn_store_close(struct cairn_store **store);

/* True when the open created the file (a fresh database). */
int cairn_store_was_created(const struct cairn_store *store);

/* The schema version this build knows (the highest embedded migration). */
int cairn_store_schema_latest(void);

/* The version of the SQLite library in use ("3.40.1"). */
const char *cairn_store_engine_version(void);

/* The schema version of the open database (PRAGMA user_version). */
int cairn_store_schema_version(struct cairn_store *store);

/* Names who acts through this connection: the OS uid and login. Every audit
 * row carries them, and staff-role checks look the login up in staff. The
 * login is copied (at most 64 bytes). Until called, uid -1 and login "?". */
void cairn_store_set_actor(struct cairn_store *store, long uid, const char *login);

/* The login set with cairn_store_set_actor() (borrowed). */
const char *cairn_store_actor_login(const struct cairn_store *store);

/* The uid set with cairn_store_set_actor() (-1 until set). */
long cairn_store_actor_uid(const struct cairn_store *store);

/* Fixes "today" for every clinical rule and default date evaluated through
 * this store (reproducible reports and tests). Without it, the system date. */
void cairn_store_set_today(struct cairn_store *store, int32_t today);

/* Today as this store sees it (see cairn_store_set_today()). */
int32_t cairn_store_today(const struct cairn_store *store);

/* Groups several operations in one write transaction (BEGIN IMMEDIATE).
 * Operations called inside nest as savepoints; nothing is visible to other
 * connections until cairn_store_commit(). Waits for other writers up to the
 * busy timeout and retries before giving up with CAIRN_ERR_BUSY. */
enum cairn_status cairn_store_begin(struct cairn_store *store, struct cairn_error *err);

/* Commits the transaction opened by cairn_store_begin(). */
enum cairn_status cairn_store_commit(struct cairn_store *store, struct cairn_error *err);

/* Rolls back the transaction opened by cairn_store_begin(); safe to call
 * when nothing is open. */
void cairn_store_rollback(struct cairn_store *store);

#endif
