/* cairn — symptom measures: PHQ-9, GAD-7, the C-SSRS screen and the 0-10
 * scales (craving, mood).
 *
 * One table (cairn_instrument_get(), DESIGN.md §1 "one table per concern")
 * holds every instrument's items, ranges, severity bands and default
 * reliable-change threshold. Parsing answers, scoring, banding, the C-SSRS
 * branching and triage, and the change labels (reliable change, response,
 * remission) are pure functions over plain structs; every label they produce
 * names the rule that fired (DESIGN.md §3). The store functions at the end
 * save a measure with its audit row and list a patient's measures with their
 * change from baseline and from the previous score.
 */
#ifndef CAIRN_MEASURE_H
#define CAIRN_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/staff.h"
#include "cairn/status.h"
#include "cairn/template.h"

struct cairn_store;

/* Answer slots a measure can hold: nine PHQ-9 items; the C-SSRS screen uses
 * seven (items 1-6, then the item-6 follow-up "within the past 3 months"). */
#define CAIRN_MEASURE_ANSWERS_MAX 9

/* An item left blank: C-SSRS items 3-5 after a "no" to item 2, and the
 * item-6 follow-up after a "no" to item 6. Written "-" (or nothing). */
#define CAIRN_ANSWER_SKIPPED (-1)

/* A response or remission is only judged from a baseline at least this high
 * (PHQ-9 convention, applied to GAD-7 the same way). */
#define CAIRN_MEASURE_RESPONSE_BASELINE_MIN 10
/* Remission: a total below this. */
#define CAIRN_MEASURE_REMISSION_BELOW 5

/* One severity band: totals lo..hi (inclusive) read as `label`. */
struct cairn_measure_band {
    int lo, hi;
    const char *label;
};

/* One instrument: what the table in src/core/measure.c says about it. */
struct cairn_instrument_def {
    enum cairn_instrument instrument;
    const char *code;                             /* "phq9" */
    const char *title;                            /* "PHQ-9" */
    const char *about;                            /* what it measures, one line */
    const char *citation;                         /* "Kroenke, Spitzer & Williams 2001" */
    const char *scale;                            /* how items are answered, for prompts */
    size_t nitems;                                /* items asked (C-SSRS: 6) */
    size_t nanswers;                              /* answer slots stored (C-SSRS: 7) */
    const char *items[CAIRN_MEASURE_ANSWERS_MAX]; /* paraphrased item texts */
    int min, max;                                 /* each item's range */
    bool yes_no;                                  /* items are no (0) / yes (1) */
    size_t nbands;
    struct cairn_measure_band bands[5];
    const char *band_rule; /* "phq9_severity"; NULL when no bands */
    int reliable_change;   /* default threshold in points; 0 = no change rules */
    bool response_rules;   /* response and remission apply */
};

/* The definition of `instrument`, or NULL for a value out of range. */
const struct cairn_instrument_def *cairn_instrument_get(enum cairn_instrument instrument);

/* Parses an instrument code ("phq9"). CAIRN_ERR_INVALID naming the known
 * codes otherwise. */
enum cairn_status cairn_instrument_parse(const char *text, enum cairn_instrument *out,
                                         struct cairn_error *err);

/* C-SSRS screen triage levels (DESIGN.md §3). */
enum cairn_cssrs_risk {
    CAIRN_CSSRS_NONE,
    CAIRN_CSSRS_LOW,
    CAIRN_CSSRS_MODERATE,
    CAIRN_CSSRS_HIGH,
};

/* "none", "low", "moderate", "high"; "" out of range. */
const char *cairn_cssrs_risk_str(enum cairn_cssrs_risk risk);

/* Urgent flags raised at entry, as bits. Stored as their rule names. */
#define CAIRN_MEASURE_FLAG_LIST(X)                                                                 \
    X(CAIRN_MEASURE_FLAG_PHQ9_ITEM9, "phq9_item9")                                                 \
    X(CAIRN_MEASURE_FLAG_CSSRS_HIGH, "cssrs_high_risk")

enum cairn_measure_flag {
#define CAIRN_X_ENUM(code, name) code,
    CAIRN_MEASURE_FLAG_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_MEASURE_FLAG__COUNT
};

/* The rule name of a flag ("phq9_item9"); "" out of range. */
const char *cairn_measure_flag_str(enum cairn_measure_flag flag);

#define CAIRN_MEASURE_TEXT_MAX 256

/* What scoring one set of answers gives. */
struct cairn_measure_score {
    int total;             /* sum of the items; C-SSRS: how many of items 1-6 are yes */
    const char *band;      /* band label, C-SSRS risk level; "" when none */
    const char *band_rule; /* "phq9_severity", "cssrs_triage"; "" when none */
    char band_why[CAIRN_MEASURE_TEXT_MAX]; /* "10–14", "yes to item 4 (…)" */
    enum cairn_cssrs_risk risk;            /* C-SSRS only */
    unsigned flags;                        /* bit (1u << enum cairn_measure_flag) */
    /* One sentence per flag set, in flag order, each naming its rule. */
    char flag_text[CAIRN_MEASURE_FLAG__COUNT][CAIRN_MEASURE_TEXT_MAX];
};

/* Parses one answer to item `item` (0-based answer slot) of `def`: a whole
 * number in the item's range; for yes/no items also y, yes, n, no; "-" or
 * "" is CAIRN_ANSWER_SKIPPED. Range errors say "item 3: 4 is out of range
 * 0–3". Pure. */
enum cairn_status cairn_measure_parse_answer(const struct cairn_instrument_def *def, size_t item,
                                             const char *text, int *value, struct cairn_error *err);

/* Parses comma-separated answers ("1,2,0,1,3,0,1,0,0"; "y,y,n,n,n,y,n";
 * "y,n,-,-,-,n") into answers[] and their count into *n. Checks each value;
 * the count is checked by cairn_measure_score(). Pure. */
enum cairn_status cairn_measure_parse_answers(const struct cairn_instrument_def *def,
                                              const char *text,
                                              int answers[CAIRN_MEASURE_ANSWERS_MAX], size_t *n,
                                              struct cairn_error *err);

/* Checks `n` answers of `def` (count, ranges, the C-SSRS branching rule:
 * item 2 "no" skips items 3-5; item 6 "yes" asks the 3-month follow-up)
 * and scores them: total, band, C-SSRS triage and urgent flags. A C-SSRS
 * screen may be given 6 answers when item 6 is no. Errors are
 * CAIRN_ERR_INVALID with the "answers" pointer: "PHQ-9 needs 9 answers,
 * got 8". Pure. */
enum cairn_status cairn_measure_score(const struct cairn_instrument_def *def, const int *answers,
                                      size_t n, struct cairn_measure_score *out,
                                      struct cairn_error *err);

/* The band of `total` on `def` (NULL when the instrument has no bands or
 * the total is outside them). Pure. */
const struct cairn_measure_band *cairn_measure_band(const struct cairn_instrument_def *def,
                                                    int total);

/* Labels a change rule can give. */
enum cairn_change_kind {
    CAIRN_CHANGE_RELIABLE_IMPROVEMENT,
    CAIRN_CHANGE_RELIABLE_WORSENING,
    CAIRN_CHANGE_RESPONSE,
    CAIRN_CHANGE_REMISSION,
};

struct cairn_change_label {
    enum cairn_change_kind kind;
    char rule[32];                     /* "phq9_reliable_change" */
    char text[CAIRN_MEASURE_TEXT_MAX]; /* the whole label, rule included */
};

/* How a score compares with the patient's baseline. */
struct cairn_measure_change {
    size_t nlabels;
    struct cairn_change_label labels[4];
};

/* Applies the change rules of `def` to `total` against `baseline`, with
 * `reliable_change` points as the threshold (the program's, or
 * def->reliable_change): reliable improvement/worsening when the total
 * moved at least that far from baseline; response (≥ 50% drop) and
 * remission (total < 5), both only when baseline ≥ 10. Instruments without
 * change rules get no labels. Pure. */
void cairn_measure_change(const struct cairn_instrument_def *def, int baseline, int total,
                          int reliable_change, struct cairn_measure_change *out);

/* The kinds cairn_measure_change() would label, as bits (1u << kind),
 * without writing the labels' text. Pure. */
unsigned cairn_measure_change_kinds(const struct cairn_instrument_def *def, int baseline, int total,
                                    int reliable_change);

/* One stored measure. */
struct cairn_measure {
    int64_t id;
    int64_t patient_id;
    enum cairn_instrument instrument;
    char date[CAIRN_DATE_LEN + 1];
    size_t nanswers;
    int answers[CAIRN_MEASURE_ANSWERS_MAX];
    struct cairn_measure_score score;
    char entered_by[CAIRN_LOGIN_MAX + 1];
    char created_at[CAIRN_TIMESTAMP_LEN + 1];
    int64_t version;
};

/* Scores m->answers, refuses a date after the store's today, and saves the
 * measure for patient m->patient_id with its audit row (create, field names
 * only) in one transaction. Fills m->id, m->score (flags included: the
 * caller shows them), entered_by, created_at and version. Unknown patient:
 * CAIRN_ERR_NOT_FOUND. */
enum cairn_status cairn_measure_add(struct cairn_store *store, struct cairn_measure *m,
                                    struct cairn_error *err);

/* Corrects measure m->id, which must be of instrument m->instrument (a
 * mistyped id is refused, not used): new item answers m->answers
 * (m->nanswers) and, when m->date is not "", a new date. Rescored and stored with its band and
 * flags in one transaction, audited with the fields that changed. With if_version > 0 the measure
 * must still be at that version (CAIRN_ERR_CONFLICT otherwise; the refusal is audited). The same
 * answers and date again set *unchanged and write nothing. On success m->score and m->version are
 * the stored ones. */
enum cairn_status cairn_measure_correct(struct cairn_store *store, struct cairn_measure *m,
                                        int64_t if_version, bool *unchanged,
                                        struct cairn_error *err);

/* One row of a patient's measure history. */
struct cairn_measure_entry {
    struct cairn_measure m;
    bool baseline; /* the first of its instrument (by date, then entry) */
    int baseline_total;
    bool has_previous; /* an earlier one of the same instrument exists */
    int previous_total;
    int reliable_change;                /* the threshold the labels used (0: none) */
    struct cairn_measure_change change; /* vs baseline; none on the baseline */
};

/* Calls fn for each measure of patient `patient_id` (only `instrument`
 * when only_one), oldest first (date, then entry), with its change from
 * baseline and from the previous score of the same instrument. The
 * reliable-change thresholds are the patient's program's (alert_phq9_rise,
 * alert_gad7_rise), the instrument defaults without a program. The read is
 * audited (read, entity measure) in the same transaction. fn returns
 * non-zero to stop. */
enum cairn_status cairn_measure_list(struct cairn_store *store, int64_t patient_id, bool only_one,
                                     enum cairn_instrument instrument,
                                     int (*fn)(const struct cairn_measure_entry *e, void *ctx),
                                     void *ctx, struct cairn_error *err);

/* The totals of patient `patient_id`'s latest (at most `max`) measures of
 * `instrument`, oldest first, into totals[]; *n gets how many. For the
 * caseload's trend columns: not audited (a list, like the caseload, is
 * not a read of one record). */
enum cairn_status cairn_measure_recent(struct cairn_store *store, int64_t patient_id,
                                       enum cairn_instrument instrument, int *totals, size_t max,
                                       size_t *n, struct cairn_error *err);

#endif
