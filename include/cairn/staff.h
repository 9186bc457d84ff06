/* cairn — staff: the clinicians and supervisors who use cairn.
 *
 * A staff row maps an OS login to a name and a role. The acting user of a
 * command is the OS user; role checks (co-signing, for one) look them up here.
 */
#ifndef CAIRN_STAFF_H
#define CAIRN_STAFF_H

#include <stdbool.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/status.h"

struct cairn_store;

#define CAIRN_ROLE_LIST(X)                                                                         \
    X(CAIRN_ROLE_THERAPIST, "therapist")                                                           \
    X(CAIRN_ROLE_CASE_MANAGER, "case_manager")                                                     \
    X(CAIRN_ROLE_SUPERVISOR, "supervisor")                                                         \
    X(CAIRN_ROLE_PRESCRIBER, "prescriber")                                                         \
    X(CAIRN_ROLE_PEER_MENTOR, "peer_mentor")

enum cairn_role {
#define CAIRN_X_ENUM(code, text) code,
    CAIRN_ROLE_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_ROLE__COUNT
};

#define CAIRN_LOGIN_MAX     64
#define CAIRN_STAFFNAME_MAX 200

struct cairn_staff {
    int64_t id;
    char login[CAIRN_LOGIN_MAX + 1];
    char name[CAIRN_STAFFNAME_MAX + 1];
    enum cairn_role role;
    bool active;
    char created_at[CAIRN_TIMESTAMP_LEN + 1];
    int64_t version;
};

/* The stored name of a role ("case_manager"); "?" for an invalid value. */
const char *cairn_role_str(enum cairn_role role);

/* Parses a role name into *role. CAIRN_ERR_INVALID (pointer "role") listing
 * the valid names otherwise. */
enum cairn_status cairn_role_parse(const char *text, enum cairn_role *role,
                                   struct cairn_error *err);

/* Checks a staff record as entered: login is 1-64 of [a-z0-9._-] starting
 * with a letter or digit, name 1-200 bytes of UTF-8 without control
 * characters, role valid. The first problem is reported with its field. */
enum cairn_status cairn_staff_validate(const struct cairn_staff *staff, struct cairn_error *err);

/* Validates and stores a new staff member (active), audited as create.
 * Sets staff->id, ->version and ->created_at. A login already present is
 * CAIRN_ERR_EXISTS. */
enum cairn_status cairn_staff_add(struct cairn_store *store, struct cairn_staff *staff,
                                  struct cairn_error *err);

/* Fills *out with the staff member whose login is `login`;
 * CAIRN_ERR_NOT_FOUND when there is none. */
enum cairn_status cairn_staff_find(struct cairn_store *store, const char *login,
                                   struct cairn_staff *out, struct cairn_error *err);

/* Calls fn for each staff member in login order (inactive ones only when
 * include_inactive); stops early when fn returns non-zero. The record passed
 * to fn is borrowed for the call. */
enum cairn_status cairn_staff_list(struct cairn_store *store, bool include_inactive,
                                   int (*fn)(const struct cairn_staff *staff, void *ctx), void *ctx,
                                   struct cairn_error *err);

#endif
