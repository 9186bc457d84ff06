/* cairn full-screen front end (ncursesw).
 *
 * Each screen is a draw() + key() pair over plain state; every event
 * redraws the whole screen from state. Key bindings come from one table
 * (keys.c) that drives dispatch, the status bar and the help screen;
 * colours from one semantic theme table (theme.c) with a monochrome
 * variant. The TUI never holds a transaction open while waiting for a key.
 */
#ifndef CAIRN_TUI_H
#define CAIRN_TUI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cairn/cairn.h"
#include "cairn/report.h"

struct tui_options {
    int lock_after_seconds; /* idle time before the screen locks; 0 = never */
    const char *login;      /* typed to unlock: the OS login running cairn */
    const char *db_path;    /* passed to commands run from the : line */
    FILE *script;           /* headless: keys from here (see headless.c); NULL: a terminal */
    FILE *dump;             /* headless: where screens are written */
    int cols, lines;        /* headless: the screen size */
};

/* Runs the TUI on an open store until the user quits or a signal asks to
 * stop; restores the terminal in every case. Returns a process exit code. */
int tui_run(struct cairn_store *store, const struct tui_options *options);

/* ---- keys.c: the key table ---- */

#define TUI_ACTION_LIST(X)                                                                         \
    X(TUI_UP, "up", "move up")                                                                     \
    X(TUI_DOWN, "down", "move down")                                                               \
    X(TUI_PAGE_UP, "PgUp", "previous page")                                                        \
    X(TUI_PAGE_DOWN, "PgDn", "next page")                                                          \
    X(TUI_HOME, "top", "first patient")                                                            \
    X(TUI_END, "end", "last patient")                                                              \
    X(TUI_OPEN, "open", "open the selected patient (the read is audited)")                         \
    X(TUI_BACK, "back", "back to the previous screen")                                             \
    X(TUI_SEARCH, "search", "search names and MRNs as you type; Enter keeps, Esc clears")          \
    X(TUI_STATUS, "status", "cycle the status filter: in care / all / discharged")                 \
    X(TUI_RISK, "risk", "cycle the risk filter: any / high / moderate or high / low / none")       \
    X(TUI_CLINICIAN, "clinician", "show one clinician's patients (type a login; empty: everyone)") \
    X(TUI_PROGRAM, "program", "show one program's patients (type its code; empty: every program)") \
    X(TUI_REVIEW_DUE, "review due",                                                                \
      "show only patients with a weekly review to do (again: everyone)")                           \
    X(TUI_HAS_ALERTS, "has alerts", "show only patients with an open alert (again: everyone)")     \
    X(TUI_ORDER, "order", "cycle the order: name, MRN, program, status, risk, admitted")           \
    X(TUI_NEXT_TAB, "next tab",                                                                    \
      "patient screen: next tab (Overview, Plan, Safety, Ladders, Sessions, Measures, Reviews, "   \
      "Audit)")                                                                                    \
    X(TUI_PREV_TAB, "previous tab", "patient screen: previous tab")                                \
    X(TUI_LOG_ATTEMPT, "attempt", "patient screen: log an exposure attempt (a form)")              \
    X(TUI_LOG_MEASURE, "measure",                                                                  \
      "patient screen: enter a PHQ-9, GAD-7 or other measure (a form)")                            \
    X(TUI_EDIT_RECORD, "edit",                                                                     \
      "patient screen: edit the record's contact details and risk (a form)")                       \
    X(TUI_LOG_LAPSE, "lapse", "patient screen: log a lapse or relapse (a form)")                   \
    X(TUI_LOG_SESSION, "session", "patient screen: log one session's attendance (a form)")         \
    X(TUI_ADD_ITEM, "add item",                                                                    \
      "patient screen: add an item to a plan section (a form; Plan or Safety tab)")                \
    X(TUI_ROSTER, "roster",                                                                        \
      "caseload: take a group's roster of the patients shown (filter by program first)")           \
    X(TUI_REVIEW_QUEUE, "reviews",                                                                 \
      "caseload: reviews due, one by one (c filter's patients, else yours, else all)")             \
    X(TUI_SIGN, "sign", "review queue: save, then sign the review shown (y confirms)")             \
    X(TUI_SAVE, "save", "review queue: save the form now (leaving a field saves it too)")          \
    X(TUI_NEXT_PATIENT, "next/previous", "review and co-sign queues: next / previous patient")     \
    X(TUI_COSIGN_QUEUE, "co-sign queue",                                                           \
      "caseload: signed reviews awaiting a supervisor's co-signature, oldest first")               \
    X(TUI_COSIGN, "co-sign", "co-sign queue: co-sign the selected review (y confirms)")            \
    X(TUI_SUPERVISOR, "supervisor",                                                                \
      "caseload: this week's caseload summary per clinician, urgent alerts, co-sign count")        \
    X(TUI_PRINT, "print", "supervisor view: print the caseload report to a file or to lp")         \
    X(TUI_RECOMPUTE, "recompute", "supervisor view: compute the summary again")                    \
    X(TUI_COMMAND, "command", "run a cairn command, as on the command line (:patient hold MRN)")   \
    X(TUI_HELP, "help", "this help")                                                               \
    X(TUI_REDRAW, "redraw", "redraw the screen")                                                   \
    X(TUI_QUIT, "quit", "leave cairn")

enum tui_action {
    TUI_NONE = 0,
#define TUI_X_ENUM(a, label, help) a,
    TUI_ACTION_LIST(TUI_X_ENUM)
#undef TUI_X_ENUM
        TUI_ACTION__COUNT
};

struct tui_key {
    enum tui_action action;
    int keys[4];            /* curses key codes; 0 ends the list */
    const char *keys_label; /* how help and the status bar name the keys */
    bool in_status_bar;
};

extern const struct tui_key tui_keys[];
extern const size_t tui_key_count;

/* The action bound to curses key `key`, or TUI_NONE. */
enum tui_action tui_key_action(int key);

/* Short label and help text of an action. */
const char *tui_action_label(enum tui_action action);
const char *tui_action_help(enum tui_action action);

/* ---- theme.c: semantic colours ---- */

enum tui_color {
    TUI_COLOR_NORMAL,
    TUI_COLOR_TITLE,
    TUI_COLOR_HEADER,
    TUI_COLOR_SELECTED,
    TUI_COLOR_STATUS_BAR,
    TUI_COLOR_RISK_HIGH,
    TUI_COLOR_RISK_MODERATE,
    TUI_COLOR_DIM,
    TUI_COLOR_ERROR,
    TUI_COLOR__COUNT
};

/* Chooses colour or monochrome (NO_COLOR set, or a terminal without
 * colours) and sets up colour pairs. Call after initscr(). */
void tui_theme_init(void);

/* The attributes that draw `color` in the chosen theme. */
attr_t tui_attr(enum tui_color color);

/* ---- drawing helpers (app.c) ---- */

/* Draws UTF-8 text at (y, x) made safe (control characters shown as '?')
 * and cut to `width` columns, padding with spaces to exactly `width`. */
void tui_draw_text(int y, int x, const char *text, int width);

/* ---- screens ---- */

enum tui_screen {
    TUI_SCREEN_CASELOAD,
    TUI_SCREEN_PATIENT,
    TUI_SCREEN_HELP,
    TUI_SCREEN_OUTPUT,
    TUI_SCREEN_FORM,
    TUI_SCREEN_ROSTER,
    TUI_SCREEN_REVIEW,
    TUI_SCREEN_COSIGN,
    TUI_SCREEN_SUPERVISOR
};

/* ---- form.c: the line editor and forms ---- */

enum tui_line_result {
    TUI_LINE_EDITED,          /* the text changed (or a key was taken) */
    TUI_LINE_ENTER,           /* Enter */
    TUI_LINE_ESCAPE,          /* Esc */
    TUI_LINE_EMPTY_BACKSPACE, /* Backspace with nothing left to delete */
    TUI_LINE_OTHER,           /* not an editing key: the caller's to handle */
};

/* Applies one key to the NUL-terminated UTF-8 text in buf (size bytes):
 * printable characters append (when they fit), Backspace deletes the last
 * character, ^U clears. Says what happened. */
enum tui_line_result tui_line_key(char *buf, size_t size, int key, bool is_char);

enum tui_form_kind {
    TUI_FORM_ATTEMPT = 1,
    TUI_FORM_MEASURE,
    TUI_FORM_PLAN_ITEM,
    TUI_FORM_LAPSE,
    TUI_FORM_SESSION,
    TUI_FORM_RECORD
};

struct tui_field {
    const char *label, *hint;
    char value[256];
    char original[256]; /* the value when the form was opened */
    char error[256];    /* shown next to the field; "" when none */
};

struct tui_form {
    enum tui_form_kind kind; /* 0: never opened */
    int64_t patient_id;      /* whose form it is */
    bool draft;              /* holds typed input not yet saved */
    const char *title;
    int nfields, focus;
    struct tui_field fields[12];
    char message[256];    /* a problem not tied to one field */
    int before;           /* the screen to go back to (enum tui_screen) */
    int base_revision;    /* plan item: the plan revision the form was opened on */
    int64_t base_version; /* record: the patient version the form was opened on */
};

#define TUI_COMMAND_MAX 512
#define TUI_OUTPUT_MAX  65536

enum { TUI_PAGE_MAX = 256 };

/* The caseload window: the rows on screen, fetched a page at a time with
 * keyset paging, never the whole caseload. */
struct tui_caseload {
    struct cairn_patient rows[TUI_PAGE_MAX];
    /* Each row's progress summary, read when the row is first drawn:
     * summary_of[r] is the patient id summaries[r] belongs to (0: none). */
    struct cairn_care_summary summaries[TUI_PAGE_MAX];
    int64_t summary_of[TUI_PAGE_MAX];
    char badges[TUI_PAGE_MAX][12]; /* each row's alert badge ("!1 +2"), read with the summary */
    /* The urgent alerts pinned above the list (in the clinician filter),
     * read with each reload; nurgent counts them all, pinned holds the first. */
    size_t nurgent, npinned;
    bool urgent_read;                     /* false: read them at the next reload */
    char urgent_for[CAIRN_LOGIN_MAX + 1]; /* the clinician filter they were read for */
    char pinned[3][CAIRN_MRN_MAX + CAIRN_ALERT_REASON_MAX + 40];
    int nrows;
    int cursor;      /* index into rows */
    int status_view; /* 0 in care, 1 all, 2 discharged and alumni */
    char search[CAIRN_NAME_MAX + 1];
    bool searching; /* the search prompt has the keyboard */
    bool loaded;
    int risk_view;                       /* index into the risk filters (0: any) */
    bool review_due;                     /* only patients with a weekly review to do */
    bool has_alerts;                     /* only patients with an alert */
    int sort;                            /* enum cairn_patient_sort */
    char clinician[CAIRN_LOGIN_MAX + 1]; /* "" = everyone's patients */
    char program[CAIRN_PROGRAM_CODE_MAX + 1];
    enum tui_action prompting; /* TUI_CLINICIAN or TUI_PROGRAM while typing one */
    char prompt[CAIRN_LOGIN_MAX + CAIRN_PROGRAM_CODE_MAX + 2];
};

/* ---- roster.c: taking a group's attendance ---- */

struct tui_roster_row {
    char mrn[CAIRN_MRN_MAX + 1];
    char name[CAIRN_NAME_MAX + 1];
    int mark;     /* 0 none, 1 present, 2 late, 3 absent, 4 excused */
    char late[8]; /* minutes present, for a late mark */
};

struct tui_roster {
    bool draft; /* holds marks or typing not yet logged */
    char fields[5][128];
    char field_error[5][256];
    int focus; /* 0-4: a header field; 5: the list */
    int nrows, cursor, error_row;
    struct tui_roster_row rows[TUI_PAGE_MAX];
    char message[256];
};

/* ---- review.c and cosign.c: the review and co-sign queues ---- */

/* Wrapped text for a pane: lines cut at a width by words, each with its
 * colour; drawn from a first line, so it scrolls. */
#define TUI_TEXT_LINES     400
#define TUI_TEXT_LINE_SIZE 768

struct tui_text {
    int n, width;
    struct {
        enum tui_color color;
        char text[TUI_TEXT_LINE_SIZE];
    } lines[TUI_TEXT_LINES];
};

#define TUI_QUEUE_MAX 1000 /* entries a queue holds; more are left for later */

/* One review in a queue: the patient and the week. */
struct tui_queue_entry {
    char mrn[CAIRN_MRN_MAX + 1];
    char name[2 * CAIRN_NAME_MAX + 4]; /* "Legal (Preferred)" */
    char week[CAIRN_WEEK_LEN + 1];
    bool overdue;                            /* review queue */
    enum cairn_risk risk;                    /* co-sign queue: the reviewer's */
    char signed_by[CAIRN_LOGIN_MAX + 1];     /* co-sign queue */
    char signed_at[CAIRN_TIMESTAMP_LEN + 1]; /* co-sign queue */
};

/* The review queue: the entries due, the one shown (its review, with what
 * the reviewer typed), and the form's state. Kept when the screen is left,
 * so W comes back to the same patient with nothing lost. */
struct tui_review_queue {
    bool open;                           /* opened once: what follows is kept */
    char clinician[CAIRN_LOGIN_MAX + 1]; /* whose reviews ("" everyone's) */
    int n, k;                            /* entries, the one shown */
    bool more;                           /* more than TUI_QUEUE_MAX are due */
    struct tui_queue_entry entries[TUI_QUEUE_MAX];
    bool loaded; /* patient and review hold entry k (started) */
    char load_error[CAIRN_ERROR_MESSAGE_MAX + 64];
    struct cairn_patient patient;
    struct cairn_review review;      /* inputs: as typed */
    struct cairn_review_inputs base; /* the inputs as last saved or read */
    char risk_text[16];              /* the risk field as typed */
    int focus;                       /* a field: see review.c */
    bool editing;                    /* keys go to the focused field */
    bool confirming;                 /* S asked: y signs */
    bool conflict;   /* a save was refused as stale: no save on leaving a field until asked */
    bool frozen;     /* signed elsewhere meanwhile: shown, no longer editable */
    bool quit_armed; /* q with edits not saved: a second q quits */
    char errors[6 + CAIRN_TEMPLATE_CHECKLIST_MAX][CAIRN_ERROR_MESSAGE_MAX];
    char message[CAIRN_ERROR_MESSAGE_MAX + 128];
    bool problem; /* message is a refusal (else a notice) */
    int summary_top, form_top;
};

/* The co-sign queue: signed reviews awaiting co-signature, and the one
 * shown in full. */
struct tui_cosign_queue {
    char clinician[CAIRN_LOGIN_MAX + 1];
    int n, cursor, top;
    bool more;
    struct tui_queue_entry entries[TUI_QUEUE_MAX];
    bool detail;      /* showing entries[cursor] in full */
    bool have_review; /* review holds entries[cursor] */
    struct cairn_review review;
    int detail_top;
    bool confirming;     /* C asked: y co-signs */
    char role_note[128]; /* why C will be refused, when the acting user is no supervisor */
    char message[CAIRN_ERROR_MESSAGE_MAX + 128];
    bool problem;
    enum tui_screen back; /* where Esc returns: the caseload or the supervisor view */
};

/* ---- supervisor.c: the supervisor view ---- */

/* One clinician's line of the overview: running totals only, never the
 * patients. */
struct tui_supervisor_group {
    char clinician[CAIRN_LOGIN_MAX + 1]; /* "" = unassigned */
    char name[CAIRN_STAFFNAME_MAX + 1];
    struct cairn_report_totals totals;
};

enum tui_supervisor_line_kind {
    TUI_SUPERVISOR_PATIENT, /* a patient of the narrowed clinician */
    TUI_SUPERVISOR_ALERT,   /* one of that patient's alerts */
    TUI_SUPERVISOR_HEADING, /* "On hold (…)" */
};

/* A line of the narrowed view, made from one report row. */
struct tui_supervisor_line {
    enum tui_supervisor_line_kind kind;
    enum cairn_risk risk;
    enum cairn_alert_severity severity;
    bool acknowledged;
    char mrn[CAIRN_MRN_MAX + 1];
    char text[CAIRN_ALERT_REASON_MAX]; /* the name, the alert's reason, or the heading */
    char week[8], hours[24], phq9[16], gad7[16], review[12];
    char discharge[CAIRN_DATE_LEN + 1]; /* expected within 14 days; "" otherwise */
};

#define TUI_SUPERVISOR_URGENT_MAX 8 /* urgent alerts kept for the list */

/* The supervisor view: computed once when opened (and on r), for the
 * caseload's clinician and program filter and the store's today's week. */
struct tui_supervisor {
    bool computed; /* the numbers below hold the filter's week */
    bool stale;    /* changed since (a co-signature): computed again when shown */
    char clinician[CAIRN_LOGIN_MAX + 1], program[CAIRN_PROGRAM_CODE_MAX + 1];
    struct cairn_report_meta meta; /* the week, its days, as of */
    struct tui_supervisor_group *groups;
    int ngroups, groups_cap;
    struct cairn_report_totals all;
    int awaiting;       /* the co-sign queue's length (-1: unknown) */
    bool awaiting_more; /* … or more */
    size_t nurgent;     /* open urgent alerts */
    int nkept;
    char urgent[TUI_SUPERVISOR_URGENT_MAX]
               [CAIRN_MRN_MAX + 2 * CAIRN_NAME_MAX + CAIRN_ALERT_REASON_MAX + 16];
    long progress; /* rows read while computing */
    bool nomem;    /* computing ran out of memory */
    int cursor, top;
    int narrowed; /* the group whose patients are shown; -1: the overview */
    struct tui_supervisor_line *lines;
    int nlines, lines_cap, line_cursor, line_top;
    bool printing;   /* the print prompt has the keyboard */
    char path[1024]; /* what it holds */
    char path_error[CAIRN_ERROR_MESSAGE_MAX + 128];
    char message[CAIRN_ERROR_MESSAGE_MAX + 1200];
    bool problem; /* message is a failure (else a notice) */
};

struct tui_app {
    struct cairn_store *store;
    enum tui_screen screen, previous;
    bool quit;
    int lines, cols;
    struct tui_caseload caseload;
    struct cairn_patient patient;                  /* the open record */
    struct cairn_care care;                        /* its plan, ladders and reviews */
    struct cairn_alert alerts[CAIRN_ALERT__COUNT]; /* its alerts when opened */
    size_t nalerts;
    int tab;                                    /* patient screen tab, 0 = Overview */
    int tab_top;                                /* first line shown in a long tab */
    char message[CAIRN_ERROR_MESSAGE_MAX + 64]; /* one-line notice for the status bar */
    struct tui_options options;
    bool locked;     /* idle lock: nothing but the lock screen is drawn */
    char unlock[65]; /* what has been typed on the lock screen */
    bool unlock_failed;
    bool commanding;                  /* typing on the : line */
    char command[TUI_COMMAND_MAX];    /* what has been typed there */
    char output[TUI_OUTPUT_MAX];      /* what the last command printed */
    int output_top;                   /* first line shown on the output screen */
    enum tui_screen before_output;    /* where Esc returns from the output screen */
    struct tui_form form;             /* the open form, or the draft kept from one */
    struct tui_roster roster;         /* the roster being taken, or its kept draft */
    int help_top;                     /* first key shown on the help screen */
    struct tui_review_queue reviews;  /* the review queue, kept when left */
    struct tui_cosign_queue cosign;   /* the co-sign queue */
    struct tui_supervisor supervisor; /* the supervisor view */
    struct tui_text text;             /* scratch: a pane's wrapped lines, built when drawn */
};

/* Rows available for the list body on the caseload screen. */
int tui_caseload_page_rows(const struct tui_app *app);
void tui_caseload_draw(struct tui_app *app);
void tui_caseload_key(struct tui_app *app, int key, bool is_char);
/* Re-fetches the window from its first row (after resize or a change). */
void tui_caseload_reload(struct tui_app *app);

void tui_patient_open(struct tui_app *app, const char *mrn);
void tui_patient_draw(struct tui_app *app);
void tui_patient_key(struct tui_app *app, int key);

void tui_help_draw(struct tui_app *app);
/* Arrows and page keys scroll the help; any other key leaves it. */
void tui_help_key(struct tui_app *app, int key);

/* Opens form `kind` for the open patient (the kept draft when there is
 * one for this patient and form). */
void tui_form_open(struct tui_app *app, enum tui_form_kind kind);
void tui_form_draw(struct tui_app *app);

/* Opens the roster screen on the caseload's patients in care (or the kept
 * draft). */
void tui_roster_open(struct tui_app *app);
void tui_roster_draw(struct tui_app *app);
void tui_roster_key(struct tui_app *app, int key, bool is_char);
void tui_form_key(struct tui_app *app, int key, bool is_char);

/* Opens the review queue (DESIGN.md §6): the reviews due this week and
 * overdue ones, as cairn_review_due_list() orders them, of the caseload's
 * clinician filter when set, else of the acting user's patients when they
 * are a therapist or case manager with patients in care, else everyone's.
 * Comes back to the patient and typed inputs it was left on. */
void tui_review_open(struct tui_app *app);
/* Draws the queue's entry: the summary and the form side by side from 110
 * columns, the form below the summary on narrower terminals. */
void tui_review_draw(struct tui_app *app);
/* Every key goes here while the screen is shown (it has text fields). */
void tui_review_key(struct tui_app *app, int key, bool is_char);
/* Reads the review shown again (after a : command may have changed it),
 * unless it holds typed inputs not saved yet. */
void tui_review_refresh(struct tui_app *app);

/* Opens the co-sign queue: signed reviews awaiting co-signature, oldest
 * first, of the caseload's clinician filter's patients when set, else
 * everyone's. */
void tui_cosign_open(struct tui_app *app);
/* Draws the list, or the review Enter opened (its read is audited). */
void tui_cosign_draw(struct tui_app *app);
/* Every key goes here while the screen is shown (n and p are next and
 * previous; C then y co-signs). */
void tui_cosign_key(struct tui_app *app, int key, bool is_char);

/* The actions every list screen takes the same way: q quits, ? opens the
 * help, : the command line, ^L redraws. True when `a` was one of them
 * (and is done); a screen with its own meaning for one (the review queue
 * saves first) handles it before calling this. */
bool tui_common_action(struct tui_app *app, enum tui_action a);

/* Opens the supervisor view (DESIGN.md §6) on the caseload's clinician
 * and program filter: computes this week's totals per clinician with
 * cairn_report_rows(), showing "computing…" meanwhile. */
void tui_supervisor_open(struct tui_app *app);
/* Comes back to the view from a screen it opened (the co-sign queue),
 * computing it again when something changed meanwhile. */
void tui_supervisor_return(struct tui_app *app);
/* Draws the overview, or the narrowed clinician's patients, and the print
 * prompt when it is open. Never computes anything. */
void tui_supervisor_draw(struct tui_app *app);
/* Every key goes here while the view is shown (p and r are its own). */
void tui_supervisor_key(struct tui_app *app, int key, bool is_char);
/* Frees what the view holds (at exit). */
void tui_supervisor_free(struct tui_app *app);

/* Wrapped text (review.c). Empties t for lines of `width` columns. */
void tui_text_reset(struct tui_text *t, int width);
/* Adds text (UTF-8, '\n' starts a new line) wrapped at t->width columns by
 * words; lines after the first start `indent` columns in. */
void tui_text_add(struct tui_text *t, enum tui_color color, int indent, const char *text);
void tui_text_addf(struct tui_text *t, enum tui_color color, int indent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Draws rows lines from line `top` at (y, x), each cut to t->width. */
void tui_text_draw(const struct tui_text *t, int top, int y, int x, int rows);
/* The computed summary of r (its snapshot) and the reviewer's inputs, with
 * severities and states written out. `me` is the acting login, shown as
 * "you". */
void tui_review_snapshot_text(struct tui_text *t, const struct cairn_review *r);
void tui_review_inputs_text(struct tui_text *t, const struct cairn_review *r, const char *me);
/* "Legal (Preferred)" or "Legal". */
void tui_patient_name(const struct cairn_patient *p, char *out, size_t size);

/* Appends patient p's entry for `week` to a queue's entries (*n of them,
 * TUI_QUEUE_MAX at most) and returns it for the caller to complete; NULL,
 * with *more set, when the queue is full. */
struct tui_queue_entry *tui_queue_add(struct tui_queue_entry *entries, int *n, bool *more,
                                      const struct cairn_patient *p, const char *week);

/* "you" when login is the acting login `me`, else login (for signer lines). */
const char *tui_who(const char *login, const char *me);

/* ---- command.c: the : line ---- */
/* Handles a key while the : line is open. */
void tui_command_key(struct tui_app *app, int key, bool is_char);
/* Draws the : line over the status bar and places the cursor on it. */
void tui_command_draw(struct tui_app *app);
void tui_output_draw(struct tui_app *app);
void tui_output_key(struct tui_app *app, int key);

/* ---- headless.c ---- */

/* Runs `script` against the app on a cols x lines screen that no terminal
 * shows: `step` applies one key, `draw` redraws; screens go to out.
 * Returns 0, 3 for a script error (reported on stderr), 1 when out
 * failed. */
int tui_headless(struct tui_app *app, FILE *script, FILE *out, int cols, int lines,
                 void (*step)(struct tui_app *app, int key, bool is_char),
                 void (*draw)(struct tui_app *app));

/* The foot of a form-like screen: `problem` (may be NULL or "") above the
 * status line, in the error colour, and the screen's own keys on it. */
void tui_draw_footer(struct tui_app *app, const char *problem, const char *keys);

/* Draws the bottom status bar: the message if any, else the key labels. */
void tui_draw_status_bar(struct tui_app *app);

#endif
