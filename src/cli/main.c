/* cairn: entry point, the command table, argument parsing and --help. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

static const char list_format_help[] = "output as text (default), tsv, csv or json";
#define FORMAT_OPT                                                                                 \
    {                                                                                              \
        "format", "FORMAT", list_format_help, NULL                                                 \
    }
/* One record (show, add, edit) prints as text or JSON; only lists have rows
 * for TSV and CSV. The parser tells the two apart by this help text. */
static const char record_format_help[] = "output as text (default) or json";
#define RECORD_FORMAT_OPT                                                                          \
    {                                                                                              \
        "format", "FORMAT", record_format_help, NULL                                               \
    }
#define IF_VERSION_OPT                                                                             \
    {                                                                                              \
        "if-version", "N",                                                                         \
            "refuse (exit 4) unless the record is still at version N, the one you read", NULL      \
    }
#define END_OPTS                                                                                   \
    {                                                                                              \
        NULL, NULL, NULL, NULL                                                                     \
    }

static const struct cli_opt init_opts[] = {END_OPTS};

static const struct cli_opt tui_opts[] = {
    {"script", "FILE",
     "headless: no terminal; keys from FILE (- for stdin), screens written to stdout "
     "(tests, benchmarks)",
     NULL},
    {"size", "COLSxLINES", "headless screen size (default 100x30)", NULL},
    {"lock-after", "TIME",
     "lock the screen after this long without a key: 90s, 10m, 1h, or minutes (default 10; "
     "0: never; also $CAIRN_LOCK_AFTER)",
     NULL},
    END_OPTS,
};

static const struct cli_opt demo_opts[] = {
    {"patients", "N", "how many patients to generate (default 40)", NULL},
    {"clinicians", "N", "how many clinicians (default one per 25 patients, at least 3)", NULL},
    {"seed", "S", "random seed; the same seed and --today give the same data (default 1)", NULL},
    {"today", "DATE", "the day the demo leads up to (default today)", NULL},
    END_OPTS,
};

static const struct cli_opt template_check_opts[] = {END_OPTS};

static const struct cli_opt template_import_opts[] = {END_OPTS};

static const struct cli_opt template_list_opts[] = {
    {"all", NULL, "every imported version, not just the newest of each program", NULL},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt template_show_opts[] = {
    {"version", "N", "this version rather than the newest", NULL},
    {"format", "FORMAT",
     "text (default), json, or yaml: the exact file imported, ready to edit and re-import", NULL},
    END_OPTS,
};

static const struct cli_opt ladder_list_opts[] = {
    {"all", NULL, "also retired ladders", NULL},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt ladder_show_opts[] = {
    {"attempts", NULL, "also list every attempt (json always has them)", NULL},
    RECORD_FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt ladder_add_step_opts[] = {
    {"text", "TEXT", "what the patient will do (required)", NULL},
    {"suds", "N", "anticipated SUDS on the ladder's scale, 0-100 or 0-10 (required)", NULL},
    {"at", "N", "place in the ladder (default: at the end); later steps move down", "position"},
    IF_VERSION_OPT,
    END_OPTS,
};

static const struct cli_opt ladder_move_step_opts[] = {
    {"to", "N", "the step's new place in the ladder (required)", NULL},
    IF_VERSION_OPT,
    END_OPTS,
};

static const struct cli_opt ladder_edit_step_opts[] = {
    {"text", "TEXT", "new wording", NULL},
    {"suds", "N", "new anticipated SUDS", NULL},
    {"skip", NULL, "mark the step skipped (it stays on the ladder)", NULL},
    {"unskip", NULL, "undo --skip: the status follows the attempts again", NULL},
    {"retire", NULL, "take the step off the ladder, keeping its attempts", NULL},
    {"restore", NULL, "put a retired step back", NULL},
    IF_VERSION_OPT,
    END_OPTS,
};

static const struct cli_opt ladder_attempt_opts[] = {
    {"before", "N", "SUDS just before starting (required)", "suds_before"},
    {"peak", "N", "highest SUDS during the exposure (required)", "suds_peak"},
    {"after", "N", "SUDS at the end (required)", "suds_after"},
    {"date", "DATE", "when it happened (default today; never in the future)", NULL},
    {"minutes", "N", "how long the exposure lasted", NULL},
    {"where", "WHERE", "session (default) or between (between sessions)", "setting"},
    {"predicted", "TEXT", "the feared outcome the patient predicted", "prediction"},
    {"expectancy-before", "PCT", "how sure, 0-100, the patient was that it would happen",
     "expectancy_before"},
    {"came-true", "ANSWER", "whether it happened: yes, no or partly", "came_true"},
    {"expectancy-after", "PCT", "how sure, 0-100, the patient is now", "expectancy_after"},
    {"safety-behaviours", "TEXT", "safety behaviours used, if any", "safety_behaviours"},
    {"note", "TEXT", "anything else worth keeping", NULL},
    END_OPTS,
};

static const struct cli_opt session_log_opts[] = {
    {"date", "DATE", "the day of the session (default today; never in the future)", NULL},
    {"minutes", "N", "how long the session ran (required)", NULL},
    {"group", "TITLE", "a group session and its name (\"DBT skills\"); the type is group", "title"},
    {"type", "TYPE",
     "group, individual (default for one patient), family, skills, psychiatry or "
     "peer",
     NULL},
    {"start", "HH:MM", "when it started (24-hour); a session past midnight counts on both days",
     NULL},
    {"facilitator", "LOGIN", "the staff member who ran it", NULL},
    {"in-person", NULL, "met in person (default: telehealth)", NULL},
    {"present", "MRNS", "patients who attended the whole session, separated by commas", NULL},
    {"late", "MRN:MIN,...", "patients who came late or left early, with the minutes attended",
     "minutes_attended"},
    {"absent", "MRNS", "patients who missed it without notice", NULL},
    {"excused", "MRNS", "patients excused in advance", NULL},
    {"status", "STATUS", "one patient: attended (default), late, absent or excused", NULL},
    {"minutes-attended", "N", "one patient, late: the minutes attended", NULL},
    END_OPTS,
};

static const struct cli_opt session_mark_opts[] = {
    {"status", "STATUS", "attended, late, absent or excused (required)", NULL},
    {"minutes-attended", "N", "with late: the minutes attended", NULL},
    {"if-version", "N",
     "refuse (exit 4) unless the line is still at version N (session list --format json shows "
     "it)",
     NULL},
    END_OPTS,
};

static const struct cli_opt session_list_opts[] = {
    {"week", "WEEK", "only this ISO week (2026-W47)", NULL},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt session_import_opts[] = {END_OPTS};

static const struct cli_opt staff_add_opts[] = {
    {"login", "LOGIN", "the OS user name this person signs in as (required)", NULL},
    {"name", "TEXT", "full name (required)", NULL},
    {"role", "ROLE", "therapist, case_manager, supervisor, prescriber or peer_mentor (required)",
     NULL},
    END_OPTS,
};

static const struct cli_opt staff_list_opts[] = {
    {"all", NULL, "include inactive staff", NULL},
    FORMAT_OPT,
    END_OPTS,
};

/* The patient fields settable on add and edit, in form order. */
#define PATIENT_FIELD_OPTS                                                                         \
    {"name", "TEXT", "legal name", "legal_name"},                                                  \
        {"preferred-name", "TEXT", "name the patient goes by", "preferred_name"},                  \
        {"dob", "DATE", "date of birth, YYYY-MM-DD", "dob"},                                       \
        {"pronouns", "TEXT", "e.g. she/her, they/them", "pronouns"},                               \
        {"phone", "PHONE", "phone number", "phone"},                                               \
        {"emergency-contact", "TEXT", "name and phone of an emergency contact",                    \
         "emergency_contact"},                                                                     \
        {"therapist", "LOGIN", "primary therapist (staff login)", "therapist_id"},                 \
        {"case-manager", "LOGIN", "case manager (staff login)", "case_manager_id"},                \
        {"peer-mentor", "LOGIN", "peer mentor / accountability partner (staff login)",             \
         "peer_mentor_id"},                                                                        \
        {"risk", "LEVEL", "risk level: low, moderate or high", "risk_level"},                      \
    {                                                                                              \
        "tags", "LIST", "comma-separated tags", "tags"                                             \
    }

static const struct cli_opt patient_add_opts[] = {
    {"mrn", "MRN", "medical record number, unique (required)", "mrn"},
    PATIENT_FIELD_OPTS,
    RECORD_FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt patient_edit_opts[] = {
    PATIENT_FIELD_OPTS,
    {"expected-discharge", "DATE", "expected discharge date", "expected_discharge_date"},
    IF_VERSION_OPT,
    RECORD_FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt patient_list_opts[] = {
    {"status", "LIST",
     "only these statuses (comma-separated; default referred,active,on_hold; 'all' for every "
     "status)",
     NULL},
    {"clinician", "LOGIN", "only patients of this therapist, case manager or peer mentor", NULL},
    {"program", "CODE", "only patients in this program", NULL},
    {"risk", "LIST", "only these risk levels (comma-separated: low, moderate, high, none)", NULL},
    {"search", "TEXT", "only names (ignoring case and accents) or MRNs containing TEXT", NULL},
    {"review-due", NULL,
     "only active patients with a weekly review to do (this week's not signed, or an earlier "
     "one)",
     NULL},
    {"sort", "KEY",
     "name (default), mrn, program, status, risk (high first) or admitted; then by name", NULL},
    {"limit", "N", "at most N patients", NULL},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt patient_show_opts[] = {
    RECORD_FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt patient_admit_opts[] = {
    {"date", "DATE", "admission date (default today)", "admission_date"},
    {"program", "CODE", "program to admit to", "program_id"},
    {"expected-discharge", "DATE",
     "expected discharge date (default: admission plus the program's length of stay)",
     "expected_discharge_date"},
    IF_VERSION_OPT,
    END_OPTS,
};

static const struct cli_opt patient_status_opts[] = {
    IF_VERSION_OPT,
    END_OPTS,
};

static const struct cli_opt patient_discharge_opts[] = {
    {"reason", "TEXT", "why the patient leaves the program (required)", "discharge_reason"},
    {"date", "DATE", "discharge date (default today)", "discharge_date"},
    IF_VERSION_OPT,
    END_OPTS,
};

static const struct cli_opt measure_add_opts[] = {
    {"date", "DATE", "the day the measure was taken (default today; not in the future)", "date"},
    RECORD_FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt measure_correct_opts[] = {
    {"date", "DATE", "a corrected date (default: keep the stored one; not in the future)", "date"},
    {"if-version", "N",
     "refuse (exit 4) unless the measure is still at version N (measure list --format json "
     "shows it)",
     NULL},
    END_OPTS,
};

static const struct cli_opt measure_list_opts[] = {
    {"instrument", "CODE", "only this instrument: phq9, gad7, cssrs_screen, craving or mood",
     "instrument"},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt measure_instruments_opts[] = {
    RECORD_FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt plan_show_opts[] = {
    {"rev", "N", "this revision rather than the newest", NULL},
    RECORD_FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt plan_history_opts[] = {
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt plan_diff_opts[] = {END_OPTS};

static const struct cli_opt plan_edit_opts[] = {
    {"reason", "TEXT", "why the plan changed, kept with the revision (default: edited)", NULL},
    END_OPTS,
};

static const struct cli_opt plan_set_opts[] = {
    {"add", "TEXT", "append an item with this text to SECTION", "text"},
    {"remove", "N", "remove the N-th item of SECTION (as `plan show` numbers them)", "item"},
    {"from-file", "FILE",
     "replace the whole plan with this JSON (the form `plan show --format json` prints; - "
     "reads stdin)",
     NULL},
    {"status", "STATUS", "draft, or active (signs the plan with your login and the time)", NULL},
    {"next-review", "DATE", "next review date, YYYY-MM-DD (empty: none)", "next_review_date"},
    {"reason", "TEXT", "why the plan changed, kept with the revision", NULL},
    {"if-revision", "N", "refuse (exit 4) unless the plan is still at revision N, the one you read",
     NULL},
    END_OPTS,
};

static const struct cli_opt safety_set_opts[] = {
    {"add", "TEXT", "append an item with this text to SECTION", "text"},
    {"remove", "N", "remove the N-th item of SECTION (as `safety show` numbers them)", "item"},
    {"from-file", "FILE",
     "replace the whole safety plan with this JSON (the form `safety show --format json` "
     "prints; - reads stdin)",
     NULL},
    {"reason", "TEXT", "why the safety plan changed, kept with the revision", NULL},
    {"if-revision", "N",
     "refuse (exit 4) unless the safety plan is still at revision N, the one you read", NULL},
    END_OPTS,
};

static const struct cli_opt plan_goal_opts[] = {
    {"week", "WEEK", "ISO week, e.g. 2026-W47 (required)", "week"},
    {"done", "N", "times the weekly target was met that week, 0-99 (required)", "done"},
    END_OPTS,
};

static const struct cli_opt lapse_add_opts[] = {
    {"date", "DATE", "when it happened, YYYY-MM-DD, not in the future (default today)", "date"},
    {"kind", "KIND", "lapse or relapse (required)", "kind"},
    {"trigger", "TEXT", "the trigger or high-risk situation", "trigger"},
    {"coping", "TEXT", "the coping that was tried", "coping"},
    {"note", "TEXT", "a note, e.g. on the reaction to the lapse", "note"},
    END_OPTS,
};

static const struct cli_opt lapse_list_opts[] = {
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt review_week_opts[] = {
    {"week", "WEEK", "the ISO week, e.g. 2026-W48 (default: this week)", "week"},
    END_OPTS,
};

static const struct cli_opt review_show_opts[] = {
    {"week", "WEEK", "the ISO week, e.g. 2026-W48 (default: this week)", "week"},
    RECORD_FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt review_due_opts[] = {
    {"clinician", "LOGIN", "only patients whose therapist or case manager this is", "clinician"},
    {"week", "WEEK", "the ISO week, e.g. 2026-W48 (default: this week)", "week"},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt review_awaiting_opts[] = {
    {"clinician", "LOGIN", "only patients whose therapist or case manager this is", "clinician"},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt alerts_opts[] = {
    {"clinician", "LOGIN", "only patients of this therapist or case manager", "login"},
    {"severity", "LEVEL",
     "urgent, warning or info (default): that severity and above; urgent alerts always show", NULL},
    {"all", NULL, "also alerts already acknowledged for the data they fire on", NULL},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt review_set_opts[] = {
    {"week", "WEEK", "the ISO week, e.g. 2026-W48 (default: this week)", "week"},
    {"risk", "LEVEL", "low, moderate or high (becomes the patient's risk level)", "risk"},
    {"narrative", "TEXT", "the week in the reviewer's words", "narrative"},
    {"went-well", "TEXT", "what went well", "went_well"},
    {"barriers", "TEXT", "barriers met", "barriers"},
    {"adjustments", "TEXT", "adjustments to the plan", "adjustments"},
    {"next-steps", "TEXT", "next steps", "next_steps"},
    {"checklist", "ANSWERS",
     "answers to the program's checklist in order, e.g. y,n,- (- leaves one as it is)",
     "checklist"},
    {"if-version", "N", "refuse (exit 4) unless the review is still at version N", NULL},
    END_OPTS,
};

static const struct cli_opt review_sign_opts[] = {
    {"week", "WEEK", "the ISO week, e.g. 2026-W48 (default: this week)", "week"},
    {"if-version", "N", "refuse (exit 4) unless the review is still at version N, the one you read",
     NULL},
    END_OPTS,
};

static const struct cli_opt review_addendum_opts[] = {
    {"week", "WEEK", "the ISO week, e.g. 2026-W48 (default: this week)", "week"},
    {"text", "TEXT", "the correction or addition (required)", "text"},
    END_OPTS,
};

static const struct cli_opt review_list_opts[] = {
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_opt report_caseload_opts[] = {
    {"clinician", "LOGIN",
     "one clinician's caseload: patients whose therapist or case manager LOGIN is", NULL},
    {"program", "CODE", "only patients of this program", NULL},
    {"week", "WEEK", "the ISO week reported on, 2026-W47 (default: this week)", NULL},
    {"format", "FORMAT", "text (default, pages for a printer), md, csv, json or html", NULL},
    {"output", "FILE", "write to FILE, created 0600; an existing FILE is never overwritten", NULL},
    END_OPTS,
};

static const struct cli_opt report_patient_opts[] = {
    {"format", "FORMAT", "text (default) or html", NULL},
    {"output", "FILE", "write to FILE, created 0600; an existing FILE is never overwritten", NULL},
    END_OPTS,
};

static const struct cli_opt alert_ack_opts[] = {
    {"note", "TEXT", "what was done about it, one line of 1-500 characters (required)", "note"},
    END_OPTS,
};

static const struct cli_opt export_patient_opts[] = {
    {"format", "FORMAT", "json (cairn's own full record) or fhir (a FHIR R4 Bundle); required",
     NULL},
    {"output", "FILE", "write to a new file, created 0600 (never over an existing one)", NULL},
    END_OPTS,
};

static const struct cli_opt backup_opts[] = {END_OPTS};

static const struct cli_opt restore_opts[] = {END_OPTS};

static const struct cli_opt audit_opts[] = {
    {"patient", "MRN", "only rows about this patient", NULL},
    {"since", "DATE", "only rows from this UTC day on", NULL},
    {"limit", "N", "only the newest N rows", NULL},
    FORMAT_OPT,
    END_OPTS,
};

static const struct cli_cmd commands[] = {
    {"init", NULL, NULL, 0, 0, "create the database (0600, in a 0700 directory)",
     "Creates the database file at --db, $CAIRN_DB or the default path and brings its schema "
     "up to date. Running it on an existing cairn database only applies pending migrations.",
     init_opts, CLI_DB_CREATE, cli_init_run},
    {"demo", NULL, NULL, 0, 0, "fill an empty database with a synthetic demo caseload",
     "Every name is generated; no real patient data is used. Refuses a database that already "
     "holds patients.",
     demo_opts, CLI_DB_OPEN, cli_demo_run},
    {"template", "check", "FILE...", 1, 64, "validate program template files (no database needed)",
     "Prints every problem as FILE:LINE:COL: /json/pointer: message, then the line and a caret "
     "under the column. Exits 3 when any file is invalid. The format is man cairn-template(5).",
     template_check_opts, CLI_DB_NONE, cli_template_check},
    {"template", "import", "FILE", 1, 1, "import a program template as the program's next version",
     "Validates the file first: an invalid file writes nothing. A file identical to the newest "
     "version is a no-op; a changed one becomes version N+1, used for admissions from then on. "
     "Patients already admitted keep the version they were admitted under.",
     template_import_opts, CLI_DB_OPEN, cli_template_import},
    {"template", "list", NULL, 0, 0, "list programs (the newest version of each)", NULL,
     template_list_opts, CLI_DB_OPEN, cli_template_list},
    {"template", "show", "CODE", 1, 1, "show a program's template", NULL, template_show_opts,
     CLI_DB_OPEN, cli_template_show},
    {"staff", "add", NULL, 0, 0, "add a staff member", NULL, staff_add_opts, CLI_DB_OPEN,
     cli_staff_add},
    {"staff", "list", NULL, 0, 0, "list staff members", NULL, staff_list_opts, CLI_DB_OPEN,
     cli_staff_list},
    {"patient", "add", NULL, 0, 0, "register a referred patient",
     "Required: --mrn, --name, --dob. The patient starts as referred; admit them with "
     "`cairn patient admit`.",
     patient_add_opts, CLI_DB_OPEN, cli_patient_add},
    {"patient", "list", NULL, 0, 0, "list patients (no record reads are audited)", NULL,
     patient_list_opts, CLI_DB_OPEN, cli_patient_list},
    {"patient", "show", "MRN", 1, 1, "show one patient's record (the read is audited)", NULL,
     patient_show_opts, CLI_DB_OPEN, cli_patient_show},
    {"patient", "edit", "MRN", 1, 1, "change fields of a patient's record",
     "Only the options given change. An empty value clears an optional field. With "
     "--if-version N the edit is refused (exit 4) when someone saved the record after you "
     "read version N; your input is printed back so you can re-apply it.",
     patient_edit_opts, CLI_DB_OPEN, cli_patient_edit},
    {"patient", "admit", "MRN", 1, 1, "admit a referred patient (referred → active)", NULL,
     patient_admit_opts, CLI_DB_OPEN, cli_patient_admit},
    {"patient", "hold", "MRN", 1, 1, "put an active patient on hold (active → on_hold)", NULL,
     patient_status_opts, CLI_DB_OPEN, cli_patient_hold},
    {"patient", "resume", "MRN", 1, 1, "resume a patient on hold (on_hold → active)", NULL,
     patient_status_opts, CLI_DB_OPEN, cli_patient_resume},
    {"patient", "discharge", "MRN", 1, 1, "discharge a patient (active or on_hold → discharged)",
     NULL, patient_discharge_opts, CLI_DB_OPEN, cli_patient_discharge},
    {"patient", "alumni", "MRN", 1, 1, "move a discharged patient to alumni", NULL,
     patient_status_opts, CLI_DB_OPEN, cli_patient_alumni},
    {"ladder", "list", "MRN", 1, 1, "list a patient's exposure ladders (the read is audited)", NULL,
     ladder_list_opts, CLI_DB_OPEN, cli_ladder_list},
    {"ladder", "show", "MRN LADDER", 2, 2,
     "show a ladder's steps, their status, the next step and warnings",
     "LADDER is the ladder's number in `cairn ladder list` or its name. Each step's status "
     "follows the program's mastery rule, a program convention (man cairn-template(5)); the "
     "line under the next step says which branch of the rule decided it.",
     ladder_show_opts, CLI_DB_OPEN, cli_ladder_show},
    {"ladder", "add-step", "MRN LADDER", 2, 2, "add a step to a patient's ladder",
     "Warns (without refusing) when adjacent steps are more than 15 SUDS apart, a step is rated "
     "lower than the one before it, or the ladder has fewer than 8 steps.",
     ladder_add_step_opts, CLI_DB_OPEN, cli_ladder_add_step},
    {"ladder", "move-step", "MRN LADDER STEP", 3, 3, "move a step to another place in the ladder",
     NULL, ladder_move_step_opts, CLI_DB_OPEN, cli_ladder_move_step},
    {"ladder", "edit-step", "MRN LADDER STEP", 3, 3, "reword, re-rate, skip or retire a step", NULL,
     ladder_edit_step_opts, CLI_DB_OPEN, cli_ladder_edit_step},
    {"ladder", "attempt", "MRN LADDER STEP", 3, 3, "log an exposure attempt on a step",
     "The step's status is recomputed from all its attempts by the program's mastery rule and "
     "printed with the rule that decided it, followed by the next suggested step.",
     ladder_attempt_opts, CLI_DB_OPEN, cli_ladder_attempt},
    {"session", "log", "[MRN]", 0, 1, "log a session: one patient, or a group's whole roster",
     "One patient: cairn session log MRN --minutes 60 [--status late --minutes-attended 45]. "
     "A group: cairn session log --group \"DBT skills\" --date D --minutes 180 --present "
     "MRN,MRN --absent MRN --excused MRN --late MRN:150. Several sessions a day are fine; the "
     "same patient twice on one session (same date, start, type and title) is refused. Nothing "
     "is written unless every patient on the roster is accepted.",
     session_log_opts, CLI_DB_OPEN, cli_session_log},
    {"session", "mark", "SESSION MRN", 2, 2, "correct a patient's attendance on a session",
     "Sets the patient's line on session SESSION (its number in `cairn session list`) to "
     "--status; a patient missing from the roster is added, with every check `session log` "
     "makes. The correction is audited.",
     session_mark_opts, CLI_DB_OPEN, cli_session_mark},
    {"session", "list", "MRN", 1, 1, "list a patient's attendance (the read is audited)", NULL,
     session_list_opts, CLI_DB_OPEN, cli_session_list},
    {"session", "weeks", "MRN", 1, 1,
     "hours and days attended per ISO week against the program's minimum",
     "Attended sessions count in full, late ones by the minutes attended, absent and excused "
     "ones not at all. A session with a start time that runs past midnight counts its minutes on "
     "the day, and in the ISO week, each part ran.",
     session_list_opts, CLI_DB_OPEN, cli_session_weeks},
    {"session", "import", "FILE", 1, 1, "import attendance from a CSV file (all or nothing)",
     "RFC 4180 CSV with a header row. Required columns: date, mrn, type, minutes, status; "
     "optional: title, start, minutes_attended (status late), telehealth (yes/no), facilitator. "
     "Rows that share date, start, type, title, minutes, telehealth and facilitator are one "
     "session. The first bad row is reported as FILE:LINE:COL: column: message and nothing is "
     "imported. FILE - reads standard input.",
     session_import_opts, CLI_DB_OPEN, cli_session_import},
    {"measure", "add", "MRN INSTRUMENT [ANSWERS]", 2, 3,
     "enter a PHQ-9, GAD-7, C-SSRS screen or 0-10 scale",
     "ANSWERS are the item answers in order, comma-separated: `phq9 1,2,0,1,3,0,1,0,0`. The "
     "C-SSRS screen takes y or n for items 1-6, '-' for items 3-5 when item 2 is no, and a "
     "7th answer when item 6 is yes (was it within the past 3 months?): `cssrs_screen "
     "y,n,-,-,-,y,n`. Without ANSWERS each item is asked in turn (one answer per line when "
     "stdin is not a terminal). The total, band and urgent flags are computed and stored; an "
     "urgent flag (PHQ-9 item 9 above 0, C-SSRS high risk) is printed on stderr and the "
     "measure is still saved (exit 0). `cairn measure instruments` lists the items.",
     measure_add_opts, CLI_DB_OPEN, cli_measure_add},
    {"measure", "correct", "MEASURE INSTRUMENT ANSWERS", 3, 3,
     "correct a measure entered wrongly (rescored, audited)",
     "MEASURE is the ID `cairn measure list` shows; INSTRUMENT must be the measure's own (a "
     "mistyped ID is refused, not used). The answers are rescored; band, flags and change "
     "labels follow. The same answers and date again change nothing.",
     measure_correct_opts, CLI_DB_OPEN, cli_measure_correct},
    {"measure", "list", "MRN", 1, 1, "list a patient's measures with change labels (audited read)",
     "Oldest first. Each score shows its band, its change from the patient's first score on "
     "that instrument (the baseline) and from the previous one, and the change labels "
     "(reliable improvement or worsening, response, remission), each naming the rule that "
     "fired.",
     measure_list_opts, CLI_DB_OPEN, cli_measure_list},
    {"measure", "instruments", NULL, 0, 0, "list the instruments, their items, bands and rules",
     NULL, measure_instruments_opts, CLI_DB_NONE, cli_measure_instruments},
    {"plan", "show", "MRN", 1, 1, "show a patient's plan (the read is audited)",
     "Sections in the program's order, each item with its number and key (t1, c2, ...); "
     "triggers list the coping strategies that answer them, social goals their weekly "
     "tallies. --format json prints the form `plan set --from-file` reads.",
     plan_show_opts, CLI_DB_OPEN, cli_plan_show},
    {"plan", "edit", "MRN", 1, 1, "edit a patient's plan in $VISUAL or $EDITOR (YAML)",
     "Opens the plan as YAML in a 0600 file under $XDG_STATE_HOME/cairn. On save it is "
     "validated (errors as FILE:LINE:COL: /pointer: message, and the editor re-opens with "
     "them at the top); a valid change becomes the next revision, an unchanged or emptied "
     "file changes nothing. If someone saved the plan meanwhile, nothing is saved (exit 4) "
     "and the file is kept; its path is printed.",
     plan_edit_opts, CLI_DB_OPEN, cli_plan_edit},
    {"plan", "set", "MRN [SECTION]", 1, 2, "change a plan without an editor (for scripts)",
     "One of --add TEXT or --remove N (with SECTION), or --from-file FILE (whole plan); "
     "--status and --next-review alone or with them. A save that changes nothing makes no "
     "revision.",
     plan_set_opts, CLI_DB_OPEN, cli_plan_set},
    {"plan", "goal", "MRN GOAL", 2, 2, "record how often a social goal was met in a week",
     "GOAL is the key of a social goal (g1, g2, ...). Recording a week again replaces its "
     "count.",
     plan_goal_opts, CLI_DB_OPEN, cli_plan_goal},
    {"plan", "history", "MRN", 1, 1, "list a plan's revisions (who, when, why)", NULL,
     plan_history_opts, CLI_DB_OPEN, cli_plan_history},
    {"plan", "diff", "MRN [A [B]]", 1, 3, "show what changed between two revisions",
     "Without A and B: the previous revision against the newest; A alone: revision A against the "
     "newest. "
     "Lines: + added, - removed, ~ changed (old -> new), under each section's name.",
     plan_diff_opts, CLI_DB_OPEN, cli_plan_diff},
    {"safety", "show", "MRN", 1, 1, "show a patient's safety plan (the read is audited)",
     "The steps of the Stanley-Brown safety plan in order, then reasons for living. Before "
     "the first save it is empty but for the program's crisis line.",
     plan_show_opts, CLI_DB_OPEN, cli_plan_show},
    {"safety", "edit", "MRN", 1, 1, "edit a patient's safety plan in $VISUAL or $EDITOR",
     "Works like `plan edit`.", plan_edit_opts, CLI_DB_OPEN, cli_plan_edit},
    {"safety", "set", "MRN [SECTION]", 1, 2, "change a safety plan without an editor",
     "Works like `plan set`.", safety_set_opts, CLI_DB_OPEN, cli_plan_set},
    {"safety", "history", "MRN", 1, 1, "list a safety plan's revisions", NULL, plan_history_opts,
     CLI_DB_OPEN, cli_plan_history},
    {"safety", "diff", "MRN [A [B]]", 1, 3, "show what changed in a safety plan",
     "Works like `plan diff`.", plan_diff_opts, CLI_DB_OPEN, cli_plan_diff},
    {"lapse", "add", "MRN", 1, 1, "log a lapse or relapse",
     "The date may not be in the future. Logged whatever the program's lapse_log setting.",
     lapse_add_opts, CLI_DB_OPEN, cli_lapse_add},
    {"lapse", "list", "MRN", 1, 1, "list a patient's lapse log (the read is audited)", NULL,
     lapse_list_opts, CLI_DB_OPEN, cli_lapse_list},
    {"review", "due", NULL, 0, 0, "list the weekly reviews that need doing",
     "Active patients with no signed review for the week, and their unsigned reviews of "
     "earlier weeks; overdue ones (not signed by the end of the following week) first.",
     review_due_opts, CLI_DB_OPEN, cli_review_due},
    {"review", "start", "MRN", 1, 1, "start a patient's weekly review (a draft)",
     "Makes the week's review a draft with the program's checklist; a draft already started "
     "is left as it is. The acting user must be staff.",
     review_week_opts, CLI_DB_OPEN, cli_review_start},
    {"review", "show", "MRN", 1, 1, "show a weekly review (the read is audited)",
     "The snapshot cairn computed (attendance against the program minimum, PHQ-9 and GAD-7 "
     "with change labels, exposure, social goals, lapses, alerts), then the reviewer's "
     "inputs, signatures and addenda. A signed review shows the snapshot frozen at signing.",
     review_show_opts, CLI_DB_OPEN, cli_review_show},
    {"review", "edit", "MRN", 1, 1, "fill in a draft review in $VISUAL or $EDITOR (YAML)",
     "The computed snapshot is shown as comments. On save the inputs are checked; problems "
     "reopen the file with them on top. If someone saved the review meanwhile, nothing is "
     "saved (exit 4) and your text is kept in a file whose path is printed.",
     review_week_opts, CLI_DB_OPEN, cli_review_edit},
    {"review", "set", "MRN", 1, 1, "fill in a draft review without an editor (for scripts)",
     "Setting the risk level also sets the patient's, with your login and the time.",
     review_set_opts, CLI_DB_OPEN, cli_review_set},
    {"review", "sign", "MRN", 1, 1, "sign a draft review, freezing its snapshot",
     "Needs a risk level, a narrative and every checklist item answered. A therapist, case "
     "manager, supervisor or prescriber signs. A signed review never changes; correct it "
     "with `review addendum`.",
     review_sign_opts, CLI_DB_OPEN, cli_review_sign},
    {"review", "cosign", "MRN", 1, 1, "co-sign a signed review (supervisors)",
     "Only a supervisor who did not sign the review may co-sign it.", review_week_opts, CLI_DB_OPEN,
     cli_review_cosign},
    {"review", "addendum", "MRN", 1, 1, "add a correction to a signed review",
     "Kept with its author and time; the signed review itself never changes.", review_addendum_opts,
     CLI_DB_OPEN, cli_review_addendum},
    {"review", "list", "MRN", 1, 1, "list a patient's weekly reviews", NULL, review_list_opts,
     CLI_DB_OPEN, cli_review_list},
    {"review", "awaiting", NULL, 0, 0, "list signed reviews awaiting a supervisor's co-signature",
     "Oldest first (by week, then by when they were signed), so a supervisor working down the "
     "list co-signs in the order the reviews came in. With --clinician, only reviews of "
     "patients whose therapist or case manager that is. Co-sign one with `review cosign`.",
     review_awaiting_opts, CLI_DB_OPEN, cli_review_awaiting},
    {"alerts", NULL, NULL, 0, 0, "list open alerts, urgent first (not audited)",
     "Alerts are computed from the data every time (the rules, thresholds and JSON keys: "
     "man cairn(1), Alerts). Patients who are active or on hold; on hold, only the urgent rules "
     "apply. "
     "Urgent first, then warning, then info; within each by patient name, then rule. An alert "
     "acknowledged with `cairn alert ack` stays hidden (shown with --all) until the data it "
     "fired on changes.",
     alerts_opts, CLI_DB_OPEN, cli_alerts_run},
    {"alert", "ack", "ID", 1, 1, "acknowledge an alert (who, when, note; audited)",
     "ID is MRN:code as `cairn alerts` shows it (A1234567:phq9_worse). The alert must be open "
     "now, and you must be active staff. The acknowledgement holds for the data the alert "
     "fired on (its key): new data opens the alert again.",
     alert_ack_opts, CLI_DB_OPEN, cli_alert_ack},
    {"export", "patient", "MRN", 1, 1, "export one patient's whole record (audited)",
     "--format json writes cairn's own full record (patient, program, plan and safety plan with "
     "every revision, ladders with attempts, attendance, measures with items and flags, lapses, "
     "reviews with snapshots and addenda); --format fhir a FHIR R4 Bundle (collection) of "
     "Patient, CarePlan, Goal, QuestionnaireResponse, Observation and Encounter resources "
     "(man cairn(1), EXPORTS). Without --output the document goes to stdout. Reading the "
     "record and the export itself are audited.",
     export_patient_opts, CLI_DB_OPEN, cli_export_patient},
    {"backup", NULL, "FILE", 1, 1, "copy the database to a new file while others keep working",
     "Uses SQLite's online backup API: the copy is the database as it was when the backup "
     "began, taken without stopping other users. FILE is created 0600 and never over an "
     "existing file or through a symlink; the copy passes integrity_check and "
     "foreign_key_check before the backup is reported done (otherwise it is removed). Audited.",
     backup_opts, CLI_DB_OPEN, cli_backup_run},
    {"restore", NULL, "FILE NEWPATH", 2, 2, "restore a backup into a new database file",
     "Checks FILE (a cairn database, schema not newer than this cairn, integrity_check and "
     "foreign_key_check) and copies it to NEWPATH, which must not exist (created 0600, "
     "missing directories 0700); a backup from an older cairn is migrated. The database in use "
     "is never touched: point --db or CAIRN_DB at NEWPATH afterwards. --db is refused here.",
     restore_opts, CLI_DB_NONE, cli_restore_run},
    {"report", "caseload", NULL, 0, 0, "print the caseload summary per clinician and program",
     "Per clinician (the therapist, else the case manager; with --clinician, every patient that "
     "login is therapist or case manager of), active patients by risk then name with week of "
     "stay, hours against the minimum, latest PHQ-9 and GAD-7, the week's review and open "
     "urgent and warning alerts; on-hold patients after them; totals per clinician, per program "
     "and overall. Text is 80 columns in pages of 60 lines for lp; html is one self-contained "
     "printable page with charts. Audited once as a report (no patient named).",
     report_caseload_opts, CLI_DB_OPEN, cli_report_caseload},
    {"report", "patient", "MRN", 1, 1, "print a one-patient summary (the read is audited)",
     "The record, plan, safety plan, ladders with a chart of each attempt's peak SUDS, PHQ-9 and "
     "GAD-7 over time against their bands, and the last four weekly reviews.",
     report_patient_opts, CLI_DB_OPEN, cli_report_patient},
    {"audit", NULL, NULL, 0, 0, "list the audit trail (ids, never names)", NULL, audit_opts,
     CLI_DB_OPEN, cli_audit_run},
    {"tui", NULL, NULL, 0, 0, "open the full-screen caseload (also: cairn with no command)",
     "Keys: arrows or j/k move, Enter opens a patient, / searches, s changes the status "
     "filter, : runs a cairn command (:patient hold MRN), ? lists every key, q quits.",
     tui_opts, CLI_DB_OPEN, cli_tui_run},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char *program_name = "cairn";

const char *cli_opt(const struct cli_ctx *ctx, const char *name)
{
    for (int i = 0; ctx->cmd->opts[i].name; i++)
        if (strcmp(ctx->cmd->opts[i].name, name) == 0)
            return ctx->values[i];
    return NULL;
}

static void command_name(const struct cli_cmd *cmd, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", cmd->group, cmd->verb ? " " : "", cmd->verb ? cmd->verb : "");
}

int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
{
    char name[64];
    va_list ap;
    command_name(ctx->cmd, name, sizeof name);
    fprintf(stderr, "%s: %s: ", program_name, name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see `cairn %s --help`)\n", name);
    return CLI_EXIT_USAGE;
}

int cli_exit_code(enum cairn_status status)
{
    switch (status) {
    case CAIRN_OK:
        return CLI_EXIT_OK;
    case CAIRN_ERR_INVALID:
        return CLI_EXIT_INVALID;
    case CAIRN_ERR_CONFLICT:
        return CLI_EXIT_CONFLICT;
    case CAIRN_ERR_BUSY:
        return CLI_EXIT_BUSY;
    default:
        return CLI_EXIT_FAILED;
    }
}

int cli_fail(const struct cli_ctx *ctx, enum cairn_status status, const char *what)
{
    char name[64];
    const struct cairn_error *e = &ctx->err;
    command_name(ctx->cmd, name, sizeof name);
    fprintf(stderr, "%s: %s: ", program_name, name);
    if (what)
        fprintf(stderr, "%s: ", what);
    if (e->pointer[0]) {
        const char *opt = NULL;
        for (int i = 0; ctx->cmd->opts[i].name && !opt; i++) {
            const struct cli_opt *o = &ctx->cmd->opts[i];
            if (strcmp(o->field ? o->field : o->name, e->pointer) == 0)
                opt = o->name;
        }
        if (opt) {
            fprintf(stderr, "--%s: ", opt);
        } else {
            /* A field no option of this command sets: name it in words. */
            for (const char *c = e->pointer; *c; c++)
                fputc(*c == '_' ? ' ' : *c, stderr);
            fputs(": ", stderr);
        }
    }
    fprintf(stderr, "%s\n", e->message[0] ? e->message : cairn_status_str(status));
    return cli_exit_code(status);
}

int cli_patient(struct cli_ctx *ctx, bool audited, struct cairn_patient *p)
{
    enum cairn_status st = audited ? cairn_patient_read(ctx->store, ctx->args[0], p, &ctx->err)
                                   : cairn_patient_find(ctx->store, ctx->args[0], p, &ctx->err);
    return st == CAIRN_OK ? 0 : cli_fail(ctx, st, ctx->args[0]);
}

int cli_copy(const struct cli_ctx *ctx, const char *opt, char *dst, size_t size)
{
    const char *v = cli_opt(ctx, opt);
    if (!v)
        return 0;
    if (strlen(v) >= size) {
        char name[64];
        command_name(ctx->cmd, name, sizeof name);
        fprintf(stderr, "%s: %s: --%s: too long (at most %zu bytes)\n", program_name, name, opt,
                size - 1);
        return CLI_EXIT_INVALID;
    }
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

int cli_date(const struct cli_ctx *ctx, const char *opt, char out[CAIRN_DATE_LEN + 1])
{
    const char *v = cli_opt(ctx, opt);
    struct cairn_error e;
    int32_t day;
    if (!v)
        return 0;
    if (cairn_date_parse(v, &day, &e) != CAIRN_OK) {
        char name[64];
        command_name(ctx->cmd, name, sizeof name);
        fprintf(stderr, "%s: %s: --%s: %s\n", program_name, name, opt, e.message);
        return CLI_EXIT_INVALID;
    }
    cairn_date_format(day, out);
    return 0;
}

int cli_uint(const struct cli_ctx *ctx, const char *opt, unsigned long long min,
             unsigned long long max, unsigned long long *out)
{
    const char *v = cli_opt(ctx, opt);
    char *end = NULL;
    if (!v)
        return 0;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (!*v || *end || errno || v[0] == '-' || n < min || n > max) {
        char name[64];
        command_name(ctx->cmd, name, sizeof name);
        fprintf(stderr, "%s: %s: --%s: expected a whole number from %llu to %llu\n", program_name,
                name, opt, min, max);
        return CLI_EXIT_INVALID;
    }
    *out = n;
    return 0;
}

static void print_command_help(FILE *f, const struct cli_cmd *cmd)
{
    char name[64];
    command_name(cmd, name, sizeof name);
    fprintf(f, "usage: cairn %s%s%s%s\n\n%s.\n", name, cmd->opts[0].name ? " [OPTIONS]" : "",
            cmd->args ? " " : "", cmd->args ? cmd->args : "", cmd->summary);
    if (cmd->details)
        fprintf(f, "\n%s\n", cmd->details);
    fprintf(f, "\noptions:\n");
    for (int i = 0; cmd->opts[i].name; i++) {
        const struct cli_opt *o = &cmd->opts[i];
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        fprintf(f, "  %-26s %s\n", left, o->help);
    }
    fprintf(f, "  %-26s %s\n", "--db PATH",
            "database file (default $CAIRN_DB, then "
            "$XDG_DATA_HOME/cairn/caseload.db)");
    fprintf(f, "  %-26s %s\n", "-h, --help", "show this help");
}

static void print_overview(FILE *f, const char *group)
{
    fprintf(f, "usage: cairn [--db PATH] COMMAND [OPTIONS] [ARGS]\n\n");
    if (!group)
        fprintf(f, "cairn keeps an IOP caseload: patients, plans, attendance, measures and "
                   "weekly reviews,\nin one local SQLite file.\n\n");
    fprintf(f, "commands:\n");
    /* One column for the synopses, as wide as the longest one shown. */
    int width = 0;
    char left[NCOMMANDS][80];
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const struct cli_cmd *c = &commands[i];
        char name[64];
        command_name(c, name, sizeof name);
        snprintf(left[i], sizeof left[i], "%s%s%s", name, c->args ? " " : "",
                 c->args ? c->args : "");
        if ((!group || strcmp(c->group, group) == 0) && (int)strlen(left[i]) > width)
            width = (int)strlen(left[i]);
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!group || strcmp(commands[i].group, group) == 0)
            fprintf(f, "  %-*s  %s\n", width, left[i], commands[i].summary);
    fprintf(f, "\n`cairn COMMAND --help` explains a command. Exit codes: 0 ok, 1 failed, 2 usage, "
               "3 invalid input,\n4 changed by someone else, 5 database busy.\n");
}

/* Finds the option named `name` (length n) in cmd's table; -1 if none. */
static int find_opt(const struct cli_cmd *cmd, const char *name, size_t n)
{
    for (int i = 0; cmd->opts[i].name; i++)
        if (strlen(cmd->opts[i].name) == n && strncmp(cmd->opts[i].name, name, n) == 0)
            return i;
    return -1;
}

/* Parses argv (after the command words) into ctx. Returns -1 when parsed,
 * 0 after printing help, or an exit code. */
/* True when `arg` is one of the command's own long options (or --db, --help),
 * so that `--mrn --name X` reports the missing MRN instead of storing the
 * text "--name" as one. A value that really starts so is written --mrn=VALUE. */
static bool is_option_of(const struct cli_cmd *cmd, const char *arg)
{
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
        return false;
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t n = eq ? (size_t)(eq - name) : strlen(name);
    if ((n == 2 && strncmp(name, "db", 2) == 0) || (n == 4 && strncmp(name, "help", 4) == 0))
        return true;
    return find_opt(cmd, name, n) >= 0;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv)
{
    static char *positional[64];
    bool only_args = false;
    ctx->args = positional;
    ctx->nargs = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (only_args || a[0] != '-' || a[1] == '\0') {
            if (ctx->nargs == (int)(sizeof positional / sizeof positional[0]))
                return cli_usage_error(ctx, "too many arguments");
            positional[ctx->nargs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_command_help(stdout, ctx->cmd);
            return 0;
        }
        if (a[1] != '-')
            return cli_usage_error(ctx, "unknown option '%s'", a);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const char *value = eq ? eq + 1 : NULL;
        if (n == 2 && strncmp(name, "db", 2) == 0) {
            if (!value && i + 1 >= argc)
                return cli_usage_error(ctx, "--db needs a PATH");
            ctx->db_path = value ? value : argv[++i];
            continue;
        }
        int o = find_opt(ctx->cmd, name, n);
        if (o < 0)
            return cli_usage_error(ctx, "unknown option '--%.*s'", (int)n, name);
        const struct cli_opt *opt = &ctx->cmd->opts[o];
        if (!opt->metavar) {
            if (value)
                return cli_usage_error(ctx, "--%s takes no value", opt->name);
            value = "";
        } else if (!value) {
            if (i + 1 >= argc || is_option_of(ctx->cmd, argv[i + 1]))
                return cli_usage_error(ctx, "--%s needs a value (%s)", opt->name, opt->metavar);
            value = argv[++i];
        }
        if (ctx->values[o])
            return cli_usage_error(ctx, "--%s given twice", opt->name);
        ctx->values[o] = value;
    }
    if (ctx->nargs < ctx->cmd->min_args)
        return cli_usage_error(ctx, "missing %s", ctx->cmd->args);
    if (ctx->nargs > ctx->cmd->max_args)
        return cli_usage_error(ctx, "unexpected argument '%s'", ctx->args[ctx->cmd->max_args]);
    /* --format with another help text is the command's own to check. */
    int fopt = find_opt(ctx->cmd, "format", 6);
    const char *fmt = fopt >= 0 && (ctx->cmd->opts[fopt].help == list_format_help ||
                                    ctx->cmd->opts[fopt].help == record_format_help)
                          ? cli_opt(ctx, "format")
                          : NULL;
    if (fmt) {
        static const char *const names[] = {"text", "tsv", "csv", "json"};
        int found = -1;
        for (int k = 0; k < 4; k++)
            if (strcmp(fmt, names[k]) == 0)
                found = k;
        bool record = ctx->cmd->opts[fopt].help == record_format_help;
        if (record && (found == CLI_FORMAT_TSV || found == CLI_FORMAT_CSV))
            found = -1;
        if (found < 0)
            return cli_usage_error(ctx, record ? "--format must be text or json"
                                               : "--format must be text, tsv, csv or json");
        ctx->format = (enum cli_format)found;
    }
    return -1;
}

/* The database path: --db, then $CAIRN_DB, then $XDG_DATA_HOME/cairn/caseload.db
 * (XDG_DATA_HOME defaulting to ~/.local/share). */
static const char *default_db_path(void)
{
    static char path[4096];
    const char *env = getenv("CAIRN_DB");
    if (env && *env)
        return env;
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg == '/') {
        snprintf(path, sizeof path, "%s/cairn/caseload.db", xdg);
        return path;
    }
    const char *home = getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home)
        return NULL;
    snprintf(path, sizeof path, "%s/.local/share/cairn/caseload.db", home);
    return path;
}

/* Process hardening before anything touches patient data (DESIGN.md §9). */
static void harden(void)
{
    umask(077);
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Display widths need a UTF-8 LC_CTYPE; use C.UTF-8 when the environment's
 * locale is not UTF-8 (CI runs with no LANG at all). Numbers stay in the C
 * form ("1.5", never "1,5") so output reads the same to scripts everywhere. */
static void setup_locale(void)
{
    if (!setlocale(LC_ALL, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
    setlocale(LC_NUMERIC, "C");
}

static const struct cli_cmd *find_command(const char *group, const char *verb, bool *group_known)
{
    *group_known = false;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(commands[i].group, group) != 0)
            continue;
        *group_known = true;
        if (!commands[i].verb || (verb && strcmp(commands[i].verb, verb) == 0))
            return &commands[i];
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct cli_ctx ctx;
    int rc = CLI_EXIT_OK;
    const char *global_db = NULL;
    int i = 1;

    harden();
    setup_locale();
    memset(&ctx, 0, sizeof ctx);

    /* Global options before the command. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--db") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: --db needs a PATH (see `cairn --help`)\n", program_name);
                return CLI_EXIT_USAGE;
            }
            global_db = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            global_db = argv[i] + 5;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_overview(stdout, NULL);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("cairn %s (schema %d, SQLite %s)\n", CAIRN_VERSION, cairn_store_schema_latest(),
                   cairn_store_engine_version());
            return CLI_EXIT_OK;
        } else {
            fprintf(stderr, "%s: unknown option '%s' (see `cairn --help`)\n", program_name,
                    argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        /* No command: the full-screen caseload. */
        static char tui_word[] = "tui";
        static char *tui_argv[] = {tui_word, NULL};
        argv = tui_argv;
        argc = 1;
        i = 0;
    }
    if (strcmp(argv[i], "help") == 0) {
        bool known;
        const struct cli_cmd *c =
            i + 1 < argc ? find_command(argv[i + 1], i + 2 < argc ? argv[i + 2] : NULL, &known)
                         : NULL;
        if (c)
            print_command_help(stdout, c);
        else
            print_overview(stdout, i + 1 < argc && known ? argv[i + 1] : NULL);
        return CLI_EXIT_OK;
    }
    bool group_known;
    const char *verb = i + 1 < argc ? argv[i + 1] : NULL;
    const struct cli_cmd *cmd = find_command(argv[i], verb, &group_known);
    if (!cmd) {
        if (!group_known) {
            fprintf(stderr, "%s: unknown command '%s' (see `cairn --help`)\n", program_name,
                    argv[i]);
        } else if (verb && (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0)) {
            print_overview(stdout, argv[i]);
            return CLI_EXIT_OK;
        } else {
            if (verb)
                fprintf(stderr, "%s: %s: unknown subcommand '%s'\n\n", program_name, argv[i], verb);
            else
                fprintf(stderr, "%s: %s: missing subcommand\n\n", program_name, argv[i]);
            print_overview(stderr, argv[i]);
        }
        return CLI_EXIT_USAGE;
    }
    int skip = cmd->verb ? 2 : 1;
    ctx.cmd = cmd;
    ctx.db_path = global_db;
    int parsed = parse_args(&ctx, argc - i - skip, argv + i + skip);
    if (parsed >= 0)
        return parsed;

    /* Who acts, and what day it is. */
    struct passwd *pw = getpwuid(getuid());
    ctx.uid = (long)getuid();
    snprintf(ctx.login, sizeof ctx.login, "%s", pw && pw->pw_name ? pw->pw_name : "?");
    const char *today_env = getenv("CAIRN_TODAY");
    ctx.today = cairn_date_today();
    if (today_env && *today_env && cairn_date_parse(today_env, &ctx.today, &ctx.err) != CAIRN_OK) {
        fprintf(stderr, "%s: CAIRN_TODAY: %s\n", program_name, ctx.err.message);
        return CLI_EXIT_USAGE;
    }

    if (cmd->db != CLI_DB_NONE) {
        if (!ctx.db_path)
            ctx.db_path = default_db_path();
        if (!ctx.db_path) {
            fprintf(stderr, "%s: no database path: set --db or CAIRN_DB\n", program_name);
            return CLI_EXIT_USAGE;
        }
        enum cairn_status st = cairn_store_open(
            ctx.db_path, cmd->db == CLI_DB_CREATE ? CAIRN_STORE_CREATE : 0, &ctx.store, &ctx.err);
        if (st != CAIRN_OK) {
            fprintf(stderr, "%s: %s\n", program_name, ctx.err.message);
            return cli_exit_code(st);
        }
        cairn_store_set_actor(ctx.store, ctx.uid, ctx.login);
        if (today_env && *today_env)
            cairn_store_set_today(ctx.store, ctx.today);
    }
    rc = cmd->run(&ctx);
    cairn_store_close(&ctx.store);
    if (fflush(stdout) != 0 && rc == CLI_EXIT_OK) {
        fprintf(stderr, "%s: writing the output failed: %s\n", program_name, strerror(errno));
        rc = CLI_EXIT_FAILED;
    }
    return rc;
}
