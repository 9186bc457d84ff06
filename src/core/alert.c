/* Alert rules: pure functions from one patient's facts (struct
 * cairn_alert_facts) to the alerts that fire, each with a one-line reason
 * naming the rule and its numbers and a key naming the data it fired on.
 * No I/O here: store_alert.c loads the facts and the acknowledgements. */
#include "cairn/alert.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cairn/measure.h"
#include "cairn/review.h"

static const struct rule_def {
    const char *code;
    enum cairn_alert_severity severity;
    const char *meaning;
} rules[CAIRN_ALERT__COUNT] = {
#define CAIRN_X_DEF(rule, code, severity, meaning) [rule] = {code, severity, meaning},
    CAIRN_ALERT_RULE_LIST(CAIRN_X_DEF)
#undef CAIRN_X_DEF
};

static const char *const severity_names[] = {
    [CAIRN_SEVERITY_URGENT] = "urgent",
    [CAIRN_SEVERITY_WARNING] = "warning",
    [CAIRN_SEVERITY_INFO] = "info",
};

#define NSEVERITIES (sizeof severity_names / sizeof severity_names[0])

const char *cairn_alert_severity_str(enum cairn_alert_severity severity)
{
    return (unsigned)severity < NSEVERITIES ? severity_names[severity] : "?";
}

enum cairn_status cairn_alert_severity_parse(const char *text, enum cairn_alert_severity *out,
                                             struct cairn_error *err)
{
    for (size_t i = 0; text && i < NSEVERITIES; i++) {
        if (strcmp(text, severity_names[i]) == 0) {
            *out = (enum cairn_alert_severity)i;
            return CAIRN_OK;
        }
    }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "severity",
                             "'%.40s' is not a severity: use urgent, warning or info",
                             text ? text : "");
}

const char *cairn_alert_code(enum cairn_alert_rule rule)
{
    return (unsigned)rule < CAIRN_ALERT__COUNT ? rules[rule].code : "";
}

enum cairn_alert_severity cairn_alert_rule_severity(enum cairn_alert_rule rule)
{
    return (unsigned)rule < CAIRN_ALERT__COUNT ? rules[rule].severity : CAIRN_SEVERITY_INFO;
}

const char *cairn_alert_meaning(enum cairn_alert_rule rule)
{
    return (unsigned)rule < CAIRN_ALERT__COUNT ? rules[rule].meaning : "";
}

enum cairn_status cairn_alert_rule_parse(const char *text, enum cairn_alert_rule *out,
                                         struct cairn_error *err)
{
    char codes[CAIRN_ALERT__COUNT * 24] = "";
    for (int i = 0; i < CAIRN_ALERT__COUNT; i++) {
        if (text && strcmp(text, rules[i].code) == 0) {
            *out = (enum cairn_alert_rule)i;
            return CAIRN_OK;
        }
        size_t n = strlen(codes);
        snprintf(codes + n, sizeof codes - n, "%s%s", i ? ", " : "", rules[i].code);
    }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "code", "'%.40s' is not an alert code: use %s",
                             text ? text : "", codes);
}

void cairn_alert_id(const struct cairn_alert *alert, char out[CAIRN_ALERT_ID_MAX])
{
    snprintf(out, CAIRN_ALERT_ID_MAX, "%s:%s", alert->mrn, cairn_alert_code(alert->rule));
}

/* --- the rules ----------------------------------------------------------- */

/* snprintf into a fixed field; a reason too long for it is cut (the
 * numbers come first, so only a long ladder name can make it so). */
__attribute__((format(printf, 3, 4))) static void put(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, size, fmt, ap);
    va_end(ap);
}

/* A threshold of at least 1: nothing fires on no change or no absence. */
static int at_least_one(int threshold)
{
    return threshold < 1 ? 1 : threshold;
}

/* "7.5", "9", "8.25": hours of `minutes`, without trailing zeros. */
static void hours_text(int minutes, char *out, size_t size)
{
    if (minutes % 60 == 0) {
        put(out, size, "%d", minutes / 60);
        return;
    }
    put(out, size, "%.2f", minutes / 60.0);
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == '0')
        out[--n] = '\0';
}

/* Copies at most `max` bytes of UTF-8 text s, cut at a character boundary
 * with "…" when it was longer. */
static void cut_text(const char *s, size_t max, char *out, size_t size)
{
    size_t n = strlen(s);
    if (n <= max) {
        put(out, size, "%s", s);
        return;
    }
    while (n > max || (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80))
        n--;
    put(out, size, "%.*s…", (int)n, s);
}

static bool flagged(const struct cairn_alert_score *m, enum cairn_measure_flag flag)
{
    return (m->flags & (1u << flag)) != 0;
}

/* A measure's part of a key: "m:<id>", and "v<version>" once corrected. */
static const char *score_key(const struct cairn_alert_score *m, char *buf, size_t size)
{
    if (m->version > 1)
        put(buf, size, "m:%lldv%lld", (long long)m->id, (long long)m->version);
    else
        put(buf, size, "m:%lld", (long long)m->id);
    return buf;
}

static bool phq9_item9(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    const struct cairn_alert_score *m = &f->phq9;
    if (!m->id || !(m->item9 > 0 || flagged(m, CAIRN_MEASURE_FLAG_PHQ9_ITEM9)))
        return false;
    char day[CAIRN_DATE_LEN + 1], answer[16];
    cairn_date_format(m->day, day);
    if (m->item9 > 0)
        put(answer, sizeof answer, "%d", m->item9);
    else
        put(answer, sizeof answer, "%s", "above 0");
    put(a->reason, sizeof a->reason,
        "phq9_item9: PHQ-9 item 9 answered %s on %s; screen with the C-SSRS", answer, day);
    char k[48];
    put(a->key, sizeof a->key, "%s", score_key(m, k, sizeof k));
    return true;
}

static bool cssrs_high(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    const struct cairn_alert_score *m = &f->cssrs;
    if (!m->id || !flagged(m, CAIRN_MEASURE_FLAG_CSSRS_HIGH))
        return false;
    char day[CAIRN_DATE_LEN + 1];
    cairn_date_format(m->day, day);
    put(a->reason, sizeof a->reason, "cssrs_high: C-SSRS screen on %s is high risk", day);
    char k[48];
    put(a->key, sizeof a->key, "%s", score_key(m, k, sizeof k));
    return true;
}

/* Worse by `rise` or more since the previous score; else since the
 * baseline when that is an older one. */
static bool worse(const char *code, const char *title, const struct cairn_alert_score *latest,
                  const struct cairn_alert_score *previous,
                  const struct cairn_alert_score *baseline, int rise, struct cairn_alert *a)
{
    if (!latest->id || !previous->id)
        return false;
    rise = at_least_one(rise);
    const struct cairn_alert_score *from = NULL;
    const char *the = "";
    if (latest->total - previous->total >= rise) {
        from = previous;
    } else if (baseline->id && baseline->id != previous->id && baseline->id != latest->id &&
               latest->total - baseline->total >= rise) {
        from = baseline;
        the = "the baseline ";
    }
    if (!from)
        return false;
    char day[CAIRN_DATE_LEN + 1];
    cairn_date_format(from->day, day);
    put(a->reason, sizeof a->reason, "%s: %s %d, up %d from %s%d on %s (reliable change ≥ %d)",
        code, title, latest->total, latest->total - from->total, the, from->total, day, rise);
    char k1[48], k2[48];
    put(a->key, sizeof a->key, "%s/%s", score_key(latest, k1, sizeof k1),
        score_key(from, k2, sizeof k2));
    return true;
}

static bool phq9_worse(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    return worse("phq9_worse", "PHQ-9", &f->phq9, &f->phq9_previous, &f->phq9_baseline,
                 f->thresholds.phq9_rise, a);
}

static bool gad7_worse(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    return worse("gad7_worse", "GAD-7", &f->gad7, &f->gad7_previous, &f->gad7_baseline,
                 f->thresholds.gad7_rise, a);
}

static const char *plural(int n)
{
    return n == 1 ? "" : "s";
}

static bool hours_below(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    const struct cairn_attendance_week *w = &f->last_week;
    if (w->week < 1 || !f->admission || f->admission > cairn_isoweek_monday(w->iso_year, w->week))
        return false;
    if (w->meets_hours && w->meets_days)
        return false;
    char week[CAIRN_WEEK_LEN + 1], got[16], need[16], minimum[48];
    cairn_isoweek_format(w->iso_year, w->week, week);
    hours_text(w->minutes_attended, got, sizeof got);
    hours_text(w->min_minutes, need, sizeof need);
    if (w->min_minutes && w->min_days)
        put(minimum, sizeof minimum, "%s h on %d day%s", need, w->min_days, plural(w->min_days));
    else if (w->min_minutes)
        put(minimum, sizeof minimum, "%s h", need);
    else
        put(minimum, sizeof minimum, "%d day%s", w->min_days, plural(w->min_days));
    put(a->reason, sizeof a->reason,
        "hours_below: %s attended %s h on %d day%s; program minimum %s", week, got,
        w->days_attended, plural(w->days_attended), minimum);
    put(a->key, sizeof a->key, "w:%s:%d:%d", week, w->minutes_attended, w->days_attended);
    return true;
}

static bool absences(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    int limit = at_least_one(f->thresholds.absences_per_week);
    const struct cairn_attendance_week *w = NULL;
    if (f->this_week.week >= 1 && f->this_week.absent >= limit)
        w = &f->this_week;
    else if (f->last_week.week >= 1 && f->last_week.absent >= limit)
        w = &f->last_week;
    if (!w)
        return false;
    char week[CAIRN_WEEK_LEN + 1];
    cairn_isoweek_format(w->iso_year, w->week, week);
    put(a->reason, sizeof a->reason, "absences: %d absence%s in %s (alert at %d a week)", w->absent,
        w->absent == 1 ? "" : "s", week, limit);
    put(a->key, sizeof a->key, "w:%s:%d", week, w->absent);
    return true;
}

static bool ladder_stalled(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    int limit = at_least_one(f->thresholds.ladder_stall_days);
    if (!f->stalled_ladder_id || !f->stalled_since || f->today - f->stalled_since < limit)
        return false;
    char since[CAIRN_DATE_LEN + 1], name[208];
    cairn_date_format(f->stalled_since, since);
    cut_text(f->stalled_ladder, 200, name, sizeof name);
    put(a->reason, sizeof a->reason,
        "ladder_stalled: no attempt on \"%s\" for %d days, since %s (alert after %d)", name,
        (int)(f->today - f->stalled_since), since, limit);
    put(a->key, sizeof a->key, "l:%lld:%s", (long long)f->stalled_ladder_id, since);
    return true;
}

static bool review_overdue(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    int year, week;
    if (!f->overdue_review_id || f->overdue_reviews < 1 ||
        cairn_isoweek_parse(f->overdue_week, &year, &week, NULL) != CAIRN_OK)
        return false;
    char last[CAIRN_WEEK_LEN + 1];
    cairn_review_last_overdue_week(f->today, last);
    int32_t sunday = cairn_isoweek_monday(year, week) + 6;
    if (strcmp(f->overdue_week, last) > 0 || (f->admission && sunday < f->admission))
        return false;
    char by[CAIRN_DATE_LEN + 1], more[32] = "";
    cairn_date_format(sunday + 7, by);
    if (f->overdue_reviews > 1)
        put(more, sizeof more, " (and %d more)", f->overdue_reviews - 1);
    put(a->reason, sizeof a->reason, "review_overdue: review of %s not signed by %s%s",
        f->overdue_week, by, more);
    put(a->key, sizeof a->key, "r:%lld:%d", (long long)f->overdue_review_id, f->overdue_reviews);
    return true;
}

static bool lapse_this_week(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    int n = f->lapses_this_week + f->relapses_this_week;
    int32_t monday = f->today - (cairn_date_weekday(f->today) - 1);
    if (n < 1 || !f->last_lapse_id || f->last_lapse_day < monday || f->last_lapse_day > f->today)
        return false;
    char what[64], week[CAIRN_WEEK_LEN + 1], day[CAIRN_DATE_LEN + 1];
    int year, wk;
    cairn_date_isoweek(f->today, &year, &wk);
    cairn_isoweek_format(year, wk, week);
    cairn_date_format(f->last_lapse_day, day);
    if (f->lapses_this_week && f->relapses_this_week)
        put(what, sizeof what, "%d lapse%s and %d relapse%s", f->lapses_this_week,
            plural(f->lapses_this_week), f->relapses_this_week, plural(f->relapses_this_week));
    else if (f->lapses_this_week)
        put(what, sizeof what, "%d lapse%s", f->lapses_this_week, plural(f->lapses_this_week));
    else
        put(what, sizeof what, "%d relapse%s", f->relapses_this_week,
            plural(f->relapses_this_week));
    put(a->reason, sizeof a->reason, "lapse_this_week: %s logged in %s, the latest on %s", what,
        week, day);
    put(a->key, sizeof a->key, "x:%lld:%d", (long long)f->last_lapse_id, n);
    return true;
}

static bool discharge_planning(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    int limit = at_least_one(f->thresholds.discharge_planning_days);
    if (!f->expected_discharge || f->aftercare_filled)
        return false;
    int days = (int)(f->expected_discharge - f->today);
    if (days > limit)
        return false;
    char day[CAIRN_DATE_LEN + 1], when[32];
    cairn_date_format(f->expected_discharge, day);
    if (days > 0)
        put(when, sizeof when, "in %d day%s", days, plural(days));
    else if (days == 0)
        put(when, sizeof when, "%s", "today");
    else
        put(when, sizeof when, "%d day%s ago", -days, plural(-days));
    put(a->reason, sizeof a->reason,
        "discharge_planning: expected discharge %s %s and the plan has no aftercare (alert from "
        "%d days)",
        day, when, limit);
    put(a->key, sizeof a->key, "d:%s", day);
    return true;
}

static bool plan_review_due(const struct cairn_alert_facts *f, struct cairn_alert *a)
{
    if (!f->plan_next_review || f->plan_next_review >= f->today)
        return false;
    char day[CAIRN_DATE_LEN + 1];
    cairn_date_format(f->plan_next_review, day);
    put(a->reason, sizeof a->reason, "plan_review_due: the plan's next review was due %s", day);
    put(a->key, sizeof a->key, "p:%s", day);
    return true;
}

/* One function per rule, in rule order. */
static bool (*const rule_fns[CAIRN_ALERT__COUNT])(const struct cairn_alert_facts *,
                                                  struct cairn_alert *) = {
    [CAIRN_ALERT_PHQ9_ITEM9] = phq9_item9,
    [CAIRN_ALERT_CSSRS_HIGH] = cssrs_high,
    [CAIRN_ALERT_PHQ9_WORSE] = phq9_worse,
    [CAIRN_ALERT_GAD7_WORSE] = gad7_worse,
    [CAIRN_ALERT_HOURS_BELOW] = hours_below,
    [CAIRN_ALERT_ABSENCES] = absences,
    [CAIRN_ALERT_LADDER_STALLED] = ladder_stalled,
    [CAIRN_ALERT_REVIEW_OVERDUE] = review_overdue,
    [CAIRN_ALERT_LAPSE] = lapse_this_week,
    [CAIRN_ALERT_DISCHARGE_PLANNING] = discharge_planning,
    [CAIRN_ALERT_PLAN_REVIEW] = plan_review_due,
};

size_t cairn_alerts_evaluate(const struct cairn_alert_facts *facts,
                             struct cairn_alert out[CAIRN_ALERT__COUNT])
{
    bool active = facts->status == CAIRN_PATIENT_ACTIVE;
    bool in_care = active || facts->status == CAIRN_PATIENT_ON_HOLD;
    size_t n = 0;
    if (!in_care)
        return 0;
    for (int r = 0; r < CAIRN_ALERT__COUNT; r++) {
        /* On hold, only the safety rules still apply. */
        if (!active && rules[r].severity != CAIRN_SEVERITY_URGENT)
            continue;
        struct cairn_alert *a = &out[n];
        /* Not memset: the struct is mostly text buffers, and this runs for
         * every rule of every patient of a caseload. */
        a->name[0] = a->reason[0] = a->key[0] = '\0';
        a->acknowledged = false;
        a->acked_by[0] = a->acked_at[0] = a->ack_note[0] = '\0';
        a->rule = (enum cairn_alert_rule)r;
        a->severity = rules[r].severity;
        a->patient_id = facts->patient_id;
        memcpy(a->mrn, facts->mrn, sizeof a->mrn);
        a->mrn[sizeof a->mrn - 1] = '\0';
        if (rule_fns[r](facts, a))
            n++;
    }
    return n;
}
