/* Widgets: the one-line text editor (the : line, form fields) and forms
 * for what a therapist logs between sessions: an exposure attempt and a
 * measure. A form is validated by libcairn on save; a problem is shown
 * next to its field, and what was typed stays, also when the form is left
 * with Esc (it comes back when the same form is opened again for the same
 * patient). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

enum tui_line_result tui_line_key(char *buf, size_t size, int key, bool is_char)
{
    size_t n = strlen(buf);
    if (is_char && (key == '\n' || key == '\r'))
        return TUI_LINE_ENTER;
    if (is_char && key == 27)
        return TUI_LINE_ESCAPE;
    if ((is_char && (key == 127 || key == 8)) || (!is_char && key == KEY_BACKSPACE)) {
        if (n == 0)
            return TUI_LINE_EMPTY_BACKSPACE;
        while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
            n--;
        buf[n > 0 ? n - 1 : 0] = '\0';
        return TUI_LINE_EDITED;
    }
    if (is_char && key == 21) { /* ^U */
        buf[0] = '\0';
        return TUI_LINE_EDITED;
    }
    if (!is_char || key < 0x20 || key == 0x7F || key > 0x10FFFF)
        return TUI_LINE_OTHER;
    /* The UTF-8 encoding of the code point, if it fits. */
    unsigned cp = (unsigned)key;
    char enc[4];
    size_t k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (k == 1) {
        enc[0] = (char)cp;
    } else {
        for (size_t i = k - 1; i > 0; i--, cp >>= 6)
            enc[i] = (char)(0x80 | (cp & 0x3F));
        enc[0] = (char)((0xF0 << (4 - k)) | cp);
    }
    if (n + k + 1 < size) {
        memcpy(buf + n, enc, k);
        buf[n + k] = '\0';
    }
    return TUI_LINE_EDITED;
}

/* ---- forms ---------------------------------------------------------------- */

enum { F_LADDER, F_STEP, F_DATE, F_BEFORE, F_PEAK, F_AFTER, F_MINUTES, F_WHERE, F_NOTE };
enum { F_INSTRUMENT, F_ANSWERS, F_MDATE };
enum { F_KIND, F_SECTION, F_TEXT, F_REASON };
enum { F_LDATE, F_LKIND, F_TRIGGER, F_COPING, F_LNOTE };
enum { F_SDATE, F_STYPE, F_STITLE, F_SSTART, F_SMINUTES, F_SSTATUS, F_SATTENDED };

/* The record form: fields, the patient fields they edit, and where they live. */
static const struct {
    const char *label, *hint;
    enum cairn_patient_field field;
    size_t offset, size;
} record_fields[] = {
#define R(label, hint, f, m)                                                                       \
    {                                                                                              \
        label, hint, CAIRN_PF_##f, offsetof(struct cairn_patient, m),                              \
            sizeof((struct cairn_patient *)0)->m                                                   \
    }
    R("Preferred name", "the name the patient goes by", PREFERRED_NAME, preferred_name),
    R("Pronouns", "e.g. she/her, they/them", PRONOUNS, pronouns),
    R("Phone", "digits, spaces and + ( ) - .", PHONE, phone),
    R("Emergency", "emergency contact: name and phone", EMERGENCY_CONTACT, emergency_contact),
    R("Tags", "comma-separated", TAGS, tags),
#undef R
};
enum { F_RISK = sizeof record_fields / sizeof record_fields[0] };

static void field(struct tui_form *f, int i, const char *label, const char *hint, const char *value)
{
    f->fields[i].label = label;
    f->fields[i].hint = hint;
    snprintf(f->fields[i].value, sizeof f->fields[i].value, "%s", value);
    memcpy(f->fields[i].original, f->fields[i].value, sizeof f->fields[i].original);
    f->fields[i].error[0] = '\0';
    if (i + 1 > f->nfields)
        f->nfields = i + 1;
}

/* Opens form `kind` for the open patient: the kept draft when there is one
 * for this patient and form, else fresh defaults from `init`. */
static void open_form(struct tui_app *app, enum tui_form_kind kind,
                      void (*init)(struct tui_app *app, struct tui_form *f))
{
    struct tui_form *f = &app->form;
    if (f->kind != kind || f->patient_id != app->patient.id || !f->draft) {
        memset(f, 0, sizeof *f);
        f->kind = kind;
        f->patient_id = app->patient.id;
        init(app, f);
    }
    f->draft = true;
    f->before = app->screen;
    app->screen = TUI_SCREEN_FORM;
}

static void init_attempt(struct tui_app *app, struct tui_form *f)
{
    char today[CAIRN_DATE_LEN + 1], step[16] = "1";
    cairn_date_format(cairn_store_today(app->store), today);
    struct cairn_ladder *l = malloc(sizeof *l);
    if (l && cairn_ladder_load(app->store, app->patient.id, "1", l, NULL) == CAIRN_OK &&
        l->next >= 0)
        snprintf(step, sizeof step, "%d", l->steps[l->next].position);
    free(l);
    f->title = "Log an exposure attempt";
    field(f, F_LADDER, "Ladder", "number or name", "1");
    field(f, F_STEP, "Step", "number (the next step is filled in)", step);
    field(f, F_DATE, "Date", "YYYY-MM-DD, not in the future", today);
    field(f, F_BEFORE, "SUDS before", "on the ladder's scale", "");
    field(f, F_PEAK, "SUDS peak", "the highest during the exposure", "");
    field(f, F_AFTER, "SUDS after", "at the end", "");
    field(f, F_MINUTES, "Minutes", "how long (optional)", "");
    field(f, F_WHERE, "Where", "session or between", "session");
    field(f, F_NOTE, "Note", "optional", "");
}

static void init_measure(struct tui_app *app, struct tui_form *f)
{
    char today[CAIRN_DATE_LEN + 1];
    cairn_date_format(cairn_store_today(app->store), today);
    f->title = "Enter a measure";
    field(f, F_INSTRUMENT, "Instrument", "phq9, gad7, cssrs_screen, craving or mood", "phq9");
    field(f, F_ANSWERS, "Answers", "item answers separated by commas", "");
    field(f, F_MDATE, "Date", "YYYY-MM-DD, not in the future", today);
}

/* The head revision of the patient's plan of `kind` (0: none yet; -1:
 * could not be read). */
static int plan_head(struct tui_app *app, enum cairn_plan_kind kind)
{
    struct cairn_plan *p = cairn_plan_new(kind);
    int head = -1;
    if (p && cairn_plan_load(app->store, kind, app->patient.id, 0, p, NULL) == CAIRN_OK)
        head = p->head;
    cairn_plan_free(&p);
    return head;
}

static void init_plan_item(struct tui_app *app, struct tui_form *f)
{
    /* Opened from the Safety tab it adds to the safety plan. */
    bool safety = app->tab == 2;
    f->title = "Add to a plan";
    field(f, F_KIND, "Plan", "plan or safety", safety ? "safety" : "plan");
    field(f, F_SECTION, "Section",
          safety ? "e.g. warning_signs, reasons_for_living"
                 : "e.g. triggers, coping, warning_signs",
          safety ? "warning_signs" : "coping");
    field(f, F_TEXT, "Text", "what to add", "");
    field(f, F_REASON, "Reason", "why (kept with the revision; optional)", "");
    f->base_revision = plan_head(app, safety ? CAIRN_PLAN_SAFETY : CAIRN_PLAN_RELAPSE);
}

static void init_lapse(struct tui_app *app, struct tui_form *f)
{
    char today[CAIRN_DATE_LEN + 1];
    cairn_date_format(cairn_store_today(app->store), today);
    f->title = "Log a lapse or relapse";
    field(f, F_LDATE, "Date", "YYYY-MM-DD, not in the future", today);
    field(f, F_LKIND, "Kind", "lapse or relapse", "lapse");
    field(f, F_TRIGGER, "Trigger", "the trigger or high-risk situation", "");
    field(f, F_COPING, "Coping tried", "what the patient tried", "");
    field(f, F_LNOTE, "Note", "e.g. the reaction to the lapse", "");
}

static void init_session(struct tui_app *app, struct tui_form *f)
{
    char today[CAIRN_DATE_LEN + 1];
    cairn_date_format(cairn_store_today(app->store), today);
    f->title = "Log a session";
    field(f, F_SDATE, "Date", "YYYY-MM-DD, not in the future", today);
    field(f, F_STYPE, "Type", "group, individual, family, skills, psychiatry or peer",
          "individual");
    field(f, F_STITLE, "Title", "e.g. DBT skills (optional)", "");
    field(f, F_SSTART, "Start", "HH:MM (optional)", "");
    field(f, F_SMINUTES, "Minutes", "how long the session ran", "");
    field(f, F_SSTATUS, "Attendance", "attended, late, absent or excused", "attended");
    field(f, F_SATTENDED, "Present (min)", "minutes attended, only when late", "");
}

static void init_record(struct tui_app *app, struct tui_form *f)
{
    const struct cairn_patient *p = &app->patient;
    f->title = "Edit the record";
    for (int i = 0; i < F_RISK; i++)
        field(f, i, record_fields[i].label, record_fields[i].hint,
              (const char *)p + record_fields[i].offset);
    field(f, F_RISK, "Risk", "low, moderate or high (empty: none)", cairn_risk_str(p->risk));
    f->base_version = p->version;
}

void tui_form_open(struct tui_app *app, enum tui_form_kind kind)
{
    static void (*const inits[])(struct tui_app *, struct tui_form *) = {
        [TUI_FORM_ATTEMPT] = init_attempt,     [TUI_FORM_MEASURE] = init_measure,
        [TUI_FORM_PLAN_ITEM] = init_plan_item, [TUI_FORM_LAPSE] = init_lapse,
        [TUI_FORM_SESSION] = init_session,     [TUI_FORM_RECORD] = init_record};
    open_form(app, kind, inits[kind]);
}

/* Copies src into dst (size bytes), cut at a character boundary. */
static void set_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Copies field i into dst, or sets its error when it does not fit. */
static bool copy_field(struct tui_form *f, int i, char *dst, size_t size)
{
    if (strlen(f->fields[i].value) >= size) {
        snprintf(f->fields[i].error, sizeof f->fields[i].error, "too long (at most %zu bytes)",
                 size - 1);
        return false;
    }
    set_text(dst, size, f->fields[i].value);
    return true;
}

/* A whole number in [min, max] from field i, or sets its error. */
static bool number(struct tui_form *f, int i, int min, int max, bool optional, int *out)
{
    const char *v = f->fields[i].value;
    char *end = NULL;
    if (optional && !*v) {
        *out = 0;
        return true;
    }
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max) {
        snprintf(f->fields[i].error, sizeof f->fields[i].error, "a whole number from %d to %d", min,
                 max);
        return false;
    }
    *out = (int)n;
    return true;
}

/* Puts err on the field its pointer names (else on the form), and focuses it. */
static void place_error(struct tui_form *f, const struct cairn_error *err, const char *const *names,
                        int n)
{
    for (int i = 0; i < n; i++)
        if (names[i] && !strcmp(names[i], err->pointer)) {
            set_text(f->fields[i].error, sizeof f->fields[i].error, err->message);
            f->focus = i;
            return;
        }
    set_text(f->message, sizeof f->message, err->message);
}

static bool save_attempt(struct tui_app *app, struct tui_form *f)
{
    static const char *const pointers[] = {
        [F_LADDER] = "ladder",      [F_STEP] = "step",      [F_DATE] = "date",
        [F_BEFORE] = "suds_before", [F_PEAK] = "suds_peak", [F_AFTER] = "suds_after",
        [F_MINUTES] = "minutes",    [F_WHERE] = "setting",  [F_NOTE] = "note"};
    struct cairn_ladder_attempt a;
    struct cairn_error err;
    struct cairn_mastery m;
    int step = 0;
    memset(&a, 0, sizeof a);
    a.expectancy_before = a.expectancy_after = -1;
    bool ok = number(f, F_STEP, 1, CAIRN_LADDER_STEPS_MAX, false, &step);
    ok &= number(f, F_BEFORE, 0, 100, false, &a.suds_before);
    ok &= number(f, F_PEAK, 0, 100, false, &a.suds_peak);
    ok &= number(f, F_AFTER, 0, 100, false, &a.suds_after);
    ok &= number(f, F_MINUTES, 1, 1440, true, &a.minutes);
    if (cairn_attempt_setting_parse(f->fields[F_WHERE].value, &a.setting, &err) != CAIRN_OK) {
        set_text(f->fields[F_WHERE].error, sizeof f->fields[F_WHERE].error, err.message);
        ok = false;
    }
    ok &= copy_field(f, F_DATE, a.date, sizeof a.date);
    ok &= copy_field(f, F_NOTE, a.note, sizeof a.note);
    if (!ok)
        return false;
    struct cairn_ladder *l = malloc(sizeof *l);
    if (!l) {
        snprintf(f->message, sizeof f->message, "out of memory");
        return false;
    }
    enum cairn_status rc =
        cairn_ladder_load(app->store, app->patient.id, f->fields[F_LADDER].value, l, &err);
    if (rc == CAIRN_OK)
        rc = cairn_ladder_attempt_add(app->store, l->id, step, &a, &m, &err);
    int position = l->position;
    free(l);
    if (rc != CAIRN_OK) {
        place_error(f, &err, pointers, F_NOTE + 1);
        return false;
    }
    snprintf(app->message, sizeof app->message, "logged attempt on ladder %d step %d: %s", position,
             step, m.reason);
    return true;
}

static bool save_measure(struct tui_app *app, struct tui_form *f)
{
    static const char *const pointers[] = {
        [F_INSTRUMENT] = "instrument", [F_ANSWERS] = "answers", [F_MDATE] = "date"};
    struct cairn_measure m;
    struct cairn_error err;
    memset(&m, 0, sizeof m);
    m.patient_id = app->patient.id;
    const struct cairn_instrument_def *def = NULL;
    if (!copy_field(f, F_MDATE, m.date, sizeof m.date)) {
        f->focus = F_MDATE;
        return false;
    }
    if (cairn_instrument_parse(f->fields[F_INSTRUMENT].value, &m.instrument, &err) != CAIRN_OK ||
        !(def = cairn_instrument_get(m.instrument))) {
        set_text(f->fields[F_INSTRUMENT].error, sizeof f->fields[F_INSTRUMENT].error, err.message);
        f->focus = F_INSTRUMENT;
        return false;
    }
    if (cairn_measure_parse_answers(def, f->fields[F_ANSWERS].value, m.answers, &m.nanswers,
                                    &err) != CAIRN_OK ||
        cairn_measure_add(app->store, &m, &err) != CAIRN_OK) {
        if (!err.pointer[0] || !strcmp(err.pointer, "item"))
            snprintf(err.pointer, sizeof err.pointer, "answers");
        place_error(f, &err, pointers, F_MDATE + 1);
        return false;
    }
    const char *flag = "";
    for (int i = 0; i < CAIRN_MEASURE_FLAG__COUNT && !*flag; i++)
        if (m.score.flags & (1u << i))
            flag = m.score.flag_text[i];
    snprintf(app->message, sizeof app->message, "%s %d, %s%s%s", def->title, m.score.total,
             m.score.band, *flag ? " -- " : "", flag);
    return true;
}

/* Adds the item to the revision the form was opened on. When a colleague
 * saved a newer one meanwhile, nothing is saved: the form says so, keeps
 * the text, and the next Enter adds it to the newest revision. */
static bool save_plan_item(struct tui_app *app, struct tui_form *f)
{
    static const char *const pointers[] = {
        [F_KIND] = "kind", [F_SECTION] = "section", [F_TEXT] = "text", [F_REASON] = "reason"};
    struct cairn_error err;
    bool unchanged = false;
    const char *kind_name = f->fields[F_KIND].value;
    if (strcmp(kind_name, "plan") && strcmp(kind_name, "safety")) {
        set_text(f->fields[F_KIND].error, sizeof f->fields[F_KIND].error, "plan or safety");
        return false;
    }
    enum cairn_plan_kind kind =
        strcmp(kind_name, "safety") ? CAIRN_PLAN_RELAPSE : CAIRN_PLAN_SAFETY;
    struct cairn_plan *p = cairn_plan_new(kind);
    if (!p) {
        set_text(f->message, sizeof f->message, "out of memory");
        return false;
    }
    enum cairn_status rc = cairn_plan_load(app->store, kind, app->patient.id, 0, p, &err);
    if (rc == CAIRN_OK && f->base_revision >= 0 && p->head != f->base_revision) {
        snprintf(f->message, sizeof f->message,
                 "the plan changed since you opened this form (revision %d, now %d); your text "
                 "is kept: Enter adds it to the newest revision",
                 f->base_revision, p->head);
        f->base_revision = p->head;
        cairn_plan_free(&p);
        return false;
    }
    if (rc == CAIRN_OK)
        rc = cairn_plan_add_item(p, f->fields[F_SECTION].value, f->fields[F_TEXT].value, &err);
    if (rc == CAIRN_OK)
        rc = cairn_plan_save(app->store, p,
                             f->fields[F_REASON].value[0] ? f->fields[F_REASON].value : NULL,
                             &unchanged, &err);
    int revision = p->revision;
    cairn_plan_free(&p);
    if (rc == CAIRN_ERR_CONFLICT) {
        f->base_revision = -1; /* read the head again on the next Enter */
        set_text(f->message, sizeof f->message, err.message);
        return false;
    }
    if (rc != CAIRN_OK) {
        if (!strcmp(err.pointer, "item") || !err.pointer[0] ||
            !strncmp(err.pointer, "/sections", 9))
            snprintf(err.pointer, sizeof err.pointer, "%s",
                     strstr(err.message, "section") ? "section" : "text");
        place_error(f, &err, pointers, F_REASON + 1);
        return false;
    }
    snprintf(app->message, sizeof app->message, "%s: saved revision %d",
             kind == CAIRN_PLAN_SAFETY ? "safety plan" : "plan", revision);
    return true;
}

static bool save_lapse(struct tui_app *app, struct tui_form *f)
{
    static const char *const pointers[] = {[F_LDATE] = "date",
                                           [F_LKIND] = "kind",
                                           [F_TRIGGER] = "trigger",
                                           [F_COPING] = "coping",
                                           [F_LNOTE] = "note"};
    struct cairn_lapse l;
    struct cairn_error err;
    memset(&l, 0, sizeof l);
    l.patient_id = app->patient.id;
    bool ok = copy_field(f, F_LDATE, l.date, sizeof l.date);
    ok &= copy_field(f, F_LKIND, l.kind, sizeof l.kind);
    ok &= copy_field(f, F_TRIGGER, l.trigger, sizeof l.trigger);
    ok &= copy_field(f, F_COPING, l.coping, sizeof l.coping);
    ok &= copy_field(f, F_LNOTE, l.note, sizeof l.note);
    if (!ok)
        return false;
    if (cairn_lapse_add(app->store, &l, &err) != CAIRN_OK) {
        place_error(f, &err, pointers, F_LNOTE + 1);
        return false;
    }
    snprintf(app->message, sizeof app->message, "%s on %s logged", l.kind, l.date);
    return true;
}

static bool save_session(struct tui_app *app, struct tui_form *f)
{
    static const char *const pointers[] = {[F_SDATE] = "date",
                                           [F_STYPE] = "type",
                                           [F_STITLE] = "title",
                                           [F_SSTART] = "start",
                                           [F_SMINUTES] = "minutes",
                                           [F_SSTATUS] = "status",
                                           [F_SATTENDED] = "minutes_attended"};
    struct cairn_session ses;
    struct cairn_roster_entry e;
    struct cairn_error err;
    memset(&ses, 0, sizeof ses);
    memset(&e, 0, sizeof e);
    ses.telehealth = true;
    bool ok = copy_field(f, F_SDATE, ses.date, sizeof ses.date);
    ok &= copy_field(f, F_STITLE, ses.title, sizeof ses.title);
    ok &= copy_field(f, F_SSTART, ses.start, sizeof ses.start);
    ok &= number(f, F_SMINUTES, 1, CAIRN_SESSION_MINUTES_MAX, false, &ses.minutes);
    ok &= number(f, F_SATTENDED, 1, CAIRN_SESSION_MINUTES_MAX, true, &e.minutes_attended);
    if (cairn_session_type_parse(f->fields[F_STYPE].value, &ses.type, &err) != CAIRN_OK) {
        set_text(f->fields[F_STYPE].error, sizeof f->fields[F_STYPE].error, err.message);
        ok = false;
    }
    if (cairn_attendance_parse(f->fields[F_SSTATUS].value, &e.status, &err) != CAIRN_OK) {
        set_text(f->fields[F_SSTATUS].error, sizeof f->fields[F_SSTATUS].error, err.message);
        ok = false;
    }
    if (!ok)
        return false;
    if (!e.minutes_attended)
        e.minutes_attended = -1;
    memcpy(e.mrn, app->patient.mrn, sizeof e.mrn);
    if (cairn_session_log(app->store, &ses, &e, 1, &err) != CAIRN_OK) {
        if (!strcmp(err.pointer, "mrn"))
            err.pointer[0] = '\0'; /* about the patient: the whole form */
        place_error(f, &err, pointers, F_SATTENDED + 1);
        return false;
    }
    snprintf(app->message, sizeof app->message, "session %lld logged: %s, %d min, %s",
             (long long)ses.id, cairn_session_type_str(ses.type), ses.minutes,
             cairn_attendance_str(e.status));
    return true;
}

/* Saves the record fields this user changed (typed values that differ
 * from those the form opened with), so a colleague's change to another
 * field is never undone. When a colleague saved the record since the form
 * was opened, nothing is saved: the form says so and keeps every field as
 * typed; the next Enter applies the changed ones to the newest version. */
static bool save_record(struct tui_app *app, struct tui_form *f)
{
    struct cairn_patient p;
    struct cairn_error err;
    uint32_t mask = 0;
    if (cairn_patient_find(app->store, app->patient.mrn, &p, &err) != CAIRN_OK) {
        set_text(f->message, sizeof f->message, err.message);
        return false;
    }
    int64_t newest = p.version;
    p.version = f->base_version; /* the version this edit is based on */
    for (int i = 0; i < F_RISK; i++) {
        if (!strcmp(f->fields[i].value, f->fields[i].original))
            continue;
        if (!copy_field(f, i, (char *)&p + record_fields[i].offset, record_fields[i].size))
            return false;
        mask |= 1u << record_fields[i].field;
    }
    if (strcmp(f->fields[F_RISK].value, f->fields[F_RISK].original)) {
        if (!f->fields[F_RISK].value[0])
            p.risk = CAIRN_RISK_UNSET;
        else if (cairn_risk_parse(f->fields[F_RISK].value, &p.risk, &err) != CAIRN_OK) {
            set_text(f->fields[F_RISK].error, sizeof f->fields[F_RISK].error, err.message);
            return false;
        }
        mask |= CAIRN_PF_BIT(RISK);
    }
    if (!mask) {
        snprintf(app->message, sizeof app->message, "nothing changed");
        return true;
    }
    enum cairn_status rc = cairn_patient_update(app->store, &p, mask, &err);
    if (rc == CAIRN_ERR_CONFLICT) {
        snprintf(f->message, sizeof f->message,
                 "changed by someone else since you opened this form (version %lld, now "
                 "%lld); your edit is kept: Enter applies it to the newest version",
                 (long long)f->base_version, (long long)newest);
        f->base_version = newest;
        return false;
    }
    if (rc != CAIRN_OK) {
        for (int i = 0; i <= F_RISK; i++) {
            const char *name =
                i < F_RISK ? cairn_patient_field_str(record_fields[i].field) : "risk_level";
            if (!strcmp(err.pointer, name)) {
                set_text(f->fields[i].error, sizeof f->fields[i].error, err.message);
                f->focus = i;
                return false;
            }
        }
        set_text(f->message, sizeof f->message, err.message);
        return false;
    }
    snprintf(app->message, sizeof app->message, "record saved (version %lld)",
             (long long)p.version);
    return true;
}

void tui_form_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_form *f = &app->form;
    enum tui_action a = is_char ? TUI_NONE : tui_key_action(key);
    if (is_char && key == '\t')
        a = TUI_NEXT_TAB;
    if (a == TUI_DOWN || a == TUI_NEXT_TAB) {
        f->focus = (f->focus + 1) % f->nfields;
        return;
    }
    if (a == TUI_UP || a == TUI_PREV_TAB) {
        f->focus = (f->focus + f->nfields - 1) % f->nfields;
        return;
    }
    struct tui_field *fd = &f->fields[f->focus];
    switch (tui_line_key(fd->value, sizeof fd->value, key, is_char)) {
    case TUI_LINE_EDITED:
        fd->error[0] = '\0';
        break;
    case TUI_LINE_ENTER:
        if (f->focus + 1 < f->nfields) {
            f->focus++;
            break;
        }
        /* Enter on the last field saves. */
        for (int i = 0; i < f->nfields; i++)
            f->fields[i].error[0] = '\0';
        f->message[0] = '\0';
        static bool (*const saves[])(struct tui_app *, struct tui_form *) = {
            [TUI_FORM_ATTEMPT] = save_attempt,     [TUI_FORM_MEASURE] = save_measure,
            [TUI_FORM_PLAN_ITEM] = save_plan_item, [TUI_FORM_LAPSE] = save_lapse,
            [TUI_FORM_SESSION] = save_session,     [TUI_FORM_RECORD] = save_record};
        bool saved = saves[f->kind](app, f);
        if (saved) {
            f->draft = false;
            app->screen = f->before;
            char mrn[sizeof app->patient.mrn];
            memcpy(mrn, app->patient.mrn, sizeof mrn);
            char message[sizeof app->message];
            memcpy(message, app->message, sizeof message);
            tui_patient_open(app, mrn); /* read again, the new entry included */
            memcpy(app->message, message, sizeof message);
        } else {
            for (int i = 0; i < f->nfields; i++)
                if (f->fields[i].error[0]) {
                    f->focus = i;
                    break;
                }
        }
        break;
    case TUI_LINE_ESCAPE:
        /* The draft stays for the next time this form is opened. */
        app->screen = f->before;
        snprintf(app->message, sizeof app->message, "not saved; the form keeps what you typed");
        break;
    default:
        break;
    }
}

void tui_form_draw(struct tui_app *app)
{
    const struct tui_form *f = &app->form;
    char title[512];
    snprintf(title, sizeof title, " %s · %s · %s", f->title, app->patient.legal_name,
             app->patient.mrn);
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, title, app->cols);
    attrset(A_NORMAL);
    int label_w = 14, value_w = 30, y = 2, cursor_y = 2, cursor_x = label_w + 2;
    for (int i = 0; i < f->nfields && y < app->lines - 3; i++, y += 2) {
        const struct tui_field *fd = &f->fields[i];
        attrset(tui_attr(TUI_COLOR_DIM));
        tui_draw_text(y, 1, fd->label, label_w);
        attrset(i == f->focus ? tui_attr(TUI_COLOR_SELECTED) : A_UNDERLINE);
        tui_draw_text(y, label_w + 2, fd->value, value_w);
        attrset(A_NORMAL);
        if (fd->error[0]) {
            attrset(tui_attr(TUI_COLOR_ERROR));
            char line[256];
            snprintf(line, sizeof line, "! %.*s", (int)sizeof line - 3, fd->error);
            tui_draw_text(y, label_w + value_w + 3, line, app->cols - label_w - value_w - 4);
        } else {
            attrset(tui_attr(TUI_COLOR_DIM));
            tui_draw_text(y, label_w + value_w + 3, fd->hint, app->cols - label_w - value_w - 4);
        }
        attrset(A_NORMAL);
        if (i == f->focus) {
            size_t w = cairn_text_width(fd->value);
            cursor_y = y;
            cursor_x = label_w + 2 + (int)(w < (size_t)value_w ? w : (size_t)value_w - 1);
        }
    }
    tui_draw_footer(app, f->message,
                    " Tab/↓ next field  ↑ previous  Enter next (on the last: save)  Esc leave "
                    "(kept)  ^U clear");
    move(cursor_y, cursor_x);
}
