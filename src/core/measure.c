/* Symptom measures: the instrument table and the pure rules over it
 * (parsing answers, scoring, severity bands, the C-SSRS branching and
 * triage, urgent flags and change labels). No I/O; the SQL is in
 * store_measure.c. Item texts are cairn's own short paraphrases, not the
 * published wording. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cairn/measure.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* PHQ-9 and GAD-7: "over the last 2 weeks, how often have you been
 * bothered by …". */
#define FREQUENCY_SCALE                                                                            \
    "over the last 2 weeks: 0 not at all, 1 several days, 2 more than half the days, "             \
    "3 nearly every day"

static const struct cairn_instrument_def instruments[CAIRN_INSTRUMENT__COUNT] = {
    [CAIRN_INSTRUMENT_PHQ9] =
        {
            .instrument = CAIRN_INSTRUMENT_PHQ9,
            .code = "phq9",
            .title = "PHQ-9",
            .about = "Patient Health Questionnaire, depression severity",
            .citation = "Kroenke, Spitzer & Williams 2001; reliable change Löwe et al. 2004",
            .scale = FREQUENCY_SCALE,
            .nitems = 9,
            .nanswers = 9,
            .items =
                {
                    "Little interest or pleasure in doing things",
                    "Feeling down, depressed or hopeless",
                    "Trouble falling or staying asleep, or sleeping too much",
                    "Feeling tired or having little energy",
                    "Poor appetite or overeating",
                    "Feeling bad about yourself, or that you have let yourself or others down",
                    "Trouble concentrating, for example on reading or television",
                    "Moving or speaking noticeably slowly, or being unusually restless",
                    "Thoughts that you would be better off dead, or of hurting yourself",
                },
            .min = 0,
            .max = 3,
            .nbands = 5,
            .bands =
                {
                    {0, 4, "minimal"},
                    {5, 9, "mild"},
                    {10, 14, "moderate"},
                    {15, 19, "moderately severe"},
                    {20, 27, "severe"},
                },
            .band_rule = "phq9_severity",
            .reliable_change = 5,
            .response_rules = true,
        },
    [CAIRN_INSTRUMENT_GAD7] =
        {
            .instrument = CAIRN_INSTRUMENT_GAD7,
            .code = "gad7",
            .title = "GAD-7",
            .about = "Generalized Anxiety Disorder scale, anxiety severity",
            .citation = "Spitzer, Kroenke, Williams & Löwe 2006",
            .scale = FREQUENCY_SCALE,
            .nitems = 7,
            .nanswers = 7,
            .items =
                {
                    "Feeling nervous, anxious or on edge",
                    "Not being able to stop or control worrying",
                    "Worrying too much about different things",
                    "Trouble relaxing",
                    "Being so restless that it is hard to sit still",
                    "Becoming easily annoyed or irritable",
                    "Feeling afraid, as if something awful might happen",
                },
            .min = 0,
            .max = 3,
            .nbands = 4,
            .bands =
                {
                    {0, 4, "minimal"},
                    {5, 9, "mild"},
                    {10, 14, "moderate"},
                    {15, 21, "severe"},
                },
            .band_rule = "gad7_severity",
            .reliable_change = 4,
            .response_rules = true,
        },
    [CAIRN_INSTRUMENT_CSSRS_SCREEN] =
        {
            .instrument = CAIRN_INSTRUMENT_CSSRS_SCREEN,
            .code = "cssrs_screen",
            .title = "C-SSRS screen",
            .about = "Columbia Suicide Severity Rating Scale, screening version",
            .citation = "Posner et al. 2011",
            .scale = "y (yes) or n (no)",
            .nitems = 6,
            .nanswers = 7,
            .items =
                {
                    "In the past month, have you wished you were dead, or wished you could go "
                    "to sleep and not wake up?",
                    "In the past month, have you actually had any thoughts of killing yourself?",
                    "Have you thought about how you might do this (a method), without a plan or "
                    "an intention to act?",
                    "Have you had these thoughts with some intention of acting on them (no "
                    "specific plan)?",
                    "Have you started to work out, or worked out, the details of how to kill "
                    "yourself, and do you intend to carry out this plan?",
                    "Have you ever done, started to do, or prepared to do anything to end your "
                    "life?",
                    "Was that within the past 3 months?",
                },
            .min = 0,
            .max = 1,
            .yes_no = true,
            .band_rule = "cssrs_triage",
        },
    [CAIRN_INSTRUMENT_CRAVING] =
        {
            .instrument = CAIRN_INSTRUMENT_CRAVING,
            .code = "craving",
            .title = "Craving",
            .about = "Craving strength, a 0-10 self-rating (program scale)",
            .citation = "cairn program scale; no published bands",
            .scale = "0 no craving … 10 the strongest craving ever",
            .nitems = 1,
            .nanswers = 1,
            .items = {"How strong is your craving right now?"},
            .min = 0,
            .max = 10,
        },
    [CAIRN_INSTRUMENT_MOOD] =
        {
            .instrument = CAIRN_INSTRUMENT_MOOD,
            .code = "mood",
            .title = "Mood",
            .about = "Mood, a 0-10 self-rating (program scale)",
            .citation = "cairn program scale; no published bands",
            .scale = "0 the worst mood … 10 the best mood",
            .nitems = 1,
            .nanswers = 1,
            .items = {"How is your mood right now?"},
            .min = 0,
            .max = 10,
        },
};

/* C-SSRS answer slots. */
enum {
    CSSRS_WISH_DEAD,
    CSSRS_THOUGHTS,
    CSSRS_METHOD,
    CSSRS_INTENT,
    CSSRS_PLAN,
    CSSRS_BEHAVIOUR,
    CSSRS_RECENT,
};

static const char *const flag_names[] = {
#define CAIRN_X_NAME(code, name) name,
    CAIRN_MEASURE_FLAG_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

static const char *const risk_names[] = {"none", "low", "moderate", "high"};

const struct cairn_instrument_def *cairn_instrument_get(enum cairn_instrument instrument)
{
    return (unsigned)instrument < CAIRN_INSTRUMENT__COUNT ? &instruments[instrument] : NULL;
}

enum cairn_status cairn_instrument_parse(const char *text, enum cairn_instrument *out,
                                         struct cairn_error *err)
{
    for (int i = 0; i < CAIRN_INSTRUMENT__COUNT; i++) {
        if (text && strcmp(text, instruments[i].code) == 0) {
            *out = (enum cairn_instrument)i;
            return CAIRN_OK;
        }
    }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "instrument",
                             "unknown instrument '%.40s' (known: phq9, gad7, cssrs_screen, "
                             "craving, mood)",
                             text ? text : "");
}

const char *cairn_cssrs_risk_str(enum cairn_cssrs_risk risk)
{
    return (unsigned)risk < COUNT(risk_names) ? risk_names[risk] : "";
}

const char *cairn_measure_flag_str(enum cairn_measure_flag flag)
{
    return (unsigned)flag < COUNT(flag_names) ? flag_names[flag] : "";
}

/* "item 3", or for the C-SSRS follow-up "item 6 follow-up". */
static void item_name(const struct cairn_instrument_def *def, size_t slot, char *buf, size_t size)
{
    if (def->instrument == CAIRN_INSTRUMENT_CSSRS_SCREEN && slot == CSSRS_RECENT)
        snprintf(buf, size, "item 6 follow-up (within the past 3 months)");
    else
        snprintf(buf, size, "item %zu", slot + 1);
}

static enum cairn_status count_error(const struct cairn_instrument_def *def, size_t n,
                                     struct cairn_error *err)
{
    if (def->instrument == CAIRN_INSTRUMENT_CSSRS_SCREEN)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                 "%s needs 6 answers (7 when item 6 is yes: the 7th says whether "
                                 "it was within the past 3 months), got %zu",
                                 def->title, n);
    return cairn_error_field(err, CAIRN_ERR_INVALID, "answers", "%s needs %zu answer%s, got %zu",
                             def->title, def->nanswers, def->nanswers == 1 ? "" : "s", n);
}

enum cairn_status cairn_measure_parse_answer(const struct cairn_instrument_def *def, size_t item,
                                             const char *text, int *value, struct cairn_error *err)
{
    char name[64], buf[32];
    size_t len;
    item_name(def, item, name, sizeof name);
    while (*text == ' ' || *text == '\t')
        text++;
    len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
                   text[len - 1] == '\r'))
        len--;
    if (len >= sizeof buf)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                 "%s: not an answer (give %d–%d)", name, def->min, def->max);
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (len == 0 || strcmp(buf, "-") == 0) {
        if (!def->yes_no)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                     "%s: no answer (give %d–%d)", name, def->min, def->max);
        *value = CAIRN_ANSWER_SKIPPED;
        return CAIRN_OK;
    }
    if (def->yes_no) {
        if (strcasecmp(buf, "y") == 0 || strcasecmp(buf, "yes") == 0) {
            *value = 1;
            return CAIRN_OK;
        }
        if (strcasecmp(buf, "n") == 0 || strcasecmp(buf, "no") == 0) {
            *value = 0;
            return CAIRN_OK;
        }
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (*end || errno || !(isdigit((unsigned char)buf[0]) || buf[0] == '-' || buf[0] == '+'))
        return cairn_error_field(err, CAIRN_ERR_INVALID, "answers", "%s: '%s' is not %s", name, buf,
                                 def->yes_no ? "y, n, 1 or 0" : "a whole number");
    if (v < def->min || v > def->max)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "answers", "%s: %ld is out of range %d–%d",
                                 name, v, def->min, def->max);
    *value = (int)v;
    return CAIRN_OK;
}

enum cairn_status cairn_measure_parse_answers(const struct cairn_instrument_def *def,
                                              const char *text,
                                              int answers[CAIRN_MEASURE_ANSWERS_MAX], size_t *n,
                                              struct cairn_error *err)
{
    size_t count = 0;
    *n = 0;
    if (!*text)
        return count_error(def, 0, err);
    for (const char *c = text; *c; c++)
        count += *c == ',';
    count++;
    if (count > def->nanswers)
        return count_error(def, count, err);
    const char *start = text;
    for (size_t i = 0; i < count; i++) {
        const char *comma = strchr(start, ',');
        size_t len = comma ? (size_t)(comma - start) : strlen(start);
        char token[64];
        if (len >= sizeof token)
            len = sizeof token - 1;
        memcpy(token, start, len);
        token[len] = '\0';
        enum cairn_status rc = cairn_measure_parse_answer(def, i, token, &answers[i], err);
        if (rc != CAIRN_OK)
            return rc;
        start = comma ? comma + 1 : start + len;
    }
    *n = count;
    return CAIRN_OK;
}

const struct cairn_measure_band *cairn_measure_band(const struct cairn_instrument_def *def,
                                                    int total)
{
    for (size_t i = 0; i < def->nbands; i++)
        if (total >= def->bands[i].lo && total <= def->bands[i].hi)
            return &def->bands[i];
    return NULL;
}

/* Appends "; " and text to buf. */
static void append_reason(char *buf, size_t size, const char *text)
{
    size_t n = strlen(buf);
    snprintf(buf + n, size - n, "%s%s", n ? "; " : "", text);
}

/* Checks the C-SSRS branching and triages (DESIGN.md §3). */
static enum cairn_status score_cssrs(const struct cairn_instrument_def *def, const int *a, size_t n,
                                     struct cairn_measure_score *out, struct cairn_error *err)
{
    static const char branching[] = "rule cssrs_branching: a \"no\" to item 2 skips items 3–5";
    if (n != 6 && n != 7)
        return count_error(def, n, err);
    const int always[] = {CSSRS_WISH_DEAD, CSSRS_THOUGHTS, CSSRS_BEHAVIOUR};
    for (size_t i = 0; i < COUNT(always); i++)
        if (a[always[i]] == CAIRN_ANSWER_SKIPPED)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                     "item %d: no answer; items 1, 2 and 6 are always asked",
                                     always[i] + 1);
    for (int i = CSSRS_METHOD; i <= CSSRS_PLAN; i++) {
        if (a[CSSRS_THOUGHTS] == 0 && a[i] != CAIRN_ANSWER_SKIPPED)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                     "item %d: answered, but item 2 is no, so items 3–5 are "
                                     "skipped (%s); leave them blank with '-'",
                                     i + 1, branching);
        if (a[CSSRS_THOUGHTS] == 1 && a[i] == CAIRN_ANSWER_SKIPPED)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                     "item %d: no answer, but item 2 is yes, so items 3–5 must be "
                                     "answered (%s)",
                                     i + 1, branching);
    }
    int recent = n == 7 ? a[CSSRS_RECENT] : CAIRN_ANSWER_SKIPPED;
    if (a[CSSRS_BEHAVIOUR] == 1 && recent == CAIRN_ANSWER_SKIPPED)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                 "item 6 is yes: give its follow-up as a 7th answer, y or n: "
                                 "was it within the past 3 months? (rule cssrs_branching)");
    if (a[CSSRS_BEHAVIOUR] == 0 && recent != CAIRN_ANSWER_SKIPPED)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                 "item 6 follow-up: answered, but item 6 is no; the follow-up "
                                 "is only asked after a yes (rule cssrs_branching)");

    for (int i = CSSRS_WISH_DEAD; i <= CSSRS_BEHAVIOUR; i++)
        out->total += a[i] == 1;
    char *why = out->band_why;
    const size_t size = sizeof out->band_why;
    if (a[CSSRS_INTENT] == 1)
        append_reason(why, size, "yes to item 4, intent to act without a specific plan");
    if (a[CSSRS_PLAN] == 1)
        append_reason(why, size, "yes to item 5, intent with a specific plan");
    if (a[CSSRS_BEHAVIOUR] == 1 && recent == 1)
        append_reason(why, size, "item 6, suicidal behaviour within the past 3 months");
    if (*why) {
        out->risk = CAIRN_CSSRS_HIGH;
    } else {
        if (a[CSSRS_METHOD] == 1)
            append_reason(why, size, "yes to item 3, thoughts of a method without plan or intent");
        if (a[CSSRS_BEHAVIOUR] == 1)
            append_reason(why, size, "item 6, suicidal behaviour more than 3 months ago");
        if (*why) {
            out->risk = CAIRN_CSSRS_MODERATE;
        } else if (a[CSSRS_WISH_DEAD] == 1 || a[CSSRS_THOUGHTS] == 1) {
            out->risk = CAIRN_CSSRS_LOW;
            append_reason(why, size, "yes to items 1–2 only");
        } else {
            out->risk = CAIRN_CSSRS_NONE;
            append_reason(why, size, "no to every item");
        }
    }
    out->band = cairn_cssrs_risk_str(out->risk);
    out->band_rule = def->band_rule;
    if (out->risk == CAIRN_CSSRS_HIGH) {
        out->flags |= 1u << CAIRN_MEASURE_FLAG_CSSRS_HIGH;
        snprintf(out->flag_text[CAIRN_MEASURE_FLAG_CSSRS_HIGH], CAIRN_MEASURE_TEXT_MAX,
                 "URGENT: C-SSRS screen is high risk (%.150s): assess and safety-plan now "
                 "(rule cssrs_high_risk)",
                 why);
    }
    return CAIRN_OK;
}

enum cairn_status cairn_measure_score(const struct cairn_instrument_def *def, const int *answers,
                                      size_t n, struct cairn_measure_score *out,
                                      struct cairn_error *err)
{
    memset(out, 0, sizeof *out);
    out->band = "";
    out->band_rule = "";
    if (!def)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "unknown instrument");
    if (n > def->nanswers)
        return count_error(def, n, err);
    char name[64];
    for (size_t i = 0; i < n; i++) {
        if (answers[i] == CAIRN_ANSWER_SKIPPED && def->yes_no)
            continue;
        if (answers[i] < def->min || answers[i] > def->max) {
            item_name(def, i, name, sizeof name);
            if (answers[i] == CAIRN_ANSWER_SKIPPED)
                return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                         "%s: no answer (give %d–%d)", name, def->min, def->max);
            return cairn_error_field(err, CAIRN_ERR_INVALID, "answers",
                                     "%s: %d is out of range %d–%d", name, answers[i], def->min,
                                     def->max);
        }
    }
    if (def->instrument == CAIRN_INSTRUMENT_CSSRS_SCREEN)
        return score_cssrs(def, answers, n, out, err);
    if (n != def->nanswers)
        return count_error(def, n, err);
    for (size_t i = 0; i < n; i++)
        out->total += answers[i];
    const struct cairn_measure_band *band = cairn_measure_band(def, out->total);
    if (band) {
        out->band = band->label;
        out->band_rule = def->band_rule;
        snprintf(out->band_why, sizeof out->band_why, "total %d–%d", band->lo, band->hi);
    }
    if (def->instrument == CAIRN_INSTRUMENT_PHQ9 && answers[8] > 0) {
        out->flags |= 1u << CAIRN_MEASURE_FLAG_PHQ9_ITEM9;
        snprintf(out->flag_text[CAIRN_MEASURE_FLAG_PHQ9_ITEM9], CAIRN_MEASURE_TEXT_MAX,
                 "URGENT: PHQ-9 item 9 (thoughts of self-harm) answered %d: complete a C-SSRS "
                 "screen now (rule phq9_item9)",
                 answers[8]);
    }
    return CAIRN_OK;
}

static void add_label(struct cairn_measure_change *out, enum cairn_change_kind kind,
                      const char *code, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add_label(struct cairn_measure_change *out, enum cairn_change_kind kind,
                      const char *code, const char *rule, const char *fmt, ...)
{
    if (out->nlabels >= COUNT(out->labels))
        return;
    struct cairn_change_label *l = &out->labels[out->nlabels++];
    char detail[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    static const char *const names[] = {
        [CAIRN_CHANGE_RELIABLE_IMPROVEMENT] = "reliable improvement",
        [CAIRN_CHANGE_RELIABLE_WORSENING] = "reliable worsening",
        [CAIRN_CHANGE_RESPONSE] = "response",
        [CAIRN_CHANGE_REMISSION] = "remission",
    };
    char name[sizeof l->rule];
    snprintf(name, sizeof name, "%s_%s", code, rule);
    l->kind = kind;
    memcpy(l->rule, name, sizeof name);
    snprintf(l->text, sizeof l->text, "%s (rule %s: %s)", names[kind], name, detail);
}

unsigned cairn_measure_change_kinds(const struct cairn_instrument_def *def, int baseline, int total,
                                    int reliable_change)
{
    unsigned kinds = 0;
    if (!def)
        return 0;
    int threshold = reliable_change > 0 ? reliable_change : def->reliable_change;
    int drop = baseline - total;
    if (def->reliable_change > 0 && threshold > 0) {
        if (drop >= threshold)
            kinds |= 1u << CAIRN_CHANGE_RELIABLE_IMPROVEMENT;
        else if (-drop >= threshold)
            kinds |= 1u << CAIRN_CHANGE_RELIABLE_WORSENING;
    }
    if (def->response_rules && baseline >= CAIRN_MEASURE_RESPONSE_BASELINE_MIN) {
        if (2 * drop >= baseline)
            kinds |= 1u << CAIRN_CHANGE_RESPONSE;
        if (total < CAIRN_MEASURE_REMISSION_BELOW)
            kinds |= 1u << CAIRN_CHANGE_REMISSION;
    }
    return kinds;
}

void cairn_measure_change(const struct cairn_instrument_def *def, int baseline, int total,
                          int reliable_change, struct cairn_measure_change *out)
{
    memset(out, 0, sizeof *out);
    if (!def)
        return;
    unsigned kinds = cairn_measure_change_kinds(def, baseline, total, reliable_change);
    int threshold = reliable_change > 0 ? reliable_change : def->reliable_change;
    if (kinds & 1u << CAIRN_CHANGE_RELIABLE_IMPROVEMENT)
        add_label(out, CAIRN_CHANGE_RELIABLE_IMPROVEMENT, def->code, "reliable_change",
                  "drop ≥ %d from baseline %d", threshold, baseline);
    if (kinds & 1u << CAIRN_CHANGE_RELIABLE_WORSENING)
        add_label(out, CAIRN_CHANGE_RELIABLE_WORSENING, def->code, "reliable_change",
                  "rise ≥ %d from baseline %d", threshold, baseline);
    if (kinds & 1u << CAIRN_CHANGE_RESPONSE)
        add_label(out, CAIRN_CHANGE_RESPONSE, def->code, "response", "≥ 50%% drop from baseline %d",
                  baseline);
    if (kinds & 1u << CAIRN_CHANGE_REMISSION)
        add_label(out, CAIRN_CHANGE_REMISSION, def->code, "remission", "total < %d, baseline ≥ %d",
                  CAIRN_MEASURE_REMISSION_BELOW, CAIRN_MEASURE_RESPONSE_BASELINE_MIN);
}
