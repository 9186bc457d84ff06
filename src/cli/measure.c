/* cairn measure add|list|instruments */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* Prints each urgent flag of a score on stderr, one line each. */
static void print_flags(const struct cairn_measure_score *score)
{
    for (int f = 0; f < CAIRN_MEASURE_FLAG__COUNT; f++)
        if (score->flags & (1u << f))
            fprintf(stderr, "%s\n", score->flag_text[f]);
}

/* "moderate (rule phq9_severity: total 10–14)", or "" without a band. */
static void band_text(const struct cairn_measure_score *score, char *out, size_t size)
{
    if (!*score->band)
        snprintf(out, size, "%s", "");
    else if (*score->band_rule)
        snprintf(out, size, "%s (rule %s: %s)", score->band, score->band_rule, score->band_why);
    else
        snprintf(out, size, "%s", score->band);
}

/* Reads one line of stdin into a malloc'd *line; false at end of input. */
static bool read_line(char **line, size_t *cap)
{
    ssize_t n = getline(line, cap, stdin);
    if (n < 0)
        return false;
    while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
        (*line)[--n] = '\0';
    return true;
}

/* Asks item `slot` of def until it gets a valid answer: on a terminal it
 * prompts (on stderr) and asks again after a bad value; otherwise it reads
 * one line and a bad value is an error. Returns 0 or an exit code. */
static int ask_item(struct cli_ctx *ctx, const struct cairn_instrument_def *def, size_t slot,
                    bool tty, int *value)
{
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    for (;;) {
        if (tty) {
            char text[512];
            cairn_text_fit(def->items[slot], 0, text, sizeof text);
            if (def->yes_no && slot >= def->nitems) /* the item-6 follow-up */
                fprintf(stderr, "%s %zub. %s [y/n]: ", def->title, def->nitems, text);
            else if (def->yes_no)
                fprintf(stderr, "%s %zu. %s [y/n]: ", def->title, slot + 1, text);
            else
                fprintf(stderr, "%s %zu/%zu. %s [%d–%d]: ", def->title, slot + 1, def->nitems, text,
                        def->min, def->max);
            fflush(stderr);
        }
        if (!read_line(&line, &cap)) {
            if (tty)
                fputc('\n', stderr);
            cairn_error_field(&ctx->err, CAIRN_ERR_INVALID, "answers",
                              "input ended before item %zu was answered", slot + 1);
            rc = cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
            goto out;
        }
        enum cairn_status st = cairn_measure_parse_answer(def, slot, line, value, &ctx->err);
        if (st == CAIRN_OK && *value == CAIRN_ANSWER_SKIPPED)
            st = cairn_error_field(&ctx->err, CAIRN_ERR_INVALID, "answers",
                                   "item %zu: no answer (give y or n)", slot + 1);
        if (st == CAIRN_OK)
            goto out;
        if (!tty) {
            rc = cli_fail(ctx, st, NULL);
            goto out;
        }
        fprintf(stderr, "  %s; try again\n", ctx->err.message);
    }
out:
    free(line);
    return rc;
}

/* Item-by-item entry when no answers were given (DESIGN.md §3 branching:
 * a C-SSRS "no" to item 2 skips items 3-5; item 6 "yes" asks whether it
 * was within the past 3 months). */
static int ask_answers(struct cli_ctx *ctx, const struct cairn_instrument_def *def,
                       struct cairn_measure *m)
{
    bool tty = isatty(STDIN_FILENO);
    int rc;
    if (tty)
        fprintf(stderr, "%s, %s (%s). Answer each item, %s.\n", def->title, def->about,
                def->citation, def->scale);
    m->nanswers = 0;
    for (size_t slot = 0; slot < def->nanswers; slot++) {
        if (def->instrument == CAIRN_INSTRUMENT_CSSRS_SCREEN) {
            if (slot >= 2 && slot <= 4 && m->answers[1] == 0) {
                if (tty && slot == 2)
                    fprintf(stderr, "  items 3–5 skipped: item 2 is no (rule cssrs_branching)\n");
                m->answers[m->nanswers++] = CAIRN_ANSWER_SKIPPED;
                continue;
            }
            if (slot == 6 && m->answers[5] == 0)
                break;
        }
        if ((rc = ask_item(ctx, def, slot, tty, &m->answers[m->nanswers])))
            return rc;
        m->nanswers++;
    }
    return 0;
}

static json_t *measure_json(const struct cairn_measure *m)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(m->instrument);
    json_t *o = json_object(), *answers = json_array(), *flags = json_array();
    json_object_set_new(o, "id", json_integer(m->id));
    json_object_set_new(o, "date", json_string(m->date));
    json_object_set_new(o, "instrument", json_string(def->code));
    for (size_t i = 0; i < m->nanswers; i++)
        json_array_append_new(answers, m->answers[i] == CAIRN_ANSWER_SKIPPED
                                           ? json_null()
                                           : json_integer(m->answers[i]));
    json_object_set_new(o, "answers", answers);
    json_object_set_new(o, "total", json_integer(m->score.total));
    if (*m->score.band) {
        json_t *band = json_object();
        json_object_set_new(band, "label", json_string(m->score.band));
        cli_json_set_text(band, "rule", m->score.band_rule);
        cli_json_set_text(band, "why", m->score.band_why);
        json_object_set_new(o, "band", band);
    } else {
        json_object_set_new(o, "band", json_null());
    }
    for (int f = 0; f < CAIRN_MEASURE_FLAG__COUNT; f++) {
        if (!(m->score.flags & (1u << f)))
            continue;
        json_t *flag = json_object();
        json_object_set_new(flag, "rule", json_string(cairn_measure_flag_str(f)));
        json_object_set_new(flag, "severity", json_string("urgent"));
        json_object_set_new(flag, "text", json_string(m->score.flag_text[f]));
        json_array_append_new(flags, flag);
    }
    json_object_set_new(o, "flags", flags);
    json_object_set_new(o, "entered_by", json_string(m->entered_by));
    json_object_set_new(o, "created_at", json_string(m->created_at));
    json_object_set_new(o, "version", json_integer(m->version));
    return o;
}

int cli_measure_add(struct cli_ctx *ctx)
{
    struct cairn_measure m;
    struct cairn_patient p;
    enum cairn_status st;
    int rc;
    memset(&m, 0, sizeof m);
    if ((st = cairn_instrument_parse(ctx->args[1], &m.instrument, &ctx->err)) != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    const struct cairn_instrument_def *def = cairn_instrument_get(m.instrument);
    cairn_date_format(ctx->today, m.date);
    if ((rc = cli_date(ctx, "date", m.date)))
        return rc;
    if (ctx->nargs > 2 && (st = cairn_measure_parse_answers(def, ctx->args[2], m.answers,
                                                            &m.nanswers, &ctx->err)) != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    if ((rc = cli_patient(ctx, false, &p)))
        return rc;
    m.patient_id = p.id;
    if (ctx->nargs <= 2 && (rc = ask_answers(ctx, def, &m)))
        return rc;
    if ((st = cairn_measure_add(ctx->store, &m, &ctx->err)) != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    print_flags(&m.score);
    if (ctx->format == CLI_FORMAT_JSON)
        return cli_json_print(measure_json(&m)) ? CLI_EXIT_FAILED : 0;
    char band[CAIRN_MEASURE_TEXT_MAX + 64];
    band_text(&m.score, band, sizeof band);
    printf("added %s for %s on %s: total %d%s%s (measure %lld)\n", def->code, p.mrn, m.date,
           m.score.total, *band ? ", " : ", no bands defined", band, (long long)m.id);
    return 0;
}

struct list_state {
    struct cli_list *list;
    bool json;
};

/* "+3", "-5", "0". */
static void signed_text(int v, char *out, size_t size)
{
    snprintf(out, size, v > 0 ? "+%d" : "%d", v);
}

static int list_row(const struct cairn_measure_entry *e, void *vctx)
{
    struct list_state *ls = vctx;
    const struct cairn_measure *m = &e->m;
    const struct cairn_instrument_def *def = cairn_instrument_get(m->instrument);
    char total[16], vs_base[16] = "-", vs_prev[16] = "-", band[CAIRN_MEASURE_TEXT_MAX + 64];
    char labels[1200] = "";
    bool change = !def->yes_no; /* the C-SSRS screen triages; it has no change */
    snprintf(total, sizeof total, "%d", m->score.total);
    band_text(&m->score, band, sizeof band);
    if (!*band)
        snprintf(band, sizeof band, "no bands defined");
    if (change && e->baseline)
        snprintf(vs_base, sizeof vs_base, "baseline");
    else if (change)
        signed_text(m->score.total - e->baseline_total, vs_base, sizeof vs_base);
    if (change && e->has_previous)
        signed_text(m->score.total - e->previous_total, vs_prev, sizeof vs_prev);
    for (size_t i = 0; i < e->change.nlabels; i++) {
        size_t n = strlen(labels);
        snprintf(labels + n, sizeof labels - n, "%s%s", n ? "; " : "", e->change.labels[i].text);
    }
    for (int f = 0; f < CAIRN_MEASURE_FLAG__COUNT; f++) {
        if (!(m->score.flags & (1u << f)))
            continue;
        size_t n = strlen(labels);
        snprintf(labels + n, sizeof labels - n, "%s%s", n ? "; " : "", m->score.flag_text[f]);
    }
    json_t *o = NULL;
    if (ls->json) {
        o = measure_json(m);
        json_object_set_new(o, "baseline", json_boolean(e->baseline));
        json_object_set_new(o, "baseline_total",
                            change ? json_integer(e->baseline_total) : json_null());
        json_object_set_new(o, "change_from_baseline",
                            change ? json_integer(m->score.total - e->baseline_total)
                                   : json_null());
        json_object_set_new(o, "change_from_previous",
                            change && e->has_previous
                                ? json_integer(m->score.total - e->previous_total)
                                : json_null());
        json_object_set_new(o, "reliable_change_threshold",
                            e->reliable_change ? json_integer(e->reliable_change) : json_null());
        json_t *arr = json_array();
        static const char *const kinds[] = {
            [CAIRN_CHANGE_RELIABLE_IMPROVEMENT] = "reliable improvement",
            [CAIRN_CHANGE_RELIABLE_WORSENING] = "reliable worsening",
            [CAIRN_CHANGE_RESPONSE] = "response",
            [CAIRN_CHANGE_REMISSION] = "remission",
        };
        for (size_t i = 0; i < e->change.nlabels; i++) {
            json_t *l = json_object();
            json_object_set_new(l, "label", json_string(kinds[e->change.labels[i].kind]));
            json_object_set_new(l, "rule", json_string(e->change.labels[i].rule));
            json_object_set_new(l, "text", json_string(e->change.labels[i].text));
            json_array_append_new(arr, l);
        }
        json_object_set_new(o, "labels", arr);
    }
    /* The change columns are signed numbers, "baseline" or "-": never a
     * formula, so CSV leaves them unguarded (CLI_COL_NUMBER). */
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)m->id);
    const char *cells[] = {id, m->date, def->code, total, band, vs_base, vs_prev, labels};
    cli_list_row(ls->list, cells, o);
    return 0;
}

int cli_measure_correct(struct cli_ctx *ctx)
{
    struct cairn_measure m;
    const struct cairn_instrument_def *def;
    unsigned long long version = 0;
    bool unchanged = false;
    char *end = NULL;
    int rc;
    memset(&m, 0, sizeof m);
    long long id = strtoll(ctx->args[0], &end, 10);
    if (!*ctx->args[0] || *end || id < 1)
        return cli_usage_error(ctx, "MEASURE is a measure number (the ID `measure list` shows)");
    m.id = id;
    enum cairn_status st = cairn_instrument_parse(ctx->args[1], &m.instrument, &ctx->err);
    if (st != CAIRN_OK || !(def = cairn_instrument_get(m.instrument)))
        return cli_fail(ctx, CAIRN_ERR_INVALID, NULL);
    if ((rc = cli_date(ctx, "date", m.date)) ||
        (rc = cli_uint(ctx, "if-version", 1, LLONG_MAX, &version)))
        return rc;
    if ((st = cairn_measure_parse_answers(def, ctx->args[2], m.answers, &m.nanswers, &ctx->err)) !=
            CAIRN_OK ||
        (st = cairn_measure_correct(ctx->store, &m, (long long)version, &unchanged, &ctx->err)) !=
            CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    if (unchanged) {
        printf("measure %lld already says so; nothing changed\n", id);
        return 0;
    }
    print_flags(&m.score);
    printf("corrected measure %lld (%s on %s): total %d%s%s, version %lld\n", id, def->code, m.date,
           m.score.total, *m.score.band ? ", " : "", m.score.band, (long long)m.version);
    return 0;
}

int cli_measure_list(struct cli_ctx *ctx)
{
    static const struct cli_col cols[] = {
        {"ID", CLI_COL_NUMBER, 0},          {"DATE", CLI_COL_TEXT, 0},
        {"INSTRUMENT", CLI_COL_TEXT, 0},    {"TOTAL", CLI_COL_NUMBER, 0},
        {"BAND", CLI_COL_TEXT, 0},          {"VS BASELINE", CLI_COL_NUMBER, 0},
        {"VS PREVIOUS", CLI_COL_NUMBER, 0}, {"LABELS", CLI_COL_TEXT, 0},
    };
    enum cairn_instrument instrument = CAIRN_INSTRUMENT_PHQ9;
    const char *only = cli_opt(ctx, "instrument");
    struct cairn_patient p;
    enum cairn_status st;
    int rc;
    if (only && (st = cairn_instrument_parse(only, &instrument, &ctx->err)) != CAIRN_OK)
        return cli_fail(ctx, st, NULL);
    if ((rc = cli_patient(ctx, false, &p)))
        return rc;
    struct list_state ls = {cli_list_begin(ctx->format, cols, (int)(sizeof cols / sizeof cols[0])),
                            ctx->format == CLI_FORMAT_JSON};
    if (!ls.list)
        return CLI_EXIT_FAILED;
    st = cairn_measure_list(ctx->store, p.id, only != NULL, instrument, list_row, &ls, &ctx->err);
    int out = cli_list_end(&ls.list);
    if (st != CAIRN_OK)
        return cli_fail(ctx, st, ctx->args[0]);
    return out ? CLI_EXIT_FAILED : 0;
}

int cli_measure_instruments(struct cli_ctx *ctx)
{
    json_t *all = ctx->format == CLI_FORMAT_JSON ? json_array() : NULL;
    for (int i = 0; i < CAIRN_INSTRUMENT__COUNT; i++) {
        const struct cairn_instrument_def *def = cairn_instrument_get(i);
        size_t shown =
            def->instrument == CAIRN_INSTRUMENT_CSSRS_SCREEN ? def->nanswers : def->nitems;
        if (all) {
            json_t *o = json_object(), *items = json_array(), *bands = json_array();
            json_object_set_new(o, "code", json_string(def->code));
            json_object_set_new(o, "title", json_string(def->title));
            json_object_set_new(o, "about", json_string(def->about));
            json_object_set_new(o, "citation", json_string(def->citation));
            json_object_set_new(o, "scale", json_string(def->scale));
            json_object_set_new(o, "min", json_integer(def->min));
            json_object_set_new(o, "max", json_integer(def->max));
            for (size_t k = 0; k < shown; k++)
                json_array_append_new(items, json_string(def->items[k]));
            json_object_set_new(o, "items", items);
            for (size_t k = 0; k < def->nbands; k++) {
                json_t *b = json_object();
                json_object_set_new(b, "from", json_integer(def->bands[k].lo));
                json_object_set_new(b, "to", json_integer(def->bands[k].hi));
                json_object_set_new(b, "label", json_string(def->bands[k].label));
                json_array_append_new(bands, b);
            }
            json_object_set_new(o, "bands", bands);
            cli_json_set_text(o, "band_rule", def->band_rule);
            json_object_set_new(o, "reliable_change",
                                def->reliable_change ? json_integer(def->reliable_change)
                                                     : json_null());
            json_array_append_new(all, o);
            continue;
        }
        printf("%s%s: %s, %s (%s)\n  answers: %s\n", i ? "\n" : "", def->code, def->title,
               def->about, def->citation, def->scale);
        for (size_t k = 0; k < shown; k++)
            printf("  %zu%s. %s\n", k < def->nitems ? k + 1 : def->nitems,
                   k < def->nitems ? "" : "b", def->items[k]);
        if (def->nbands) {
            printf("  bands (rule %s):", def->band_rule);
            for (size_t k = 0; k < def->nbands; k++)
                printf("%s %d–%d %s", k ? "," : "", def->bands[k].lo, def->bands[k].hi,
                       def->bands[k].label);
            printf("\n");
        } else if (!def->yes_no) {
            printf("  no bands defined; change is shown as a number only\n");
        }
        if (def->reliable_change)
            printf("  reliable change: ±%d points (the program's threshold when it sets one); "
                   "response ≥ 50%% drop and remission total < 5, from a baseline ≥ 10\n",
                   def->reliable_change);
        if (def->yes_no)
            printf("  triage (rule cssrs_triage): high = yes to item 4 or 5, or behaviour "
                   "within 3 months (urgent); moderate = yes to item 3, or behaviour longer "
                   "ago; low = yes to items 1–2 only; none = all no. A no to item 2 skips "
                   "items 3–5 (rule cssrs_branching)\n");
    }
    if (all)
        return cli_json_print(all) ? CLI_EXIT_FAILED : 0;
    return 0;
}
