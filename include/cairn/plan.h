/* cairn — a patient's relapse-prevention plan and safety plan, versioned.
 *
 * Both kinds are a list of sections (a plan has the sections its program
 * names, a safety plan the seven of the Stanley–Brown method in fixed
 * order), each a list of items. Every item has a short key that never
 * changes ("t1", "c2"): the diff matches items by key, and a trigger names
 * the coping strategies that answer it by their keys, so links survive
 * every revision.
 *
 * Saving stores the whole plan as a new immutable revision, unless its
 * canonical content (one JSON document, built with jansson) equals the
 * head's, in which case nothing is written. A save names the revision it
 * was based on; when the head moved on meanwhile it is refused with
 * CAIRN_ERR_CONFLICT. Reads and writes are audited (ids and field names,
 * never plan text).
 *
 * The pure functions (render, parse, diff, edit) never touch the store.
 */
#ifndef CAIRN_PLAN_H
#define CAIRN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/date.h"
#include "cairn/staff.h"
#include "cairn/status.h"
#include "cairn/template.h"

struct cairn_store;

enum cairn_plan_kind {
    CAIRN_PLAN_RELAPSE, /* the relapse-prevention and reintegration plan */
    CAIRN_PLAN_SAFETY,  /* the safety plan */
};

/* The safety plan's sections, in their fixed order: the six steps of the
 * Stanley–Brown safety-planning intervention (Stanley & Brown 2012), in
 * cairn's own words, then reasons for living. */
#define CAIRN_SAFETY_SECTION_LIST(X)                                                               \
    X(CAIRN_SAFETY_WARNING_SIGNS, "warning_signs", "Warning signs that a crisis may be coming")    \
    X(CAIRN_SAFETY_INTERNAL_COPING, "internal_coping", "Things I can do on my own to cope")        \
    X(CAIRN_SAFETY_SOCIAL_DISTRACTION, "social_distraction",                                       \
      "People and places that take my mind off things")                                            \
    X(CAIRN_SAFETY_HELP_CONTACTS, "help_contacts", "People I can ask for help")                    \
    X(CAIRN_SAFETY_PROFESSIONALS, "professionals", "Professionals and crisis services")            \
    X(CAIRN_SAFETY_SAFE_ENVIRONMENT, "safe_environment", "Making my surroundings safer")           \
    X(CAIRN_SAFETY_REASONS_FOR_LIVING, "reasons_for_living", "My reasons for living")

enum cairn_safety_section {
#define CAIRN_X_ENUM(code, name, title) code,
    CAIRN_SAFETY_SECTION_LIST(CAIRN_X_ENUM)
#undef CAIRN_X_ENUM
        CAIRN_SAFETY__COUNT
};

#define CAIRN_PLAN_PARTS_MAX   10  /* sections in one plan */
#define CAIRN_PLAN_ITEMS_MAX   30  /* items in one section */
#define CAIRN_PLAN_LINKS_MAX   10  /* coping keys one trigger links to */
#define CAIRN_PLAN_TEXT_MAX    300 /* characters of an item's text */
#define CAIRN_PLAN_SHORT_MAX   60  /* characters of a relation, phone or role */
#define CAIRN_PLAN_REASON_MAX  200 /* characters of a revision's reason */
#define CAIRN_PLAN_TEXT_BYTES  (4 * CAIRN_PLAN_TEXT_MAX + 1)
#define CAIRN_PLAN_SHORT_BYTES (4 * CAIRN_PLAN_SHORT_MAX + 1)
#define CAIRN_PLAN_KEY_BYTES   8 /* "c12" and a NUL: a letter and 1-4 digits */

/* One item. Which fields a section uses: every item has text (a support
 * person's name); supports also relation, phone and role; social goals a
 * weekly target (1-21); triggers the keys of the coping items that answer
 * them; a safety plan's help_contacts and professionals a phone. Unused
 * fields are empty. */
struct cairn_plan_item {
    char key[CAIRN_PLAN_KEY_BYTES]; /* "" for a new item: saving assigns one */
    char text[CAIRN_PLAN_TEXT_BYTES];
    char relation[CAIRN_PLAN_SHORT_BYTES];
    char phone[CAIRN_PLAN_SHORT_BYTES];
    char role[CAIRN_PLAN_SHORT_BYTES];
    int weekly_target;
    size_t ncopes;
    char copes[CAIRN_PLAN_LINKS_MAX][CAIRN_PLAN_KEY_BYTES];
};

/* One section: `section` is an enum cairn_plan_section for a plan, an enum
 * cairn_safety_section for a safety plan. */
struct cairn_plan_part {
    int section;
    int last_key; /* highest key number any revision used here (the store fills it), so a
                     new item never takes the key of a removed one */
    size_t nitems;
    struct cairn_plan_item items[CAIRN_PLAN_ITEMS_MAX];
};

/* A plan as one revision has it. Large (about 600 KiB): make it with
 * cairn_plan_new(). */
struct cairn_plan {
    enum cairn_plan_kind kind;
    int64_t id;         /* plan.id or safety_plan.id; 0 when not stored yet */
    int64_t patient_id; /* the patient it belongs to */
    int revision;       /* the revision read (0: nothing saved yet) */
    int head;           /* the newest revision when it was read */
    char status[8];     /* plans: draft | active; "" for safety plans */
    char next_review_date[CAIRN_DATE_LEN + 1]; /* plans; "" when none */
    char signed_by[CAIRN_LOGIN_MAX + 1];       /* plans: who made it active; "" */
    char signed_at[CAIRN_TIMESTAMP_LEN + 1];
    size_t nparts;
    struct cairn_plan_part parts[CAIRN_PLAN_PARTS_MAX];
};

/* One revision in a plan's history. */
struct cairn_plan_revision {
    int revision;
    char author[CAIRN_LOGIN_MAX + 1];
    char created_at[CAIRN_TIMESTAMP_LEN + 1];
    char reason[4 * CAIRN_PLAN_REASON_MAX + 1];
    char status[8]; /* plans only */
};

/* Allocates an empty plan of `kind` (a safety plan gets its seven sections;
 * a plan none: the caller or the store adds the program's). NULL when out of
 * memory. Free with cairn_plan_free(). */
struct cairn_plan *cairn_plan_new(enum cairn_plan_kind kind);

/* Frees *plan and sets it to NULL; NULL is fine. */
void cairn_plan_free(struct cairn_plan **plan);

/* "plan" or "safety". */
const char *cairn_plan_kind_str(enum cairn_plan_kind kind);

/* A section's name ("coping") and title for the kind; "" when out of range. */
const char *cairn_plan_part_name(enum cairn_plan_kind kind, int section);
const char *cairn_plan_part_title(enum cairn_plan_kind kind, int section);

/* The part named `name` in plan (borrowed), or NULL when the plan does not
 * have that section. */
struct cairn_plan_part *cairn_plan_part_find(struct cairn_plan *plan, const char *name);

/* Checks everything a stored plan must satisfy and gives new items their
 * keys (the section's letter and the next free number): text lengths, a
 * status of draft or active, a real next-review date, unique well-formed
 * keys, weekly targets 1-21 on social goals, and that every link names a
 * coping item of this plan. CAIRN_ERR_INVALID with a JSON pointer
 * ("/sections/triggers/0/copes/1") in err otherwise. */
enum cairn_status cairn_plan_validate(struct cairn_plan *plan, struct cairn_error *err);

/* The canonical content of plan as compact JSON (status, next review date,
 * sections and items in order, empty fields left out): equal plans give
 * equal text. malloc'd into *json (free()). */
enum cairn_status cairn_plan_canonical(const struct cairn_plan *plan, char **json,
                                       struct cairn_error *err);

/* The plan as indented JSON for `show --format json`: kind, revision, head,
 * status, signature, next review date and sections. malloc'd into *json. */
enum cairn_status cairn_plan_export(const struct cairn_plan *plan, char **json,
                                    struct cairn_error *err);

/* Replaces plan's content (status, next review date, items) with that of
 * `len` bytes of JSON in the form cairn_plan_export() or
 * cairn_plan_canonical() writes. Keeps plan's kind, ids, revision and
 * sections: a section the plan does not have is refused. Validates like
 * cairn_plan_validate(). Other top-level keys of the export (kind,
 * revision, signed_by…) are ignored; a different kind is refused. */
enum cairn_status cairn_plan_import(struct cairn_plan *plan, const char *json, size_t len,
                                    struct cairn_error *err);

/* Renders plan as the YAML `plan edit` opens: `header` (may be NULL) as
 * "# " comment lines, a comment explaining the format, then the content.
 * malloc'd, NUL-terminated into *yaml. */
enum cairn_status cairn_plan_render_yaml(const struct cairn_plan *plan, const char *header,
                                         char **yaml, struct cairn_error *err);

/* Replaces plan's content with the YAML `len` bytes of text hold (the form
 * cairn_plan_render_yaml() writes; comment lines are ignored). Strict like
 * template loading: every problem goes to *diags (may be NULL) with its
 * line, column and JSON pointer, the first also to err, and
 * CAIRN_ERR_INVALID is returned; plan is then unspecified. */
enum cairn_status cairn_plan_parse_yaml(struct cairn_plan *plan, const char *text, size_t len,
                                        struct cairn_template_diags *diags,
                                        struct cairn_error *err);

/* Writes a readable section-by-section diff from `from` to `to` into *out
 * (malloc'd; "" when they do not differ): "status: draft -> active", then per
 * changed section its name and lines "+ [c3] added", "- [c2] removed",
 * "~ [c1] old -> new". */
enum cairn_status cairn_plan_diff(const struct cairn_plan *from, const struct cairn_plan *to,
                                  char **out, struct cairn_error *err);

/* One line saying everything an item holds ("Call my sponsor", "Ana (sister;
 * 555-0100; family)", "Walk (2 a week)", "Payday [copes c1, c3]") into out
 * (size bytes, cut to fit). Pure. */
void cairn_plan_item_line(enum cairn_plan_kind kind, int section,
                          const struct cairn_plan_item *item, char *out, size_t size);

/* Appends an item with `text` to section `name` (its key is assigned on
 * validation). CAIRN_ERR_INVALID when the plan has no such section, the
 * section is full, or the text is empty, too long or has control
 * characters. */
enum cairn_status cairn_plan_add_item(struct cairn_plan *plan, const char *name, const char *text,
                                      struct cairn_error *err);

/* Removes the n-th (1-based) item of section `name`, and every link to it
 * when it is a coping strategy. CAIRN_ERR_INVALID when there is none. */
enum cairn_status cairn_plan_remove_item(struct cairn_plan *plan, const char *name, size_t n,
                                         struct cairn_error *err);

/* Reads revision `revision` (0: the head) of patient `patient_id`'s plan
 * of `kind` into *out (made with cairn_plan_new(kind)), audited as a read.
 * A plan exists from admission to a program (CAIRN_ERR_NOT_FOUND before);
 * a safety plan always reads: before its first save it is empty but for
 * the program's crisis line among professionals. A revision that does not
 * exist is CAIRN_ERR_NOT_FOUND. */
enum cairn_status cairn_plan_read(struct cairn_store *store, enum cairn_plan_kind kind,
                                  int64_t patient_id, int revision, struct cairn_plan *out,
                                  struct cairn_error *err);

/* Like cairn_plan_read() without the audit row, for a caller that reads
 * the plan only to change it without showing it (`plan set`): the save
 * audits the change. Showing a plan to anyone must go through
 * cairn_plan_read(). */
enum cairn_status cairn_plan_load(struct cairn_store *store, enum cairn_plan_kind kind,
                                  int64_t patient_id, int revision, struct cairn_plan *out,
                                  struct cairn_error *err);

/* Saves plan (validated first, keys assigned) as the next revision of its
 * patient's plan of its kind, by the acting login, with `reason` (may be
 * NULL). plan->revision names the revision the edit started from: when the
 * head is another one, CAIRN_ERR_CONFLICT and nothing is written (the
 * refusal is audited). When the canonical content equals the head's,
 * nothing is written and *unchanged is set. Making a plan active signs it
 * (signed_by, signed_at); back to draft clears the signature. On success
 * plan->revision and ->head are the new head. */
enum cairn_status cairn_plan_save(struct cairn_store *store, struct cairn_plan *plan,
                                  const char *reason, bool *unchanged, struct cairn_error *err);

/* Calls fn for each revision of the patient's plan of `kind`, oldest
 * first; stops when fn returns non-zero. Audited as one read. */
enum cairn_status cairn_plan_history(struct cairn_store *store, enum cairn_plan_kind kind,
                                     int64_t patient_id,
                                     int (*fn)(const struct cairn_plan_revision *r, void *ctx),
                                     void *ctx, struct cairn_error *err);

/* One week's tally of a social goal. */
struct cairn_goal_tally {
    char goal[CAIRN_PLAN_KEY_BYTES];
    char week[CAIRN_WEEK_LEN + 1];
    int done;
};

/* Records that social goal `goal` (a key such as "g1" of the head
 * revision's social goals) was met `done` times (0-99) in ISO week `week`
 * ("2026-W47"), replacing that week's earlier count; audited. An unknown
 * goal or a malformed week is CAIRN_ERR_INVALID naming the field. */
enum cairn_status cairn_plan_goal_record(struct cairn_store *store, int64_t patient_id,
                                         const char *goal, const char *week, int done,
                                         struct cairn_error *err);

/* Calls fn for each tally of the patient's goals, by goal then week. Not
 * audited by itself: call it with a plan read. */
enum cairn_status cairn_plan_goal_list(struct cairn_store *store, int64_t patient_id,
                                       int (*fn)(const struct cairn_goal_tally *t, void *ctx),
                                       void *ctx, struct cairn_error *err);

/* --- the lapse log ------------------------------------------------------ */

#define CAIRN_LAPSE_TEXT_MAX   500
#define CAIRN_LAPSE_TEXT_BYTES (4 * CAIRN_LAPSE_TEXT_MAX + 1)

struct cairn_lapse {
    int64_t id;
    int64_t patient_id;
    char date[CAIRN_DATE_LEN + 1];
    char kind[8]; /* lapse | relapse */
    char trigger[CAIRN_LAPSE_TEXT_BYTES];
    char coping[CAIRN_LAPSE_TEXT_BYTES];
    char note[CAIRN_LAPSE_TEXT_BYTES];
    char entered_by[CAIRN_LOGIN_MAX + 1];
    char created_at[CAIRN_TIMESTAMP_LEN + 1];
};

/* Checks a lapse entry against `today`: a real date not after today
 * ("date"), kind lapse or relapse ("kind"), texts one line each of at most
 * CAIRN_LAPSE_TEXT_MAX characters ("trigger", "coping", "note"). Pure. */
enum cairn_status cairn_lapse_validate(const struct cairn_lapse *lapse, int32_t today,
                                       struct cairn_error *err);

/* Validates (against the store's today) and appends an entry for
 * lapse->patient_id, entered by the acting login; audited. Sets id. */
enum cairn_status cairn_lapse_add(struct cairn_store *store, struct cairn_lapse *lapse,
                                  struct cairn_error *err);

/* Calls fn for each entry of the patient's lapse log, by date; audited as
 * one read. */
enum cairn_status cairn_lapse_list(struct cairn_store *store, int64_t patient_id,
                                   int (*fn)(const struct cairn_lapse *l, void *ctx), void *ctx,
                                   struct cairn_error *err);

#endif
