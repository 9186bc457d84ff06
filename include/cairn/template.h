/* cairn — program templates: the YAML file a program director writes.
 *
 * cairn_template_parse() turns the text of one template into a typed struct
 * and reports every problem it finds, each with its line, column and JSON
 * pointer (the contract is man/cairn-template.5 and
 * schemas/program-template.schema.json). The loader is strict on purpose:
 * one UTF-8 document, no anchors, aliases, tags or duplicate keys, no
 * unknown keys, no YAML 1.1 booleans, bounded size, depth and lengths. It
 * never reads files or prints; the caller passes bytes and shows the
 * diagnostics.
 */
#ifndef CAIRN_TEMPLATE_H
#define CAIRN_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cairn/program.h"
#include "cairn/status.h"

struct cairn_store;

/* Caps on input, checked by the loader before any validation. */
#define CAIRN_TEMPLATE_MAX_BYTES  262144 /* the whole file */
#define CAIRN_TEMPLATE_MAX_DEPTH  8      /* nested mappings and lists */
#define CAIRN_TEMPLATE_MAX_ITEMS  100    /* entries in one list */
#define CAIRN_TEMPLATE_MAX_SCALAR 1024   /* bytes in one scalar */

/* Caps of the contract (the schema says the same). */
#define CAIRN_TEMPLATE_MEASURES_MAX  20
#define CAIRN_TEMPLATE_SECTIONS_MAX  10
#define CAIRN_TEMPLATE_LADDERS_MAX   10
#define CAIRN_TEMPLATE_STEPS_MAX     30
#define CAIRN_TEMPLATE_CHECKLIST_MAX 30
#define CAIRN_TEMPLATE_TEXT_MAX      200 /* characters, not bytes */
#define CAIRN_TEMPLATE_TEXT_BYTES    (4 * CAIRN_TEMPLATE_TEXT_MAX + 1)

/* Instruments a measure may name. */
#define CAIRN_INSTRUMENT_LIST(X)                                                                   \
    X(CAIRN_INSTRUMENT_PHQ9, "phq9")                                                               \
    X(CAIRN_INSTRUMENT_GAD7, "gad7")                                                               \
    X(CAIRN_INSTRUMENT_CSSRS_SCREEN, "cssrs_screen")                                               \
    X(CAIRN_INSTRUMENT_CRAVING, "craving")                                                         \
    X(CAIRN_INSTRUMENT_MOOD, "mood")

enum cairn_instrument {
#define CAIRN_X_ENUM(code, name) code,
    CAIRN_INSTRUMENT_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_INSTRUMENT__COUNT
};

/* How often a measure is taken. */
enum cairn_cadence {
    CAIRN_CADENCE_ADMISSION,
    CAIRN_CADENCE_WEEK,
    CAIRN_CADENCE_TWO_WEEKS,
    CAIRN_CADENCE_MONTH,
    CAIRN_CADENCE_DISCHARGE,
    CAIRN_CADENCE__COUNT
};

/* The sections a plan can have (DESIGN.md §2), in their canonical order. */
#define CAIRN_PLAN_SECTION_LIST(X)                                                                 \
    X(CAIRN_SECTION_TRIGGERS, "triggers", "Triggers and high-risk situations")                     \
    X(CAIRN_SECTION_WARNING_SIGNS, "warning_signs", "Personal warning signs")                      \
    X(CAIRN_SECTION_COPING, "coping", "Coping strategies")                                         \
    X(CAIRN_SECTION_LAPSE_RESPONSE, "lapse_response", "Lapse response plan")                       \
    X(CAIRN_SECTION_SUPPORTS, "supports", "Support people")                                        \
    X(CAIRN_SECTION_SOCIAL_GOALS, "social_goals", "Social-reintegration goals")                    \
    X(CAIRN_SECTION_BOUNDARIES, "boundaries", "Relationship boundaries")                           \
    X(CAIRN_SECTION_COMMUNICATION, "communication_scripts", "Communication scripts")               \
    X(CAIRN_SECTION_RETURN_TO_WORK, "return_to_work", "Return to work or school")                  \
    X(CAIRN_SECTION_AFTERCARE, "aftercare", "Aftercare and community resources")

enum cairn_plan_section {
#define CAIRN_X_ENUM(code, name, title) code,
    CAIRN_PLAN_SECTION_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_SECTION__COUNT
};

/* Session types a program offers, as bits of cairn_template.session_types. */
#define CAIRN_SESSION_TYPE_LIST(X)                                                                 \
    X(CAIRN_SESSION_GROUP, "group")                                                                \
    X(CAIRN_SESSION_INDIVIDUAL, "individual")                                                      \
    X(CAIRN_SESSION_FAMILY, "family")                                                              \
    X(CAIRN_SESSION_SKILLS, "skills")                                                              \
    X(CAIRN_SESSION_PSYCHIATRY, "psychiatry")                                                      \
    X(CAIRN_SESSION_PEER, "peer")

enum cairn_session_type {
#define CAIRN_X_ENUM(code, name) code,
    CAIRN_SESSION_TYPE_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_SESSION_TYPE__COUNT
};

struct cairn_template_measure {
    enum cairn_instrument instrument;
    enum cairn_cadence every;
};

struct cairn_template_step {
    char text[CAIRN_TEMPLATE_TEXT_BYTES];
    int suds;
};

struct cairn_template_ladder {
    char name[CAIRN_TEMPLATE_TEXT_BYTES];
    char target[CAIRN_TEMPLATE_TEXT_BYTES]; /* "" when not given */
    int scale;                              /* 10 or 100 */
    size_t nsteps;
    struct cairn_template_step steps[CAIRN_TEMPLATE_STEPS_MAX];
};

/* The exposure mastery rule: a program convention, not a validated standard.
 * peak_suds_at_most is on the 0-100 scale; a ladder rated 0-10 compares
 * against a tenth of it (30 -> 3). */
struct cairn_mastery_rule {
    int peak_suds_at_most; /* last `consecutive` attempts each peak at or below this */
    int consecutive;
    int or_drop_percent; /* or peak fell this much from the first attempt; 0 = off */
};

struct cairn_alert_thresholds {
    int phq9_rise; /* reliable worsening, points */
    int gad7_rise;
    int absences_per_week;
    int ladder_stall_days;
    int discharge_planning_days;
};

/* One parsed template. `program` carries the code, name and schedule;
 * its id and version are set by cairn_template_import(). Large (about
 * 300 KiB): allocate it, do not put it on the stack. */
struct cairn_template {
    struct cairn_program program;
    double hours_per_session;
    unsigned session_types; /* bit (1u << enum cairn_session_type) per type */
    size_t nmeasures;
    struct cairn_template_measure measures[CAIRN_TEMPLATE_MEASURES_MAX];
    size_t nsections;
    enum cairn_plan_section sections[CAIRN_TEMPLATE_SECTIONS_MAX];
    size_t nladders;
    struct cairn_template_ladder ladders[CAIRN_TEMPLATE_LADDERS_MAX];
    struct cairn_mastery_rule mastery;
    size_t nchecklist;
    char checklist[CAIRN_TEMPLATE_CHECKLIST_MAX][CAIRN_TEMPLATE_TEXT_BYTES];
    struct cairn_alert_thresholds alerts;
    char crisis_line[4 * 40 + 1]; /* "" when not given */
    bool lapse_log;
};

/* One problem in a template: 1-based line and column (in characters) and
 * the JSON pointer of the value ("" for the whole document). */
struct cairn_template_diag {
    int line;
    int col;
    char pointer[CAIRN_ERROR_POINTER_MAX];
    char message[256];
};

#define CAIRN_TEMPLATE_DIAGS_MAX 50

/* Every problem found, sorted by position (line, then column). When more
 * than CAIRN_TEMPLATE_DIAGS_MAX were found, `truncated` is set. */
struct cairn_template_diags {
    size_t count;
    bool truncated;
    struct cairn_template_diag items[CAIRN_TEMPLATE_DIAGS_MAX];
};

/* Clears *t and fills in the default of every optional key (the values
 * man/cairn-template.5 documents): 19 hours a week at most, 3 days,
 * group and individual sessions, mastery 30/2/50, alerts 5/4/2/14/14. */
void cairn_template_defaults(struct cairn_template *t);

/* Parses and validates `len` bytes of template text into *out (which it
 * clears first). Returns CAIRN_OK when the template is valid;
 * CAIRN_ERR_INVALID when it is not, with every problem in *diags (may be
 * NULL) and the first also in *err; CAIRN_ERR_NOMEM when memory ran out.
 * `text` need not be NUL-terminated and may hold any bytes. */
enum cairn_status cairn_template_parse(const char *text, size_t len, struct cairn_template *out,
                                       struct cairn_template_diags *diags, struct cairn_error *err);

/* Stores a parsed template as the next version of its program, together
 * with `text` (the exact file content) and an import audit row, in one
 * transaction. When `text` is byte for byte the newest stored version's,
 * nothing is written and *unchanged is set. Fills t->program.id and
 * t->program.version with the (new or unchanged) version. */
enum cairn_status cairn_template_import(struct cairn_store *store, struct cairn_template *t,
                                        const char *text, size_t len, bool *unchanged,
                                        struct cairn_error *err);

/* Reads program `program_id` back as a template (its stored settings,
 * measures, sections, ladders and checklist) into *out. */
enum cairn_status cairn_template_load(struct cairn_store *store, int64_t program_id,
                                      struct cairn_template *out, struct cairn_error *err);

/* Copies the exact text program `program_id` was imported from into a
 * malloc'd, NUL-terminated *text (free() it); *text is NULL for a program
 * that has none (created before templates, or by a test). */
enum cairn_status cairn_template_text(struct cairn_store *store, int64_t program_id, char **text,
                                      struct cairn_error *err);

/* Names of the enums above ("phq9", "week", "social_goals", "family"),
 * and a plan section's title; "" for a value out of range. */
const char *cairn_instrument_str(enum cairn_instrument instrument);
const char *cairn_cadence_str(enum cairn_cadence cadence);
const char *cairn_plan_section_str(enum cairn_plan_section section);
const char *cairn_plan_section_title(enum cairn_plan_section section);
const char *cairn_session_type_str(enum cairn_session_type type);

/* The templates built into cairn (examples/templates/ at build time):
 * the number of them, and the name and text of the i-th. */
size_t cairn_bundled_template_count(void);
const char *cairn_bundled_template_name(size_t i);
const char *cairn_bundled_template_text(size_t i, size_t *len);

#endif
