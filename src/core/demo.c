/* Synthetic demo caseloads. Every name here is made up and combined at
 * random; none belongs to a real patient. Uses only the public API, so a
 * demo exercises the same validation and audit paths as real use. */
#include "cairn/demo.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/date.h"
#include "cairn/ladder.h"
#include "cairn/measure.h"
#include "cairn/patient.h"
#include "cairn/plan.h"
#include "cairn/program.h"
#include "cairn/review.h"
#include "cairn/session.h"
#include "cairn/staff.h"
#include "cairn/store.h"
#include "cairn/template.h"

static const char *const first_names[] = {
    "Ada",   "Bram",    "Céline", "Dara",   "Eero",   "Farah",   "Goran",    "Hana",
    "Ilse",  "Joaquín", "Kai",    "Lúcia",  "Mateus", "Noor",    "Oksana",   "Pádraig",
    "Quinn", "Rosa",    "Søren",  "Tamsin", "Uriel",  "Vesna",   "Wren",     "Ximena",
    "Yusuf", "Zoë",     "Ayşe",   "Björn",  "Chiara", "Dmitri",  "Élodie",   "Florin",
    "Greta", "Hiroshi", "Inés",   "Jonas",  "Kalani", "Leilani", "Miloš",    "Nadia",
    "Orla",  "Priya",   "Rafael", "Sanna",  "Teodor", "Ulla",    "Valentin", "Wiremu",
};

static const char *const last_names[] = {
    "Abernathy", "Brønsted",   "Castellanos", "Dufresne",        "Eklund",    "Fairweather",
    "Gallo",     "Halvorsen",  "Iwasaki",     "Jovanović",       "Kowalczyk", "Lindqvist",
    "Marchetti", "Nakamura",   "Ó Riordáin",  "Pellegrino",      "Quintero",  "Rasmussen",
    "Szabó",     "Thorne",     "Underhill",   "Vasquez",         "Whitlock",  "Xu",
    "Yildirim",  "Zeller",     "Ångström",    "Bergström",       "Çelik",     "Dubois",
    "Esposito",  "Fitzgerald", "Grünewald",   "Hálfdanardóttir", "Ivanova",   "Jansen",
};

/* Names people go by, unrelated to the legal first name, as in real rosters. */
static const char *const preferred_names[] = {"Sunny", "Kit", "Jo",  "Bea",  "Niko", "Rae",
                                              "Lou",   "Max", "Tam", "Zuzu", "Ren",  "Mika"};

static const char *const pronouns[] = {"she/her", "he/him", "they/them", ""};

/* splitmix64: small, fast, and the same sequence for the same seed everywhere. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *state, unsigned n)
{
    return (unsigned)(next_random(state) % n);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The bundled templates demo patients are admitted to; adolescent-iop last. */
static const char *const demo_programs[] = {"virtual-mh-iop", "substance-use-iop",
                                            "adolescent-iop"};

/* Finds program `code`, importing it from the bundled templates when the
 * database does not have it yet. */
static enum cairn_status ensure_program(struct cairn_store *store, const char *code,
                                        struct cairn_program *out, unsigned *made,
                                        struct cairn_error *err)
{
    if (cairn_program_find(store, code, out, NULL) == CAIRN_OK)
        return CAIRN_OK;
    struct cairn_template *t = malloc(sizeof *t);
    if (!t)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    enum cairn_status rc = cairn_error_field(err, CAIRN_ERR_NOT_FOUND, "program",
                                             "no bundled template for program '%s'", code);
    for (size_t i = 0; i < cairn_bundled_template_count(); i++) {
        size_t len;
        const char *text = cairn_bundled_template_text(i, &len);
        bool unchanged;
        if (cairn_template_parse(text, len, t, NULL, NULL) != CAIRN_OK ||
            strcmp(t->program.code, code) != 0)
            continue;
        rc = cairn_template_import(store, t, text, len, &unchanged, err);
        if (rc == CAIRN_OK) {
            *out = t->program;
            (*made)++;
        }
        break;
    }
    free(t);
    return rc;
}

/* Makes a staff member unless the login exists; returns its id in *id. */
static enum cairn_status ensure_staff(struct cairn_store *store, const char *login,
                                      const char *name, enum cairn_role role, int64_t *id,
                                      unsigned *made, struct cairn_error *err)
{
    struct cairn_staff st = {0};
    if (cairn_staff_find(store, login, &st, NULL) == CAIRN_OK) {
        *id = st.id;
        return CAIRN_OK;
    }
    snprintf(st.login, sizeof st.login, "%s", login);
    snprintf(st.name, sizeof st.name, "%s", name);
    st.role = role;
    enum cairn_status rc = cairn_staff_add(store, &st, err);
    if (rc == CAIRN_OK) {
        *id = st.id;
        (*made)++;
    }
    return rc;
}

/* --- tracking: what a stay in the program leaves behind ------------------ */

/* One admitted patient as the tracking pass sees them. */
struct demo_patient {
    int64_t id;
    char mrn[CAIRN_MRN_MAX + 1];
    unsigned prog;      /* index into demo_programs */
    unsigned therapist; /* clinician number of their therapist (login demo.thNN) */
    enum cairn_risk risk;
    int32_t admitted;
    int32_t last; /* last day in care: discharge, the start of a hold, or today */
    bool discharged, on_hold;
    int iday;                       /* ISO weekday (1-5) of their weekly individual session */
    int istart;                     /* its start, minutes after midnight */
    unsigned absent, excused, late; /* chances in 100 per group session */
    uint64_t rng;                   /* this patient's own stream */
};

/* Everything the tracking pass shares. */
struct demo_tracking {
    struct cairn_store *store;
    int32_t today;
    const struct cairn_program *programs;
    struct cairn_template *templates[COUNT(demo_programs)];
    const unsigned *therapist_no; /* clinician numbers of the therapists */
    unsigned nther;
    struct demo_patient *patients;
    size_t npatients;
    struct cairn_demo_stats *made;
    struct cairn_roster_entry roster[CAIRN_ROSTER_MAX];
    struct cairn_ladder *ladder;
    struct cairn_review *review;
    struct cairn_plan *plan, *safety;
};

/* Real groups are small: each day's census is split into groups of at most
 * this many. */
enum { GROUP_SIZE = 12 };

/* Which weekdays (1 = Monday) the groups of a program meeting n times a
 * week run on, for n up to 5; more meet on every weekday, twice. */
static const unsigned char group_days[6][5] = {
    {0}, {3}, {2, 4}, {1, 3, 5}, {1, 2, 4, 5}, {1, 2, 3, 4, 5},
};

/* When each of a program's groups starts, minutes after midnight: morning,
 * afternoon, evening. */
static const int group_starts[] = {9 * 60, 13 * 60, 17 * 60 + 30};

static const char *const mh_groups[] = {"DBT skills", "Process group", "CBT skills",
                                        "Mindfulness and distress tolerance",
                                        "Behavioural activation"};
static const char *const su_groups[] = {"Relapse prevention", "Process group", "Recovery skills",
                                        "Coping with cravings", "Peer recovery support"};
static const char *const teen_groups[] = {"Emotion regulation skills", "Process group",
                                          "Family and school skills", "Mindfulness",
                                          "Healthy relationships"};

static const char *const plan_triggers[] = {
    "Payday and cash in hand",
    "Arguments at home",
    "Evenings alone",
    "Sunday nights before the week",
    "Seeing friends from using days",
    "Several nights of poor sleep",
    "Anniversary of a loss",
    "Criticism at work or school",
    "Feeling left out online",
    "Long days with nothing planned",
};
static const char *const plan_warning_signs[] = {
    "Skipping meals",
    "Staying in bed past noon",
    "Cancelling plans with friends",
    "Not answering the phone",
    "Snapping at people I care about",
    "Thinking \"what's the point\"",
    "Remembering past use as only good",
    "Sleeping much more or less than usual",
    "Missing group or appointments",
};
static const char *const plan_coping[] = {
    "Box breathing for five minutes",
    "Walk around the block",
    "Call or text a support person",
    "Cold water on the face",
    "Write the thought down and check the evidence",
    "Play a favourite playlist",
    "Urge surfing for ten minutes",
    "Make a cup of tea and sit outside",
    "Opposite action: do the thing I am avoiding",
    "Go to a peer-support meeting",
};
static const char *const plan_lapse_response[] = {
    "Leave the situation straight away",        "Call my sponsor or counsellor within the hour",
    "Remember that one lapse is not a relapse", "Write down what led up to it",
    "Bring it to the next group without shame", "Get rid of anything left over",
};
static const char *const plan_social_goals[] = {
    "Have a meal with a friend",    "Go to a peer-support meeting", "Call a family member",
    "Join a class or club session", "Volunteer for an hour",        "Walk with a neighbour",
};
static const char *const plan_boundaries[] = {
    "Say no to lending money",
    "Leave gatherings where people are using",
    "No work calls after 8 pm",
    "Ask family not to comment on my weight",
};
static const char *const plan_aftercare[] = {
    "Weekly outpatient therapy after discharge",
    "Peer-support meetings twice a week",
    "Monthly psychiatry follow-up",
    "Alumni group on Thursday evenings",
};
static const char *const relations[] = {"sister", "brother", "friend",    "partner",   "mother",
                                        "father", "cousin",  "neighbour", "colleague", "sponsor"};
static const char *const safety_warning_signs[] = {
    "Feeling trapped or like a burden", "Not sleeping for days", "Pulling away from everyone",
    "Drinking more than usual",         "Giving things away",
};
static const char *const safety_coping[] = {
    "Take a hot shower",           "Go for a brisk walk",      "Listen to music",
    "Hold ice and breathe slowly", "Watch a favourite comedy", "Pray or meditate",
};
static const char *const safety_distraction[] = {
    "Sit in the library", "The coffee shop on the corner", "The gym", "Walk in the park",
    "Visit my cousin",    "The community garden",
};
static const char *const safety_environment[] = {
    "Ask someone I trust to keep my medication",
    "Keep no alcohol at home",
    "Stay with family on difficult nights",
};
static const char *const safety_reasons[] = {
    "My children",         "My dog",   "Seeing my sister graduate",
    "Finishing my course", "My faith", "The people in my group",
    "Travelling one day",
};
static const char *const lapse_triggers[] = {
    "A family party where everyone was drinking",
    "Payday after a hard week",
    "Ran into an old friend who still uses",
    "Could not sleep and felt restless",
    "Argument with my partner",
};
static const char *const lapse_coping[] = {
    "Called my sponsor the next morning",
    "Told the group on Monday",
    "Left early and went home",
    "Used urge surfing the next time",
};

/* The login of clinician number n ("demo.th01"). */
static void therapist_login(unsigned n, char *out, size_t size)
{
    snprintf(out, size, "demo.th%02u", n);
}

/* "HH:MM" for `minute` minutes after midnight (wrapped into the day). */
static void format_start(int minute, char out[6])
{
    unsigned m = (unsigned)minute % (24 * 60);
    snprintf(out, 6, "%02u:%02u", m / 60 % 24, m % 60);
}

/* Chooses how patient dp attends one session of `minutes`: attended most
 * of the time, by their own chances otherwise; late comes with the minutes
 * they were there. `scale` divides their chances (2: half as often). */
static void draw_attendance(struct demo_patient *dp, int minutes, unsigned scale,
                            struct cairn_roster_entry *e)
{
    unsigned r = pick(&dp->rng, 100) * scale;
    snprintf(e->mrn, sizeof e->mrn, "%s", dp->mrn);
    e->minutes_attended = -1;
    if (r < dp->absent)
        e->status = CAIRN_ABSENT;
    else if (r < dp->absent + dp->excused)
        e->status = CAIRN_EXCUSED;
    else if (r < dp->absent + dp->excused + dp->late && minutes >= 4) {
        int most = minutes / 2 < 60 ? minutes / 2 : 60;
        e->status = CAIRN_LATE;
        e->minutes_attended = minutes - 1 - (int)pick(&dp->rng, (unsigned)most);
    } else
        e->status = CAIRN_ATTENDED;
}

static bool in_care(const struct demo_patient *dp, int32_t day)
{
    return dp->admitted <= day && day <= dp->last;
}

/* Logs one session with the first n lines of tk->roster and counts it. */
static enum cairn_status log_session(struct demo_tracking *tk, struct cairn_session *s, size_t n,
                                     struct cairn_error *err)
{
    enum cairn_status rc = cairn_session_log(tk->store, s, tk->roster, n, err);
    if (rc == CAIRN_OK) {
        tk->made->sessions++;
        tk->made->attendance += (unsigned)n;
    }
    return rc;
}

/* Logs program `prog`'s sessions from its first admission to its last day
 * in care: its groups on the schedule (sessions_per_week meetings of
 * hours_per_session each; the day's census split into groups of about
 * GROUP_SIZE, one roster each) and each patient's weekly individual
 * session. `members` are the indices of the program's patients, `n` of
 * them, in the order they were made. */
static enum cairn_status log_program_sessions(struct demo_tracking *tk, unsigned prog,
                                              const size_t *members, size_t n,
                                              struct cairn_error *err)
{
    const struct cairn_template *t = tk->templates[prog];
    const struct cairn_program *pr = &tk->programs[prog];
    enum cairn_status rc = CAIRN_OK;
    int32_t first = INT32_MAX, end = INT32_MIN;
    size_t *present = NULL; /* indices of the patients in care on one day */

    if (n == 0)
        return CAIRN_OK;
    for (size_t i = 0; i < n; i++) {
        const struct demo_patient *dp = &tk->patients[members[i]];
        first = dp->admitted < first ? dp->admitted : first;
        end = dp->last > end ? dp->last : end;
    }
    if (end < first)
        return CAIRN_OK;
    if (!(present = malloc(n * sizeof *present)))
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");

    const char *const *titles = mh_groups;
    if (strcmp(pr->code, "substance-use-iop") == 0)
        titles = su_groups;
    else if (strcmp(pr->code, "adolescent-iop") == 0)
        titles = teen_groups;
    int minutes = (int)(t->hours_per_session * 60 + 0.5);
    minutes = minutes < 1                           ? 1
              : minutes > CAIRN_SESSION_MINUTES_MAX ? CAIRN_SESSION_MINUTES_MAX
                                                    : minutes;
    int slots = pr->sessions_per_week > 0 ? pr->sessions_per_week : 1;
    bool telehealth = strcmp(pr->code, "virtual-mh-iop") == 0;
    const char *individual = strcmp(pr->code, "substance-use-iop") == 0 ? "Individual counselling"
                                                                        : "Individual therapy";

    for (int32_t day = first; day <= end && day <= tk->today; day++) {
        int wd = cairn_date_weekday(day);
        for (int slot = 0; slot < slots; slot++) {
            int sday = slots <= 5 ? group_days[slots][slot] : 1 + slot % 5;
            if (sday != wd)
                continue;
            /* Those in care, dealt round the day's groups in turn. */
            size_t npresent = 0;
            for (size_t i = 0; i < n; i++)
                if (in_care(&tk->patients[members[i]], day))
                    present[npresent++] = members[i];
            size_t groups = (npresent + GROUP_SIZE - 1) / GROUP_SIZE;
            for (size_t g = 0; g < groups; g++) {
                struct cairn_session s = {
                    .type = CAIRN_SESSION_GROUP, .minutes = minutes, .telehealth = telehealth};
                size_t k = 0;
                for (size_t i = g; i < npresent && k < CAIRN_ROSTER_MAX; i += groups)
                    draw_attendance(&tk->patients[present[i]], minutes, 1, &tk->roster[k++]);
                if (k == 0)
                    continue;
                cairn_date_format(day, s.date);
                format_start(group_starts[g % COUNT(group_starts)] + slot / 5 * (minutes + 60),
                             s.start);
                snprintf(s.title, sizeof s.title, "%s", titles[slot % 5]);
                therapist_login(tk->therapist_no[(g + prog) % tk->nther], s.facilitator,
                                sizeof s.facilitator);
                if ((rc = log_session(tk, &s, k, err)) != CAIRN_OK)
                    goto out;
            }
        }
        for (size_t i = 0; i < n; i++) {
            struct demo_patient *dp = &tk->patients[members[i]];
            if (dp->iday != wd || !in_care(dp, day))
                continue;
            struct cairn_session s = {
                .type = CAIRN_SESSION_INDIVIDUAL, .minutes = 50, .telehealth = telehealth};
            cairn_date_format(day, s.date);
            format_start(dp->istart, s.start);
            snprintf(s.title, sizeof s.title, "%s", individual);
            therapist_login(dp->therapist, s.facilitator, sizeof s.facilitator);
            draw_attendance(dp, s.minutes, 2, &tk->roster[0]);
            if ((rc = log_session(tk, &s, 1, err)) != CAIRN_OK)
                goto out;
        }
    }
out:
    free(present);
    return rc;
}

/* Spreads `total` over n items each 0..max at random (as much of it as fits). */
static void spread(uint64_t *rng, int total, int *items, size_t n, int max)
{
    for (size_t i = 0; i < n; i++)
        items[i] = 0;
    if (total > (int)n * max)
        total = (int)n * max;
    for (; total > 0; total--) {
        size_t i = pick(rng, (unsigned)n);
        while (items[i] >= max)
            i = (i + 1) % n;
        items[i]++;
    }
}

/* Where a score that starts at `base` and moves `trend` percent of it over
 * a stay of `weeks` stands after `week` weeks, give or take `noise`,
 * within 0..max. */
static int trajectory(uint64_t *rng, int base, int trend, int week, int weeks, int noise, int max)
{
    int v = base + base * trend * (week < weeks ? week : weeks) / (100 * (weeks ? weeks : 1));
    v += (int)pick(rng, (unsigned)(2 * noise + 1)) - noise;
    return v < 0 ? 0 : v > max ? max : v;
}

/* What a patient's scores do over the stay, drawn once. */
struct demo_course {
    int trend;                     /* percent of baseline by the end: < 0 improves */
    int phq9, gad7, craving, mood; /* baselines */
    unsigned item9_at;             /* the PHQ-9 (0 = baseline) answering item 9 > 0; ~0u = none */
};

/* The C-SSRS screen at admission: mostly no to everything; a yes to the
 * wish to be dead (low) or thoughts with a method (moderate) now and then,
 * more often the higher the patient's risk. Later screens are all no.
 * Fills answers and returns how many there are. */
static size_t cssrs_answers(struct demo_patient *dp, bool admission, int *a)
{
    static const unsigned low[] = {0, 4, 12, 25}, moderate[] = {0, 1, 6, 18};
    unsigned r = admission ? pick(&dp->rng, 100) : 100;
    int risk = dp->risk <= CAIRN_RISK_HIGH ? (int)dp->risk : 0;
    for (size_t i = 0; i < 6; i++)
        a[i] = 0;
    a[2] = a[3] = a[4] = CAIRN_ANSWER_SKIPPED;
    if (r < moderate[risk]) {
        a[0] = a[1] = a[2] = 1; /* thoughts, with a method, no intent or plan */
        a[3] = a[4] = 0;
    } else if (r < moderate[risk] + low[risk]) {
        a[0] = 1; /* wished to be dead, no active thoughts */
    }
    return 6;
}

/* Adds patient dp's measures on their program's cadences (admission, each
 * week, two weeks or month, and discharge) following one course. */
static enum cairn_status add_measures(struct demo_tracking *tk, struct demo_patient *dp,
                                      struct cairn_error *err)
{
    const struct cairn_template *t = tk->templates[dp->prog];
    int weeks = tk->programs[dp->prog].length_weeks;
    struct demo_course c = {.phq9 = 10 + (int)pick(&dp->rng, 10),
                            .gad7 = 8 + (int)pick(&dp->rng, 9),
                            .craving = 5 + (int)pick(&dp->rng, 4),
                            .mood = 3 + (int)pick(&dp->rng, 3),
                            .item9_at = ~0u};
    unsigned course = pick(&dp->rng, 100);
    if (course < 70)
        c.trend = -40 - (int)pick(&dp->rng, 36); /* improving */
    else if (course < 90)
        c.trend = 0; /* flat */
    else
        c.trend = 30 + (int)pick(&dp->rng, 31); /* worsening */
    if (pick(&dp->rng, 100) < 3)
        c.item9_at = pick(&dp->rng, 3);
    unsigned phq9s = 0;

    for (size_t mi = 0; mi < t->nmeasures; mi++) {
        enum cairn_instrument ins = t->measures[mi].instrument;
        const struct cairn_instrument_def *def = cairn_instrument_get(ins);
        int32_t from = dp->admitted, step;
        switch (t->measures[mi].every) {
        case CAIRN_CADENCE_WEEK:
            step = 7;
            break;
        case CAIRN_CADENCE_TWO_WEEKS:
            step = 14;
            break;
        case CAIRN_CADENCE_MONTH:
            step = 28;
            break;
        case CAIRN_CADENCE_DISCHARGE:
            if (!dp->discharged)
                continue;
            from = dp->last;
            step = 0;
            break;
        default:
            step = 0;
            break;
        }
        for (int32_t day = from; day <= dp->last && day <= tk->today; day += step) {
            struct cairn_measure m = {.patient_id = dp->id, .instrument = ins};
            int week = (day - dp->admitted) / 7;
            cairn_date_format(day, m.date);
            m.nanswers = def->nanswers;
            switch (ins) {
            case CAIRN_INSTRUMENT_PHQ9: {
                int total = trajectory(&dp->rng, c.phq9, c.trend, week, weeks, 2, 24);
                spread(&dp->rng, total, m.answers, 8, 3);
                m.answers[8] = phq9s++ == c.item9_at ? 1 + (pick(&dp->rng, 4) == 0) : 0;
                break;
            }
            case CAIRN_INSTRUMENT_GAD7:
                spread(&dp->rng, trajectory(&dp->rng, c.gad7, c.trend, week, weeks, 2, 21),
                       m.answers, 7, 3);
                break;
            case CAIRN_INSTRUMENT_CRAVING:
                m.answers[0] = trajectory(&dp->rng, c.craving, c.trend, week, weeks, 1, 10);
                break;
            case CAIRN_INSTRUMENT_MOOD:
                m.answers[0] = trajectory(&dp->rng, c.mood, -c.trend, week, weeks, 1, 10);
                break;
            case CAIRN_INSTRUMENT_CSSRS_SCREEN:
                m.nanswers = cssrs_answers(dp, day == dp->admitted, m.answers);
                break;
            default: /* an instrument the demo has no course for: skipped */
                m.nanswers = 0;
                break;
            }
            if (m.nanswers) {
                enum cairn_status rc = cairn_measure_add(tk->store, &m, err);
                if (rc != CAIRN_OK)
                    return rc;
                tk->made->measures++;
            }
            if (step == 0)
                break;
        }
    }
    return CAIRN_OK;
}

/* For about half the patients in care ten days or more: attempts on the
 * first steps of their first ladder, every few days, the peak SUDS falling
 * from one attempt to the next. A step the program's rule calls mastered
 * leads to the next; one that is not after a few tries stays in progress. */
static enum cairn_status add_attempts(struct demo_tracking *tk, struct demo_patient *dp,
                                      struct cairn_error *err)
{
    int32_t last = dp->last < tk->today ? dp->last : tk->today;
    if (tk->templates[dp->prog]->nladders == 0 || last - dp->admitted < 10 ||
        pick(&dp->rng, 100) >= 55)
        return CAIRN_OK;
    enum cairn_status rc = cairn_ladder_load(tk->store, dp->id, "1", tk->ladder, err);
    if (rc != CAIRN_OK)
        return rc;
    const struct cairn_ladder *l = tk->ladder;
    int32_t day = dp->admitted + 3 + (int32_t)pick(&dp->rng, 4);
    size_t steps = 1 + pick(&dp->rng, 4);
    for (size_t s = 0; s < l->nsteps && s < steps; s++) {
        const struct cairn_ladder_step *step = &l->steps[s];
        if (step->retired || step->status == CAIRN_STEP_SKIPPED)
            continue;
        int peak = step->suds * 100 / l->scale + 5 + (int)pick(&dp->rng, 15);
        unsigned tries = 2 + pick(&dp->rng, 4);
        bool mastered = false;
        for (unsigned k = 0; k < tries && !mastered; k++) {
            if (day > last)
                return CAIRN_OK;
            peak = peak > 100 ? 100 : peak;
            struct cairn_ladder_attempt a = {.suds_peak = peak * l->scale / 100,
                                             .minutes = 15 + (int)pick(&dp->rng, 40),
                                             .setting = k % 2 ? CAIRN_ATTEMPT_BETWEEN
                                                              : CAIRN_ATTEMPT_SESSION,
                                             .expectancy_before = -1,
                                             .expectancy_after = -1};
            a.suds_before = a.suds_peak * (50 + (int)pick(&dp->rng, 40)) / 100;
            a.suds_after = a.suds_peak * (20 + (int)pick(&dp->rng, 40)) / 100;
            cairn_date_format(day, a.date);
            struct cairn_mastery m;
            if ((rc = cairn_ladder_attempt_add(tk->store, l->id, step->position, &a, &m, err)) !=
                CAIRN_OK)
                return rc;
            tk->made->attempts++;
            mastered = m.branch == CAIRN_MASTERY_BY_PEAK || m.branch == CAIRN_MASTERY_BY_DROP;
            peak = peak * (55 + (int)pick(&dp->rng, 30)) / 100;
            day += 2 + (int32_t)pick(&dp->rng, 4);
        }
        if (!mastered)
            break;
    }
    return CAIRN_OK;
}

/* Adds `lo`..`hi` different items of list[] to section `name` of plan, when
 * the plan has that section. Returns the first item's index, or -1. */
static int add_items(uint64_t *rng, struct cairn_plan *plan, const char *name,
                     const char *const *list, size_t n, unsigned lo, unsigned hi,
                     struct cairn_error *err, enum cairn_status *rc)
{
    struct cairn_plan_part *part = cairn_plan_part_find(plan, name);
    if (!part || *rc != CAIRN_OK)
        return -1;
    int first = (int)part->nitems;
    unsigned want = lo + pick(rng, hi - lo + 1);
    size_t start = pick(rng, (unsigned)n);
    for (unsigned k = 0; k < want && k < n && *rc == CAIRN_OK; k++)
        *rc = cairn_plan_add_item(plan, name, list[(start + k) % n], err);
    return first;
}

/* Fills in the relapse-prevention plan of most patients (triggers linked to
 * the coping strategies that answer them, warning signs, supports, social
 * goals with weekly targets…) and makes about half of them active, which
 * signs them; patients at moderate or high risk also get a safety plan. */
static enum cairn_status add_plans(struct demo_tracking *tk, struct demo_patient *dp,
                                   struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    bool unchanged;
    char text[CAIRN_PLAN_TEXT_BYTES];
    if (pick(&dp->rng, 100) < 80) {
        struct cairn_plan *p = tk->plan;
        if ((rc = cairn_plan_read(tk->store, CAIRN_PLAN_RELAPSE, dp->id, 0, p, err)) != CAIRN_OK)
            return rc;
        int trig =
            add_items(&dp->rng, p, "triggers", plan_triggers, COUNT(plan_triggers), 2, 4, err, &rc);
        add_items(&dp->rng, p, "warning_signs", plan_warning_signs, COUNT(plan_warning_signs), 2, 4,
                  err, &rc);
        int cope =
            add_items(&dp->rng, p, "coping", plan_coping, COUNT(plan_coping), 3, 5, err, &rc);
        add_items(&dp->rng, p, "lapse_response", plan_lapse_response, COUNT(plan_lapse_response), 2,
                  3, err, &rc);
        int goal = add_items(&dp->rng, p, "social_goals", plan_social_goals,
                             COUNT(plan_social_goals), 1, 3, err, &rc);
        if (pick(&dp->rng, 2))
            add_items(&dp->rng, p, "boundaries", plan_boundaries, COUNT(plan_boundaries), 1, 2, err,
                      &rc);
        if (dp->discharged || pick(&dp->rng, 3) == 0)
            add_items(&dp->rng, p, "aftercare", plan_aftercare, COUNT(plan_aftercare), 1, 2, err,
                      &rc);
        struct cairn_plan_part *supports = cairn_plan_part_find(p, "supports");
        for (unsigned k = 1 + pick(&dp->rng, 3); supports && k > 0 && rc == CAIRN_OK; k--) {
            const char *who = first_names[pick(&dp->rng, COUNT(first_names))];
            unsigned rel = pick(&dp->rng, COUNT(relations));
            if ((rc = cairn_plan_add_item(p, "supports", who, err)) != CAIRN_OK)
                break;
            struct cairn_plan_item *it = &supports->items[supports->nitems - 1];
            snprintf(it->relation, sizeof it->relation, "%s", relations[rel]);
            snprintf(it->phone, sizeof it->phone, "555-01%02u", pick(&dp->rng, 100));
            snprintf(it->role, sizeof it->role, "%s",
                     rel < 7   ? "family"
                     : rel < 9 ? "friend"
                               : "recovery");
        }
        struct cairn_plan_part *goals = cairn_plan_part_find(p, "social_goals");
        for (size_t i = goal < 0 ? 0 : (size_t)goal; goals && goal >= 0 && i < goals->nitems; i++)
            goals->items[i].weekly_target = 1 + (int)pick(&dp->rng, 3);
        /* Keys are given on validation; then each trigger names its answers. */
        if (rc == CAIRN_OK && (rc = cairn_plan_validate(p, err)) == CAIRN_OK && trig >= 0 &&
            cope >= 0) {
            struct cairn_plan_part *t = cairn_plan_part_find(p, "triggers");
            struct cairn_plan_part *c = cairn_plan_part_find(p, "coping");
            for (size_t i = (size_t)trig; i < t->nitems; i++) {
                unsigned links = 1 + pick(&dp->rng, 2);
                size_t at = pick(&dp->rng, (unsigned)c->nitems);
                for (unsigned k = 0; k < links && k < c->nitems; k++)
                    snprintf(t->items[i].copes[t->items[i].ncopes++], CAIRN_PLAN_KEY_BYTES, "%s",
                             c->items[(at + k) % c->nitems].key);
            }
        }
        if (rc != CAIRN_OK)
            return rc;
        snprintf(p->status, sizeof p->status, "%s", pick(&dp->rng, 2) ? "active" : "draft");
        if ((rc = cairn_plan_save(tk->store, p, "Written with the patient in individual session",
                                  &unchanged, err)) != CAIRN_OK)
            return rc;
        tk->made->plans++;
    }
    if (dp->risk != CAIRN_RISK_MODERATE && dp->risk != CAIRN_RISK_HIGH)
        return CAIRN_OK;
    struct cairn_plan *s = tk->safety;
    if ((rc = cairn_plan_read(tk->store, CAIRN_PLAN_SAFETY, dp->id, 0, s, err)) != CAIRN_OK)
        return rc;
    add_items(&dp->rng, s, "warning_signs", safety_warning_signs, COUNT(safety_warning_signs), 2, 3,
              err, &rc);
    add_items(&dp->rng, s, "internal_coping", safety_coping, COUNT(safety_coping), 2, 3, err, &rc);
    add_items(&dp->rng, s, "social_distraction", safety_distraction, COUNT(safety_distraction), 1,
              3, err, &rc);
    add_items(&dp->rng, s, "safe_environment", safety_environment, COUNT(safety_environment), 1, 2,
              err, &rc);
    add_items(&dp->rng, s, "reasons_for_living", safety_reasons, COUNT(safety_reasons), 1, 3, err,
              &rc);
    struct cairn_plan_part *help = cairn_plan_part_find(s, "help_contacts");
    for (unsigned k = 1 + pick(&dp->rng, 2); help && k > 0 && rc == CAIRN_OK; k--) {
        unsigned relation = pick(&dp->rng, COUNT(relations)); /* one pick per statement */
        unsigned first = pick(&dp->rng, COUNT(first_names));
        snprintf(text, sizeof text, "%s (%s)", first_names[first], relations[relation]);
        if ((rc = cairn_plan_add_item(s, "help_contacts", text, err)) == CAIRN_OK)
            snprintf(help->items[help->nitems - 1].phone, CAIRN_PLAN_SHORT_BYTES, "555-01%02u",
                     pick(&dp->rng, 100));
    }
    struct cairn_plan_part *pros = cairn_plan_part_find(s, "professionals");
    if (pros && rc == CAIRN_OK &&
        (rc = cairn_plan_add_item(s, "professionals", "My therapist at the program", err)) ==
            CAIRN_OK)
        snprintf(pros->items[pros->nitems - 1].phone, CAIRN_PLAN_SHORT_BYTES, "555-0100");
    if (rc == CAIRN_OK && (rc = cairn_plan_save(tk->store, s, "Safety planning with the patient",
                                                &unchanged, err)) == CAIRN_OK)
        tk->made->safety_plans++;
    return rc;
}

/* Some patients of a program that keeps a lapse log (in care two weeks or
 * more) lapse once or twice, now and then a relapse. */
static enum cairn_status add_lapses(struct demo_tracking *tk, struct demo_patient *dp,
                                    struct cairn_error *err)
{
    int32_t last = dp->last < tk->today ? dp->last : tk->today;
    if (!tk->templates[dp->prog]->lapse_log || last - dp->admitted < 14 ||
        pick(&dp->rng, 100) >= 40)
        return CAIRN_OK;
    for (unsigned k = 1 + (pick(&dp->rng, 3) == 0); k > 0; k--) {
        struct cairn_lapse l = {.patient_id = dp->id};
        cairn_date_format(dp->admitted + 7 +
                              (int32_t)pick(&dp->rng, (unsigned)(last - dp->admitted - 6)),
                          l.date);
        snprintf(l.kind, sizeof l.kind, "%s", pick(&dp->rng, 100) < 15 ? "relapse" : "lapse");
        snprintf(l.trigger, sizeof l.trigger, "%s",
                 lapse_triggers[pick(&dp->rng, COUNT(lapse_triggers))]);
        snprintf(l.coping, sizeof l.coping, "%s",
                 lapse_coping[pick(&dp->rng, COUNT(lapse_coping))]);
        snprintf(l.note, sizeof l.note, "Talked through in group; plan reviewed");
        enum cairn_status rc = cairn_lapse_add(tk->store, &l, err);
        if (rc != CAIRN_OK)
            return rc;
        tk->made->lapses++;
    }
    return CAIRN_OK;
}

static const char *const review_narratives[] = {
    "Attended most groups; engaged and used coping skills after a stressful call.",
    "A harder week: missed sessions, mood lower. Plan reviewed together.",
    "Steady progress; practised the next exposure step between sessions.",
    "Reports fewer cravings; support person joined the family session.",
};

/* The demo supervisor who co-signed the older reviews. */
#define DEMO_SUPERVISOR "demo.sup01"

/* Weekly reviews as a team would have left them: older weeks signed by the
 * therapist and most co-signed by the demo supervisor, a few never done
 * (overdue), last week's signed (awaiting your co-signature), in draft, or
 * not started yet. Signing goes through the public API, acting as the
 * signer, so each snapshot is computed and frozen as in real use. */
static enum cairn_status add_reviews(struct demo_tracking *tk, struct demo_patient *dp,
                                     struct cairn_error *err)
{
    struct cairn_store *s = tk->store;
    struct cairn_patient p;
    enum cairn_status rc = cairn_patient_find(s, dp->mrn, &p, err);
    if (rc != CAIRN_OK)
        return rc;
    char me[CAIRN_LOGIN_MAX + 1], therapist[CAIRN_LOGIN_MAX + 1];
    long uid = cairn_store_actor_uid(s);
    snprintf(me, sizeof me, "%s", cairn_store_actor_login(s));
    therapist_login(dp->therapist, therapist, sizeof therapist);
    int32_t last = dp->last < tk->today ? dp->last : tk->today;
    int32_t monday = dp->admitted - (cairn_date_weekday(dp->admitted) - 1);
    for (; rc == CAIRN_OK && monday <= last && monday + 6 < tk->today; monday += 7) {
        int y, w;
        char week[CAIRN_WEEK_LEN + 1];
        cairn_date_isoweek(monday, &y, &w);
        cairn_isoweek_format(y, w, week);
        bool recent = monday + 6 >= tk->today - 7; /* last week */
        unsigned roll = pick(&dp->rng, 100);
        if ((recent && roll < 25) || (!recent && roll < 6))
            continue; /* not started: due, or overdue */
        bool existed;
        cairn_store_set_actor(s, uid, therapist);
        rc = cairn_review_start(s, &p, week, tk->review, &existed, err);
        if (rc != CAIRN_OK)
            break;
        struct cairn_review_inputs *in = &tk->review->inputs;
        in->risk = dp->risk;
        snprintf(in->text[CAIRN_REVIEW_NARRATIVE], sizeof in->text[0], "%s",
                 review_narratives[pick(&dp->rng, COUNT(review_narratives))]);
        snprintf(in->text[CAIRN_REVIEW_NEXT_STEPS], sizeof in->text[0], "%s",
                 "Continue the plan; next exposure step agreed.");
        for (size_t i = 0; i < in->nchecks; i++)
            in->checks[i].answer = pick(&dp->rng, 10) ? 1 : 0;
        bool unchanged;
        rc = cairn_review_save(s, tk->review, &unchanged, err);
        if (rc == CAIRN_OK && !(recent && roll < 50)) {
            rc = cairn_review_sign(s, tk->review, err);
            tk->made->reviews++;
            if (rc == CAIRN_OK && !recent && roll < 90) {
                cairn_store_set_actor(s, uid, DEMO_SUPERVISOR);
                rc = cairn_review_cosign(s, tk->review, err);
            }
        }
    }
    cairn_store_set_actor(s, uid, me);
    return rc;
}

/* Gives each admitted patient their attendance habits and draws the rest
 * of their stay from their own stream, so one patient's data does not
 * depend on how much another's needed. */
static void prepare_patient(struct demo_patient *dp, int32_t today)
{
    unsigned habit = pick(&dp->rng, 100);
    if (habit < 80) { /* attends about nine sessions in ten */
        dp->absent = 4;
        dp->excused = 3;
        dp->late = 4;
    } else if (habit < 95) { /* often absent or late */
        dp->absent = 18;
        dp->excused = 6;
        dp->late = 14;
    } else { /* struggling to come at all */
        dp->absent = 35;
        dp->excused = 5;
        dp->late = 15;
    }
    dp->iday = 1 + (int)pick(&dp->rng, 5);
    dp->istart = (10 + (int)pick(&dp->rng, 7)) * 60;
    if (dp->on_hold) { /* stopped coming some days ago, or right after admission */
        dp->last = today - 3 - (int32_t)pick(&dp->rng, 18);
        dp->last = dp->last < dp->admitted ? dp->admitted : dp->last;
    }
    if (dp->last > today)
        dp->last = today;
}

/* Generates the tracking data of every admitted patient (see demo.h). */
static enum cairn_status add_tracking(struct demo_tracking *tk, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    size_t *members = NULL;
    if (!(members = malloc((tk->npatients ? tk->npatients : 1) * sizeof *members)) ||
        !(tk->ladder = malloc(sizeof *tk->ladder)) || !(tk->review = malloc(sizeof *tk->review)) ||
        !(tk->plan = cairn_plan_new(CAIRN_PLAN_RELAPSE)) ||
        !(tk->safety = cairn_plan_new(CAIRN_PLAN_SAFETY))) {
        rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t p = 0; p < COUNT(demo_programs); p++) {
        if (!(tk->templates[p] = malloc(sizeof *tk->templates[p]))) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
            goto out;
        }
        if ((rc = cairn_template_load(tk->store, tk->programs[p].id, tk->templates[p], err)) !=
            CAIRN_OK)
            goto out;
    }
    for (size_t i = 0; i < tk->npatients; i++)
        prepare_patient(&tk->patients[i], tk->today);
    for (unsigned p = 0; p < COUNT(demo_programs); p++) {
        size_t n = 0;
        for (size_t i = 0; i < tk->npatients; i++)
            if (tk->patients[i].prog == p)
                members[n++] = i;
        if ((rc = log_program_sessions(tk, p, members, n, err)) != CAIRN_OK)
            goto out;
    }
    for (size_t i = 0; i < tk->npatients; i++) {
        struct demo_patient *dp = &tk->patients[i];
        if (dp->last < dp->admitted)
            continue;
        if ((rc = add_measures(tk, dp, err)) != CAIRN_OK ||
            (rc = add_attempts(tk, dp, err)) != CAIRN_OK ||
            (rc = add_plans(tk, dp, err)) != CAIRN_OK ||
            (rc = add_lapses(tk, dp, err)) != CAIRN_OK ||
            (rc = add_reviews(tk, dp, err)) != CAIRN_OK)
            goto out;
    }
out:
    for (size_t p = 0; p < COUNT(demo_programs); p++) {
        free(tk->templates[p]);
        tk->templates[p] = NULL;
    }
    cairn_plan_free(&tk->plan);
    cairn_plan_free(&tk->safety);
    free(tk->ladder);
    tk->ladder = NULL;
    free(tk->review);
    tk->review = NULL;
    free(members);
    return rc;
}

static int any_patient(const struct cairn_patient *p, void *ctx)
{
    (void)p;
    *(int *)ctx = 1;
    return 1;
}

enum cairn_status cairn_demo_generate(struct cairn_store *store,
                                      const struct cairn_demo_options *opts,
                                      struct cairn_demo_stats *stats, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    struct cairn_demo_stats made = {0};
    struct cairn_program programs[COUNT(demo_programs)];
    enum { MAX_CLINICIANS = 4096 };
    /* On the heap (about 80 KiB), so the generator is reentrant. */
    struct clinicians {
        int64_t therapists[MAX_CLINICIANS], managers[MAX_CLINICIANS];
        unsigned therapist_no[MAX_CLINICIANS];
    } *cl = NULL;
    unsigned nther = 0, nman = 0;
    struct demo_patient *admitted = NULL;
    size_t nadmitted = 0;
    uint64_t rng = opts->seed;
    char login[CAIRN_LOGIN_MAX + 1], name[CAIRN_NAME_MAX + 1];
    int has_patients = 0;

    if (opts->patients < 1 || opts->patients > 1000000)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "patients", "must be 1 to 1000000");
    unsigned clinicians = opts->clinicians ? opts->clinicians : opts->patients / 25;
    if (clinicians < 3)
        clinicians = 3;
    if (clinicians > MAX_CLINICIANS)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "clinicians", "must be at most %d",
                                 MAX_CLINICIANS);
    struct cairn_patient_filter one = {.limit = 1};
    if ((rc = cairn_patient_list(store, &one, any_patient, &has_patients, err)) != CAIRN_OK)
        return rc;
    if (has_patients)
        return cairn_error_set(err, CAIRN_ERR_EXISTS,
                               "this database already holds patients; demo data goes only into "
                               "an empty database, so synthetic and real records never mix");

    if (!(admitted = calloc(opts->patients, sizeof *admitted)) || !(cl = calloc(1, sizeof *cl))) {
        free(admitted);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    }
    if ((rc = cairn_store_begin(store, err)) != CAIRN_OK) {
        free(admitted);
        free(cl);
        return rc;
    }
    for (size_t i = 0; i < COUNT(demo_programs); i++)
        if ((rc = ensure_program(store, demo_programs[i], &programs[i], &made.programs, err)) !=
            CAIRN_OK)
            goto out;
    int64_t me;
    const char *actor = cairn_store_actor_login(store);
    if (strcmp(actor, "?") != 0 &&
        (rc = ensure_staff(store, actor, "Demo Supervisor (you)", CAIRN_ROLE_SUPERVISOR, &me,
                           &made.staff, err)) != CAIRN_OK)
        goto out;
    int64_t supervisor;
    if ((rc = ensure_staff(store, DEMO_SUPERVISOR, "Demo Clinical Supervisor",
                           CAIRN_ROLE_SUPERVISOR, &supervisor, &made.staff, err)) != CAIRN_OK)
        goto out;
    for (unsigned i = 0; i < clinicians; i++) {
        bool manager = i % 3 == 2;
        int64_t id;
        snprintf(login, sizeof login, "demo.%s%02u", manager ? "cm" : "th", i + 1);
        /* One pick per statement: the order in which a call's arguments are
         * evaluated is unspecified, and compilers differ (the same seed must
         * give the same data with every compiler). */
        unsigned last = pick(&rng, COUNT(last_names));
        unsigned first = pick(&rng, COUNT(first_names));
        snprintf(name, sizeof name, "%s %s", first_names[first], last_names[last]);
        if ((rc = ensure_staff(store, login, name,
                               manager ? CAIRN_ROLE_CASE_MANAGER : CAIRN_ROLE_THERAPIST, &id,
                               &made.staff, err)) != CAIRN_OK)
            goto out;
        if (manager)
            cl->managers[nman++] = id;
        else {
            cl->therapist_no[nther] = i + 1;
            cl->therapists[nther++] = id;
        }
    }

    for (unsigned i = 0; i < opts->patients; i++) {
        struct cairn_patient p = {0};
        snprintf(p.mrn, sizeof p.mrn, "DEMO-%06u", i + 1);
        const char *first = first_names[pick(&rng, COUNT(first_names))];
        snprintf(p.legal_name, sizeof p.legal_name, "%s %s", first,
                 last_names[pick(&rng, COUNT(last_names))]);
        if (pick(&rng, 5) == 0)
            snprintf(p.preferred_name, sizeof p.preferred_name, "%s",
                     preferred_names[pick(&rng, COUNT(preferred_names))]);
        unsigned prog = pick(&rng, COUNT(demo_programs));
        bool teen = strcmp(programs[prog].population, "adolescent") == 0;
        int age_days =
            teen ? 13 * 365 + (int)pick(&rng, 5 * 365) : 18 * 365 + (int)pick(&rng, 50 * 365);
        cairn_date_format(opts->today - age_days, p.dob);
        snprintf(p.pronouns, sizeof p.pronouns, "%s", pronouns[pick(&rng, COUNT(pronouns))]);
        snprintf(p.phone, sizeof p.phone, "555-01%02u", pick(&rng, 100));
        unsigned th = pick(&rng, nther);
        p.therapist_id = cl->therapists[th];
        p.case_manager_id = nman ? cl->managers[pick(&rng, nman)] : 0;
        p.risk = (enum cairn_risk)(1 + (pick(&rng, 10) < 6 ? 0 : pick(&rng, 10) < 7 ? 1 : 2));
        if (pick(&rng, 4) == 0)
            snprintf(p.tags, sizeof p.tags, "%s", pick(&rng, 2) ? "telehealth-only" : "new");
        if ((rc = cairn_patient_add(store, &p, err)) != CAIRN_OK)
            goto out;
        made.patients++;

        /* Lifecycle: mostly active; some referred, on hold, discharged or alumni. */
        unsigned roll = pick(&rng, 100);
        if (roll < 7)
            continue; /* referred, awaiting admission */
        int weeks = programs[prog].length_weeks;
        int32_t day_in = opts->today - (int32_t)pick(&rng, (unsigned)weeks * 7);
        int32_t last = opts->today;
        if (roll >= 85)
            day_in -= (int32_t)(weeks * 7 + pick(&rng, 120));
        cairn_date_format(day_in, p.admission_date);
        p.program_id = programs[prog].id;
        if ((rc = cairn_patient_change_status(store, &p, CAIRN_PATIENT_ACTIVE, err)) != CAIRN_OK)
            goto out;
        if (roll >= 78 && roll < 85) {
            rc = cairn_patient_change_status(store, &p, CAIRN_PATIENT_ON_HOLD, err);
        } else if (roll >= 85) {
            int32_t left = day_in + weeks * 7 - (int32_t)pick(&rng, 14);
            if (left > opts->today)
                left = opts->today;
            cairn_date_format(left, p.discharge_date);
            last = left;
            snprintf(p.discharge_reason, sizeof p.discharge_reason, "%s",
                     pick(&rng, 4) ? "Completed program" : "Stepped down to outpatient care");
            rc = cairn_patient_change_status(store, &p, CAIRN_PATIENT_DISCHARGED, err);
            if (rc == CAIRN_OK && roll >= 95)
                rc = cairn_patient_change_status(store, &p, CAIRN_PATIENT_ALUMNI, err);
        }
        if (rc != CAIRN_OK)
            goto out;
        /* Its own stream for the tracking data, so the caseload above stays
         * what the same seed always gave. */
        struct demo_patient *dp = &admitted[nadmitted++];
        dp->id = p.id;
        snprintf(dp->mrn, sizeof dp->mrn, "%s", p.mrn);
        dp->prog = prog;
        dp->therapist = cl->therapist_no[th];
        dp->risk = p.risk;
        dp->admitted = day_in;
        dp->last = last;
        dp->discharged = roll >= 85;
        dp->on_hold = roll >= 78 && roll < 85;
        dp->rng = opts->seed ^ (0xD1B54A32D192ED03ull * (i + 1));
    }
    struct demo_tracking tk = {
        .store = store,
        .today = opts->today < cairn_store_today(store) ? opts->today : cairn_store_today(store),
        .programs = programs,
        .therapist_no = cl->therapist_no,
        .nther = nther,
        .patients = admitted,
        .npatients = nadmitted,
        .made = &made};
    if ((rc = add_tracking(&tk, err)) != CAIRN_OK)
        goto out;
    rc = cairn_store_commit(store, err);
out:
    if (rc != CAIRN_OK)
        cairn_store_rollback(store);
    else if (stats)
        *stats = made;
    free(admitted);
    free(cl);
    return rc;
}
