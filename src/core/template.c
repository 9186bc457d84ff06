/* Program templates: a strict YAML loader and the validator of the contract.
 *
 * Two passes. The loader drives libyaml's event API and builds a small tree
 * of nodes (scalars keep their text, position and whether they were plain),
 * refusing what a template must not use: anchors, aliases, tags,
 * directives, a second document, duplicate keys, YAML 1.1 booleans, and
 * anything over the caps. The validator walks that tree against the
 * contract (man/cairn-template.5) and fills struct cairn_template. Both
 * passes collect every problem with its position and JSON pointer; only
 * problems that leave nothing sensible to check (a syntax error, a cap)
 * stop early. Pure: no I/O, no globals.
 */
#include "cairn/template.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "cairn/text.h"
#include "ytree.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- names ---------------------------------------------------------------- */

static const char *const instrument_names[] = {
#define CAIRN_X_NAME(code, name) name,
    CAIRN_INSTRUMENT_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const cadence_names[] = {"admission", "week", "two_weeks", "month", "discharge"};
static const char *const section_names[] = {
#define CAIRN_X_NAME(code, name, title) name,
    CAIRN_PLAN_SECTION_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const section_titles[] = {
#define CAIRN_X_NAME(code, name, title) title,
    CAIRN_PLAN_SECTION_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const session_type_names[] = {
#define CAIRN_X_NAME(code, name) name,
    CAIRN_SESSION_TYPE_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};
static const char *const level_names[] = {"asam-1.0", "asam-2.1", "asam-2.5"};
static const char *const population_names[] = {"adult", "adolescent"};

static const char *name_of(const char *const *names, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? names[i] : "";
}

const char *cairn_instrument_str(enum cairn_instrument v)
{
    return name_of(instrument_names, COUNT(instrument_names), (int)v);
}
const char *cairn_cadence_str(enum cairn_cadence v)
{
    return name_of(cadence_names, COUNT(cadence_names), (int)v);
}
const char *cairn_plan_section_str(enum cairn_plan_section v)
{
    return name_of(section_names, COUNT(section_names), (int)v);
}
const char *cairn_plan_section_title(enum cairn_plan_section v)
{
    return name_of(section_titles, COUNT(section_titles), (int)v);
}
const char *cairn_session_type_str(enum cairn_session_type v)
{
    return name_of(session_type_names, COUNT(session_type_names), (int)v);
}

static void walk_schedule(struct ytree_walk *w, const struct ytree_node *map,
                          struct cairn_template *t, bool *max_given, const struct ytree_node **at)
{
    static const char *const keys[] = {"sessions_per_week",  "hours_per_session",
                                       "min_hours_per_week", "max_hours_per_week",
                                       "min_days_per_week",  "length_weeks"};
    const struct ytree_node *f[COUNT(keys)];
    struct cairn_program *p = &t->program;
    if (!ytree_fields(w, map, keys, COUNT(keys), 1u << 0 | 1u << 1 | 1u << 2 | 1u << 5, f))
        return;
    for (size_t i = 0; i < COUNT(keys); i++)
        at[i] = f[i];
    if (f[0])
        YTREE_WITH_KEY(w, keys[0],
                       if (!ytree_int(w, f[0], 1, 14, &p->sessions_per_week)) at[0] = NULL);
    if (f[1])
        YTREE_WITH_KEY(w, keys[1],
                       if (!ytree_positive(w, f[1], 8, &t->hours_per_session)) at[1] = NULL);
    if (f[2])
        YTREE_WITH_KEY(w, keys[2],
                       if (!ytree_positive(w, f[2], 40, &p->min_hours_per_week)) at[2] = NULL);
    if (f[3])
        YTREE_WITH_KEY(w, keys[3],
                       if (!ytree_positive(w, f[3], 40, &p->max_hours_per_week)) at[3] = NULL);
    *max_given = f[3] != NULL;
    if (f[4])
        YTREE_WITH_KEY(w, keys[4],
                       if (!ytree_int(w, f[4], 1, 7, &p->min_days_per_week)) at[4] = NULL);
    if (f[5])
        YTREE_WITH_KEY(w, keys[5], if (!ytree_int(w, f[5], 1, 52, &p->length_weeks)) at[5] = NULL);
    /* The default day minimum never asks for more days than there are sessions. */
    if (!f[4] && at[0] && p->sessions_per_week < p->min_days_per_week)
        p->min_days_per_week = p->sessions_per_week;
}

static void measure_item(struct ytree_walk *w, const struct ytree_node *item, size_t i, void *ctx)
{
    static const char *const keys[] = {"instrument", "every"};
    struct cairn_template *t = ctx;
    const struct ytree_node *f[2];
    int instrument = -1, every = -1;
    (void)i;
    if (!ytree_fields(w, item, keys, 2, 3u, f))
        return;
    if (f[0])
        YTREE_WITH_KEY(w, "instrument",
                       ytree_enum(w, f[0], instrument_names, COUNT(instrument_names), "instrument",
                                  &instrument));
    if (f[1])
        YTREE_WITH_KEY(w, "every",
                       ytree_enum(w, f[1], cadence_names, COUNT(cadence_names), "cadence", &every));
    if (instrument < 0 || every < 0)
        return;
    for (size_t j = 0; j < t->nmeasures; j++)
        if (t->measures[j].instrument == (enum cairn_instrument)instrument &&
            t->measures[j].every == (enum cairn_cadence)every) {
            ytree_fail(w, item, "%s every %s is listed twice (/measures/%zu)",
                       instrument_names[instrument], cadence_names[every], j);
            return;
        }
    t->measures[t->nmeasures++] = (struct cairn_template_measure){(enum cairn_instrument)instrument,
                                                                  (enum cairn_cadence)every};
}

struct step_state {
    struct cairn_template_ladder *ladder;
    bool scaled; /* the ladder's scale is known */
    int prev;    /* SUDS of the last valid step, -1 before the first */
};

static void step_item(struct ytree_walk *w, const struct ytree_node *item, size_t i, void *ctx)
{
    static const char *const keys[] = {"text", "suds"};
    struct step_state *st = ctx;
    struct cairn_template_ladder *l = st->ladder;
    const struct ytree_node *f[2];
    struct cairn_template_step step = {.suds = -1};
    bool text_ok = false;
    (void)i;
    if (!ytree_fields(w, item, keys, 2, 3u, f))
        return;
    if (f[0])
        YTREE_WITH_KEY(w, "text", text_ok = ytree_text(w, f[0], 200, step.text, sizeof step.text));
    if (f[1]) {
        size_t mark = ytree_path_push(&w->path, "suds");
        if (!ytree_int(w, f[1], 0, 100, &step.suds)) {
            step.suds = -1;
        } else if (st->scaled && step.suds > l->scale) {
            ytree_fail(w, f[1], "must be 0 to %d on this ladder's 0-%d scale, got %d", l->scale,
                       l->scale, step.suds);
            step.suds = -1;
        } else if (step.suds < st->prev) {
            ytree_fail(w, f[1],
                       "is %d, below the step before (%d): steps go from least to most feared",
                       step.suds, st->prev);
        }
        ytree_path_pop(&w->path, mark);
    }
    if (step.suds >= 0)
        st->prev = step.suds;
    if (text_ok && step.suds >= 0)
        l->steps[l->nsteps++] = step;
}

/* Fills *l; returns the node of its valid name, or NULL. */
static const struct ytree_node *walk_ladder(struct ytree_walk *w, const struct ytree_node *map,
                                            struct cairn_template_ladder *l)
{
    static const char *const keys[] = {"name", "target", "scale", "steps"};
    const struct ytree_node *f[COUNT(keys)];
    struct step_state st = {.ladder = l, .scaled = true, .prev = -1};
    bool named = false;
    l->scale = 100;
    if (!ytree_fields(w, map, keys, COUNT(keys), 1u << 0 | 1u << 3, f))
        return NULL;
    if (f[0])
        YTREE_WITH_KEY(w, "name", named = ytree_text(w, f[0], 100, l->name, sizeof l->name));
    if (f[1])
        YTREE_WITH_KEY(w, "target", ytree_text(w, f[1], 200, l->target, sizeof l->target));
    if (f[2]) {
        size_t mark = ytree_path_push(&w->path, "scale");
        int v;
        st.scaled = ytree_int(w, f[2], 10, 100, &v);
        if (st.scaled && v != 10 && v != 100) {
            ytree_fail(w, f[2], "must be 10 (SUDS 0-10) or 100 (SUDS 0-100), got %d", v);
            st.scaled = false;
        }
        if (st.scaled)
            l->scale = v;
        ytree_path_pop(&w->path, mark);
    }
    if (f[3]) {
        size_t mark = ytree_path_push(&w->path, "steps");
        if (ytree_list(w, f[3], 1, CAIRN_TEMPLATE_STEPS_MAX, "step"))
            ytree_each(w, f[3], step_item, &st);
        ytree_path_pop(&w->path, mark);
    }
    return named ? f[0] : NULL;
}

static void ladder_item(struct ytree_walk *w, const struct ytree_node *item, size_t i, void *ctx)
{
    struct cairn_template *t = ctx;
    struct cairn_template_ladder *l = &t->ladders[t->nladders];
    (void)i;
    memset(l, 0, sizeof *l);
    const struct ytree_node *name = walk_ladder(w, item, l);
    if (!name)
        return;
    for (size_t j = 0; j < t->nladders; j++)
        if (!strcmp(t->ladders[j].name, l->name)) {
            YTREE_WITH_KEY(
                w, "name",
                ytree_fail(w, name, "another ladder is already named this (/ladders/%zu)", j));
            return;
        }
    t->nladders++;
}

static void walk_mastery(struct ytree_walk *w, const struct ytree_node *map,
                         struct cairn_mastery_rule *m)
{
    static const char *const keys[] = {"peak_suds_at_most", "consecutive", "or_drop_percent"};
    const struct ytree_node *f[COUNT(keys)];
    if (!ytree_fields(w, map, keys, COUNT(keys), 0, f))
        return;
    if (f[0])
        YTREE_WITH_KEY(w, keys[0], ytree_int(w, f[0], 0, 100, &m->peak_suds_at_most));
    if (f[1])
        YTREE_WITH_KEY(w, keys[1], ytree_int(w, f[1], 1, 5, &m->consecutive));
    if (f[2])
        YTREE_WITH_KEY(w, keys[2], ytree_int(w, f[2], 0, 100, &m->or_drop_percent));
}

static void walk_alerts(struct ytree_walk *w, const struct ytree_node *map,
                        struct cairn_alert_thresholds *a)
{
    static const char *const keys[] = {"phq9_rise", "gad7_rise", "absences_per_week",
                                       "ladder_stall_days", "discharge_planning_days"};
    static const int max[] = {27, 21, 7, 90, 60};
    int *fields[] = {&a->phq9_rise, &a->gad7_rise, &a->absences_per_week, &a->ladder_stall_days,
                     &a->discharge_planning_days};
    const struct ytree_node *f[COUNT(keys)];
    if (!ytree_fields(w, map, keys, COUNT(keys), 0, f))
        return;
    for (size_t i = 0; i < COUNT(keys); i++)
        if (f[i])
            YTREE_WITH_KEY(w, keys[i], ytree_int(w, f[i], 1, max[i], fields[i]));
}

static void checklist_item(struct ytree_walk *w, const struct ytree_node *item, size_t i, void *ctx)
{
    struct cairn_template *t = ctx;
    char *out = t->checklist[t->nchecklist];
    (void)i;
    if (!ytree_text(w, item, 200, out, sizeof t->checklist[0]))
        return;
    for (size_t j = 0; j < t->nchecklist; j++)
        if (!strcmp(t->checklist[j], out)) {
            ytree_fail(w, item, "this item is listed twice (/review_checklist/%zu)", j);
            return;
        }
    t->nchecklist++;
}

/* Cross-field rules, checked once every field they need is valid. */
static void check_schedule(struct ytree_walk *w, struct cairn_template *t, bool max_given,
                           const struct ytree_node **at, bool level_ok, bool population_ok)
{
    struct cairn_program *p = &t->program;
    size_t mark = ytree_path_push(&w->path, "schedule");
    bool asam21 = level_ok && !strcmp(p->level_of_care, "asam-2.1");
    bool adult = !strcmp(p->population, "adult");
    if (at[2] && asam21 && population_ok && p->min_hours_per_week < (adult ? 9 : 6))
        YTREE_WITH_KEY(
            w, "min_hours_per_week",
            ytree_fail(w, at[2],
                       "must be at least %d: ASAM level 2.1 for %ss is %d-19 hours a week",
                       adult ? 9 : 6, p->population, adult ? 9 : 6));
    else if (at[3] && asam21 && p->max_hours_per_week > 19)
        YTREE_WITH_KEY(
            w, "max_hours_per_week",
            ytree_fail(w, at[3], "must be at most 19: ASAM level 2.1 is under 20 hours a week"));
    else if (at[2] && (at[3] || !max_given) && p->min_hours_per_week > p->max_hours_per_week)
        YTREE_WITH_KEY(w, "min_hours_per_week",
                       ytree_fail(w, at[2], "is %g, above max_hours_per_week %g%s",
                                  p->min_hours_per_week, p->max_hours_per_week,
                                  max_given ? "" : " (the default)"));
    else if (at[0] && at[4] && p->min_days_per_week > p->sessions_per_week)
        YTREE_WITH_KEY(w, "min_days_per_week",
                       ytree_fail(w, at[4],
                                  "is %d, more than the %d sessions a week: no patient could "
                                  "attend on that many days",
                                  p->min_days_per_week, p->sessions_per_week));
    else if (at[0] && at[1] && at[2] &&
             p->sessions_per_week * t->hours_per_session < p->min_hours_per_week)
        YTREE_WITH_KEY(w, "min_hours_per_week",
                       ytree_fail(w, at[2],
                                  "is %g, but %d sessions of %g hours give only %g hours a week",
                                  p->min_hours_per_week, p->sessions_per_week, t->hours_per_session,
                                  p->sessions_per_week * t->hours_per_session));
    ytree_path_pop(&w->path, mark);
}

static void validate(struct ytree_walk *w, const struct ytree_node *root, struct cairn_template *t)
{
    static const char *const keys[] = {
        "template",         "name",     "level_of_care", "population", "schedule",
        "session_types",    "measures", "plan_sections", "ladders",    "mastery",
        "review_checklist", "alerts",   "crisis_line",   "lapse_log",  "version"};
    enum {
        K_TEMPLATE,
        K_NAME,
        K_LEVEL,
        K_POPULATION,
        K_SCHEDULE,
        K_SESSION_TYPES,
        K_MEASURES,
        K_SECTIONS,
        K_LADDERS,
        K_MASTERY,
        K_CHECKLIST,
        K_ALERTS,
        K_CRISIS,
        K_LAPSE,
        K_VERSION
    };
    const unsigned required = 1u << K_TEMPLATE | 1u << K_NAME | 1u << K_LEVEL | 1u << K_POPULATION |
                              1u << K_SCHEDULE | 1u << K_MEASURES | 1u << K_SECTIONS |
                              1u << K_CHECKLIST;
    const struct ytree_node *f[COUNT(keys)];
    struct cairn_program *p = &t->program;
    if (root->kind != YT_MAP) {
        ytree_fail(w, root,
                   "expected a mapping with keys such as template, name and schedule, got %s",
                   ytree_node_word(root));
        return;
    }
    ytree_fields_but(w, root, keys, COUNT(keys) - 1, required, f, "version");
    for (const struct ytree_node *k = root->child; k && k->next; k = k->next->next)
        if (!k->invalid && !strcmp(k->text, "version"))
            YTREE_WITH_KEY(
                w, "version",
                ytree_fail(w, k,
                           "remove this key: cairn template import numbers versions itself (an "
                           "identical file keeps its version, a changed one gets the next)"));

    if (f[K_TEMPLATE])
        YTREE_WITH_KEY(w, "template", {
            char code[CAIRN_TEMPLATE_TEXT_BYTES];
            if (ytree_text(w, f[K_TEMPLATE], CAIRN_PROGRAM_CODE_MAX, code, sizeof code)) {
                bool good =
                    (code[0] >= 'a' && code[0] <= 'z') || (code[0] >= '0' && code[0] <= '9');
                for (const char *c = code; *c; c++)
                    good &= (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-';
                if (good)
                    memcpy(p->code, code, strlen(code) + 1);
                else
                    ytree_fail(
                        w, f[K_TEMPLATE],
                        "a program code is lower-case letters, digits and '-', starting with "
                        "a letter or digit");
            }
        });
    if (f[K_NAME])
        YTREE_WITH_KEY(w, "name", ytree_text(w, f[K_NAME], 200, p->name, sizeof p->name));
    int level = -1, population = -1;
    if (f[K_LEVEL])
        YTREE_WITH_KEY(w, "level_of_care", {
            if (ytree_enum(w, f[K_LEVEL], level_names, COUNT(level_names), "level of care", &level))
                snprintf(p->level_of_care, sizeof p->level_of_care, "%s", level_names[level]);
        });
    if (f[K_POPULATION])
        YTREE_WITH_KEY(w, "population", {
            if (ytree_enum(w, f[K_POPULATION], population_names, COUNT(population_names),
                           "population", &population))
                snprintf(p->population, sizeof p->population, "%s", population_names[population]);
        });
    bool max_given = false;
    const struct ytree_node *at[6] = {0};
    if (f[K_SCHEDULE]) {
        YTREE_WITH_KEY(w, "schedule", walk_schedule(w, f[K_SCHEDULE], t, &max_given, at));
        check_schedule(w, t, max_given, at, level >= 0, population >= 0);
    }
    if (f[K_SESSION_TYPES]) {
        int types[CAIRN_SESSION_TYPE__COUNT];
        struct ytree_enum_list e = {
            session_type_names, COUNT(session_type_names), "session type", types, 0, 0};
        YTREE_WITH_KEY(
            w, "session_types",
            ytree_enum_set(w, f[K_SESSION_TYPES], CAIRN_SESSION_TYPE__COUNT, "session type", &e));
        if (e.n)
            t->session_types = e.bits;
    }
    if (f[K_MEASURES])
        YTREE_WITH_KEY(w, "measures", {
            if (ytree_list(w, f[K_MEASURES], 1, CAIRN_TEMPLATE_MEASURES_MAX, "measure"))
                ytree_each(w, f[K_MEASURES], measure_item, t);
        });
    if (f[K_SECTIONS]) {
        int sections[CAIRN_SECTION__COUNT];
        struct ytree_enum_list e = {
            section_names, COUNT(section_names), "plan section", sections, 0, 0};
        YTREE_WITH_KEY(
            w, "plan_sections",
            ytree_enum_set(w, f[K_SECTIONS], CAIRN_TEMPLATE_SECTIONS_MAX, "section", &e));
        t->nsections = e.n;
        for (size_t i = 0; i < e.n; i++)
            t->sections[i] = (enum cairn_plan_section)sections[i];
    }
    if (f[K_LADDERS])
        YTREE_WITH_KEY(w, "ladders", {
            if (ytree_list(w, f[K_LADDERS], 0, CAIRN_TEMPLATE_LADDERS_MAX, "ladder"))
                ytree_each(w, f[K_LADDERS], ladder_item, t);
        });
    if (f[K_MASTERY])
        YTREE_WITH_KEY(w, "mastery", walk_mastery(w, f[K_MASTERY], &t->mastery));
    if (f[K_CHECKLIST])
        YTREE_WITH_KEY(w, "review_checklist", {
            if (ytree_list(w, f[K_CHECKLIST], 1, CAIRN_TEMPLATE_CHECKLIST_MAX, "checklist item"))
                ytree_each(w, f[K_CHECKLIST], checklist_item, t);
        });
    if (f[K_ALERTS])
        YTREE_WITH_KEY(w, "alerts", walk_alerts(w, f[K_ALERTS], &t->alerts));
    if (f[K_CRISIS])
        YTREE_WITH_KEY(w, "crisis_line",
                       ytree_text(w, f[K_CRISIS], 40, t->crisis_line, sizeof t->crisis_line));
    if (f[K_LAPSE])
        YTREE_WITH_KEY(w, "lapse_log", ytree_bool(w, f[K_LAPSE], &t->lapse_log));
}

void cairn_template_defaults(struct cairn_template *t)
{
    memset(t, 0, sizeof *t);
    t->program.version = 1;
    t->program.max_hours_per_week = 19;
    t->program.min_days_per_week = 3;
    t->session_types = 1u << CAIRN_SESSION_GROUP | 1u << CAIRN_SESSION_INDIVIDUAL;
    t->mastery = (struct cairn_mastery_rule){30, 2, 50};
    t->alerts = (struct cairn_alert_thresholds){5, 4, 2, 14, 14};
}

enum cairn_status cairn_template_parse(const char *text, size_t len, struct cairn_template *out,
                                       struct cairn_template_diags *diags, struct cairn_error *err)
{
    struct cairn_template_diags local;
    struct cairn_template_diags *d = diags ? diags : &local;
    memset(d, 0, sizeof *d);
    cairn_template_defaults(out);
    struct ytree_loader ld = {
        .diags = d,
        .what = "template",
        .empty = "the file is empty: a template is a mapping with keys such as template, name "
                 "and schedule",
        .max_scalar = CAIRN_TEMPLATE_MAX_SCALAR};
    const struct ytree_node *root = ytree_load(&ld, text ? text : "", text ? len : 0);
    if (root && !ld.nomem) {
        struct ytree_walk w = {.diags = d};
        validate(&w, root, out);
    }
    ytree_free(&ld);
    if (ld.nomem)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory reading a template");
    if (d->count == 0)
        return CAIRN_OK;
    ytree_sort_diags(d);
    const struct cairn_template_diag *first = &d->items[0];
    cairn_error_field(err, CAIRN_ERR_INVALID, first->pointer, "%s", first->message);
    if (err) {
        err->line = first->line;
        err->col = first->col;
    }
    return CAIRN_ERR_INVALID;
}
