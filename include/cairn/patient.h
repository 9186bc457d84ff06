/* cairn — patients: the registry, the status lifecycle and edits.
 *
 * Status moves only along referred → active ⇄ on_hold → discharged → alumni
 * (an active patient may also be discharged directly). Every change names
 * the version it read; if someone else saved in between, the change is
 * refused with CAIRN_ERR_CONFLICT and nothing is written, so the caller can
 * keep and re-offer the user's input. Every change and every full read
 * (cairn_patient_read()) appends an audit row in the same transaction.
 */
#ifndef CAIRN_PATIENT_H
#define CAIRN_PATIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/staff.h"
#include "cairn/status.h"

struct cairn_store;

#define CAIRN_PATIENT_STATUS_LIST(X)                                                               \
    X(CAIRN_PATIENT_REFERRED, "referred")                                                          \
    X(CAIRN_PATIENT_ACTIVE, "active")                                                              \
    X(CAIRN_PATIENT_ON_HOLD, "on_hold")                                                            \
    X(CAIRN_PATIENT_DISCHARGED, "discharged")                                                      \
    X(CAIRN_PATIENT_ALUMNI, "alumni")

enum cairn_patient_status {
#define CAIRN_X_ENUM(code, text) code,
    CAIRN_PATIENT_STATUS_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_PATIENT_STATUS__COUNT
};

/* The longest expected stay an admission may plan (two years): each week
 * of it gets a scheduled review. */
#define CAIRN_STAY_MAX_WEEKS 104

enum cairn_risk {
    CAIRN_RISK_UNSET = 0,
    CAIRN_RISK_LOW,
    CAIRN_RISK_MODERATE,
    CAIRN_RISK_HIGH,
};

#define CAIRN_MRN_MAX   32
#define CAIRN_NAME_MAX  200
#define CAIRN_SHORT_MAX 40
#define CAIRN_LONG_MAX  400

/* The editable fields: X(enum suffix, stored name). Edit masks and the
 * audit's "fields changed" both come from this list. */
#define CAIRN_PATIENT_FIELD_LIST(X)                                                                \
    X(MRN, "mrn")                                                                                  \
    X(LEGAL_NAME, "legal_name")                                                                    \
    X(PREFERRED_NAME, "preferred_name")                                                            \
    X(DOB, "dob")                                                                                  \
    X(PRONOUNS, "pronouns")                                                                        \
    X(PHONE, "phone")                                                                              \
    X(EMERGENCY_CONTACT, "emergency_contact")                                                      \
    X(PROGRAM, "program_id")                                                                       \
    X(ADMISSION_DATE, "admission_date")                                                            \
    X(EXPECTED_DISCHARGE, "expected_discharge_date")                                               \
    X(DISCHARGE_DATE, "discharge_date")                                                            \
    X(DISCHARGE_REASON, "discharge_reason")                                                        \
    X(STATUS, "status")                                                                            \
    X(THERAPIST, "therapist_id")                                                                   \
    X(CASE_MANAGER, "case_manager_id")                                                             \
    X(PEER_MENTOR, "peer_mentor_id")                                                               \
    X(RISK, "risk_level")                                                                          \
    X(TAGS, "tags")

enum cairn_patient_field {
#define CAIRN_X_ENUM(name, text) CAIRN_PF_##name,
    CAIRN_PATIENT_FIELD_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_PF__COUNT
};

#define CAIRN_PF_BIT(f) (1u << (CAIRN_PF_##f))

/* One patient. Dates are "YYYY-MM-DD" or "" when unset; staff references
 * are staff ids (0 = none) with their logins filled on reads. */
struct cairn_patient {
    int64_t id;
    char mrn[CAIRN_MRN_MAX + 1];
    char legal_name[CAIRN_NAME_MAX + 1];
    char preferred_name[CAIRN_NAME_MAX + 1];
    char dob[CAIRN_DATE_LEN + 1];
    char pronouns[CAIRN_SHORT_MAX + 1];
    char phone[CAIRN_SHORT_MAX + 1];
    char emergency_contact[CAIRN_LONG_MAX + 1];
    int64_t program_id;
    char program_code[65]; /* read only: the program's code */
    char admission_date[CAIRN_DATE_LEN + 1];
    char expected_discharge_date[CAIRN_DATE_LEN + 1];
    char discharge_date[CAIRN_DATE_LEN + 1];
    char discharge_reason[CAIRN_LONG_MAX + 1];
    enum cairn_patient_status status;
    int64_t therapist_id;
    int64_t case_manager_id;
    int64_t peer_mentor_id;
    char therapist_login[CAIRN_LOGIN_MAX + 1];    /* read only */
    char case_manager_login[CAIRN_LOGIN_MAX + 1]; /* read only */
    char peer_mentor_login[CAIRN_LOGIN_MAX + 1];  /* read only */
    enum cairn_risk risk;
    char risk_set_by[CAIRN_LOGIN_MAX + 1]; /* read only: login that last set risk */
    char risk_set_at[CAIRN_TIMESTAMP_LEN + 1];
    char tags[CAIRN_LONG_MAX + 1]; /* comma-separated, stored sorted and unique */
    char created_at[CAIRN_TIMESTAMP_LEN + 1];
    char updated_at[CAIRN_TIMESTAMP_LEN + 1];
    int64_t version;
    /* read only: what name order sorts by and search matches (folded legal
     * name, tab, folded preferred name; see cairn_text_fold()). Pass it as
     * the filter's after_key to page by name. */
    char name_key[2 * CAIRN_NAME_MAX + 2];
    /* read only, set by cairn_patient_list(): the value the list's order
     * sorts on before the name (the filter's after_sort when paging) */
    char sort_key[65];
};

/* Stored name of a status ("on_hold"); "?" for an invalid value. */
const char *cairn_patient_status_str(enum cairn_patient_status status);

/* Parses a status name. CAIRN_ERR_INVALID listing valid names otherwise. */
enum cairn_status cairn_patient_status_parse(const char *text, enum cairn_patient_status *status,
                                             struct cairn_error *err);

/* Stored name of a risk level ("moderate"); "" for CAIRN_RISK_UNSET. */
const char *cairn_risk_str(enum cairn_risk risk);

/* Parses low|moderate|high. CAIRN_ERR_INVALID otherwise. */
enum cairn_status cairn_risk_parse(const char *text, enum cairn_risk *risk,
                                   struct cairn_error *err);

/* Stored name of a field ("legal_name"). */
const char *cairn_patient_field_str(enum cairn_patient_field field);

/* True when the lifecycle allows moving from `from` to `to`. Pure. */
bool cairn_patient_transition_allowed(enum cairn_patient_status from, enum cairn_patient_status to);

/* Checks the fields named in `mask` (CAIRN_PF_BIT values) of p against the
 * rules: MRN 1-32 of [A-Za-z0-9._-]; names UTF-8 without control
 * characters, legal name required; dates real, DOB not after today nor
 * before 1900; phone digits and + ( ) - . space; discharge not before
 * admission; expected discharge after admission. Reports the first problem
 * with its field name as the pointer. Pure: `today` is passed in. */
enum cairn_status cairn_patient_validate(const struct cairn_patient *p, uint32_t mask,
                                         int32_t today, struct cairn_error *err);

/* Normalizes a comma-separated tag list in place: trims, lowercases ASCII,
 * sorts and removes duplicates and empties. CAIRN_ERR_INVALID (pointer
 * "tags") for a tag with characters other than [a-z0-9_-]. */
enum cairn_status cairn_patient_tags_normalize(char *tags, size_t size, struct cairn_error *err);

/* Registers a new patient in status referred, audited as create. Validates
 * every field first; a duplicate MRN is CAIRN_ERR_EXISTS and an unknown staff
 * or program id CAIRN_ERR_NOT_FOUND. Sets p->id, ->version, ->created_at. */
enum cairn_status cairn_patient_add(struct cairn_store *store, struct cairn_patient *p,
                                    struct cairn_error *err);

/* Looks a patient up by MRN without auditing, for lists and references.
 * CAIRN_ERR_NOT_FOUND when there is none. */
enum cairn_status cairn_patient_find(struct cairn_store *store, const char *mrn,
                                     struct cairn_patient *out, struct cairn_error *err);

/* Reads the full record of the patient `mrn` for a user to see, and audits
 * the read in the same transaction. CAIRN_ERR_NOT_FOUND when there is none. */
enum cairn_status cairn_patient_read(struct cairn_store *store, const char *mrn,
                                     struct cairn_patient *out, struct cairn_error *err);

/* Saves the fields in `mask` from p to the stored patient p->id, provided it
 * is still at p->version; otherwise CAIRN_ERR_CONFLICT and nothing changes.
 * Status cannot be set here (see cairn_patient_change_status()). Setting
 * risk records the acting login and time. Fields whose value is unchanged
 * are left out of the audit row; an edit that changes nothing writes
 * nothing. On success p->version is the new version. */
enum cairn_status cairn_patient_update(struct cairn_store *store, struct cairn_patient *p,
                                       uint32_t mask, struct cairn_error *err);

/* Moves patient p->id (read at p->version) to status `to` when the lifecycle
 * allows it (CAIRN_ERR_TRANSITION otherwise, naming both statuses), taking
 * the fields that belong to the step from p:
 *   active from referred: admission_date (required), program_id and
 *     expected_discharge_date (optional; when a program is given and no
 *     expected date, admission + the program's length of stay);
 *   discharged: discharge_date and discharge_reason (both required);
 *   on_hold, alumni, active from on_hold: nothing else.
 * Conflict and audit as cairn_patient_update(). On success *p is re-read. */
enum cairn_status cairn_patient_change_status(struct cairn_store *store, struct cairn_patient *p,
                                              enum cairn_patient_status to,
                                              struct cairn_error *err);

/* List orders. Every order but MRN breaks ties by name, then id; pass the
 * last row's sort_key, name_key and id to page on. */
#define CAIRN_PATIENT_SORT_LIST(X)                                                                 \
    X(CAIRN_PATIENT_SORT_NAME, "name")         /* name_key (accents aside), then id */             \
    X(CAIRN_PATIENT_SORT_MRN, "mrn")           /* MRN (unique) */                                  \
    X(CAIRN_PATIENT_SORT_PROGRAM, "program")   /* program code; none first */                      \
    X(CAIRN_PATIENT_SORT_STATUS, "status")     /* lifecycle: referred, active, on_hold, … */     \
    X(CAIRN_PATIENT_SORT_RISK, "risk")         /* high, moderate, low, none */                     \
    X(CAIRN_PATIENT_SORT_ADMITTED, "admitted") /* admission date; none first */

enum cairn_patient_sort {
#define CAIRN_X_ENUM(code, name) code,
    CAIRN_PATIENT_SORT_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_PATIENT_SORT__COUNT
};

/* Name of a sort ("risk"); "" for an invalid value. */
const char *cairn_patient_sort_str(enum cairn_patient_sort sort);

/* Parses a sort name; CAIRN_ERR_INVALID (field "sort") for anything else. */
enum cairn_status cairn_patient_sort_parse(const char *text, enum cairn_patient_sort *sort,
                                           struct cairn_error *err);

/* Which patients a list shows. Zero-initialize for "everyone, by name". */
struct cairn_patient_filter {
    uint32_t status_mask;        /* bits (1u << status); 0 = any status */
    const char *clinician_login; /* therapist, case manager or peer mentor */
    const char *program_code;
    uint32_t risk_mask; /* bits (1u << enum cairn_risk), CAIRN_RISK_UNSET for none set;
                           0 = any */
    const char *search; /* substring of legal/preferred name (folded, so "zoe" finds
                           "Zoë") or of the MRN */
    bool review_due;    /* only active patients with a weekly review to do: this ISO week's
                           (the store's today) not signed, or an earlier one unsigned */
    enum cairn_patient_sort sort;
    const char *after_sort; /* keyset paging, orders other than name and MRN: the last
                               row's sort_key */
    const char *after_key;  /* keyset paging: rows strictly after (key, id); the key is
                               the MRN for the MRN order, else the name_key */
    int64_t after_id;
    bool backward; /* rows strictly before (key, id), nearest first; without after_key:
                      the last rows, last first */
    size_t limit;  /* 0 = no limit */
};

/* Calls fn for each patient that passes the filter, in the filter's order,
 * without auditing (lists show identifiers, not records). Stops early when
 * fn returns non-zero. The record passed to fn is borrowed for the call.
 * An unknown clinician login or program code is CAIRN_ERR_NOT_FOUND. */
enum cairn_status cairn_patient_list(struct cairn_store *store,
                                     const struct cairn_patient_filter *filter,
                                     int (*fn)(const struct cairn_patient *p, void *ctx), void *ctx,
                                     struct cairn_error *err);

#endif
