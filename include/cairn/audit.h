/* cairn — the audit trail.
 *
 * Append-only (triggers refuse UPDATE and DELETE). Each row: UTC time, OS uid
 * and login, action, entity type and id, the names (never the values) of the
 * fields changed, and the outcome. Rows are written by the store in the same
 * transaction as the change they record; there is no public way to write one.
 */
#ifndef CAIRN_AUDIT_H
#define CAIRN_AUDIT_H

#include <stdint.h>

#include "cairn/date.h"
#include "cairn/staff.h"
#include "cairn/status.h"

struct cairn_store;

struct cairn_audit_entry {
    int64_t id;
    char at[CAIRN_TIMESTAMP_LEN + 1];
    long uid;
    char login[CAIRN_LOGIN_MAX + 1];
    char action[16]; /* create|read|update|delete|export|import|backup|sign */
    char entity[32]; /* staff, patient, program, … */
    int64_t entity_id;
    int64_t patient_id; /* the patient the row concerns, 0 when none */
    char fields[512];   /* comma-separated field names, "" when none */
    char outcome[16];   /* ok|conflict|denied */
};

struct cairn_audit_filter {
    int64_t patient_id; /* 0 = every row */
    const char *since;  /* "YYYY-MM-DD": rows at or after that UTC day; NULL = all */
    size_t limit;       /* newest `limit` rows; 0 = no limit */
};

/* Calls fn for each audit row that passes the filter, oldest first; stops
 * early when fn returns non-zero. The entry is borrowed for the call. */
enum cairn_status cairn_audit_list(struct cairn_store *store,
                                   const struct cairn_audit_filter *filter,
                                   int (*fn)(const struct cairn_audit_entry *e, void *ctx),
                                   void *ctx, struct cairn_error *err);

#endif
