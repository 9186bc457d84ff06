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

/* A text written piece by piece into a fixed field, cut where snprintf()
 * would cut it: the rules that fire most (for whole caseloads) write
 * their reason and key this way rather than through vsnprintf(). */
struct text_out {
    char *p;
    size_t size, len;
};

static struct text_out out_start(char *buf, size_t size)
{
    buf[0] = '\0';
    return (struct text_out){buf, size, 0};
}

static void out_n(struct text_out *o, const char *s, size_t n)
{
    size_t room = o->size - 1 - o->len;
    if (n > room)
        n = room;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void out_s(struct text_out *o, const char *s)
{
    out_n(o, s, strlen(s));
}

/* As "%lld" would write v. */
static void out_d(struct text_out *o, long long v)
{
    char digits[24];
    int i = sizeof digits;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[--i] = '-';
    out_n(o, digits + i, sizeof digits - (size_t)i);
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
        struct text_out o = out_start(out, size);
        out_d(&o, minutes / 60);
        return;
    }
    if (minutes > 0 && minutes < 60 * 10000) {
        /* "%.2f" of minutes / 60.0 is hundredths = 5 * minutes / 3 rounded:
         * never halfway (a third or two thirds off), so integer rounding
         * agrees with printf's. A hundredth is never 0 here: minutes is
         * not a multiple of 60. */
        int hundredths = (10 * minutes + 3) / 6;
        char frac[3] = {(char)('0' + hundredths % 100 / 10), (char)('0' + hundredths % 10), '\0'};
        if (frac[1] == '0')
            frac[1] = '\0';
        struct text_out o = out_start(out, size);
        out_d(&o, hundredths / 100);
        out_s(&o, ".");
        out_s(&o, frac);
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
        struct text_out o = out_start(out, size);
        out_n(&o, s, n);
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
    struct text_out m = out_start(minimum, sizeof minimum);
    if (w->min_minutes) {
        out_s(&m, need);
        out_s(&m, " h");
    }
    if (w->min_minutes && w->min_days)
        out_s(&m, " on ");
    if (!w->min_minutes || w->min_days) {
        out_d(&m, w->min_days);
        out_s(&m, " day");
        out_s(&m, plural(w->min_days));
    }
    struct text_out o = out_start(a->reason, sizeof a->reason);
    out_s(&o, "hours_below: ");
    out_s(&o, week);
    out_s(&o, " attended ");
    out_s(&o, got);
    out_s(&o, " h on ");
    out_d(&o, w->days_attended);
    out_s(&o, " day");
    out_s(&o, plural(w->days_attended));
    out_s(&o, "; program minimum ");
    out_s(&o, minimum);
    o = out_start(a->key, sizeof a->key);
    out_s(&o, "w:");
    out_s(&o, week);
    out_s(&o, ":");
    out_d(&o, w->minutes_attended);
    out_s(&o, ":");
    out_d(&o, w->days_attended);
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
    struct text_out o = out_start(a->reason, sizeof a->reason);
    out_s(&o, "absences: ");
    out_d(&o, w->absent);
    out_s(&o, w->absent == 1 ? " absence in " : " absences in ");
    out_s(&o, week);
    out_s(&o, " (alert at ");
    out_d(&o, limit);
    out_s(&o, " a week)");
    o = out_start(a->key, sizeof a->key);
    out_s(&o, "w:");
    out_s(&o, week);
    out_s(&o, ":");
    out_d(&o, w->absent);
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
    struct text_out o = out_start(a->reason, sizeof a->reason);
    out_s(&o, "ladder_stalled: no attempt on \"");
    out_s(&o, name);
    out_s(&o, "\" for ");
    out_d(&o, (int)(f->today - f->stalled_since));
    out_s(&o, " days, since ");
    out_s(&o, since);
    out_s(&o, " (alert after ");
    out_d(&o, limit);
    out_s(&o, ")");
    o = out_start(a->key, sizeof a->key);
    out_s(&o, "l:");
    out_d(&o, f->stalled_ladder_id);
    out_s(&o, ":");
    out_s(&o, since);
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
    char by[CAIRN_DATE_LEN + 1];
    cairn_date_format(sunday + 7, by);
    struct text_out o = out_start(a->reason, sizeof a->reason);
    out_s(&o, "review_overdue: review of ");
    out_s(&o, f->overdue_week);
    out_s(&o, " not signed by ");
    out_s(&o, by);
    if (f->overdue_reviews > 1) {
        out_s(&o, " (and ");
        out_d(&o, f->overdue_reviews - 1);
        out_s(&o, " more)");
    }
    o = out_start(a->key, sizeof a->key);
    out_s(&o, "r:");
    out_d(&o, f->overdue_review_id);
    out_s(&o, ":");
    out_d(&o, f->overdue_reviews);
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
    char day[CAIRN_DATE_LEN + 1];
    cairn_date_format(f->expected_discharge, day);
    struct text_out o = out_start(a->reason, sizeof a->reason);
    out_s(&o, "discharge_planning: expected discharge ");
    out_s(&o, day);
    if (days > 0) {
        out_s(&o, " in ");
        out_d(&o, days);
        out_s(&o, " day");
        out_s(&o, plural(days));
    } else if (days == 0) {
        out_s(&o, " today");
    } else {
        out_s(&o, " ");
        out_d(&o, -(long long)days);
        out_s(&o, " day");
        out_s(&o, plural(-days));
        out_s(&o, " ago");
    }
    out_s(&o, " and the plan has no aftercare (alert from ");
    out_d(&o, limit);
    out_s(&o, " days)");
    o = out_start(a->key, sizeof a->key);
    out_s(&o, "d:");
    out_s(&o, day);
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
