/* cairn — sessions and attendance.
 *
 * A session is one meeting: a group with its roster, or one individual,
 * family, skills, psychiatry or peer session. Each patient on it has one
 * attendance line: attended (the whole session), late (part of it),
 * absent or excused. Per patient and ISO week, cairn totals the hours and
 * days attended and compares them with the program's minimum.
 *
 * Minutes attended belong to the end of the session (someone late missed
 * its start), so a session with a start time that runs past midnight
 * counts its minutes on each day, and in each ISO week, it actually ran.
 * Without a start time a session counts on its date.
 */
#ifndef CAIRN_SESSION_H
#define CAIRN_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/patient.h"
#include "cairn/status.h"
#include "cairn/template.h"

struct cairn_store;

#define CAIRN_SESSION_MINUTES_MAX 720 /* one meeting, 12 hours */
#define CAIRN_ROSTER_MAX          200 /* patients on one session */
#define CAIRN_SESSION_TITLE_MAX   100 /* characters */

#define CAIRN_ATTENDANCE_LIST(X)                                                                   \
    X(CAIRN_ATTENDED, "attended")                                                                  \
    X(CAIRN_ABSENT, "absent")                                                                      \
    X(CAIRN_EXCUSED, "excused")                                                                    \
    X(CAIRN_LATE, "late")

enum cairn_attendance_status {
#define CAIRN_X_ENUM(code, name) code,
    CAIRN_ATTENDANCE_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_ATTENDANCE__COUNT
};

const char *cairn_attendance_str(enum cairn_attendance_status status);

/* Parses an attendance status name; CAIRN_ERR_INVALID listing them otherwise. */
enum cairn_status cairn_attendance_parse(const char *text, enum cairn_attendance_status *out,
                                         struct cairn_error *err);

/* Parses a session type name ("group"); CAIRN_ERR_INVALID listing them. */
enum cairn_status cairn_session_type_parse(const char *text, enum cairn_session_type *out,
                                           struct cairn_error *err);

struct cairn_session {
    int64_t id;
    char date[CAIRN_DATE_LEN + 1];
    char start[6]; /* "HH:MM", or "" when not recorded */
    enum cairn_session_type type;
    char title[4 * CAIRN_SESSION_TITLE_MAX + 1]; /* "DBT skills"; "" allowed */
    int minutes;                                 /* scheduled, 1–720 */
    bool telehealth;
    char facilitator[CAIRN_LOGIN_MAX + 1]; /* staff login, "" = none */
};

/* One patient's line when logging a session. */
struct cairn_roster_entry {
    char mrn[CAIRN_MRN_MAX + 1];
    enum cairn_attendance_status status;
    int minutes_attended; /* late: required, 1 to the session's minutes - 1; others: -1 */
};

/* "HH:MM" (24-hour) as minutes after midnight; -1 when it is not one. */
int cairn_session_start_minute(const char *text);

/* Checks a session's own fields: a real date not after `today`, start
 * "HH:MM" or "", 1–720 minutes, title text. Reports the field at fault. */
enum cairn_status cairn_session_validate(const struct cairn_session *s, int32_t today,
                                         struct cairn_error *err);

/* One attendance line as the weekly rules read it. */
struct cairn_attendance_line {
    int32_t day;      /* the session's date */
    int start_minute; /* minutes after midnight; -1 when not recorded */
    int minutes;      /* scheduled */
    int minutes_attended;
    enum cairn_attendance_status status;
};

/* A patient's attendance in one ISO week against the program's minimum. */
struct cairn_attendance_week {
    int iso_year, week;
    int minutes_attended;
    int days_attended; /* distinct days with any minutes attended */
    int sessions;      /* lines whose session started this week */
    int attended, late, absent, excused;
    int min_minutes; /* the program's minimum hours, in minutes; 0 = none */
    int min_days;    /* 0 = none */
    bool meets_hours, meets_days;
    bool complete; /* the week is over (before today): only then is it judged */
};

/* Totals `n` lines (any order, any dates) for ISO week `week` of
 * `iso_year`: minutes and days attended fall in the week they ran (see the
 * header comment), session counts in the week the session started.
 * `min_hours` and `min_days` are the program's minimum (0: none); the week
 * is complete when it ended before `today`. Pure. */
void cairn_attendance_week_total(const struct cairn_attendance_line *lines, size_t n, int iso_year,
                                 int week, double min_hours, int min_days, int32_t today,
                                 struct cairn_attendance_week *out);

/* Fills w's judgement from its totals (iso_year, week, minutes and days
 * attended): the program's minimum (min_hours, min_days; 0: none), whether
 * each is met, and whether the week is complete (ended before `today`).
 * cairn_attendance_week_total() ends with it. Pure. */
void cairn_attendance_week_judge(struct cairn_attendance_week *w, double min_hours, int min_days,
                                 int32_t today);

/* Logs session *s with its roster of `n` patients in one transaction,
 * audited (one row for the session, one per attendance line). Refused
 * with nothing written: an unknown MRN, an MRN twice, a patient who is not
 * active or on hold or was admitted after the session's date, a patient
 * already on the same session (same date, start, type and title), a late
 * line without minutes. Sets s->id. */
enum cairn_status cairn_session_log(struct cairn_store *store, struct cairn_session *s,
                                    const struct cairn_roster_entry *roster, size_t n,
                                    struct cairn_error *err);

/* What cairn_attendance_mark() did. */
enum cairn_mark_result {
    CAIRN_MARK_UNCHANGED, /* the line already said so */
    CAIRN_MARK_CHANGED,   /* the line was corrected */
    CAIRN_MARK_ADDED,     /* the patient was not on the roster and now is */
};

/* Corrects patient e->mrn's line on session `session_id` to e->status
 * (and e->minutes_attended when late), or adds the patient to the roster
 * when missing (with every check cairn_session_log() makes). With
 * if_version > 0 the line must still be at that version
 * (CAIRN_ERR_CONFLICT otherwise, and the refusal is audited). One
 * transaction, audited; *result says what happened. */
enum cairn_status cairn_attendance_mark(struct cairn_store *store, int64_t session_id,
                                        const struct cairn_roster_entry *e, int64_t if_version,
                                        enum cairn_mark_result *result, struct cairn_error *err);

/* One patient's attendance line with its session, for listing. */
struct cairn_attendance_row {
    struct cairn_session session;
    int64_t attendance_id;
    enum cairn_attendance_status status;
    int minutes_attended;
    int64_t version;
};

typedef int (*cairn_attendance_fn)(const struct cairn_attendance_row *row, void *arg);

/* Calls fn for each attendance line of patient `patient_id` on a session
 * dated in [from, to] (days; inclusive), oldest first. Not audited by
 * itself: call it after the audited read of the record. */
enum cairn_status cairn_attendance_list(struct cairn_store *store, int64_t patient_id, int32_t from,
                                        int32_t to, cairn_attendance_fn fn, void *arg,
                                        struct cairn_error *err);

/* Totals patient `patient_id`'s attendance for ISO week `week` of
 * `iso_year` against their program's minimum. */
enum cairn_status cairn_attendance_week_load(struct cairn_store *store, int64_t patient_id,
                                             int iso_year, int week,
                                             struct cairn_attendance_week *out,
                                             struct cairn_error *err);

/* What cairn_session_import() did. */
struct cairn_import_result {
    size_t rows;     /* attendance lines written */
    size_t sessions; /* sessions created (lines may join an existing session) */
};

/* Imports attendance from CSV text (RFC 4180, see csv.h) named `file` in
 * messages. The header names the columns, in any order, ignoring case:
 * date, mrn, type, minutes, status (required) and title, start,
 * minutes_attended, telehealth (yes/no), facilitator (optional). Rows with
 * the same date, start, type, title, minutes, telehealth and facilitator
 * are one session. All or nothing: the first bad row stops the import with
 * err->file, line, col and pointer (the column) set, and nothing is
 * written. */
enum cairn_status cairn_session_import(struct cairn_store *store, const char *text, size_t len,
                                       const char *file, struct cairn_import_result *result,
                                       struct cairn_error *err);

#endif
