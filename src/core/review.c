/* The weekly review's pure side: names, validation, the JSON the store
 * keeps (inputs and the frozen snapshot), and the YAML `review edit` opens.
 * No SQL here: see store_review.c. */
#include "cairn/review.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/text.h"
#include "yemit.h"
#include "ytree.h"

static const char *const status_names[] = {"due", "draft", "signed", "cosigned"};

const char *cairn_review_status_str(enum cairn_review_status status)
{
    return (unsigned)status < sizeof status_names / sizeof *status_names ? status_names[status]
                                                                         : "?";
}

static const char *const field_keys[] = {
#define CAIRN_X_KEY(code, key, title) key,
    CAIRN_REVIEW_FIELD_LIST(CAIRN_X_KEY)
#undef CAIRN_X_KEY
};

static const char *const field_titles[] = {
#define CAIRN_X_TITLE(code, key, title) title,
    CAIRN_REVIEW_FIELD_LIST(CAIRN_X_TITLE)
#undef CAIRN_X_TITLE
};

const char *cairn_review_field_key(enum cairn_review_field field)
{
    return (unsigned)field < CAIRN_REVIEW__FIELDS ? field_keys[field] : "";
}

const char *cairn_review_field_title(enum cairn_review_field field)
{
    return (unsigned)field < CAIRN_REVIEW__FIELDS ? field_titles[field] : "";
}

void cairn_review_last_overdue_week(int32_t today, char out[CAIRN_WEEK_LEN + 1])
{
    int y, w;
    cairn_date_isoweek(today - 14, &y, &w);
    cairn_isoweek_format(y, w, out);
}

/* --- validation ------------------------------------------------------------ */

/* Why text is not acceptable as a review field (NULL when it is): valid
 * UTF-8, newlines and tabs the only control characters, at most max
 * characters. */
static const char *long_text_problem(const char *s, size_t max)
{
    size_t n = strlen(s), chars = 0;
    if (!cairn_utf8_valid(s, n))
        return "is not valid UTF-8";
    for (size_t i = 0; i < n;) {
        unsigned cp;
        i += cairn_utf8_decode(s + i, n - i, &cp);
        if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            return "must not contain control characters (only new lines and tabs)";
        chars++;
    }
    return chars > max ? "is too long" : NULL;
}

enum cairn_status cairn_review_inputs_validate(const struct cairn_review_inputs *in, bool to_sign,
                                               struct cairn_error *err)
{
    if ((unsigned)in->risk > CAIRN_RISK_HIGH)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "risk",
                                 "risk must be low, moderate or high");
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++) {
        const char *why = long_text_problem(in->text[f], CAIRN_REVIEW_TEXT_MAX);
        if (why)
            return cairn_error_field(
                err, CAIRN_ERR_INVALID, field_keys[f], "%s %s%s", field_keys[f], why,
                !strcmp(why, "is too long") ? " (at most 2000 characters)" : "");
    }
    if (in->nchecks > CAIRN_TEMPLATE_CHECKLIST_MAX)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "checklist", "too many checklist items");
    for (size_t i = 0; i < in->nchecks; i++)
        if (in->checks[i].answer < -1 || in->checks[i].answer > 1) {
            char at[32];
            snprintf(at, sizeof at, "checklist/%zu", i + 1);
            return cairn_error_field(err, CAIRN_ERR_INVALID, at,
                                     "checklist item %zu: the answer must be yes, no or unset",
                                     i + 1);
        }
    if (!to_sign)
        return CAIRN_OK;
    if (in->risk == CAIRN_RISK_UNSET)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "risk",
                                 "choose a risk level (low, moderate or high) before signing");
    bool blank = true;
    for (const char *s = in->text[CAIRN_REVIEW_NARRATIVE]; *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\t')
            blank = false;
    if (blank)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "narrative",
                                 "write the narrative before signing");
    for (size_t i = 0; i < in->nchecks; i++)
        if (in->checks[i].answer < 0) {
            char at[32];
            snprintf(at, sizeof at, "checklist/%zu", i + 1);
            return cairn_error_field(err, CAIRN_ERR_INVALID, at,
                                     "answer checklist item %zu before signing", i + 1);
        }
    return CAIRN_OK;
}

/* --- JSON ------------------------------------------------------------------ */

static enum cairn_status dump(json_t *doc, char **out, struct cairn_error *err)
{
    *out = doc ? json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!*out)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing a review");
    return CAIRN_OK;
}

static json_t *answer_json(int answer)
{
    return answer < 0 ? json_null() : json_boolean(answer > 0);
}

enum cairn_status cairn_review_inputs_json(const struct cairn_review_inputs *in, char **json,
                                           struct cairn_error *err)
{
    json_t *o = json_object();
    json_t *list = json_array();
    json_object_set_new(o, "risk",
                        in->risk == CAIRN_RISK_UNSET ? json_null()
                                                     : json_string(cairn_risk_str(in->risk)));
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        json_object_set_new(o, field_keys[f], json_string(in->text[f]));
    for (size_t i = 0; i < in->nchecks; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "item", json_string(in->checks[i].item));
        json_object_set_new(c, "done", answer_json(in->checks[i].answer));
        json_array_append_new(list, c);
    }
    json_object_set_new(o, "checklist", list);
    return dump(o, json, err);
}

/* Copies a JSON string member into out; absent or null gives "". False
 * when it is there but not a string or does not fit. */
static bool get_text(json_t *o, const char *key, char *out, size_t size)
{
    json_t *v = json_object_get(o, key);
    out[0] = '\0';
    if (!v || json_is_null(v))
        return true;
    if (!json_is_string(v) || json_string_length(v) >= size)
        return false;
    memcpy(out, json_string_value(v), json_string_length(v) + 1);
    return true;
}

static int get_int(json_t *o, const char *key, int fallback)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : fallback;
}

static bool get_bool(json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

static json_t *load(const char *text, const char *what, struct cairn_error *err)
{
    json_error_t je;
    json_t *doc = text ? json_loads(text, 0, &je) : NULL;
    if (!json_is_object(doc)) {
        json_decref(doc);
        cairn_error_set(err, CAIRN_ERR_INVALID, "the stored %s is not a JSON object", what);
        return NULL;
    }
    return doc;
}

enum cairn_status cairn_review_inputs_parse(const char *json, struct cairn_review_inputs *in,
                                            struct cairn_error *err)
{
    json_t *doc = load(json, "review", err);
    if (!doc)
        return CAIRN_ERR_INVALID;
    memset(in, 0, sizeof *in);
    bool ok = true;
    char risk[16];
    ok &= get_text(doc, "risk", risk, sizeof risk);
    if (ok && risk[0] && cairn_risk_parse(risk, &in->risk, NULL) != CAIRN_OK)
        ok = false;
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        ok &= get_text(doc, field_keys[f], in->text[f], sizeof in->text[f]);
    json_t *list = json_object_get(doc, "checklist");
    size_t i;
    json_t *c;
    if (list && !json_is_array(list))
        ok = false;
    json_array_foreach(list, i, c)
    {
        if (i >= CAIRN_TEMPLATE_CHECKLIST_MAX || !json_is_object(c)) {
            ok = false;
            break;
        }
        struct cairn_review_check *k = &in->checks[in->nchecks++];
        ok &= get_text(c, "item", k->item, sizeof k->item);
        json_t *d = json_object_get(c, "done");
        k->answer = json_is_boolean(d) ? json_is_true(d) : -1;
    }
    json_decref(doc);
    if (!ok)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "the stored review inputs are malformed");
    return CAIRN_OK;
}

static bool measure_parse(json_t *o, struct cairn_review_measure *m)
{
    memset(m, 0, sizeof *m);
    if (!o || json_is_null(o))
        return true;
    if (!json_is_object(o))
        return false;
    bool ok = get_text(o, "band", m->band, sizeof m->band) &&
              get_text(o, "date", m->date, sizeof m->date);
    m->has = true;
    m->total = get_int(o, "total", 0);
    json_t *b = json_object_get(o, "baseline"), *l = json_object_get(o, "last_week");
    m->has_baseline = json_is_integer(b);
    m->baseline = m->has_baseline ? (int)json_integer_value(b) : 0;
    m->has_last_week = json_is_integer(l);
    m->last_week = m->has_last_week ? (int)json_integer_value(l) : 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(o, "labels"), i, v)
    {
        if (i >= 4 || !json_is_string(v) || json_string_length(v) >= sizeof m->labels[0])
            return false;
        memcpy(m->labels[i], json_string_value(v), json_string_length(v) + 1);
        m->nlabels = i + 1;
    }
    return ok;
}

/* A measure's object, kept by a snapshot writer: its values are set in
 * place, the optional integers put in or replaced by null. */
struct measure_nodes {
    json_t *o, *band, *baseline, *date, *labels, *last_week, *total;
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* The integers of the attendance and ladders objects, in their order. */
static const char *const attendance_int_keys[] = {
    "absent",   "attended",    "days_attended",    "excused", "late",
    "min_days", "min_minutes", "minutes_attended", "sessions"};
static const char *const ladder_keys[] = {"attempts", "steps_mastered", "steps_mastered_week",
                                          "steps_total"};

/* A snapshot's document, built once with every key in place and its keys
 * in sorted (strcmp) order, so it dumps as JSON_SORT_KEYS would without
 * sorting (unit.test_review checks the order); each snapshot sets its
 * values in place. Only the goals (when they differ from the last
 * snapshot's) and the alerts are new objects. */
struct cairn_snapshot_writer {
    json_t *doc, *alerts, *goals;
    json_t *computed_at, *from, *to, *week, *cssrs;
    json_t *att, *att_int[COUNT(attendance_int_keys)];
    struct measure_nodes phq9, gad7;
    json_t *ladders[COUNT(ladder_keys)], *lapse, *relapse;
    /* The goals in the document now. */
    size_t ngoals;
    struct cairn_review_goal goals_now[CAIRN_PLAN_ITEMS_MAX];
    /* The dump, grown to fit once: json_dumps() grows a buffer from 16
     * bytes by doubling for each document, 5% of a snapshot's cost. */
    char *buf;
    size_t cap;
};

/* The keys are literals, so unchecked. */
#define SET(o, key, value) json_object_set_new_nocheck(o, key, value)

static bool measure_nodes_new(struct measure_nodes *m)
{
    return (m->o = json_object()) && (m->labels = json_array()) && (m->band = json_string("")) &&
           (m->baseline = json_integer(0)) && (m->date = json_string("")) &&
           (m->last_week = json_integer(0)) && (m->total = json_integer(0)) &&
           !json_object_set_nocheck(m->o, "band", m->band) &&
           !json_object_set_nocheck(m->o, "baseline", m->baseline) &&
           !json_object_set_nocheck(m->o, "date", m->date) &&
           !json_object_set_nocheck(m->o, "labels", m->labels) &&
           !json_object_set_nocheck(m->o, "last_week", m->last_week) &&
           !json_object_set_nocheck(m->o, "total", m->total);
}

static void measure_nodes_free(struct measure_nodes *m)
{
    json_t **all[] = {&m->o,      &m->band,      &m->baseline, &m->date,
                      &m->labels, &m->last_week, &m->total};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        json_decref(*all[i]);
        *all[i] = NULL;
    }
}

struct cairn_snapshot_writer *cairn_snapshot_writer_new(void)
{
    struct cairn_snapshot_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    bool ok = (w->doc = json_object()) && (w->alerts = json_array()) && (w->goals = json_array()) &&
              (w->att = json_object()) && (w->computed_at = json_string("")) &&
              (w->from = json_string("")) && (w->to = json_string("")) &&
              (w->week = json_string("")) && (w->cssrs = json_string("")) &&
              measure_nodes_new(&w->phq9) && measure_nodes_new(&w->gad7) &&
              (w->lapse = json_integer(0)) && (w->relapse = json_integer(0));
    for (size_t i = 0; ok && i < COUNT(w->att_int); i++)
        ok = (w->att_int[i] = json_integer(0)) != NULL;
    for (size_t i = 0; ok && i < COUNT(w->ladders); i++)
        ok = (w->ladders[i] = json_integer(0)) != NULL;
    json_t *ladders = ok ? json_object() : NULL, *lapses = ok ? json_object() : NULL;
    ok = ok && ladders && lapses;
    /* The attendance object, its booleans in their sorted places. */
    static const char *const att_keys[] = {
        "absent",     "attended",    "complete", "days_attended", "excused",          "late",
        "meets_days", "meets_hours", "min_days", "min_minutes",   "minutes_attended", "sessions"};
    for (size_t i = 0, k = 0; ok && i < COUNT(att_keys); i++) {
        bool flag = k >= COUNT(w->att_int) || strcmp(att_keys[i], attendance_int_keys[k]) != 0;
        ok = !json_object_set_nocheck(w->att, att_keys[i], flag ? json_false() : w->att_int[k]);
        k += !flag;
    }
    for (size_t i = 0; ok && i < COUNT(w->ladders); i++)
        ok = !json_object_set_nocheck(ladders, ladder_keys[i], w->ladders[i]);
    ok = ok && !json_object_set_nocheck(lapses, "lapse", w->lapse) &&
         !json_object_set_nocheck(lapses, "relapse", w->relapse) &&
         !json_object_set_nocheck(w->doc, "alerts", w->alerts) &&
         !json_object_set_nocheck(w->doc, "attendance", w->att) &&
         !json_object_set_nocheck(w->doc, "computed_at", w->computed_at) &&
         !SET(w->doc, "cssrs", json_null()) && !json_object_set_nocheck(w->doc, "from", w->from) &&
         !SET(w->doc, "gad7", json_null()) && !json_object_set_nocheck(w->doc, "goals", w->goals) &&
         !json_object_set_nocheck(w->doc, "ladders", ladders) &&
         !json_object_set_nocheck(w->doc, "lapses", lapses) && !SET(w->doc, "phq9", json_null()) &&
         !json_object_set_nocheck(w->doc, "to", w->to) &&
         !json_object_set_nocheck(w->doc, "week", w->week);
    json_decref(ladders);
    json_decref(lapses);
    if (!ok) {
        cairn_snapshot_writer_free(w);
        return NULL;
    }
    return w;
}

void cairn_snapshot_writer_free(struct cairn_snapshot_writer *w)
{
    if (!w)
        return;
    json_t *all[] = {w->doc,  w->alerts, w->goals, w->computed_at, w->from,   w->to,
                     w->week, w->cssrs,  w->att,   w->lapse,       w->relapse};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        json_decref(all[i]);
    for (size_t i = 0; i < COUNT(w->att_int); i++)
        json_decref(w->att_int[i]);
    for (size_t i = 0; i < COUNT(w->ladders); i++)
        json_decref(w->ladders[i]);
    measure_nodes_free(&w->phq9);
    measure_nodes_free(&w->gad7);
    free(w->buf);
    free(w);
}

/* Puts `value` (kept by the writer) under `key` of o, or null when `has`
 * is false. */
static bool put_or_null(json_t *o, const char *key, json_t *value, bool has)
{
    return has ? !json_object_set_nocheck(o, key, value) : !SET(o, key, json_null());
}

static bool measure_set(json_t *doc, const char *key, struct measure_nodes *n,
                        const struct cairn_review_measure *m)
{
    if (!m->has)
        return !SET(doc, key, json_null());
    bool ok = !json_string_set(n->band, m->band) && !json_string_set(n->date, m->date) &&
              !json_integer_set(n->baseline, m->baseline) &&
              !json_integer_set(n->last_week, m->last_week) &&
              !json_integer_set(n->total, m->total) &&
              put_or_null(n->o, "baseline", n->baseline, m->has_baseline) &&
              put_or_null(n->o, "last_week", n->last_week, m->has_last_week) &&
              !json_array_clear(n->labels);
    for (size_t i = 0; ok && i < m->nlabels; i++)
        ok = !json_array_append_new(n->labels, json_string(m->labels[i]));
    return ok && !json_object_set_nocheck(doc, key, n->o);
}

static bool goals_set(struct cairn_snapshot_writer *w, const struct cairn_review_snapshot *s)
{
    bool same = s->ngoals == w->ngoals;
    for (size_t i = 0; same && i < s->ngoals; i++) {
        const struct cairn_review_goal *a = &s->goals[i], *b = &w->goals_now[i];
        same = a->target == b->target && a->done == b->done && strcmp(a->key, b->key) == 0 &&
               strcmp(a->text, b->text) == 0;
    }
    if (same)
        return true;
    w->ngoals = SIZE_MAX; /* matches no snapshot until the array is complete again */
    bool ok = !json_array_clear(w->goals);
    for (size_t i = 0; ok && i < s->ngoals; i++) {
        json_t *g = json_object();
        ok = g &&
             !SET(g, "done", s->goals[i].done < 0 ? json_null() : json_integer(s->goals[i].done)) &&
             !SET(g, "key", json_string(s->goals[i].key)) &&
             !SET(g, "target", json_integer(s->goals[i].target)) &&
             !SET(g, "text", json_string(s->goals[i].text));
        if (json_array_append_new(w->goals, g))
            ok = false;
    }
    if (ok) {
        memcpy(w->goals_now, s->goals, s->ngoals * sizeof *s->goals);
        w->ngoals = s->ngoals;
    }
    return ok;
}

enum cairn_status cairn_snapshot_writer_json(struct cairn_snapshot_writer *w,
                                             const struct cairn_review_snapshot *s, char **json,
                                             struct cairn_error *err)
{
    const struct cairn_attendance_week *a = &s->attendance;
    *json = NULL;
    bool ok = !json_array_clear(w->alerts);
    for (size_t i = 0; ok && i < s->nalerts; i++) {
        const struct cairn_review_alert *al = &s->alerts[i];
        json_t *x = json_object();
        ok = x && !SET(x, "acked_by", al->acked_by[0] ? json_string(al->acked_by) : json_null()) &&
             !SET(x, "acknowledged", json_boolean(al->acknowledged)) &&
             !SET(x, "code", json_string(al->code)) && !SET(x, "reason", json_string(al->reason)) &&
             !SET(x, "severity", json_string(al->severity));
        if (json_array_append_new(w->alerts, x))
            ok = false;
    }
    const int att[COUNT(attendance_int_keys)] = {
        a->absent,   a->attended,    a->days_attended,    a->excused, a->late,
        a->min_days, a->min_minutes, a->minutes_attended, a->sessions};
    for (size_t i = 0; ok && i < COUNT(att); i++)
        ok = !json_integer_set(w->att_int[i], att[i]);
    const int ladders[COUNT(ladder_keys)] = {s->attempts, s->steps_mastered, s->steps_mastered_week,
                                             s->steps_total};
    for (size_t i = 0; ok && i < COUNT(ladders); i++)
        ok = !json_integer_set(w->ladders[i], ladders[i]);
    ok = ok && !SET(w->att, "complete", json_boolean(a->complete)) &&
         !SET(w->att, "meets_days", json_boolean(a->meets_days)) &&
         !SET(w->att, "meets_hours", json_boolean(a->meets_hours)) &&
         !json_integer_set(w->lapse, s->lapses) && !json_integer_set(w->relapse, s->relapses) &&
         !json_string_set(w->computed_at, s->computed_at) && !json_string_set(w->from, s->from) &&
         !json_string_set(w->to, s->to) && !json_string_set(w->week, s->week) &&
         (s->cssrs[0] ? !json_string_set(w->cssrs, s->cssrs) &&
                            !json_object_set_nocheck(w->doc, "cssrs", w->cssrs)
                      : !SET(w->doc, "cssrs", json_null())) &&
         measure_set(w->doc, "gad7", &w->gad7, &s->gad7) &&
         measure_set(w->doc, "phq9", &w->phq9, &s->phq9) && goals_set(w, s);
    if (!ok) /* jansson refuses only text that is not UTF-8, or when out of memory */
        return cairn_error_set(err, CAIRN_ERR_INVALID,
                               "a review snapshot holds text that is not UTF-8");
    size_t n = json_dumpb(w->doc, w->buf, w->cap, JSON_COMPACT);
    if (n > w->cap) {
        char *grown = realloc(w->buf, n);
        if (!grown)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing a review");
        w->buf = grown;
        w->cap = n;
        n = json_dumpb(w->doc, w->buf, w->cap, JSON_COMPACT);
    }
    if (n == 0 || !(*json = malloc(n + 1)))
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing a review");
    memcpy(*json, w->buf, n);
    (*json)[n] = '\0';
    return CAIRN_OK;
}

enum cairn_status cairn_review_snapshot_json(const struct cairn_review_snapshot *s, char **json,
                                             struct cairn_error *err)
{
    struct cairn_snapshot_writer *w = cairn_snapshot_writer_new();
    *json = NULL;
    if (!w)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing a review");
    enum cairn_status rc = cairn_snapshot_writer_json(w, s, json, err);
    cairn_snapshot_writer_free(w);
    return rc;
}

#undef SET
#undef COUNT

enum cairn_status cairn_review_snapshot_parse(const char *json, struct cairn_review_snapshot *s,
                                              struct cairn_error *err)
{
    json_t *doc = load(json, "review snapshot", err);
    if (!doc)
        return CAIRN_ERR_INVALID;
    memset(s, 0, sizeof *s);
    bool ok = get_text(doc, "week", s->week, sizeof s->week) &&
              get_text(doc, "from", s->from, sizeof s->from) &&
              get_text(doc, "to", s->to, sizeof s->to) &&
              get_text(doc, "computed_at", s->computed_at, sizeof s->computed_at) &&
              get_text(doc, "cssrs", s->cssrs, sizeof s->cssrs);
    json_t *att = json_object_get(doc, "attendance");
    struct cairn_attendance_week *a = &s->attendance;
    if (sscanf(s->week, "%4d-W%2d", &a->iso_year, &a->week) != 2)
        ok = false;
    a->minutes_attended = get_int(att, "minutes_attended", 0);
    a->days_attended = get_int(att, "days_attended", 0);
    a->sessions = get_int(att, "sessions", 0);
    a->attended = get_int(att, "attended", 0);
    a->late = get_int(att, "late", 0);
    a->absent = get_int(att, "absent", 0);
    a->excused = get_int(att, "excused", 0);
    a->min_minutes = get_int(att, "min_minutes", 0);
    a->min_days = get_int(att, "min_days", 0);
    a->meets_hours = get_bool(att, "meets_hours");
    a->meets_days = get_bool(att, "meets_days");
    a->complete = get_bool(att, "complete");
    ok &= measure_parse(json_object_get(doc, "phq9"), &s->phq9);
    ok &= measure_parse(json_object_get(doc, "gad7"), &s->gad7);
    json_t *lad = json_object_get(doc, "ladders");
    s->attempts = get_int(lad, "attempts", 0);
    s->steps_mastered_week = get_int(lad, "steps_mastered_week", 0);
    s->steps_mastered = get_int(lad, "steps_mastered", 0);
    s->steps_total = get_int(lad, "steps_total", 0);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "goals"), i, v)
    {
        if (i >= CAIRN_PLAN_ITEMS_MAX) {
            ok = false;
            break;
        }
        struct cairn_review_goal *g = &s->goals[s->ngoals++];
        ok &= get_text(v, "key", g->key, sizeof g->key) &&
              get_text(v, "text", g->text, sizeof g->text);
        g->target = get_int(v, "target", 0);
        g->done = get_int(v, "done", -1);
    }
    json_t *lapses = json_object_get(doc, "lapses");
    s->lapses = get_int(lapses, "lapse", 0);
    s->relapses = get_int(lapses, "relapse", 0);
    json_array_foreach(json_object_get(doc, "alerts"), i, v)
    {
        if (i >= CAIRN_ALERT__COUNT) {
            ok = false;
            break;
        }
        struct cairn_review_alert *al = &s->alerts[s->nalerts++];
        ok &= get_text(v, "code", al->code, sizeof al->code) &&
              get_text(v, "severity", al->severity, sizeof al->severity) &&
              get_text(v, "reason", al->reason, sizeof al->reason) &&
              get_text(v, "acked_by", al->acked_by, sizeof al->acked_by);
        al->acknowledged = get_bool(v, "acknowledged");
    }
    json_decref(doc);
    if (!ok)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "the stored review snapshot is malformed");
    return CAIRN_OK;
}

/* --- YAML ------------------------------------------------------------------ */

static const char yaml_help[] =
    "Edit, save and quit to store the draft. Leave it unchanged, or empty the file,\n"
    "to cancel. Lines starting with # are comments.\n"
    "risk: low, moderate or high (it becomes the patient's risk level), or null.\n"
    "Texts may span lines: write `narrative: |` and the text indented below it.\n"
    "checklist: answer each item with done: true or false (null = not yet); keep\n"
    "the items' wording. Signing needs a risk, a narrative and every item answered.\n";

/* A text value: double-quoted on one line, a literal block over several. */
static void emit_text(struct yemitter *em, const char *key, const char *text)
{
    yemit_scalar(em, key, YAML_PLAIN_SCALAR_STYLE);
    yemit_scalar(em, text,
                 strchr(text, '\n') ? YAML_LITERAL_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

/* The snapshot as comment lines, for the reviewer to read while writing. */
static void snapshot_comments(struct ybuf *b, const struct cairn_review_snapshot *s)
{
    const struct cairn_attendance_week *a = &s->attendance;
    ybuf_printf(b, "# What cairn computed for %s (%s to %s):\n", s->week, s->from, s->to);
    ybuf_printf(b,
                "#   attendance: %.1f h on %d days (minimum %.1f h on %d days); %d sessions, "
                "%d absent, %d excused, %d late\n",
                a->minutes_attended / 60.0, a->days_attended, a->min_minutes / 60.0, a->min_days,
                a->sessions, a->absent, a->excused, a->late);
    const struct cairn_review_measure *m[2] = {&s->phq9, &s->gad7};
    const char *names[2] = {"PHQ-9", "GAD-7"};
    for (int i = 0; i < 2; i++) {
        if (!m[i]->has) {
            ybuf_printf(b, "#   %s: none yet\n", names[i]);
            continue;
        }
        ybuf_printf(b, "#   %s: %d (%s) on %s", names[i], m[i]->total, m[i]->band, m[i]->date);
        if (m[i]->has_baseline)
            ybuf_printf(b, ", baseline %d", m[i]->baseline);
        if (m[i]->has_last_week)
            ybuf_printf(b, ", before this week %d", m[i]->last_week);
        ybuf_add(b, "\n", 1);
        for (size_t k = 0; k < m[i]->nlabels; k++)
            ybuf_printf(b, "#     %s\n", m[i]->labels[k]);
    }
    if (s->cssrs[0])
        ybuf_printf(b, "#   C-SSRS screen this week: %s risk\n", s->cssrs);
    ybuf_printf(b, "#   exposure: %d attempts, %d steps mastered this week (%d of %d so far)\n",
                s->attempts, s->steps_mastered_week, s->steps_mastered, s->steps_total);
    for (size_t i = 0; i < s->ngoals; i++) {
        char text[160];
        cairn_text_fit(s->goals[i].text, 60, text, sizeof text);
        if (s->goals[i].done < 0)
            ybuf_printf(b, "#   goal %s %s: not recorded (target %d)\n", s->goals[i].key, text,
                        s->goals[i].target);
        else
            ybuf_printf(b, "#   goal %s %s: %d of %d\n", s->goals[i].key, text, s->goals[i].done,
                        s->goals[i].target);
    }
    ybuf_printf(b, "#   lapses this week: %d lapse, %d relapse\n", s->lapses, s->relapses);
    for (size_t i = 0; i < s->nalerts; i++)
        ybuf_printf(b, "#   alert %s%s\n", s->alerts[i].reason,
                    s->alerts[i].acknowledged ? " (acknowledged)" : "");
}

enum cairn_status cairn_review_render_yaml(const struct cairn_review *r, const char *header,
                                           char **out, struct cairn_error *err)
{
    struct ybuf b = {0};
    struct yemitter em;
    const struct cairn_review_inputs *in = &r->inputs;
    *out = NULL;
    if (header)
        ycomment_lines(&b, header);
    ycomment_lines(&b, yaml_help);
    snapshot_comments(&b, &r->snapshot);
    if (!yemit_open(&em, &b)) {
        free(b.s);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing a review");
    }
    yemit_start(&em, true, false);
    yemit_scalar(&em, "risk", YAML_PLAIN_SCALAR_STYLE);
    yemit_scalar(&em, in->risk == CAIRN_RISK_UNSET ? "null" : cairn_risk_str(in->risk),
                 YAML_PLAIN_SCALAR_STYLE);
    for (int f = 0; f < CAIRN_REVIEW__FIELDS; f++)
        emit_text(&em, field_keys[f], in->text[f]);
    yemit_scalar(&em, "checklist", YAML_PLAIN_SCALAR_STYLE);
    yemit_start(&em, false, in->nchecks == 0);
    for (size_t i = 0; i < in->nchecks; i++) {
        yemit_start(&em, true, false);
        yemit_pair(&em, "item", in->checks[i].item);
        yemit_scalar(&em, "done", YAML_PLAIN_SCALAR_STYLE);
        yemit_scalar(&em,
                     in->checks[i].answer < 0    ? "null"
                     : in->checks[i].answer == 1 ? "true"
                                                 : "false",
                     YAML_PLAIN_SCALAR_STYLE);
        yemit_end(&em, true);
    }
    yemit_end(&em, false);
    yemit_end(&em, true);
    if (!yemit_close(&em)) {
        free(b.s);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "could not write the review as YAML");
    }
    return ybuf_take(&b, out, err);
}

/* A review text: any scalar (null is empty), newlines allowed, trailing
 * newlines of a block dropped. */
static bool yaml_long_text(struct ytree_walk *w, const struct ytree_node *n, char *out, size_t size)
{
    out[0] = '\0';
    if (!ytree_want_kind(w, n, YT_SCALAR, "text"))
        return false;
    if (n->plain && ytree_scalar_type(n) == YT_NULL)
        return true;
    size_t len = n->len;
    while (len && n->text[len - 1] == '\n')
        len--;
    if (len >= size) {
        ytree_fail(w, n, "is too long (at most %d characters)", CAIRN_REVIEW_TEXT_MAX);
        return false;
    }
    memcpy(out, n->text, len);
    out[len] = '\0';
    const char *why = long_text_problem(out, CAIRN_REVIEW_TEXT_MAX);
    if (why) {
        ytree_fail(w, n, "%s%s", why,
                   !strcmp(why, "is too long") ? " (at most 2000 characters)" : "");
        out[0] = '\0';
        return false;
    }
    return true;
}

struct check_parse {
    const struct cairn_review_inputs *was;
    struct cairn_review_inputs *next;
    bool seen[CAIRN_TEMPLATE_CHECKLIST_MAX];
};

static void yaml_check(struct ytree_walk *w, const struct ytree_node *n, size_t i, void *ctx)
{
    static const char *const keys[] = {"item", "done"};
    struct check_parse *cp = ctx;
    const struct ytree_node *f[2];
    char item[CAIRN_TEMPLATE_TEXT_BYTES];
    (void)i;
    if (!ytree_fields(w, n, keys, 2, 1u, f) || !f[0])
        return; /* reported: not a mapping, or no item */
    bool ok = true;
    YTREE_WITH_KEY(w, "item", ok = ytree_text(w, f[0], CAIRN_TEMPLATE_TEXT_MAX, item, sizeof item));
    if (!ok)
        return;
    size_t k = 0;
    while (k < cp->was->nchecks && strcmp(cp->was->checks[k].item, item))
        k++;
    if (k == cp->was->nchecks) {
        YTREE_WITH_KEY(w, "item",
                       ytree_fail(w, f[0],
                                  "not an item of this program's checklist: keep the items as "
                                  "they were written"));
        return;
    }
    if (cp->seen[k]) {
        YTREE_WITH_KEY(w, "item", ytree_fail(w, f[0], "this item is listed twice"));
        return;
    }
    cp->seen[k] = true;
    int answer = -1;
    if (f[1] && !(f[1]->kind == YT_SCALAR && f[1]->plain && ytree_scalar_type(f[1]) == YT_NULL))
        YTREE_WITH_KEY(w, "done", {
            bool b;
            if (ytree_bool(w, f[1], &b))
                answer = b;
        });
    cp->next->checks[k].answer = answer;
}

enum cairn_status cairn_review_parse_yaml(struct cairn_review_inputs *in, const char *text,
                                          size_t len, struct cairn_template_diags *diags,
                                          struct cairn_error *err)
{
    static const char *const keys[] = {"risk",        "narrative",  "went_well", "barriers",
                                       "adjustments", "next_steps", "checklist"};
    _Static_assert(sizeof keys / sizeof *keys == CAIRN_REVIEW__FIELDS + 2, "review YAML keys");
    struct cairn_review_inputs *next = malloc(sizeof *next);
    if (!next)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a review");
    memset(diags, 0, sizeof *diags);
    struct ytree_loader ld = {.diags = diags,
                              .what = "review",
                              .empty = "the review is empty",
                              .max_scalar = 4 * CAIRN_REVIEW_TEXT_MAX + 64};
    struct ytree_walk w = {.diags = diags};
    struct ytree_node *root = ytree_load(&ld, text, len);
    *next = *in;
    for (size_t i = 0; i < next->nchecks; i++)
        next->checks[i].answer = -1;
    if (root && root->kind != YT_MAP) {
        ytree_fail(&w, root, "expected a mapping with risk, narrative, … and checklist, got %s",
                   ytree_node_word(root));
    } else if (root) {
        const struct ytree_node *f[sizeof keys / sizeof *keys] = {0};
        ytree_fields(&w, root, keys, sizeof keys / sizeof *keys, 0u, f);
        next->risk = CAIRN_RISK_UNSET;
        if (f[0] &&
            !(f[0]->kind == YT_SCALAR && f[0]->plain && ytree_scalar_type(f[0]) == YT_NULL)) {
            static const char *const names[] = {"low", "moderate", "high"};
            size_t mark = ytree_path_push(&w.path, "risk");
            int v;
            if (ytree_enum(&w, f[0], names, 3, "risk level", &v))
                next->risk = (enum cairn_risk)(CAIRN_RISK_LOW + v);
            ytree_path_pop(&w.path, mark);
        }
        for (int k = 0; k < CAIRN_REVIEW__FIELDS; k++) {
            next->text[k][0] = '\0';
            if (f[1 + k])
                YTREE_WITH_KEY(&w, keys[1 + k],
                               yaml_long_text(&w, f[1 + k], next->text[k], sizeof next->text[k]));
        }
        const struct ytree_node *list = f[CAIRN_REVIEW__FIELDS + 1];
        struct check_parse cp = {.was = in, .next = next};
        if (list && !(list->kind == YT_SCALAR && list->plain && ytree_scalar_type(list) == YT_NULL))
            YTREE_WITH_KEY(&w, "checklist", {
                if (ytree_list(&w, list, 0, CAIRN_TEMPLATE_CHECKLIST_MAX, "checklist item"))
                    ytree_each(&w, list, yaml_check, &cp);
            });
        if (diags->count == 0)
            for (size_t k = 0; k < in->nchecks; k++)
                if (!cp.seen[k]) {
                    const struct ytree_node *at = list ? list : root;
                    char item[80];
                    cairn_text_fit(in->checks[k].item, 60, item, sizeof item);
                    YTREE_WITH_KEY(&w, "checklist",
                                   ytree_fail(&w, at,
                                              "the checklist item \"%s\" is missing: keep every "
                                              "item and answer it with done",
                                              item));
                }
    }
    bool nomem = ld.nomem;
    ytree_free(&ld);
    enum cairn_status st = CAIRN_OK;
    if (nomem) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a review");
    } else if (diags->count > 0 || !root) {
        ytree_sort_diags(diags);
        st = cairn_error_at(err, CAIRN_ERR_INVALID, NULL, diags->count ? diags->items[0].line : 0,
                            diags->count ? diags->items[0].col : 0,
                            diags->count ? diags->items[0].pointer : "", "%s",
                            diags->count ? diags->items[0].message : "the review is not valid");
    } else {
        *in = *next;
    }
    free(next);
    return st;
}
