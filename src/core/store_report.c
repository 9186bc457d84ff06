/* The caseload report's data: one row per active or on-hold patient,
 * given in the report's order (see cairn_report_rows() in report.h), and
 * the report's audit row.
 *
 * One read transaction, one pass over the patients in storage order with
 * their per-patient summaries (store_facts_scan()): for the week holding
 * today, a row is built from the summary (the alert facts, plus the score
 * trend, the reviews and the mastered steps it keeps); for an earlier
 * week, or where a summary cannot answer, from a handful of indexed
 * per-patient reads. Each row is packed (about a hundred bytes and its
 * strings) and the set sorted in memory, so that a renderer can go over
 * it twice: a whole organization of 100,000 patients is about 20 MB. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/alert.h"
#include "cairn/measure.h"
#include "cairn/program.h"
#include "cairn/report.h"
#include "cairn/review.h"
#include "report_internal.h"
#include "pair.h"
#include "store_internal.h"

/* What every row of one report shares. */
struct walk {
    struct cairn_store *s;
    char week[CAIRN_WEEK_LEN + 1];
    int iso_year, iso_week;
    int32_t monday, sunday, as_of;
    int32_t trend_end[CAIRN_REPORT_TREND_WEEKS]; /* last day of each trend week */
    char last_overdue[CAIRN_WEEK_LEN + 1];       /* cairn_review_last_overdue_week(as_of) */
    struct cairn_patient patient;
    struct cairn_report_row row;
    struct cairn_alert alerts[CAIRN_ALERT__COUNT];
};

int32_t cairn_report_as_of(int32_t today, int iso_year, int week)
{
    int32_t sunday = cairn_isoweek_monday(iso_year, week) + 6;
    return today < sunday ? today : sunday;
}

static int32_t day_of(const char *text)
{
    int32_t day = 0;
    if (!text || !*text || cairn_date_parse(text, &day, NULL) != CAIRN_OK)
        return 0;
    return day;
}

/* Reads patient `id` into w->patient, and its program's reliable-change
 * thresholds (the instruments' defaults without a program). */
static enum cairn_status load_patient(struct walk *w, int64_t id, int *phq9_rise, int *gad7_rise,
                                      struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    STORE_PREPARE(st,
                  "SELECT " STORE_PATIENT_COLUMNS
                  ", pr.alert_phq9_rise, pr.alert_gad7_rise" STORE_PATIENT_FROM "WHERE p.id = ?1");
    sqlite3_bind_int64(st, 1, id);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        store_patient_read_row(st, &w->patient);
        *phq9_rise = sqlite3_column_type(st, 29) == SQLITE_NULL
                         ? cairn_instrument_get(CAIRN_INSTRUMENT_PHQ9)->reliable_change
                         : sqlite3_column_int(st, 29);
        *gad7_rise = sqlite3_column_type(st, 30) == SQLITE_NULL
                         ? cairn_instrument_get(CAIRN_INSTRUMENT_GAD7)->reliable_change
                         : sqlite3_column_int(st, 30);
    }
    sqlite3_reset(st);
    if (src == SQLITE_DONE)
        return cairn_error_set(err, CAIRN_ERR_NOT_FOUND, "patient id %lld vanished", (long long)id);
    return src == SQLITE_ROW ? CAIRN_OK : store_fail(s, src, "reading a patient", err);
}

/* The patient's scores of `instrument` up to the report day: the first
 * (baseline), the latest, and the latest as of each trend week's end. */
static enum cairn_status load_score(struct walk *w, int64_t patient_id,
                                    enum cairn_instrument instrument, int reliable,
                                    struct cairn_report_score *sc, struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    const struct cairn_instrument_def *def = cairn_instrument_get(instrument);
    char upto[CAIRN_DATE_LEN + 1];
    int first = -1, n = 0;
    sc->total = sc->band = sc->baseline = -1;
    sc->date[0] = '\0';
    sc->changes = 0;
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        sc->weekly[k] = -1;
    cairn_date_format(w->as_of, upto);
    STORE_PREPARE(st, "SELECT date, total FROM measure WHERE patient_id = ?1 AND instrument = ?2 "
                      "AND date <= ?3 ORDER BY date, id");
    sqlite3_bind_int64(st, 1, patient_id);
    sqlite3_bind_text(st, 2, def->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, upto, -1, SQLITE_TRANSIENT);
    int src;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t day = day_of((const char *)sqlite3_column_text(st, 0));
        int total = sqlite3_column_int(st, 1);
        if (n++ == 0)
            first = total;
        sc->total = total;
        store_col_text(st, 0, sc->date, sizeof sc->date);
        for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
            if (day <= w->trend_end[k])
                sc->weekly[k] = total;
    }
    sqlite3_reset(st);
    if (src != SQLITE_DONE)
        return store_fail(s, src, "reading measures", err);
    if (n == 0)
        return CAIRN_OK;
    const struct cairn_measure_band *band = cairn_measure_band(def, sc->total);
    sc->band = band ? (int)(band - def->bands) : -1;
    if (n > 1) {
        sc->baseline = first;
        sc->changes = cairn_measure_change_kinds(def, first, sc->total, reliable);
    }
    return CAIRN_OK;
}

/* The report week's review, the overdue ones and those awaiting a
 * co-signature. */
static enum cairn_status load_reviews(struct walk *w, int32_t admitted, struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    struct cairn_report_row *r = &w->row;
    char first[CAIRN_WEEK_LEN + 1] = "0000-W00";
    if (admitted) {
        int y, wk;
        cairn_date_isoweek(admitted, &y, &wk);
        cairn_isoweek_format(y, wk, first);
    }
    STORE_PREPARE(st, "SELECT (SELECT status FROM review WHERE patient_id = ?1 AND week = ?2), "
                      "(SELECT count(*) FROM review WHERE patient_id = ?1 AND week BETWEEN ?3 "
                      "AND ?4 AND status IN ('due', 'draft')), "
                      "(SELECT count(*) FROM review WHERE patient_id = ?1 AND status = 'signed')");
    sqlite3_bind_int64(st, 1, r->patient_id);
    sqlite3_bind_text(st, 2, w->week, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, first, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, w->last_overdue, -1, SQLITE_STATIC);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        store_col_text(st, 0, r->review, sizeof r->review);
        r->reviews_overdue = sqlite3_column_int(st, 1);
        r->reviews_awaiting = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    if (src != SQLITE_ROW)
        return store_fail(s, src, "reading reviews", err);
    bool signed_ = strcmp(r->review, "signed") == 0 || strcmp(r->review, "cosigned") == 0;
    r->reviews_due =
        r->status == CAIRN_PATIENT_ACTIVE && admitted && admitted <= w->sunday && !signed_;
    return CAIRN_OK;
}

/* Steps mastered by an attempt in the report week (mastered, and their
 * latest attempt falls in it), and on how many ladders. */
static enum cairn_status load_mastered(struct walk *w, struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    char from[CAIRN_DATE_LEN + 1], to[CAIRN_DATE_LEN + 1];
    cairn_date_format(w->monday, from);
    cairn_date_format(w->sunday, to);
    STORE_PREPARE(st, "SELECT count(*), count(DISTINCT l.id) FROM ladder_step st JOIN ladder l "
                      "ON l.id = st.ladder_id WHERE l.patient_id = ?1 AND l.status = 'active' "
                      "AND st.retired = 0 AND st.status = 'mastered' AND (SELECT max(a.date) "
                      "FROM ladder_attempt a WHERE a.step_id = st.id) BETWEEN ?2 AND ?3");
    sqlite3_bind_int64(st, 1, w->row.patient_id);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
    int src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        w->row.steps_mastered_week = sqlite3_column_int(st, 0);
        w->row.ladders_mastered_week = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return src == SQLITE_ROW ? CAIRN_OK : store_fail(s, src, "reading ladders", err);
}

/* Fills w->row for patient `id` of group `grp` (login and name; NULL for
 * unassigned). */
static enum cairn_status fill_row(struct walk *w, int64_t id, const char *grp, const char *grp_name,
                                  struct cairn_error *err)
{
    struct cairn_report_row *r = &w->row;
    const struct cairn_patient *p = &w->patient;
    int phq9_rise = 0, gad7_rise = 0;
    enum cairn_status rc;
    memset(r, 0, sizeof *r);
    if ((rc = load_patient(w, id, &phq9_rise, &gad7_rise, err)) != CAIRN_OK)
        return rc;
    r->patient_id = p->id;
    snprintf(r->mrn, sizeof r->mrn, "%s", p->mrn);
    snprintf(r->name, sizeof r->name, "%s", p->legal_name);
    snprintf(r->preferred_name, sizeof r->preferred_name, "%s", p->preferred_name);
    snprintf(r->program, sizeof r->program, "%s", p->program_code);
    snprintf(r->clinician, sizeof r->clinician, "%s", grp ? grp : "");
    snprintf(r->clinician_name, sizeof r->clinician_name, "%s", grp_name ? grp_name : "");
    snprintf(r->therapist, sizeof r->therapist, "%s", p->therapist_login);
    snprintf(r->case_manager, sizeof r->case_manager, "%s", p->case_manager_login);
    snprintf(r->admission_date, sizeof r->admission_date, "%s", p->admission_date);
    snprintf(r->expected_discharge, sizeof r->expected_discharge, "%s", p->expected_discharge_date);
    r->status = p->status;
    r->risk = p->risk;
    int32_t admitted = day_of(p->admission_date);
    r->week_of_stay = admitted && admitted <= w->as_of ? (w->as_of - admitted) / 7 + 1 : 0;
    int32_t leaving = day_of(p->expected_discharge_date);
    r->discharge_due = leaving && leaving >= w->as_of && leaving <= w->as_of + 14;

    if ((rc = cairn_attendance_week_load(w->s, p->id, w->iso_year, w->iso_week, &r->attendance,
                                         err)) != CAIRN_OK ||
        (rc = load_score(w, p->id, CAIRN_INSTRUMENT_PHQ9, phq9_rise, &r->phq9, err)) != CAIRN_OK ||
        (rc = load_score(w, p->id, CAIRN_INSTRUMENT_GAD7, gad7_rise, &r->gad7, err)) != CAIRN_OK ||
        (rc = load_reviews(w, admitted, err)) != CAIRN_OK ||
        (rc = load_mastered(w, err)) != CAIRN_OK)
        return rc;
    size_t n = 0;
    if ((rc = cairn_alerts_for_patient(w->s, p, w->alerts, &n, err)) != CAIRN_OK)
        return rc;
    for (size_t i = 0; i < n && i < CAIRN_ALERT__COUNT; i++) {
        struct cairn_report_alert *a = &r->alerts[r->nalerts++];
        a->rule = w->alerts[i].rule;
        a->severity = w->alerts[i].severity;
        a->acknowledged = w->alerts[i].acknowledged;
        snprintf(a->reason, sizeof a->reason, "%s", w->alerts[i].reason);
    }
    return CAIRN_OK;
}

/* Checks the filter and resolves its names; fills the walk's dates. */
static enum cairn_status prepare(struct walk *w, const struct cairn_report_filter *f,
                                 int64_t *clinician_id, char *clinician_name, size_t name_size,
                                 struct cairn_error *err)
{
    struct cairn_store *s = w->s;
    enum cairn_status rc;
    if (f->week < 1 || f->week > 53 || f->iso_year < 1900 || f->iso_year > 2199 ||
        f->week > cairn_isoweek_count(f->iso_year))
        return cairn_error_field(err, CAIRN_ERR_INVALID, "week", "no such ISO week");
    int32_t today = cairn_store_today(s);
    int ty, tw;
    cairn_date_isoweek(today, &ty, &tw);
    if (f->iso_year * 100 + f->week > ty * 100 + tw)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "week",
                                 "%04d-W%02d has not begun (this week is %04d-W%02d)", f->iso_year,
                                 f->week, ty, tw);
    w->iso_year = f->iso_year;
    w->iso_week = f->week;
    cairn_isoweek_format(f->iso_year, f->week, w->week);
    w->monday = cairn_isoweek_monday(f->iso_year, f->week);
    w->sunday = w->monday + 6;
    w->as_of = cairn_report_as_of(today, f->iso_year, f->week);
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++) {
        int32_t end = w->sunday - 7 * (CAIRN_REPORT_TREND_WEEKS - 1 - k);
        w->trend_end[k] = end < w->as_of ? end : w->as_of;
    }
    cairn_review_last_overdue_week(w->as_of, w->last_overdue);
    *clinician_id = 0;
    clinician_name[0] = '\0';
    if (f->clinician) {
        struct cairn_staff who;
        if ((rc = cairn_staff_find(s, f->clinician, &who, err)) != CAIRN_OK) {
            if (rc == CAIRN_ERR_NOT_FOUND)
                cairn_error_field(err, rc, "clinician", "no staff member with login '%.64s'",
                                  f->clinician);
            return rc;
        }
        *clinician_id = who.id;
        snprintf(clinician_name, name_size, "%s", who.name);
    }
    if (f->program) {
        struct cairn_program prog;
        if ((rc = cairn_program_find(s, f->program, &prog, err)) != CAIRN_OK) {
            if (rc == CAIRN_ERR_NOT_FOUND)
                cairn_error_field(err, rc, "program", "no program with code '%.64s'", f->program);
            return rc;
        }
    }
    return CAIRN_OK;
}

/* ---- the row set: every row of a report, packed -------------------------- */

#define ITEMS_PER_BLOCK 4096
#define TEXT_BLOCK      (1u << 20)
#define NO_STAFF        UINT32_MAX

/* A score as the report shows it (see struct cairn_report_score); the
 * date as a day number. */
struct packed_score {
    int32_t day;
    int8_t total, band, baseline;
    uint8_t changes;
    int8_t weekly[CAIRN_REPORT_TREND_WEEKS];
};

/* A week's attendance (the report week: its year and week are the
 * walk's). */
struct packed_week {
    int32_t minutes_attended, min_minutes;
    uint8_t days_attended, sessions, attended, late, absent, excused, min_days;
    uint8_t judged; /* bits: meets hours, meets days, complete */
};

/* What the sort compares, kept together so that most comparisons read
 * neither the item nor its text. */
struct sort_key {
    uint64_t order, name8; /* the item's */
    const struct item *item;
};

/* One row in about a hundred bytes and its strings: a whole organization's
 * rows must fit in memory to be sorted into the report's order. */
struct item {
    /* name_key, MRN, legal name, preferred name (NUL-terminated, in that
     * order), then per alert its rule, severity (bit 7: acknowledged) and
     * reason */
    const char *text;
    int64_t patient_id;
    uint32_t group, therapist, case_manager; /* staff indexes; NO_STAFF none */
    int32_t admission, expected_discharge;   /* day numbers; 0 none */
    uint16_t program;                        /* index into the set's program codes */
    uint8_t status, risk, nalerts, review, discharge_due;
    int16_t week_of_stay, due, overdue, awaiting, steps, ladders;
    struct packed_week attendance;
    struct packed_score phq9, gad7;
};

#define MAX_PROGRAMS 4096

struct staff_entry {
    int64_t id;
    char *login, *name;
};

struct text_block {
    struct text_block *next;
    size_t used;
    char data[TEXT_BLOCK];
};

#define DAY_MEMO 1024

struct day_text {
    int32_t day;
    char text[CAIRN_DATE_LEN + 1];
};

struct report_set {
    struct walk *w;
    struct day_text days[DAY_MEMO]; /* see format_day() */
    const struct cairn_report_filter *filter;
    int64_t clinician_id;
    char clinician_name[CAIRN_STAFFNAME_MAX + 1];
    struct staff_entry *staff; /* by login */
    uint32_t *staff_by_id;     /* indexes into staff, by id */
    size_t nstaff;
    struct item **blocks;
    size_t nitems, nblocks;
    struct sort_key *order;
    char *programs[MAX_PROGRAMS]; /* codes ("" none), in the order first seen */
    size_t nprograms;
    struct text_block *text;
    unsigned long exact; /* rows read with the per-patient queries */
    unsigned threads;    /* that collected the rows */
    enum cairn_status rc;
    struct cairn_error *err;
};

/* Copies NUL-terminated `src` into out (of `size` bytes), cut to fit. */
static void copy_text(char *out, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(out, src, n);
    out[n] = '\0';
}

static const char *const review_names[] = {"", "due", "draft", "signed", "cosigned"};

static uint8_t review_index(const char *status)
{
    for (uint8_t i = 1; i < sizeof review_names / sizeof review_names[0]; i++)
        if (strcmp(status, review_names[i]) == 0)
            return i;
    return 0;
}

static int8_t small(int v)
{
    return (int8_t)(v < -1 ? -1 : v > 127 ? 127 : v);
}

static int16_t count16(int v)
{
    return (int16_t)(v < 0 ? 0 : v > INT16_MAX ? INT16_MAX : v);
}

/* Loads every staff member, by login, and an index of them by id. */
static enum cairn_status load_staff(struct report_set *set, struct cairn_error *err)
{
    struct cairn_store *s = set->w->s;
    size_t cap = 0;
    STORE_PREPARE(st, "SELECT id, login, name FROM staff ORDER BY login");
    int src;
    enum cairn_status rc = CAIRN_OK;
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        if (set->nstaff == cap) {
            size_t c = cap ? 2 * cap : 64;
            struct staff_entry *g = realloc(set->staff, c * sizeof *g);
            if (!g) {
                rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading staff");
                break;
            }
            set->staff = g;
            cap = c;
        }
        struct staff_entry *e = &set->staff[set->nstaff];
        const char *login = (const char *)sqlite3_column_text(st, 1);
        const char *name = (const char *)sqlite3_column_text(st, 2);
        e->id = sqlite3_column_int64(st, 0);
        e->login = strdup(login ? login : "");
        e->name = strdup(name ? name : "");
        if (!e->login || !e->name) {
            free(e->login);
            free(e->name);
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading staff");
            break;
        }
        set->nstaff++;
    }
    sqlite3_reset(st);
    if (rc != CAIRN_OK)
        return rc;
    if (src != SQLITE_DONE)
        return store_fail(s, src, "reading staff", err);
    if (set->nstaff >= NO_STAFF)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "too many staff members for a report");
    set->staff_by_id = malloc((set->nstaff ? set->nstaff : 1) * sizeof *set->staff_by_id);
    if (!set->staff_by_id)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading staff");
    for (size_t i = 0; i < set->nstaff; i++)
        set->staff_by_id[i] = (uint32_t)i;
    /* insertion sort by id: staff lists are short */
    for (size_t i = 1; i < set->nstaff; i++) {
        uint32_t v = set->staff_by_id[i];
        size_t j = i;
        for (; j > 0 && set->staff[set->staff_by_id[j - 1]].id > set->staff[v].id; j--)
            set->staff_by_id[j] = set->staff_by_id[j - 1];
        set->staff_by_id[j] = v;
    }
    return CAIRN_OK;
}

/* The index of staff member `id`, or NO_STAFF. */
static uint32_t staff_index(const struct report_set *set, int64_t id)
{
    size_t lo = 0, hi = set->nstaff;
    while (id > 0 && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t at = set->staff[set->staff_by_id[mid]].id;
        if (at == id)
            return set->staff_by_id[mid];
        if (at < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NO_STAFF;
}

static const char *staff_login(const struct report_set *set, uint32_t i)
{
    return i == NO_STAFF ? "" : set->staff[i].login;
}

/* Reads "n:n" into *a and *b and moves *text past it and a following
 * comma; false on anything else. */
static bool read_pair(const char **text, long long *a, long long *b)
{
    const char *at = *text;
    if (!store_parse_int(&at, a) || *at++ != ':' || !store_parse_int(&at, b) ||
        (*at != ',' && *at != '\0'))
        return false;
    *text = *at ? at + 1 : at;
    return true;
}

/* Fills *sc from a summary's trend ("C,day:total,..."), the facts'
 * baseline and the program's reliable change; false when the kept scores
 * cannot answer for the walk's days. */
static bool score_from_trend(const struct walk *w, const char *trend,
                             enum cairn_instrument instrument,
                             const struct cairn_alert_score *baseline, int reliable,
                             struct cairn_report_score *sc)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(instrument);
    sc->total = sc->band = sc->baseline = -1;
    sc->date[0] = '\0';
    sc->changes = 0;
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        sc->weekly[k] = -1;
    if (!trend || (trend[0] != '0' && trend[0] != '1') || (trend[1] != ',' && trend[1] != '\0'))
        return false;
    bool complete = trend[0] == '1';
    int upto = 0; /* kept scores on or before as_of */
    int32_t latest_day = 0;
    for (const char *at = trend + (trend[1] ? 2 : 1); *at;) {
        long long day, total;
        if (!read_pair(&at, &day, &total))
            return false;
        if (day > w->as_of)
            continue;
        upto++;
        sc->total = (int)total;
        latest_day = (int32_t)day;
        for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
            if (day <= w->trend_end[k])
                sc->weekly[k] = (int)total;
    }
    if (!complete) {
        /* Older scores were left out (all of them no later than the oldest
         * kept): a day with no kept score on or before it cannot be
         * answered, and the ones left out count as earlier scores. */
        for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
            if (sc->weekly[k] < 0)
                return false;
        if (upto == 0)
            return false;
        upto++;
    }
    if (upto == 0)
        return true;
    cairn_date_format(latest_day, sc->date);
    const struct cairn_measure_band *band = cairn_measure_band(def, sc->total);
    sc->band = band ? (int)(band - def->bands) : -1;
    if (upto > 1) {
        if (!baseline->id)
            return false;
        sc->baseline = baseline->total;
        sc->changes = cairn_measure_change_kinds(def, baseline->total, sc->total, reliable);
    }
    return true;
}

/* The report week's review, the overdue ones and those awaiting a
 * co-signature from a summary's "YYYY-Www:S,..." list. */
static bool reviews_from_list(const struct walk *w, const char *list, int32_t admitted,
                              struct cairn_report_row *r)
{
    if (!list)
        return false;
    char first[CAIRN_WEEK_LEN + 1] = "0000-W00";
    if (admitted) {
        int y, wk;
        cairn_date_isoweek(admitted, &y, &wk);
        cairn_isoweek_format(y, wk, first);
    }
    r->review[0] = '\0';
    r->reviews_overdue = r->reviews_awaiting = 0;
    for (const char *at = list; *at;) {
        if (strlen(at) < CAIRN_WEEK_LEN + 2 || at[CAIRN_WEEK_LEN] != ':')
            return false;
        char code = at[CAIRN_WEEK_LEN + 1];
        const char *status = code == 'd'   ? "due"
                             : code == 'r' ? "draft"
                             : code == 's' ? "signed"
                             : code == 'c' ? "cosigned"
                                           : NULL;
        if (!status)
            return false;
        if (strncmp(at, w->week, CAIRN_WEEK_LEN) == 0)
            snprintf(r->review, sizeof r->review, "%s", status);
        if ((code == 'd' || code == 'r') && strncmp(at, first, CAIRN_WEEK_LEN) >= 0 &&
            strncmp(at, w->last_overdue, CAIRN_WEEK_LEN) <= 0)
            r->reviews_overdue++;
        if (code == 's')
            r->reviews_awaiting++;
        at += CAIRN_WEEK_LEN + 2;
        if (*at == ',')
            at++;
        else if (*at)
            return false;
    }
    bool signed_ = strcmp(r->review, "signed") == 0 || strcmp(r->review, "cosigned") == 0;
    r->reviews_due =
        r->status == CAIRN_PATIENT_ACTIVE && admitted && admitted <= w->sunday && !signed_;
    return true;
}

/* Steps mastered in the report week from a summary's "C,day:ladder,...". */
static bool mastered_from_list(const struct walk *w, const char *list, struct cairn_report_row *r)
{
    if (!list || (list[0] != '0' && list[0] != '1') || (list[1] != ',' && list[1] != '\0'))
        return false;
    bool complete = list[0] == '1';
    long long ladders[64];
    int nladders = 0, steps = 0;
    long long oldest = 0;
    for (const char *at = list + (list[1] ? 2 : 1); *at;) {
        long long day, ladder;
        if (!read_pair(&at, &day, &ladder))
            return false;
        if (!oldest)
            oldest = day;
        if (day < w->monday || day > w->sunday)
            continue;
        steps++;
        bool seen = false;
        for (int i = 0; i < nladders && !seen; i++)
            seen = ladders[i] == ladder;
        if (!seen && nladders < (int)(sizeof ladders / sizeof ladders[0]))
            ladders[nladders++] = ladder;
    }
    if (!complete && (!oldest || oldest >= w->monday))
        return false;
    r->steps_mastered_week = steps;
    r->ladders_mastered_week = nladders;
    return true;
}

/* The fields of w->row every path fills from the scanned patient. */
static void fill_identity(struct walk *w, const struct cairn_patient *p)
{
    struct cairn_report_row *r = &w->row;
    r->patient_id = p->id;
    copy_text(r->mrn, sizeof r->mrn, p->mrn);
    copy_text(r->name, sizeof r->name, p->legal_name);
    copy_text(r->preferred_name, sizeof r->preferred_name, p->preferred_name);
    copy_text(r->program, sizeof r->program, p->program_code);
    copy_text(r->admission_date, sizeof r->admission_date, p->admission_date);
    copy_text(r->expected_discharge, sizeof r->expected_discharge, p->expected_discharge_date);
    r->status = p->status;
    r->risk = p->risk;
    int32_t admitted = day_of(p->admission_date);
    r->week_of_stay = admitted && admitted <= w->as_of ? (w->as_of - admitted) / 7 + 1 : 0;
    int32_t leaving = day_of(p->expected_discharge_date);
    r->discharge_due = leaving && leaving >= w->as_of && leaving <= w->as_of + 14;
}

/* Fills w->row from the scan's facts and summary, for a report of the
 * week holding today; false when the summary cannot answer (the caller
 * reads the patient exactly). */
static bool fill_fast(struct walk *w, const struct cairn_patient *p,
                      const struct cairn_alert_facts *f, const struct store_summary_more *more,
                      struct cairn_error *err, enum cairn_status *rc)
{
    struct cairn_report_row *r = &w->row;
    *rc = CAIRN_OK;
    if (!more || w->as_of != f->today || f->this_week.iso_year != w->iso_year ||
        f->this_week.week != w->iso_week)
        return false;
    memset(r, 0, sizeof *r);
    fill_identity(w, p);
    if (!score_from_trend(w, more->phq9_trend, CAIRN_INSTRUMENT_PHQ9, &f->phq9_baseline,
                          f->thresholds.phq9_rise, &r->phq9) ||
        !score_from_trend(w, more->gad7_trend, CAIRN_INSTRUMENT_GAD7, &f->gad7_baseline,
                          f->thresholds.gad7_rise, &r->gad7) ||
        !reviews_from_list(w, more->reviews, f->admission, r) ||
        !mastered_from_list(w, more->mastered, r))
        return false;
    r->attendance = f->this_week;
    size_t n = cairn_alerts_evaluate(f, w->alerts);
    for (size_t i = 0; i < n && i < CAIRN_ALERT__COUNT; i++) {
        if (f->acks > 0 && (*rc = store_alert_attach_ack(w->s, &w->alerts[i], err)) != CAIRN_OK)
            return false;
        struct cairn_report_alert *a = &r->alerts[r->nalerts++];
        a->rule = w->alerts[i].rule;
        a->severity = w->alerts[i].severity;
        a->acknowledged = w->alerts[i].acknowledged;
        copy_text(a->reason, sizeof a->reason, w->alerts[i].reason);
    }
    return true;
}

/* Room for `n` bytes of text in the set's current block. */
static char *text_room(struct report_set *set, size_t n)
{
    if (n > TEXT_BLOCK)
        return NULL;
    if (!set->text || TEXT_BLOCK - set->text->used < n) {
        struct text_block *b = malloc(sizeof *b);
        if (!b)
            return NULL;
        b->next = set->text;
        b->used = 0;
        set->text = b;
    }
    char *at = set->text->data + set->text->used;
    set->text->used += n;
    return at;
}

static struct item *item_add(struct report_set *set)
{
    if (set->nitems == set->nblocks * ITEMS_PER_BLOCK) {
        struct item **g = realloc(set->blocks, (set->nblocks + 1) * sizeof *g);
        if (!g)
            return NULL;
        set->blocks = g;
        if (!(g[set->nblocks] = malloc(ITEMS_PER_BLOCK * sizeof **g)))
            return NULL;
        set->nblocks++;
    }
    struct item *it = &set->blocks[set->nitems / ITEMS_PER_BLOCK][set->nitems % ITEMS_PER_BLOCK];
    set->nitems++;
    return it;
}

/* The index of program code `code` in the set, added when new;
 * MAX_PROGRAMS when out of room or memory. */
static uint16_t program_index(struct report_set *set, const char *code)
{
    for (size_t i = set->nprograms; i-- > 0;)
        if (strcmp(set->programs[i], code) == 0)
            return (uint16_t)i;
    if (set->nprograms == MAX_PROGRAMS || !(set->programs[set->nprograms] = strdup(code)))
        return MAX_PROGRAMS;
    return (uint16_t)set->nprograms++;
}

static void pack_week(const struct cairn_attendance_week *w, struct packed_week *out)
{
    out->minutes_attended = w->minutes_attended;
    out->min_minutes = w->min_minutes;
    out->days_attended = (uint8_t)w->days_attended;
    out->sessions = (uint8_t)(w->sessions > 255 ? 255 : w->sessions);
    out->attended = (uint8_t)(w->attended > 255 ? 255 : w->attended);
    out->late = (uint8_t)(w->late > 255 ? 255 : w->late);
    out->absent = (uint8_t)(w->absent > 255 ? 255 : w->absent);
    out->excused = (uint8_t)(w->excused > 255 ? 255 : w->excused);
    out->min_days = (uint8_t)w->min_days;
    out->judged = (uint8_t)(w->meets_hours | w->meets_days << 1 | w->complete << 2);
}

static void unpack_week(const struct walk *w, const struct packed_week *in,
                        struct cairn_attendance_week *out)
{
    out->iso_year = w->iso_year;
    out->week = w->iso_week;
    out->minutes_attended = in->minutes_attended;
    out->min_minutes = in->min_minutes;
    out->days_attended = in->days_attended;
    out->sessions = in->sessions;
    out->attended = in->attended;
    out->late = in->late;
    out->absent = in->absent;
    out->excused = in->excused;
    out->min_days = in->min_days;
    out->meets_hours = in->judged & 1;
    out->meets_days = (in->judged & 2) != 0;
    out->complete = (in->judged & 4) != 0;
}

static void pack_score(const struct cairn_report_score *sc, struct packed_score *out)
{
    out->day = day_of(sc->date);
    out->total = small(sc->total);
    out->band = small(sc->band);
    out->baseline = small(sc->baseline);
    out->changes = (uint8_t)sc->changes;
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        out->weekly[k] = small(sc->weekly[k]);
}

/* cairn_date_format(), memoized: a report's rows share a few hundred
 * days (admissions, discharges, measure dates) and format each twice. */
static void format_day(struct report_set *set, int32_t day, char out[CAIRN_DATE_LEN + 1])
{
    struct day_text *m = &set->days[(uint32_t)day % DAY_MEMO];
    if (m->day != day || !m->text[0]) {
        m->day = day;
        cairn_date_format(day, m->text);
    }
    memcpy(out, m->text, CAIRN_DATE_LEN + 1);
}

static void unpack_score(struct report_set *set, const struct packed_score *in,
                         struct cairn_report_score *sc)
{
    sc->total = in->total;
    sc->band = in->band;
    sc->baseline = in->baseline;
    sc->changes = in->changes;
    sc->date[0] = '\0';
    if (in->day)
        format_day(set, in->day, sc->date);
    for (int k = 0; k < CAIRN_REPORT_TREND_WEEKS; k++)
        sc->weekly[k] = in->weekly[k];
}

static int risk_rank(uint8_t risk)
{
    switch ((enum cairn_risk)risk) {
    case CAIRN_RISK_HIGH:
        return 0;
    case CAIRN_RISK_MODERATE:
        return 1;
    case CAIRN_RISK_LOW:
        return 2;
    default:
        return 3;
    }
}

/* Packs w->row (patient p, name key included) into the set. */
static bool pack_row(struct report_set *set, const struct cairn_patient *p, uint32_t group)
{
    const struct cairn_report_row *r = &set->w->row;
    const char *strings[] = {p->name_key, r->mrn, r->name, r->preferred_name};
    size_t lens[sizeof strings / sizeof strings[0]], n = 0;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        n += (lens[i] = strlen(strings[i])) + 1;
    for (size_t i = 0; i < r->nalerts; i++)
        n += 2 + strlen(r->alerts[i].reason) + 1;
    struct item *it = item_add(set);
    char *at = it ? text_room(set, n) : NULL;
    if (!at)
        return false;
    it->text = at;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        memcpy(at, strings[i], lens[i] + 1);
        at += lens[i] + 1;
    }
    for (size_t i = 0; i < r->nalerts; i++) {
        const struct cairn_report_alert *a = &r->alerts[i];
        *at++ = (char)a->rule;
        *at++ = (char)(a->severity | (a->acknowledged ? 0x80 : 0));
        size_t len = strlen(a->reason);
        memcpy(at, a->reason, len + 1);
        at += len + 1;
    }
    it->patient_id = r->patient_id;
    it->admission = day_of(r->admission_date);
    it->expected_discharge = day_of(r->expected_discharge);
    if ((it->program = program_index(set, r->program)) == MAX_PROGRAMS)
        return false;
    it->group = group;
    it->therapist = staff_index(set, p->therapist_id);
    it->case_manager = staff_index(set, p->case_manager_id);
    it->status = (uint8_t)r->status;
    it->risk = (uint8_t)r->risk;
    it->nalerts = (uint8_t)r->nalerts;
    it->review = review_index(r->review);
    it->discharge_due = r->discharge_due;
    it->week_of_stay = count16(r->week_of_stay);
    it->due = count16(r->reviews_due);
    it->overdue = count16(r->reviews_overdue);
    it->awaiting = count16(r->reviews_awaiting);
    it->steps = count16(r->steps_mastered_week);
    it->ladders = count16(r->ladders_mastered_week);
    pack_week(&r->attendance, &it->attendance);
    pack_score(&r->phq9, &it->phq9);
    pack_score(&r->gad7, &it->gad7);
    return true;
}

/* Copies the string at *at into out and moves *at past it. */
static void take_text(const char **at, char *out, size_t size)
{
    size_t n = strlen(*at);
    copy_text(out, size, *at);
    *at += n + 1;
}

/* Unpacks an item into *r. `light` sets only what the text layout counts
 * (see report_set_each_light()) and leaves the other fields as they were. */
static void unpack_row(struct report_set *set, const struct item *it, struct cairn_report_row *r,
                       bool light)
{
    /* Every field is set below (the row is large; a whole report unpacks
     * each row twice, so it is not cleared first). */
    const char *at = it->text;
    at += strlen(at) + 1; /* the name key */
    if (light) {
        for (int i = 0; i < 3; i++) /* MRN, name, preferred name */
            at += strlen(at) + 1;
    } else {
        take_text(&at, r->mrn, sizeof r->mrn);
        take_text(&at, r->name, sizeof r->name);
        take_text(&at, r->preferred_name, sizeof r->preferred_name);
    }
    copy_text(r->program, sizeof r->program, set->programs[it->program]);
    r->nalerts = 0;
    for (size_t i = 0; i < it->nalerts && i < CAIRN_ALERT__COUNT; i++) {
        struct cairn_report_alert *a = &r->alerts[r->nalerts++];
        a->rule = (enum cairn_alert_rule)(unsigned char)*at++;
        unsigned char sev = (unsigned char)*at++;
        a->severity = (enum cairn_alert_severity)(sev & 0x7f);
        a->acknowledged = (sev & 0x80) != 0;
        take_text(&at, a->reason, sizeof a->reason);
    }
    r->patient_id = it->patient_id;
    r->clinician[0] = r->clinician_name[0] = '\0';
    if (set->filter->clinician) {
        copy_text(r->clinician, sizeof r->clinician, set->filter->clinician);
        copy_text(r->clinician_name, sizeof r->clinician_name, set->clinician_name);
    } else if (it->group != NO_STAFF) {
        copy_text(r->clinician, sizeof r->clinician, set->staff[it->group].login);
        copy_text(r->clinician_name, sizeof r->clinician_name, set->staff[it->group].name);
    }
    r->status = (enum cairn_patient_status)it->status;
    r->steps_mastered_week = it->steps;
    r->ladders_mastered_week = it->ladders;
    r->discharge_due = it->discharge_due;
    if (light)
        return;
    r->admission_date[0] = r->expected_discharge[0] = '\0';
    if (it->admission)
        format_day(set, it->admission, r->admission_date);
    if (it->expected_discharge)
        format_day(set, it->expected_discharge, r->expected_discharge);
    copy_text(r->therapist, sizeof r->therapist, staff_login(set, it->therapist));
    copy_text(r->case_manager, sizeof r->case_manager, staff_login(set, it->case_manager));
    r->risk = (enum cairn_risk)it->risk;
    r->week_of_stay = it->week_of_stay;
    unpack_week(set->w, &it->attendance, &r->attendance);
    unpack_score(set, &it->phq9, &r->phq9);
    unpack_score(set, &it->gad7, &r->gad7);
    copy_text(r->review, sizeof r->review, review_names[it->review]);
    r->reviews_due = it->due;
    r->reviews_overdue = it->overdue;
    r->reviews_awaiting = it->awaiting;
}

/* The report's order: group (staff in login order, unassigned last),
 * active before on hold, risk, name key, id. */
static int compare_items(const void *va, const void *vb)
{
    const struct sort_key *a = va, *b = vb;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    /* strcmp() orders by unsigned bytes: so do the big-endian prefixes. */
    if (a->name8 != b->name8)
        return a->name8 < b->name8 ? -1 : 1;
    int c = strcmp(a->item->text, b->item->text);
    if (c)
        return c;
    return (a->item->patient_id > b->item->patient_id) -
           (a->item->patient_id < b->item->patient_id);
}

static struct sort_key sort_key_of(const struct item *it)
{
    struct sort_key k = {
        .order = (uint64_t)it->group << 8 | (uint64_t)(it->status != CAIRN_PATIENT_ACTIVE) << 4 |
                 (uint64_t)risk_rank(it->risk),
        .item = it,
    };
    const unsigned char *key = (const unsigned char *)it->text; /* the name key comes first */
    for (size_t i = 0, end = 0; i < 8; i++) {
        end = end || !key[i]; /* bytes past the key's end count as 0, as strcmp() has it */
        k.name8 = k.name8 << 8 | (end ? 0 : key[i]);
    }
    return k;
}

static int collect_patient(const struct cairn_patient *p, const struct cairn_alert_facts *f,
                           const struct store_summary_more *more, void *ctx)
{
    struct report_set *set = ctx;
    struct walk *w = set->w;
    const struct cairn_report_filter *filter = set->filter;
    if (filter->program && strcmp(p->program_code, filter->program) != 0)
        return 0;
    uint32_t group = 0;
    const char *grp = filter->clinician, *grp_name = set->clinician_name;
    if (!filter->clinician) {
        group = staff_index(set, p->therapist_id);
        if (group == NO_STAFF)
            group = staff_index(set, p->case_manager_id);
        grp = group == NO_STAFF ? NULL : set->staff[group].login;
        grp_name = group == NO_STAFF ? NULL : set->staff[group].name;
    }
    if (!fill_fast(w, p, f, more, set->err, &set->rc)) {
        if (set->rc != CAIRN_OK)
            return 1;
        set->exact++;
        if ((set->rc = fill_row(w, p->id, grp, grp_name, set->err)) != CAIRN_OK)
            return 1;
    }
    if (!pack_row(set, p, group)) {
        set->rc = cairn_error_set(set->err, CAIRN_ERR_NOMEM, "out of memory building the report");
        return 1;
    }
    return 0;
}

void report_set_free(struct report_set **setp)
{
    if (!setp || !*setp)
        return;
    struct report_set *set = *setp;
    for (size_t i = 0; i < set->nstaff; i++) {
        free(set->staff[i].login);
        free(set->staff[i].name);
    }
    free(set->staff);
    free(set->staff_by_id);
    for (size_t i = 0; i < set->nblocks; i++)
        free(set->blocks[i]);
    free(set->blocks);
    free(set->order);
    for (size_t i = 0; i < set->nprograms; i++)
        free(set->programs[i]);
    for (struct text_block *b = set->text, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(set->w);
    free(set);
    *setp = NULL;
}

/* Sorts the set's rows into set->order. */
static enum cairn_status sort_set(struct report_set *set, struct cairn_error *err)
{
    if (!(set->order = malloc((set->nitems ? set->nitems : 1) * sizeof *set->order)))
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory sorting the report");
    for (size_t i = 0; i < set->nitems; i++)
        set->order[i] = sort_key_of(&set->blocks[i / ITEMS_PER_BLOCK][i % ITEMS_PER_BLOCK]);
    if (set->nitems > 1)
        qsort(set->order, set->nitems, sizeof *set->order, compare_items);
    return CAIRN_OK;
}

/* The rows of the patients f takes whose ids are in [from, to] (to 0:
 * every id), read on s in one read transaction, sorted. */
static enum cairn_status collect(struct cairn_store *s, const struct cairn_report_filter *f,
                                 int64_t from, int64_t to, struct report_set **out,
                                 struct cairn_error *err)
{
    *out = NULL;
    struct report_set *set = calloc(1, sizeof *set);
    if (!set || !(set->w = calloc(1, sizeof *set->w))) {
        free(set);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory preparing the report");
    }
    set->w->s = s;
    set->filter = f;
    set->err = err;
    set->threads = 1;
    bool began = false;
    enum cairn_status rc;
    if ((rc = prepare(set->w, f, &set->clinician_id, set->clinician_name,
                      sizeof set->clinician_name, err)) != CAIRN_OK ||
        (rc = store_read_begin(s, &began, err)) != CAIRN_OK ||
        (rc = load_staff(set, err)) != CAIRN_OK)
        goto out;
    /* Storage order: the patients and their summaries are read front to
     * back once; the rows are sorted here. */
    struct store_facts_filter scan = {
        .status_mask = 1u << CAIRN_PATIENT_ACTIVE | 1u << CAIRN_PATIENT_ON_HOLD,
        .clinician = set->clinician_id,
        .id_from = from,
        .id_to = to,
    };
    if ((rc = store_facts_scan(s, &scan, collect_patient, set, err)) == CAIRN_OK)
        rc = set->rc;
    if (rc == CAIRN_OK)
        rc = sort_set(set, err);
out:
    store_read_end(s, began);
    if (rc != CAIRN_OK)
        report_set_free(&set);
    *out = set;
    return rc;
}

/* Moves b's rows into a, merging the two orders, and frees b. Both were
 * read on one snapshot, so their staff tables are the same; their
 * program tables are not (first seen first). */
static enum cairn_status merge_sets(struct report_set *a, struct report_set **bp,
                                    struct cairn_error *err)
{
    struct report_set *b = *bp;
    enum cairn_status rc = CAIRN_OK;
    uint16_t map[MAX_PROGRAMS];
    struct sort_key *order = NULL;
    struct item **blocks = NULL;
    if (a->nstaff != b->nstaff) {
        rc = cairn_error_set(err, CAIRN_ERR_DB, "the report's readers saw different staff");
        goto out;
    }
    for (size_t i = 0; i < b->nprograms; i++)
        if ((map[i] = program_index(a, b->programs[i])) == MAX_PROGRAMS) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory building the report");
            goto out;
        }
    /* b's keys move to the end of their grown array and the merge fills
     * it from the front: it never overtakes what it has still to read. */
    if (!(order = realloc(b->order, (a->nitems + b->nitems + 1) * sizeof *order))) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory sorting the report");
        goto out;
    }
    b->order = order;
    if (!(blocks = realloc(a->blocks, (a->nblocks + b->nblocks + 1) * sizeof *blocks))) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory sorting the report");
        goto out;
    }
    a->blocks = blocks;
    b->order = NULL;
    for (size_t i = 0; i < b->nitems; i++) {
        struct item *it = &b->blocks[i / ITEMS_PER_BLOCK][i % ITEMS_PER_BLOCK];
        it->program = map[it->program];
    }
    memmove(order + a->nitems, order, b->nitems * sizeof *order);
    size_t i = 0, j = a->nitems, n = 0, end = a->nitems + b->nitems;
    while (i < a->nitems && j < end)
        order[n++] = compare_items(&order[j], &a->order[i]) < 0 ? order[j++] : a->order[i++];
    while (i < a->nitems)
        order[n++] = a->order[i++];
    free(a->order);
    a->order = order;
    /* a's rows are only read from now on: its blocks just need freeing. */
    memcpy(a->blocks + a->nblocks, b->blocks, b->nblocks * sizeof *b->blocks);
    a->nblocks += b->nblocks;
    b->nblocks = 0;
    a->nitems = end;
    if (b->text) {
        struct text_block *tail = b->text;
        while (tail->next)
            tail = tail->next;
        tail->next = a->text;
        a->text = b->text;
        b->text = NULL;
    }
    a->exact += b->exact;
    a->threads += b->threads;
out:
    report_set_free(bp);
    return rc;
}

/* Half of a whole organization's rows, collected in a thread of its own. */
struct part {
    struct cairn_store *s; /* a reader: this part's alone */
    const struct cairn_report_filter *f;
    int64_t from, to;
    struct report_set *set;
    struct cairn_error err;
    enum cairn_status rc;
};

static void *part_main(void *arg)
{
    struct part *p = arg;
    p->rc = collect(p->s, p->f, p->from, p->to, &p->set, &p->err);
    return NULL;
}

enum cairn_status store_report_collect(struct cairn_store *s, const struct cairn_report_filter *f,
                                       struct report_set **out, struct cairn_error *err)
{
    *out = NULL;
    /* The rows are split by patient id between two threads, each on its
     * own connection, both on one snapshot (one clinician's too: each of
     * their patients is a lookup of its own, so halving them pays). */
    struct cairn_store *readers[2];
    int64_t from[2], to[2];
    if (!store_readers_open(s, readers, 2))
        return collect(s, f, 0, 0, out, err);
    enum cairn_status rc = store_patient_halves(readers[0], from, to, err);
    if (rc != CAIRN_OK || from[1] > to[1])
        goto single;
    struct part parts[2];
    for (int i = 0; i < 2; i++)
        parts[i] = (struct part){.s = readers[i], .f = f, .from = from[i], .to = to[i]};
    pair_run(part_main, &parts[0], &parts[1]);
    for (int i = 0; i < 2 && rc == CAIRN_OK; i++)
        if ((rc = parts[i].rc) != CAIRN_OK && err)
            *err = parts[i].err;
    if (rc == CAIRN_OK)
        rc = merge_sets(parts[0].set, &parts[1].set, err);
    if (rc == CAIRN_OK) {
        /* The merged set outlives the readers and the parts' errors. */
        parts[0].set->w->s = s;
        parts[0].set->err = err;
        *out = parts[0].set;
        parts[0].set = NULL;
    }
    report_set_free(&parts[0].set);
    report_set_free(&parts[1].set);
    cairn_store_close(&readers[0]);
    cairn_store_close(&readers[1]);
    return rc;
single:
    cairn_store_close(&readers[0]);
    cairn_store_close(&readers[1]);
    return rc != CAIRN_OK ? rc : collect(s, f, 0, 0, out, err);
}

static int each(struct report_set *set, size_t from, size_t to, struct cairn_report_row *row,
                int (*fn)(const struct cairn_report_row *row, void *ctx), void *ctx, bool light)
{
    enum { AHEAD = 8 };
    if (to > set->nitems)
        to = set->nitems;
    for (size_t i = from; i < to; i++) {
        /* The rows are visited in sorted order, all over memory: ask for
         * an item a few rows ahead, and the text of one that came in. */
        if (i + AHEAD < to)
            __builtin_prefetch(set->order[i + AHEAD].item);
        if (i + AHEAD / 2 < to) {
            const char *text = set->order[i + AHEAD / 2].item->text;
            __builtin_prefetch(text);
            __builtin_prefetch(text + 64);
        }
        unpack_row(set, set->order[i].item, row, light);
        if (fn(row, ctx))
            return 1;
    }
    return 0;
}

int report_set_each(struct report_set *set,
                    int (*fn)(const struct cairn_report_row *row, void *ctx), void *ctx)
{
    return each(set, 0, set->nitems, &set->w->row, fn, ctx, false);
}

int report_set_each_light(struct report_set *set, size_t from, size_t to,
                          struct cairn_report_row *row,
                          int (*fn)(const struct cairn_report_row *row, void *ctx), void *ctx)
{
    return each(set, from, to, row, fn, ctx, true);
}

size_t report_set_rows(const struct report_set *set)
{
    return set->nitems;
}

bool report_set_same_group(const struct report_set *set, size_t i, size_t j)
{
    return set->order[i].item->group == set->order[j].item->group;
}

unsigned long report_set_exact_rows(const struct report_set *set)
{
    return set->exact;
}

unsigned report_set_threads(const struct report_set *set)
{
    return set->threads;
}

enum cairn_status cairn_report_rows(struct cairn_store *s, const struct cairn_report_filter *f,
                                    int (*fn)(const struct cairn_report_row *row, void *ctx),
                                    void *ctx, struct cairn_error *err)
{
    struct report_set *set;
    enum cairn_status rc = store_report_collect(s, f, &set, err);
    if (rc == CAIRN_OK)
        report_set_each(set, fn, ctx);
    report_set_free(&set);
    return rc;
}

enum cairn_status store_report_audit(struct cairn_store *s, const char *action, int64_t patient_id,
                                     const char *fields, struct cairn_error *err)
{
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    rc = store_audit(s, action, "report", 0, patient_id, fields, "ok", err);
    return store_tx_end(s, rc, err);
}
