/* Exposure ladder rules: mastery, the next step, shape warnings and input
 * checks. Pure functions; the store side is store_ladder.c. */
#include "cairn/ladder.h"

#include <stdio.h>
#include <string.h>

#include "cairn/text.h"

static const char *const step_status_names[] = {
#define CAIRN_X_NAME(code, name) name,
    CAIRN_STEP_STATUS_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

const char *cairn_step_status_str(enum cairn_step_status status)
{
    return (unsigned)status < CAIRN_STEP_STATUS__COUNT ? step_status_names[status] : "?";
}

const char *cairn_attempt_setting_str(enum cairn_attempt_setting setting)
{
    return setting == CAIRN_ATTEMPT_BETWEEN ? "between" : "session";
}

const char *cairn_came_true_str(enum cairn_came_true came_true)
{
    switch (came_true) {
    case CAIRN_CAME_TRUE_YES:
        return "yes";
    case CAIRN_CAME_TRUE_NO:
        return "no";
    case CAIRN_CAME_TRUE_PARTLY:
        return "partly";
    default:
        return "";
    }
}

enum cairn_status cairn_attempt_setting_parse(const char *text, enum cairn_attempt_setting *out,
                                              struct cairn_error *err)
{
    if (strcmp(text, "session") == 0)
        *out = CAIRN_ATTEMPT_SESSION;
    else if (strcmp(text, "between") == 0)
        *out = CAIRN_ATTEMPT_BETWEEN;
    else
        return cairn_error_field(err, CAIRN_ERR_INVALID, "setting",
                                 "must be session (in a session) or between (between sessions)");
    return CAIRN_OK;
}

enum cairn_status cairn_came_true_parse(const char *text, enum cairn_came_true *out,
                                        struct cairn_error *err)
{
    for (int v = CAIRN_CAME_TRUE_YES; v <= CAIRN_CAME_TRUE_PARTLY; v++)
        if (strcmp(text, cairn_came_true_str((enum cairn_came_true)v)) == 0) {
            *out = (enum cairn_came_true)v;
            return CAIRN_OK;
        }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "came_true", "must be yes, no or partly");
}

/* The rule's peak limit on a ladder's scale, as text: 30 on 0–100, 3 on
 * 0–10 (2.5 when the limit is 25). */
static void limit_text(int limit, int scale, char *out, size_t size)
{
    if (scale == 100 || limit % 10 == 0)
        snprintf(out, size, "%d", scale == 100 ? limit : limit / 10);
    else
        snprintf(out, size, "%d.%d", limit / 10, limit % 10);
}

void cairn_mastery_decide(const struct cairn_mastery_rule *rule, int scale, const int *peaks,
                          size_t n, struct cairn_mastery *out)
{
    /* Peaks compare on the 0–100 scale: a 0–10 ladder's 3 is 30. */
    int factor = scale == 10 ? 10 : 1;
    char limit[16];
    limit_text(rule->peak_suds_at_most, scale, limit, sizeof limit);
    memset(out, 0, sizeof *out);
    if (n == 0) {
        out->branch = CAIRN_MASTERY_NO_ATTEMPTS;
        snprintf(out->reason, sizeof out->reason, "not started: no attempts yet");
        return;
    }
    size_t need = rule->consecutive > 0 ? (size_t)rule->consecutive : 1;
    size_t low = 0; /* how many of the latest attempts, in a row, peaked at or under the limit */
    while (low < n && peaks[n - 1 - low] * factor <= rule->peak_suds_at_most)
        low++;
    if (low >= need) {
        out->branch = CAIRN_MASTERY_BY_PEAK;
        snprintf(out->reason, sizeof out->reason,
                 "mastered: the last %zu attempt%s peaked at SUDS %s or less "
                 "(program rule mastery.peak_suds_at_most, a program convention)",
                 need, need == 1 ? "" : "s", limit);
        return;
    }
    int first = peaks[0], last = peaks[n - 1];
    /* Integer arithmetic: (first - last) / first >= percent / 100. */
    bool drop_on = rule->or_drop_percent > 0 && n >= 2 && first > 0;
    int dropped = drop_on && last < first ? (first - last) * 100 / first : 0;
    if (drop_on && (first - last) * 100 >= rule->or_drop_percent * first) {
        out->branch = CAIRN_MASTERY_BY_DROP;
        snprintf(out->reason, sizeof out->reason,
                 "mastered: peak SUDS fell %d%% from %d at the first attempt to %d "
                 "(program rule mastery.or_drop_percent %d%%, a program convention)",
                 dropped, first, last, rule->or_drop_percent);
        return;
    }
    out->branch = CAIRN_MASTERY_NOT_YET;
    int used = snprintf(out->reason, sizeof out->reason,
                        "not yet: %zu of the last %zu attempt%s peaked at SUDS %s or less", low,
                        need, need == 1 ? "" : "s", limit);
    if (used > 0 && (size_t)used < sizeof out->reason) {
        if (rule->or_drop_percent == 0)
            snprintf(out->reason + used, sizeof out->reason - (size_t)used,
                     " (the drop branch is off in this program)");
        else if (n < 2)
            snprintf(out->reason + used, sizeof out->reason - (size_t)used,
                     "; a %d%% drop in peak needs a second attempt", rule->or_drop_percent);
        else
            snprintf(out->reason + used, sizeof out->reason - (size_t)used,
                     "; peak %s %d%% from %d to %d, %d%% needed", last <= first ? "down" : "up",
                     last <= first ? dropped : (last - first) * 100 / (first ? first : 1), first,
                     last, rule->or_drop_percent);
    }
}

enum cairn_step_status cairn_mastery_status(enum cairn_mastery_branch branch)
{
    switch (branch) {
    case CAIRN_MASTERY_NO_ATTEMPTS:
        return CAIRN_STEP_NOT_STARTED;
    case CAIRN_MASTERY_NOT_YET:
        return CAIRN_STEP_IN_PROGRESS;
    default:
        return CAIRN_STEP_MASTERED;
    }
}

int cairn_ladder_next_step(const struct cairn_ladder *ladder)
{
    for (size_t i = 0; i < ladder->nsteps; i++) {
        const struct cairn_ladder_step *s = &ladder->steps[i];
        if (!s->retired && s->status != CAIRN_STEP_MASTERED && s->status != CAIRN_STEP_SKIPPED)
            return (int)i;
    }
    return -1;
}

size_t cairn_ladder_mastered(const struct cairn_ladder *ladder)
{
    size_t n = 0;
    for (size_t i = 0; i < ladder->nsteps; i++)
        n += !ladder->steps[i].retired && ladder->steps[i].status == CAIRN_STEP_MASTERED;
    return n;
}

size_t cairn_ladder_warnings(const struct cairn_ladder *ladder, struct cairn_ladder_warning *out,
                             size_t max)
{
    size_t n = 0, live = 0;
    int factor = ladder->scale == 10 ? 10 : 1;
    const struct cairn_ladder_step *prev = NULL;
    for (size_t i = 0; i < ladder->nsteps; i++) {
        const struct cairn_ladder_step *s = &ladder->steps[i];
        if (s->retired)
            continue;
        live++;
        if (prev && n < max) {
            int gap = (s->suds - prev->suds) * factor;
            if (gap < 0) {
                out[n].step = prev->position;
                snprintf(out[n++].text, sizeof out->text,
                         "step %d (SUDS %d) is rated lower than step %d before it (SUDS %d): "
                         "steps usually climb",
                         s->position, s->suds, prev->position, prev->suds);
            } else if (gap > CAIRN_LADDER_MAX_GAP) {
                out[n].step = prev->position;
                snprintf(out[n++].text, sizeof out->text,
                         "steps %d and %d are %d SUDS apart (more than %d): consider a step "
                         "in between",
                         prev->position, s->position, gap, CAIRN_LADDER_MAX_GAP);
            }
        }
        prev = s;
    }
    if (live < CAIRN_LADDER_MIN_STEPS && n < max) {
        out[n].step = 0;
        snprintf(out[n++].text, sizeof out->text,
                 "the ladder has %zu step%s; %d or more make a gradual climb", live,
                 live == 1 ? "" : "s", CAIRN_LADDER_MIN_STEPS);
    }
    return n;
}

enum cairn_status cairn_ladder_step_validate(const char *text, int suds, int scale,
                                             struct cairn_error *err)
{
    enum cairn_status rc = cairn_text_check(text, "text", true, CAIRN_TEMPLATE_TEXT_MAX, err);
    if (rc != CAIRN_OK)
        return rc;
    if (suds < 0 || suds > scale)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "suds",
                                 "%d is outside this ladder's SUDS scale 0–%d", suds, scale);
    return CAIRN_OK;
}

enum cairn_status cairn_ladder_attempt_validate(const struct cairn_ladder_attempt *a, int scale,
                                                int32_t today, struct cairn_error *err)
{
    enum cairn_status rc;
    int32_t day;
    if ((rc = cairn_date_parse(a->date, &day, err)) != CAIRN_OK) {
        if (err)
            snprintf(err->pointer, sizeof err->pointer, "date");
        return rc;
    }
    if (day > today)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "date",
                                 "%s is in the future; log an attempt once it has happened",
                                 a->date);
    const struct {
        const char *field;
        int value;
    } suds[] = {{"suds_before", a->suds_before},
                {"suds_peak", a->suds_peak},
                {"suds_after", a->suds_after}};
    for (size_t i = 0; i < sizeof suds / sizeof suds[0]; i++)
        if (suds[i].value < 0 || suds[i].value > scale)
            return cairn_error_field(err, CAIRN_ERR_INVALID, suds[i].field,
                                     "%d is outside this ladder's SUDS scale 0–%d", suds[i].value,
                                     scale);
    /* The peak is the highest rating during the exposure, so the rating at
     * its end cannot exceed it; the rating before may (anticipation is often
     * worse than the situation). */
    if (a->suds_peak < a->suds_after)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "suds_peak",
                                 "the peak (%d) is below the SUDS after (%d); the peak is the "
                                 "highest rating during the exposure",
                                 a->suds_peak, a->suds_after);
    if (a->minutes < 0 || a->minutes > 1440)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "minutes",
                                 "%d is not a duration in minutes (1–1440)", a->minutes);
    const struct {
        const char *field;
        int value;
    } expect[] = {{"expectancy_before", a->expectancy_before},
                  {"expectancy_after", a->expectancy_after}};
    for (size_t i = 0; i < 2; i++)
        if (expect[i].value < -1 || expect[i].value > 100)
            return cairn_error_field(err, CAIRN_ERR_INVALID, expect[i].field,
                                     "%d is not a percentage (0–100)", expect[i].value);
    const struct {
        const char *field;
        const char *value;
    } texts[] = {{"prediction", a->prediction},
                 {"safety_behaviours", a->safety_behaviours},
                 {"note", a->note}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if ((rc = cairn_text_check(texts[i].value, texts[i].field, false, CAIRN_LONG_MAX, err)) !=
            CAIRN_OK)
            return rc;
    return CAIRN_OK;
}
