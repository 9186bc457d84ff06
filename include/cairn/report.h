/* cairn — printable reports: the caseload summary per clinician and program
 * (`report caseload`) and the one-patient summary (`report patient`).
 *
 * The core never opens a file or stdout: every report is written through a
 * sink the caller supplies (cairn_report_write_fn), so the CLI can send it
 * to stdout or an --output file and the TUI to a file or a pipe to lp.
 *
 * The caseload report streams. cairn_report_rows() hands the renderer one
 * patient at a time, ordered by clinician, then active before on hold,
 * then risk (high first), then name; the renderer keeps running totals per
 * clinician, per program and overall, never the patients themselves. Only
 * the text form buffers its rendered lines (about 200 bytes a patient:
 * 2 MB for 10,000 patients, 20 MB for 100,000), because its page header
 * says "page N of M" and M is known only at the end.
 *
 * Which clinician a patient counts under: with a clinician filter, every
 * patient whose therapist or case manager that login is (the same set as
 * `alerts --clinician` and `review due --clinician`), all in one group;
 * without it, the primary clinician: the therapist, else the case manager,
 * else "unassigned", so each patient counts exactly once.
 *
 * Active patients are the caseload and make the totals; on-hold patients
 * are listed after them in their clinician's group and counted apart (with
 * their open urgent alerts, which apply to them too).
 *
 * "As of": the report week's attendance, review and mastered steps are of
 * that ISO week; measures, risk, week of stay, overdue reviews and
 * discharges due are as of the week's last day, or the store's today while
 * the week is still going; alerts are computed as of today, as everywhere.
 */
#ifndef CAIRN_REPORT_H
#define CAIRN_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/alert.h"
#include "cairn/date.h"
#include "cairn/measure.h"
#include "cairn/patient.h"
#include "cairn/program.h"
#include "cairn/session.h"
#include "cairn/staff.h"
#include "cairn/status.h"

struct cairn_store;

#define CAIRN_REPORT_FORMAT_LIST(X)                                                                \
    X(CAIRN_REPORT_TEXT, "text")                                                                   \
    X(CAIRN_REPORT_MD, "md")                                                                       \
    X(CAIRN_REPORT_CSV, "csv")                                                                     \
    X(CAIRN_REPORT_JSON, "json")                                                                   \
    X(CAIRN_REPORT_HTML, "html")

enum cairn_report_format {
#define CAIRN_X_ENUM(code, name) code,
    CAIRN_REPORT_FORMAT_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_REPORT_FORMAT__COUNT
};

/* "text", "md", …; "" out of range. */
const char *cairn_report_format_str(enum cairn_report_format format);

/* Parses a format name; CAIRN_ERR_INVALID (pointer "format") naming the
 * valid ones otherwise. */
enum cairn_status cairn_report_format_parse(const char *text, enum cairn_report_format *out,
                                            struct cairn_error *err);

/* Where a report goes: called with each piece of output in order; returns
 * 0 when all n bytes were written, non-zero to stop the report (it then
 * fails with CAIRN_ERR_IO). */
typedef int (*cairn_report_write_fn)(const void *buf, size_t n, void *ctx);

/* --- the text page ---------------------------------------------------------- */

#define CAIRN_REPORT_COLUMNS      80 /* display columns of every text line */
#define CAIRN_REPORT_PAGE_LINES   60 /* lines per page; a form feed starts the next */
#define CAIRN_REPORT_HEADER_LINES 5  /* page header, rule and a blank line */

/* --- one patient's row ------------------------------------------------------ */

#define CAIRN_REPORT_TREND_WEEKS  8 /* weeks of measure trend: the report week and 7 before */
#define CAIRN_REPORT_STAY_BUCKETS 9 /* weeks of stay 1..8, then 9 and more */
#define CAIRN_REPORT_BANDS_MAX    5 /* severity bands of PHQ-9 (GAD-7 has 4) */

/* A patient's PHQ-9 or GAD-7 as of the report's day. */
struct cairn_report_score {
    int total;                     /* the latest total; -1 when none */
    int band;                      /* its band's index in the instrument's table; -1 none */
    char date[CAIRN_DATE_LEN + 1]; /* of the latest; "" none */
    int baseline;                  /* the first total, when it is not the latest; else -1 */
    unsigned changes;              /* bits (1u << enum cairn_change_kind) vs the baseline */
    /* The latest total as of the end of each trend week, oldest first
     * (the last is the report day); -1 before the first score. */
    int weekly[CAIRN_REPORT_TREND_WEEKS];
};

/* An alert that fires for the patient (as of the store's today). */
struct cairn_report_alert {
    enum cairn_alert_rule rule;
    enum cairn_alert_severity severity;
    bool acknowledged; /* an acknowledgement holds for its data */
    char reason[CAIRN_ALERT_REASON_MAX];
};

/* Everything the renderers show about one patient. */
struct cairn_report_row {
    int64_t patient_id;
    char mrn[CAIRN_MRN_MAX + 1];
    char name[CAIRN_NAME_MAX + 1]; /* legal name */
    char preferred_name[CAIRN_NAME_MAX + 1];
    char program[CAIRN_PROGRAM_CODE_MAX + 1]; /* code; "" when none */
    /* The group: a staff login ("" = unassigned) and that staff's name. */
    char clinician[CAIRN_LOGIN_MAX + 1];
    char clinician_name[CAIRN_STAFFNAME_MAX + 1];
    char therapist[CAIRN_LOGIN_MAX + 1], case_manager[CAIRN_LOGIN_MAX + 1];
    enum cairn_patient_status status; /* active or on hold */
    enum cairn_risk risk;
    char admission_date[CAIRN_DATE_LEN + 1];
    int week_of_stay; /* 1 in the admission week; 0 when admitted after the report day */
    struct cairn_attendance_week attendance; /* the report week, against the program minimum */
    struct cairn_report_score phq9, gad7;
    /* The report week's review ("due", "draft", "signed", "cosigned"; ""
     * when the week has none), whether it still needs doing (an active
     * patient admitted by the week's end without a signature), how many
     * earlier reviews are overdue, and how many signed reviews await a
     * co-signature. */
    char review[12];
    int reviews_due, reviews_overdue, reviews_awaiting;
    size_t nalerts;
    struct cairn_report_alert alerts[CAIRN_ALERT__COUNT];
    int steps_mastered_week;   /* ladder steps mastered by an attempt in the report week */
    int ladders_mastered_week; /* on how many ladders */
    char expected_discharge[CAIRN_DATE_LEN + 1]; /* "" none */
    bool discharge_due; /* expected within 14 days of the report day (not before it) */
};

/* Which patients the rows cover, and for which ISO week. */
struct cairn_report_filter {
    const char *clinician; /* login: its patients as therapist or case manager; NULL: all */
    const char *program;   /* program code (every version); NULL: all */
    int iso_year, week;    /* the report week; must not be after the store's today's */
};

/* The last day the report looks at: the Sunday of ISO week `week` of
 * `iso_year`, or `today` when that is earlier. Pure. */
int32_t cairn_report_as_of(int32_t today, int iso_year, int week);

/* Calls fn for each active or on-hold patient the filter takes, with the
 * row the renderers need, ordered by group (see the header comment;
 * unassigned last), active before on hold, risk (high, moderate, low,
 * none), name and id. One read transaction covers every row. An unknown
 * clinician login or program code is CAIRN_ERR_NOT_FOUND (pointer
 * "clinician" or "program"); a week after today's is CAIRN_ERR_INVALID
 * ("week"). fn returns non-zero to stop (CAIRN_OK). The row is borrowed
 * for the call. Not audited: cairn_report_caseload() audits the report. */
enum cairn_status cairn_report_rows(struct cairn_store *store,
                                    const struct cairn_report_filter *filter,
                                    int (*fn)(const struct cairn_report_row *row, void *ctx),
                                    void *ctx, struct cairn_error *err);

/* --- totals ----------------------------------------------------------------- */

struct cairn_report_measure_totals {
    int bands[CAIRN_REPORT_BANDS_MAX]; /* active patients by band of their latest score */
    int none;                          /* active patients without a score */
    int improved, worse, remission;    /* change labels since the baseline */
    /* Weekly mean of the latest scores: sum and count per trend week. */
    long trend_sum[CAIRN_REPORT_TREND_WEEKS];
    int trend_n[CAIRN_REPORT_TREND_WEEKS];
};

/* Running totals over rows (one clinician, one program, or everyone). */
struct cairn_report_totals {
    int active, on_hold;
    /* Active patients by risk (index enum cairn_risk) and week of stay
     * (bucket 0 = week 1 … 8 = week 9 and later; week 0 counts in 0). */
    int risk_stay[CAIRN_RISK_HIGH + 1][CAIRN_REPORT_STAY_BUCKETS];
    long minutes_attended, minutes_minimum; /* active patients whose program has a minimum */
    int below_minimum;                      /* … below it in hours or days */
    int no_minimum;                         /* active patients without a minimum */
    struct cairn_report_measure_totals phq9, gad7;
    int reviews_due, reviews_overdue, reviews_awaiting;
    int alerts_urgent, alerts_warning; /* open (not acknowledged); on hold: urgent only */
    int steps_mastered_week, ladders_mastered_week;
    int discharges_due;
};

/* Adds one row to *t: an active patient to every total, an on-hold one to
 * on_hold and its open urgent alerts. Pure. */
void cairn_report_totals_add(struct cairn_report_totals *t, const struct cairn_report_row *row);

/* The stay bucket of a week of stay (0..CAIRN_REPORT_STAY_BUCKETS-1). Pure. */
int cairn_report_stay_bucket(int week_of_stay);

/* --- rendering -------------------------------------------------------------- */

/* What a report's head and every text page header say. */
struct cairn_report_meta {
    char program[CAIRN_PROGRAM_CODE_MAX + 1]; /* "" = all programs */
    char program_name[4 * CAIRN_PROGRAM_NAME_MAX + 1];
    char clinician[CAIRN_LOGIN_MAX + 1]; /* "" = all clinicians */
    char clinician_name[CAIRN_STAFFNAME_MAX + 1];
    char week[CAIRN_WEEK_LEN + 1];
    char from[CAIRN_DATE_LEN + 1], to[CAIRN_DATE_LEN + 1];          /* Monday, Sunday */
    char as_of[CAIRN_DATE_LEN + 1];                                 /* see cairn_report_as_of() */
    char trend_weeks[CAIRN_REPORT_TREND_WEEKS][CAIRN_WEEK_LEN + 1]; /* oldest first */
    bool week_complete;                   /* the week ended before today */
    char printed_on[CAIRN_DATE_LEN + 1];  /* the store's today */
    char printed_by[CAIRN_LOGIN_MAX + 1]; /* the acting login */
};

/* Fills *meta for the week `iso_year`/`week`, today `today` and the acting
 * login `by`; program and clinician are left "" for the caller. Pure. */
void cairn_report_meta_init(struct cairn_report_meta *meta, int iso_year, int week, int32_t today,
                            const char *by);

/* A caseload report being written. */
struct cairn_report_renderer;

/* Starts a caseload report in `format` written to `write`/`ctx`. Free the
 * renderer with cairn_report_render_free() whatever happens. */
enum cairn_status cairn_report_render_begin(enum cairn_report_format format,
                                            const struct cairn_report_meta *meta,
                                            cairn_report_write_fn write, void *ctx,
                                            struct cairn_report_renderer **out,
                                            struct cairn_error *err);

/* Adds one patient. Rows must come grouped by clinician (as
 * cairn_report_rows() gives them); a new clinician closes the previous
 * group with its totals. CAIRN_ERR_IO once the sink failed. */
enum cairn_status cairn_report_render_row(struct cairn_report_renderer *r,
                                          const struct cairn_report_row *row,
                                          struct cairn_error *err);

/* Closes the last group, writes the totals per program and overall, and
 * (text) the paginated pages; flushes everything to the sink. */
enum cairn_status cairn_report_render_end(struct cairn_report_renderer *r, struct cairn_error *err);

/* Frees *r and sets it to NULL; NULL is fine. */
void cairn_report_render_free(struct cairn_report_renderer **r);

/* --- the reports ------------------------------------------------------------ */

struct cairn_report_options {
    const char *clinician; /* see struct cairn_report_filter */
    const char *program;
    const char *week; /* "2026-W47"; NULL: the store's today's week */
    bool to_file;     /* the caller saves it: audited as an export, not a read */
};

/* Writes the caseload report in `format`: checks the options (a malformed
 * or future week is CAIRN_ERR_INVALID "week"; an unknown clinician or
 * program CAIRN_ERR_NOT_FOUND), appends one audit row for the whole
 * report (entity "report", no patient: a caseload list is not a read of
 * a record), then streams cairn_report_rows() through a renderer. */
enum cairn_status cairn_report_caseload(struct cairn_store *store,
                                        const struct cairn_report_options *opts,
                                        enum cairn_report_format format,
                                        cairn_report_write_fn write, void *ctx,
                                        struct cairn_error *err);

/* Writes the printable summary of patient `mrn` in text or html (other
 * formats are CAIRN_ERR_INVALID "format"): the record's header, the plan
 * and the safety plan, the ladders with their steps and a chart of each
 * attempt's peak SUDS, a chart of the PHQ-9 and GAD-7 totals over time
 * against the band thresholds, and the last four weekly reviews. A read
 * of the record: audited like `patient show` (the patient, each plan, the
 * measures and each review shown), plus an export row when `to_file`.
 * CAIRN_ERR_NOT_FOUND for an unknown MRN. */
enum cairn_status cairn_report_patient(struct cairn_store *store, const char *mrn,
                                       enum cairn_report_format format, bool to_file,
                                       cairn_report_write_fn write, void *ctx,
                                       struct cairn_error *err);

#endif
