/* The co-sign queue (DESIGN.md §6, supervisor): the signed reviews that
 * await a supervisor's co-signature, oldest first (cairn_review_cosign_list()),
 * of the caseload's clinician filter's patients when it is set, else
 * everyone's. Enter shows one in full, as it was signed (the frozen
 * snapshot, the reviewer's inputs, who signed and when; the read is
 * audited); C co-signs the selected or shown review once y confirms it,
 * and the next one takes its place. Refusals (not a supervisor, one's own
 * signature) are shown on the message line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

static void notice(struct tui_cosign_queue *c, bool problem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notice(struct tui_cosign_queue *c, bool problem, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
    c->problem = problem;
}

static int collect(const struct cairn_review_awaiting *a, void *ctx)
{
    struct tui_cosign_queue *c = ctx;
    struct tui_queue_entry *e = tui_queue_add(c->entries, &c->n, &c->more, &a->patient, a->week);
    if (!e)
        return 1;
    e->risk = a->risk;
    snprintf(e->signed_by, sizeof e->signed_by, "%s", a->signed_by);
    snprintf(e->signed_at, sizeof e->signed_at, "%s", a->signed_at);
    return 0;
}

/* Reads the list again; false with app->message set when it failed. */
static bool load(struct tui_app *app)
{
    struct tui_cosign_queue *c = &app->cosign;
    struct cairn_error err;
    c->n = 0;
    c->more = false;
    if (cairn_review_cosign_list(app->store, c->clinician[0] ? c->clinician : NULL, collect, c,
                                 &err) != CAIRN_OK) {
        snprintf(app->message, sizeof app->message,
                 "could not read the reviews awaiting co-signature: %s", err.message);
        return false;
    }
    if (c->cursor >= c->n)
        c->cursor = c->n ? c->n - 1 : 0;
    return true;
}

void tui_cosign_open(struct tui_app *app)
{
    struct tui_cosign_queue *c = &app->cosign;
    char clinician[sizeof c->clinician];
    snprintf(clinician, sizeof clinician, "%s", app->caseload.clinician);
    if (strcmp(clinician, c->clinician))
        c->cursor = c->top = 0;
    memcpy(c->clinician, clinician, sizeof clinician);
    if (app->screen != TUI_SCREEN_COSIGN) /* not a refresh: Esc goes back there */
        c->back =
            app->screen == TUI_SCREEN_SUPERVISOR ? TUI_SCREEN_SUPERVISOR : TUI_SCREEN_CASELOAD;
    if (!load(app))
        return;
    c->detail = c->have_review = c->confirming = false;
    c->message[0] = '\0';
    /* Said up front; the co-signature itself is refused by libcairn. */
    struct cairn_staff me;
    c->role_note[0] = '\0';
    if (cairn_staff_find(app->store, cairn_store_actor_login(app->store), &me, NULL) != CAIRN_OK ||
        !me.active)
        snprintf(c->role_note, sizeof c->role_note,
                 "You are not active staff: only a supervisor co-signs.");
    else if (me.role != CAIRN_ROLE_SUPERVISOR)
        snprintf(c->role_note, sizeof c->role_note, "You are a %s: only a supervisor co-signs.",
                 cairn_role_str(me.role));
    app->screen = TUI_SCREEN_COSIGN;
}

/* Reads entries[cursor] into c->review: audited when `shown`. */
static bool read_review(struct tui_app *app, bool shown)
{
    struct tui_cosign_queue *c = &app->cosign;
    const struct tui_queue_entry *e = &c->entries[c->cursor];
    struct cairn_patient p;
    struct cairn_error err;
    enum cairn_status rc = cairn_patient_find(app->store, e->mrn, &p, &err);
    if (rc == CAIRN_OK)
        rc = shown ? cairn_review_read(app->store, &p, e->week, &c->review, &err)
                   : cairn_review_load(app->store, &p, e->week, &c->review, &err);
    c->have_review = rc == CAIRN_OK;
    if (rc != CAIRN_OK)
        notice(c, true, "could not read the review: %s", err.message);
    return c->have_review;
}

static void show(struct tui_app *app)
{
    struct tui_cosign_queue *c = &app->cosign;
    c->detail_top = 0;
    c->detail = c->n > 0 && read_review(app, true);
}

static void cosign(struct tui_app *app)
{
    struct tui_cosign_queue *c = &app->cosign;
    const char *me = cairn_store_actor_login(app->store);
    struct cairn_error err;
    if (!c->n)
        return;
    struct tui_queue_entry e = c->entries[c->cursor];
    if (!(c->detail && c->have_review) && !read_review(app, false))
        return;
    enum cairn_status rc = cairn_review_cosign(app->store, &c->review, &err);
    if (rc == CAIRN_ERR_DENIED && me && !strcmp(c->review.signed_by, me)) {
        notice(c, true, "not co-signed: you signed this review; another supervisor co-signs it");
        return;
    }
    if (rc == CAIRN_ERR_TRANSITION) { /* co-signed elsewhere meanwhile: the list is stale */
        c->detail = false;
        if (load(app))
            notice(c, true, "not co-signed: %s", err.message);
        return;
    }
    if (rc != CAIRN_OK) {
        notice(c, true, "not co-signed: %s", err.message);
        return;
    }
    bool detail = c->detail;
    app->caseload.loaded = false;
    app->supervisor.stale = true; /* its counts changed */
    if (!load(app))
        return;
    c->detail = false;
    if (detail && c->n)
        show(app); /* the next one takes its place */
    notice(c, false, "co-signed the review of %s for %s (signed by %s)", e.week, e.name,
           me && !strcmp(e.signed_by, me) ? "you" : e.signed_by);
}

void tui_cosign_key(struct tui_app *app, int key, bool is_char)
{
    struct tui_cosign_queue *c = &app->cosign;
    if (c->confirming) {
        c->confirming = false;
        if (is_char && (key == 'y' || key == 'Y'))
            cosign(app);
        else
            notice(c, false, "not co-signed");
        return;
    }
    c->message[0] = '\0';
    if (is_char && (key == 'n' || key == 'p')) {
        int to = c->cursor + (key == 'n' ? 1 : -1);
        if (to < 0 || to >= c->n) {
            notice(c, false, "%s",
                   key == 'n' ? "this is the last review awaiting co-signature"
                              : "this is the first review awaiting co-signature");
            return;
        }
        c->cursor = to;
        if (c->detail)
            show(app);
        return;
    }
    enum tui_action a = tui_key_action(key);
    int page = app->lines - 6;
    if (tui_common_action(app, a))
        return;
    switch (a) {
    case TUI_BACK:
        if (c->detail)
            c->detail = false;
        else if (c->back == TUI_SCREEN_SUPERVISOR)
            tui_supervisor_return(app);
        else
            app->screen = TUI_SCREEN_CASELOAD;
        break;
    case TUI_OPEN:
        if (!c->detail)
            show(app);
        break;
    case TUI_COSIGN:
        if (c->n)
            c->confirming = true;
        break;
    case TUI_DOWN:
        if (c->detail)
            c->detail_top++; /* clamped when drawn */
        else if (c->cursor + 1 < c->n)
            c->cursor++;
        break;
    case TUI_UP:
        if (c->detail)
            c->detail_top -= c->detail_top > 0;
        else if (c->cursor > 0)
            c->cursor--;
        break;
    case TUI_PAGE_DOWN:
        if (c->detail)
            c->detail_top += page;
        else
            c->cursor = c->cursor + page < c->n ? c->cursor + page : (c->n ? c->n - 1 : 0);
        break;
    case TUI_PAGE_UP:
        if (c->detail)
            c->detail_top = c->detail_top > page ? c->detail_top - page : 0;
        else
            c->cursor = c->cursor > page ? c->cursor - page : 0;
        break;
    case TUI_HOME:
        if (c->detail)
            c->detail_top = 0;
        else
            c->cursor = 0;
        break;
    case TUI_END:
        if (!c->detail)
            c->cursor = c->n ? c->n - 1 : 0;
        break;
    default:
        break;
    }
}

/* ---- drawing -------------------------------------------------------------- */

static void draw_list(struct tui_app *app, int *cy, int *cx)
{
    struct tui_cosign_queue *c = &app->cosign;
    const char *me = cairn_store_actor_login(app->store);
    bool at = app->cols >= 96; /* room for when it was signed */
    int rows = app->lines - 6, name_w = app->cols - 1 - 10 - 13 - 10 - 12 - (at ? 21 : 0);
    char line[1024];
    if (!c->n) {
        tui_draw_text(3, 1, "No signed review awaits a co-signature.", app->cols - 2);
        return;
    }
    snprintf(line, sizeof line, "%-9s %-12s %-*s %-9s %-11s%s", "WEEK", "MRN", name_w - 1, "NAME",
             "RISK", "SIGNED BY", at ? " SIGNED AT" : "");
    attrset(tui_attr(TUI_COLOR_HEADER));
    tui_draw_text(2, 1, line, app->cols - 2);
    attrset(A_NORMAL);
    if (c->top > c->cursor)
        c->top = c->cursor;
    if (c->cursor >= c->top + rows)
        c->top = c->cursor - rows + 1;
    for (int r = 0; r < rows && c->top + r < c->n; r++) {
        int i = c->top + r, x = 1, y = 3 + r;
        const struct tui_queue_entry *e = &c->entries[i];
        attr_t row = i == c->cursor ? tui_attr(TUI_COLOR_SELECTED) : A_NORMAL;
        const char *risk = e->risk ? cairn_risk_str(e->risk) : "-";
        const struct {
            const char *text;
            int width;
            attr_t attr;
        } cells[] = {
            {e->week, 10, row},
            {e->mrn, 13, row},
            {e->name, name_w, row},
            {risk, 10,
             i == c->cursor                   ? row
             : e->risk == CAIRN_RISK_HIGH     ? tui_attr(TUI_COLOR_RISK_HIGH)
             : e->risk == CAIRN_RISK_MODERATE ? tui_attr(TUI_COLOR_RISK_MODERATE)
                                              : A_NORMAL},
            {tui_who(e->signed_by, me), 12, row},
            {e->signed_at, at ? 21 : 0, row},
        };
        for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
            if (!cells[k].width)
                continue;
            attrset(cells[k].attr);
            tui_draw_text(y, x, cells[k].text, cells[k].width - 1);
            attrset(row);
            addch(' ');
            x += cells[k].width;
        }
        attrset(A_NORMAL);
        if (i == c->cursor) {
            *cy = y;
            *cx = 1;
        }
    }
}

static void draw_detail(struct tui_app *app, int *cy, int *cx)
{
    struct tui_cosign_queue *c = &app->cosign;
    const struct cairn_review *r = &c->review;
    const char *me = cairn_store_actor_login(app->store);
    int rows = app->lines - 5, width = app->cols - 2;
    struct tui_text *t = &app->text;
    tui_text_reset(t, width);
    tui_text_addf(t, TUI_COLOR_NORMAL, 2, "Signed by %s at %s; %s", tui_who(r->signed_by, me),
                  r->signed_at,
                  r->status == CAIRN_REVIEW_SIGNED ? "awaiting a supervisor's co-signature"
                                                   : cairn_review_status_str(r->status));
    tui_text_add(t, TUI_COLOR_NORMAL, 0, "");
    tui_text_addf(t, TUI_COLOR_HEADER, 0, "Summary, frozen when signed (computed %s)",
                  r->snapshot.computed_at);
    tui_review_snapshot_text(t, r);
    tui_text_add(t, TUI_COLOR_NORMAL, 0, "");
    tui_text_add(t, TUI_COLOR_HEADER, 0, "Reviewer");
    tui_review_inputs_text(t, r, me);
    int last_top = t->n - rows;
    if (c->detail_top > last_top)
        c->detail_top = last_top > 0 ? last_top : 0;
    tui_text_draw(t, c->detail_top, 2, 1, rows);
    if (c->detail_top + rows < t->n) {
        attrset(tui_attr(TUI_COLOR_DIM));
        tui_draw_text(app->lines - 3, app->cols - 8, "\u2193 more", 7);
        attrset(A_NORMAL);
    }
    *cy = 2;
    *cx = 1;
}

void tui_cosign_draw(struct tui_app *app)
{
    struct tui_cosign_queue *c = &app->cosign;
    char line[1024];
    int cy = 3, cx = 1;
    if (c->detail && c->have_review) {
        const struct tui_queue_entry *e = &c->entries[c->cursor];
        snprintf(line, sizeof line, " Co-sign · %d of %d%s · %s · %s · %s", c->cursor + 1, c->n,
                 c->more ? "+" : "", e->name, e->mrn, e->week);
    } else {
        snprintf(line, sizeof line,
                 " Co-sign queue · %d%s signed review%s awaiting co-signature, oldest first · %s",
                 c->n, c->more ? "+" : "", c->n == 1 ? "" : "s",
                 c->clinician[0] ? c->clinician : "everyone's patients");
    }
    attrset(tui_attr(TUI_COLOR_TITLE));
    tui_draw_text(0, 0, line, app->cols);
    attrset(A_NORMAL);
    if (c->detail && c->have_review) {
        draw_detail(app, &cy, &cx);
    } else {
        if (c->role_note[0]) {
            attrset(tui_attr(TUI_COLOR_RISK_MODERATE));
            tui_draw_text(1, 1, c->role_note, app->cols - 2);
            attrset(A_NORMAL);
        }
        draw_list(app, &cy, &cx);
    }
    if (c->confirming && c->n) {
        const struct tui_queue_entry *e = &c->entries[c->cursor];
        snprintf(line, sizeof line, "Co-sign the review of %s for %s, signed by %s? y co-signs.",
                 e->week, e->name, tui_who(e->signed_by, cairn_store_actor_login(app->store)));
        attrset(tui_attr(TUI_COLOR_TITLE));
        tui_draw_text(app->lines - 2, 0, line, app->cols);
        attrset(A_NORMAL);
        int w = (int)cairn_text_width(line);
        cy = app->lines - 2;
        cx = w < app->cols ? w : app->cols - 1;
    } else if (c->message[0] || app->message[0]) {
        bool mine = c->message[0];
        attrset(tui_attr(mine && !c->problem ? TUI_COLOR_NORMAL : TUI_COLOR_ERROR));
        tui_draw_text(app->lines - 2, 1, mine ? c->message : app->message, app->cols - 2);
        attrset(A_NORMAL);
    }
    attrset(tui_attr(TUI_COLOR_STATUS_BAR));
    tui_draw_text(app->lines - 1, 0,
                  c->confirming ? " y co-sign it   any other key: do not"
                  : c->detail ? " C co-sign  n/p next/previous  \u2191\u2193 PgUp/PgDn scroll  Esc "
                                "list  ? keys"
                  : c->back == TUI_SCREEN_SUPERVISOR
                      ? " Enter show  C co-sign  \u2191\u2193 move  Esc supervisor view  ? keys"
                      : " Enter show  C co-sign  \u2191\u2193 move  Esc caseload  ? keys",
                  app->cols);
    attrset(A_NORMAL);
    move(cy, cx);
}
