/* Synthetic demo caseloads. Every name here is made up and combined at
 * random; none belongs to a real patient.
 *
 * The generator draws a realistic stay for every patient and writes it
 * through the bulk path of store_demo.c: finished rows in one transaction.
 * Whatever cairn derives from what is entered (scores, bands and flags,
 * step status and mastery, attendance minutes, plan keys and canonical
 * content, review inputs and the frozen snapshot with its alerts) comes
 * from the same pure functions the public API uses, applied to the
 * patient's data in memory instead of re-read from the store.
 *
 * Two passes, each streaming: the patients (one global random stream,
 * as before, and a compact record per admitted patient); then each
 * patient's own tracking, drawn from their own stream, with each
 * program's group and individual sessions logged day by day alongside
 * (the session pass: its days are spread between the patients' stays; the
 * attendance a patient was given is drawn again from the stream's saved
 * state, so a stay needs no memory of the session pass). Row ids are
 * handed out in the order the public API would have made them, so the
 * same seed and today give the same database as the API path did. */
#include "cairn/demo.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/alert.h"
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
#include "store_demo.h"
#include "store_internal.h"

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
enum { NPROGRAMS = COUNT(demo_programs) };

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

static const char *const review_narratives[] = {
    "Attended most groups; engaged and used coping skills after a stressful call.",
    "A harder week: missed sessions, mood lower. Plan reviewed together.",
    "Steady progress; practised the next exposure step between sessions.",
    "Reports fewer cravings; support person joined the family session.",
};

/* One admitted patient, kept from the patient pass to the tracking passes
 * (64 bytes, so a million patients take 64 MB). */
struct demo_patient {
    int64_t id;
    uint64_t rng;         /* their own stream as their sessions begin */
    uint64_t session_rng; /* the session pass's copy of it */
    int32_t admitted;
    int32_t last;       /* last day in care: discharge, the start of a hold, or today */
    uint32_t number;    /* of the MRN: DEMO-000042 */
    uint16_t therapist; /* their therapist: index into the demo's therapists */
    int16_t istart;     /* their weekly individual session's start, minutes after midnight */
    uint8_t prog;       /* index into demo_programs */
    uint8_t risk;       /* enum cairn_risk */
    uint8_t status;     /* enum cairn_patient_status, as it ends up */
    uint8_t iday;       /* ISO weekday (1-5) of their weekly individual session */
    uint8_t absent, excused, late; /* chances in 100 per group session */
};

static bool discharged(const struct demo_patient *dp)
{
    return dp->status == CAIRN_PATIENT_DISCHARGED || dp->status == CAIRN_PATIENT_ALUMNI;
}

/* How many of a program's patients are in care on each day, and how many
 * of them the tracking pass has placed so far: a patient's place in the
 * day's census is their group (the session pass deals the day's patients
 * round its groups in the order they were made). */
struct census {
    int32_t first; /* the day of in_care[0] */
    size_t ndays;
    uint32_t *in_care, *placed;
};

/* A measure as the snapshot and alert rules read it. */
struct demo_measure {
    int64_t id;
    int32_t day;
    enum cairn_instrument instrument;
    int total;
    const char *band; /* static text of the instrument table */
    unsigned flags;
    int item9; /* PHQ-9 item 9; -1 otherwise */
};

/* An exposure attempt, written once its ladder is (the steps' statuses
 * are final only after the patient's last attempt). */
struct demo_attempt {
    int32_t day;
    size_t step; /* on the first ladder */
    struct cairn_ladder_attempt row;
};

struct demo_lapse {
    int64_t id;
    int32_t day;
    bool relapse;
};

/* One weekly review row of the patient's, as it stands while the reviews
 * are worked through. */
struct demo_review {
    int64_t id;
    int32_t monday;
    char week[CAIRN_WEEK_LEN + 1];
    enum cairn_review_status status;
    int64_t version;
    const char *inputs; /* borrowed from the inputs cache, or owned (owns_inputs) */
    bool owns_inputs;
    char *snapshot; /* owned */
    bool started, signed_, cosigned;
};

/* The reviewer's inputs as JSON, by what varies between them: program,
 * risk, narrative and the checklist answers (a pure function of those, so
 * made once per combination). */
struct inputs_entry {
    uint64_t key; /* 0: empty */
    char *json;
};
enum { INPUTS_CACHE = 4096 };

/* One patient's stay while the tracking pass makes it; reused. */
struct stay {
    const struct demo_patient *dp;
    const struct cairn_template *t;
    const struct cairn_program *pr;
    uint64_t rng;
    int32_t last; /* last day of tracking: dp->last, at most today */
    bool tracked; /* the stay has begun by today */
    char mrn[CAIRN_MRN_MAX + 1];
    char therapist[CAIRN_LOGIN_MAX + 1];
    struct cairn_attendance_line *lines;
    size_t nlines, caplines;
    struct demo_measure *measures;
    size_t nmeasures, capmeasures;
    struct demo_attempt *attempts;
    size_t nattempts, capattempts;
    struct demo_lapse lapses[2];
    size_t nlapses;
    struct demo_review *reviews;
    size_t nreviews, capreviews;
    /* The patient's copies of the program's ladders. */
    int64_t ladder_id[CAIRN_TEMPLATE_LADDERS_MAX], first_step[CAIRN_TEMPLATE_LADDERS_MAX];
    enum cairn_step_status step_status[CAIRN_TEMPLATE_LADDERS_MAX][CAIRN_LADDER_STEPS_MAX];
    int64_t step_version[CAIRN_TEMPLATE_LADDERS_MAX][CAIRN_LADDER_STEPS_MAX];
    int32_t step_last_day[CAIRN_TEMPLATE_LADDERS_MAX][CAIRN_LADDER_STEPS_MAX]; /* 0: none */
    int peaks[CAIRN_LADDER_STEPS_MAX][8];
    /* The plan and safety plan as saved (plan_saved, safety_saved). */
    struct cairn_plan *plan, *safety;
    bool plan_saved;
};

/* Everything the generator shares. */
struct demo {
    struct cairn_store *store;
    struct store_demo *load;
    const struct cairn_demo_options *opts;
    uint64_t rng;        /* the caseload's stream: staff and patients */
    int32_t today;       /* tracking stops here: opts->today, or the store's today if earlier */
    int32_t store_today; /* what rules about "now" judge by (complete weeks, alerts) */
    char now[CAIRN_TIMESTAMP_LEN + 1];
    char me[CAIRN_LOGIN_MAX + 1];
    struct cairn_program programs[NPROGRAMS];
    struct cairn_template *templates[NPROGRAMS];
    struct census census[NPROGRAMS];
    char *empty_plan[NPROGRAMS], *empty_safety[NPROGRAMS]; /* canonical heads before a save */
    int64_t *therapist_ids, *manager_ids;
    unsigned *therapist_no;
    unsigned nther, nman;
    struct demo_patient *patients;
    size_t npatients;
    int64_t seeded_reviews;   /* review rows admission schedules, every patient */
    int64_t next_seeded;      /* the next of their ids */
    struct cairn_patient row; /* scratch for the patient pass */
    struct stay stay;
    struct cairn_review_snapshot *snapshot;
    struct cairn_snapshot_writer *snapshots; /* writes every snapshot */
    struct cairn_review_inputs *inputs;
    struct inputs_entry *inputs_cache;
    size_t inputs_cached;
    struct cairn_demo_stats made;
    struct store_summary *summary; /* scratch for a patient's summary */
    int64_t next_summary;          /* the next patient whose summary is to be written */
    int64_t end_patient;           /* one past the last patient's id */
};

/* Grows *v (n in use, *cap allocated, `size` bytes each) to hold one more. */
static bool grow(void *v, size_t n, size_t *cap, size_t size)
{
    void **p = v;
    if (n < *cap)
        return true;
    size_t want = *cap ? 2 * *cap : 32;
    void *grown = realloc(*p, want * size);
    if (!grown)
        return false;
    *p = grown;
    *cap = want;
    return true;
}

static enum cairn_status nomem(struct cairn_error *err)
{
    return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory generating the demo");
}

/* The login of clinician number n ("demo.th01"). */
static void therapist_login(unsigned n, char *out, size_t size)
{
    snprintf(out, size, "demo.th%02u", n);
}

/* "HH:MM" for `minute` minutes after midnight (wrapped into the day), and
 * the minute of the day it names. */
static int format_start(int minute, char out[6])
{
    unsigned m = (unsigned)minute % (24 * 60);
    unsigned h = m / 60 % 24, mm = m % 60; /* "%02u:%02u", once per attendance line */
    out[0] = (char)('0' + h / 10);
    out[1] = (char)('0' + h % 10);
    out[2] = ':';
    out[3] = (char)('0' + mm / 10);
    out[4] = (char)('0' + mm % 10);
    out[5] = '\0';
    return (int)m;
}

/* Chooses how patient dp attends one session of `minutes`, from `rng`:
 * attended most of the time, by their own chances otherwise; a late
 * arrival comes with the minutes they were there. `scale` divides their
 * chances (2: half as often). Sets the minutes the line counts (all when
 * attended, none when absent or excused). */
static void draw_attendance(uint64_t *rng, const struct demo_patient *dp, int minutes,
                            unsigned scale, enum cairn_attendance_status *status, int *got)
{
    unsigned r = pick(rng, 100) * scale;
    *got = 0;
    if (r < dp->absent)
        *status = CAIRN_ABSENT;
    else if (r < (unsigned)dp->absent + dp->excused)
        *status = CAIRN_EXCUSED;
    else if (r < (unsigned)dp->absent + dp->excused + dp->late && minutes >= 4) {
        int most = minutes / 2 < 60 ? minutes / 2 : 60;
        *status = CAIRN_LATE;
        *got = minutes - 1 - (int)pick(rng, (unsigned)most);
    } else {
        *status = CAIRN_ATTENDED;
        *got = minutes;
    }
}

static bool in_care(const struct demo_patient *dp, int32_t day)
{
    return dp->admitted <= day && day <= dp->last;
}

/* A program's group sessions: their length in minutes, and how many a
 * week. */
static int group_minutes(const struct cairn_template *t)
{
    int minutes = (int)(t->hours_per_session * 60 + 0.5);
    return minutes < 1                           ? 1
           : minutes > CAIRN_SESSION_MINUTES_MAX ? CAIRN_SESSION_MINUTES_MAX
                                                 : minutes;
}

static int group_slots(const struct cairn_program *pr)
{
    return pr->sessions_per_week > 0 ? pr->sessions_per_week : 1;
}

/* The weekday (1 = Monday) of group meeting `slot` of a week of `slots`. */
static int slot_day(int slots, int slot)
{
    return slots <= 5 ? group_days[slots][slot] : 1 + slot % 5;
}

/* When group `g` of meeting `slot` starts, minutes after midnight (not yet
 * wrapped into the day). */
static int group_start(size_t g, int slot, int minutes)
{
    return group_starts[g % COUNT(group_starts)] + slot / 5 * (minutes + 60);
}

/* --- the caseload -------------------------------------------------------- */

/* Gives an admitted patient their attendance habits and, when on hold, the
 * day they stopped coming; drawn from their own stream, so one patient's
 * data does not depend on how much another's needed. */
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
    dp->iday = (uint8_t)(1 + pick(&dp->rng, 5));
    dp->istart = (int16_t)((10 + (int)pick(&dp->rng, 7)) * 60);
    if (dp->status == CAIRN_PATIENT_ON_HOLD) { /* stopped coming some days ago, or right away */
        dp->last = today - 3 - (int32_t)pick(&dp->rng, 18);
        dp->last = dp->last < dp->admitted ? dp->admitted : dp->last;
    }
    if (dp->last > today)
        dp->last = today;
}

/* The Monday of the week `day` falls in. */
static int32_t monday_of(int32_t day)
{
    return day - (cairn_date_weekday(day) - 1);
}

/* How many weekly reviews admission schedules: one per ISO week with a day
 * in [admitted, expected discharge). */
static int64_t scheduled_reviews(int32_t admitted, int32_t expected)
{
    int64_t n = 0;
    for (int32_t day = monday_of(admitted); day < expected; day += 7)
        n++;
    return n;
}

/* Makes patient number i + 1 and their place in a program, as the public
 * API would leave them after add, admit, and hold or discharge: one row
 * in its final state, audited once. Admitted patients are added to
 * dm->patients. */
static enum cairn_status add_patient(struct demo *dm, unsigned i, struct cairn_error *err)
{
    const struct cairn_demo_options *opts = dm->opts;
    uint64_t *rng = &dm->rng;
    struct cairn_patient *p = &dm->row;
    memset(p, 0, sizeof *p);
    snprintf(p->mrn, sizeof p->mrn, "DEMO-%06u", i + 1);
    const char *first = first_names[pick(rng, COUNT(first_names))];
    snprintf(p->legal_name, sizeof p->legal_name, "%s %s", first,
             last_names[pick(rng, COUNT(last_names))]);
    if (pick(rng, 5) == 0)
        snprintf(p->preferred_name, sizeof p->preferred_name, "%s",
                 preferred_names[pick(rng, COUNT(preferred_names))]);
    unsigned prog = pick(rng, NPROGRAMS);
    const struct cairn_program *pr = &dm->programs[prog];
    bool teen = strcmp(pr->population, "adolescent") == 0;
    int age_days = teen ? 13 * 365 + (int)pick(rng, 5 * 365) : 18 * 365 + (int)pick(rng, 50 * 365);
    cairn_date_format(opts->today - age_days, p->dob);
    snprintf(p->pronouns, sizeof p->pronouns, "%s", pronouns[pick(rng, COUNT(pronouns))]);
    snprintf(p->phone, sizeof p->phone, "555-01%02u", pick(rng, 100));
    unsigned th = pick(rng, dm->nther);
    p->therapist_id = dm->therapist_ids[th];
    p->case_manager_id = dm->nman ? dm->manager_ids[pick(rng, dm->nman)] : 0;
    p->risk = (enum cairn_risk)(1 + (pick(rng, 10) < 6 ? 0 : pick(rng, 10) < 7 ? 1 : 2));
    if (pick(rng, 4) == 0)
        snprintf(p->tags, sizeof p->tags, "%s", pick(rng, 2) ? "telehealth-only" : "new");
    enum cairn_status rc = cairn_patient_tags_normalize(p->tags, sizeof p->tags, err);
    if (rc != CAIRN_OK)
        return rc;
    p->id = store_demo_ids(dm->load, STORE_DEMO_PATIENT, 1);
    if (!dm->next_summary)
        dm->next_summary = p->id;
    dm->end_patient = p->id + 1;
    p->status = CAIRN_PATIENT_REFERRED;
    p->version = 1;

    /* Lifecycle: mostly active; some referred, on hold, discharged or alumni. */
    unsigned roll = pick(rng, 100);
    int32_t day_in = 0, last = opts->today;
    if (roll >= 7) {
        int weeks = pr->length_weeks;
        /* In care now: admitted within the program's length (or --weeks);
         * discharged: a stay ago and up to 120 days more (or within --weeks). */
        unsigned recent =
            opts->weeks && opts->weeks < (unsigned)weeks ? opts->weeks : (unsigned)weeks;
        day_in = opts->today - (int32_t)pick(rng, recent * 7);
        if (roll >= 85 && !opts->weeks)
            day_in -= (int32_t)(weeks * 7 + pick(rng, 120));
        else if (roll >= 85)
            day_in = opts->today - weeks * 7 -
                     (int32_t)pick(rng, opts->weeks > (unsigned)weeks
                                            ? (opts->weeks - (unsigned)weeks) * 7
                                            : 7);
        cairn_date_format(day_in, p->admission_date);
        cairn_date_format(day_in + weeks * 7, p->expected_discharge_date);
        p->program_id = pr->id;
        p->status = CAIRN_PATIENT_ACTIVE;
        p->version = 2;
        if (roll >= 78 && roll < 85) {
            p->status = CAIRN_PATIENT_ON_HOLD;
            p->version = 3;
        } else if (roll >= 85) {
            int32_t left = day_in + weeks * 7 - (int32_t)pick(rng, 14);
            if (left > opts->today)
                left = opts->today;
            cairn_date_format(left, p->discharge_date);
            last = left;
            snprintf(p->discharge_reason, sizeof p->discharge_reason, "%s",
                     pick(rng, 4) ? "Completed program" : "Stepped down to outpatient care");
            p->status = CAIRN_PATIENT_DISCHARGED;
            p->version = 3;
            if (roll >= 95) {
                p->status = CAIRN_PATIENT_ALUMNI;
                p->version = 4;
            }
        }
    }
    if ((rc = cairn_patient_validate(p, ~CAIRN_PF_BIT(STATUS), dm->store_today, err)) != CAIRN_OK ||
        (rc = store_demo_patient(dm->load, p, err)) != CAIRN_OK)
        return rc;
    dm->made.patients++;
    if (p->status == CAIRN_PATIENT_REFERRED)
        return CAIRN_OK;

    struct demo_patient *dp = &dm->patients[dm->npatients++];
    memset(dp, 0, sizeof *dp);
    dp->id = p->id;
    dp->number = i + 1;
    dp->prog = (uint8_t)prog;
    dp->therapist = (uint16_t)th;
    dp->risk = (uint8_t)p->risk;
    dp->status = (uint8_t)p->status;
    dp->admitted = day_in;
    dp->last = last;
    /* Its own stream for the tracking data, so the caseload above stays
     * what the same seed always gave. */
    dp->rng = opts->seed ^ (0xD1B54A32D192ED03ull * (i + 1));
    prepare_patient(dp, dm->today);
    dp->session_rng = dp->rng;
    dm->seeded_reviews += scheduled_reviews(day_in, day_in + pr->length_weeks * 7);
    return CAIRN_OK;
}

/* Counts each program's patients in care per day, for the sessions. */
static enum cairn_status count_census(struct demo *dm, struct cairn_error *err)
{
    for (unsigned p = 0; p < NPROGRAMS; p++) {
        struct census *c = &dm->census[p];
        int32_t first = INT32_MAX, end = INT32_MIN;
        for (size_t i = 0; i < dm->npatients; i++) {
            const struct demo_patient *dp = &dm->patients[i];
            if (dp->prog != p || dp->last < dp->admitted)
                continue;
            first = dp->admitted < first ? dp->admitted : first;
            end = dp->last > end ? dp->last : end;
        }
        if (end < first)
            continue;
        c->first = first;
        c->ndays = (size_t)(end - first) + 1;
        if (!(c->in_care = calloc(c->ndays + 1, sizeof *c->in_care)) ||
            !(c->placed = calloc(c->ndays, sizeof *c->placed)))
            return nomem(err);
        /* Starts and ends, then a running sum. */
        for (size_t i = 0; i < dm->npatients; i++) {
            const struct demo_patient *dp = &dm->patients[i];
            if (dp->prog != p || dp->last < dp->admitted)
                continue;
            c->in_care[dp->admitted - first]++;
            c->in_care[dp->last - first + 1]--;
        }
        for (size_t d = 1; d < c->ndays; d++)
            c->in_care[d] += c->in_care[d - 1];
    }
    return CAIRN_OK;
}

/* --- sessions ------------------------------------------------------------ */

/* The session pass as a cursor, a day of one program at a time, so that
 * its rows can be queued between the stays': a day's sessions are cheap to
 * make and costly to write, a stay the other way round, and mixed the
 * writer thread keeps up with the generator instead of one waiting for
 * the other. Each program's sessions run from its first admission to its
 * last day in care (today at the latest): its groups on the schedule
 * (sessions_per_week meetings of hours_per_session each; the day's census
 * split into groups of about GROUP_SIZE, one roster each) and each
 * patient's weekly individual session. The rows, their ids and the draws
 * from the patients' session streams are the same however the days are
 * spread between the stays. */
struct session_pass {
    unsigned prog;    /* the program being logged; NPROGRAMS when all are */
    int32_t day, end; /* its next day and its last */
    size_t n;         /* its patients: members[0..n), in the order they were made */
    uint32_t *members, *present;
    uint64_t days, done; /* days of every program, and how many are logged */
    /* The program's sessions. */
    const char *const *titles;
    const char *individual;
    int minutes, slots;
    bool telehealth;
};

/* Program `prog`'s first and last day to log, and its patients into
 * sp->members. False when it has none. */
static bool program_days(struct demo *dm, struct session_pass *sp, unsigned prog)
{
    int32_t first = INT32_MAX, end = INT32_MIN;
    sp->n = 0;
    for (size_t i = 0; i < dm->npatients; i++) {
        const struct demo_patient *dp = &dm->patients[i];
        if (dp->prog != prog)
            continue;
        sp->members[sp->n++] = (uint32_t)i;
        first = dp->admitted < first ? dp->admitted : first;
        end = dp->last > end ? dp->last : end;
    }
    sp->day = first;
    sp->end = end < dm->today ? end : dm->today;
    return sp->n > 0 && sp->day <= sp->end;
}

/* Moves the cursor to the first day of program `prog` or the next that has
 * days to log (prog == NPROGRAMS when none has). */
static void program_start(struct demo *dm, struct session_pass *sp, unsigned prog)
{
    while (prog < NPROGRAMS && !program_days(dm, sp, prog))
        prog++;
    sp->prog = prog;
    if (prog == NPROGRAMS)
        return;
    const struct cairn_program *pr = &dm->programs[prog];
    sp->titles = strcmp(pr->code, "substance-use-iop") == 0 ? su_groups
                 : strcmp(pr->code, "adolescent-iop") == 0  ? teen_groups
                                                            : mh_groups;
    sp->individual = strcmp(pr->code, "substance-use-iop") == 0 ? "Individual counselling"
                                                                : "Individual therapy";
    sp->minutes = group_minutes(dm->templates[prog]);
    sp->slots = group_slots(pr);
    sp->telehealth = strcmp(pr->code, "virtual-mh-iop") == 0;
}

/* Starts the session pass at the first program's first day, with room for
 * every patient and the count of days to log. */
static enum cairn_status sessions_begin(struct demo *dm, struct session_pass *sp,
                                        struct cairn_error *err)
{
    size_t cap = dm->npatients ? dm->npatients : 1;
    memset(sp, 0, sizeof *sp);
    if (!(sp->members = malloc(cap * sizeof *sp->members)) ||
        !(sp->present = malloc(cap * sizeof *sp->present)))
        return nomem(err);
    for (unsigned p = 0; p < NPROGRAMS; p++)
        if (program_days(dm, sp, p))
            sp->days += (uint64_t)(sp->end - sp->day) + 1;
    program_start(dm, sp, 0);
    return CAIRN_OK;
}

static void sessions_end(struct session_pass *sp)
{
    free(sp->members);
    free(sp->present);
    sp->members = sp->present = NULL;
}

/* Logs the cursor's day: the program's groups that meet that weekday and
 * the individual sessions that fall on it; then moves to the next day. */
static enum cairn_status sessions_day(struct demo *dm, struct session_pass *sp,
                                      struct cairn_error *err)
{
    unsigned prog = sp->prog;
    struct store_demo *load = dm->load;
    enum cairn_status rc = CAIRN_OK;
    int32_t day = sp->day;
    int wd = cairn_date_weekday(day);
    size_t npresent = 0;
    struct cairn_session s;
    enum cairn_attendance_status status;
    int got;

    for (int slot = 0; slot < sp->slots; slot++) {
        if (slot_day(sp->slots, slot) != wd)
            continue;
        /* Those in care, dealt round the day's groups in turn. */
        if (npresent == 0)
            for (size_t i = 0; i < sp->n; i++)
                if (in_care(&dm->patients[sp->members[i]], day))
                    sp->present[npresent++] = sp->members[i];
        size_t groups = (npresent + GROUP_SIZE - 1) / GROUP_SIZE;
        for (size_t g = 0; g < groups; g++) {
            memset(&s, 0, sizeof s);
            s.type = CAIRN_SESSION_GROUP;
            s.minutes = sp->minutes;
            s.telehealth = sp->telehealth;
            s.id = store_demo_ids(load, STORE_DEMO_SESSION, 1);
            cairn_date_format(day, s.date);
            format_start(group_start(g, slot, sp->minutes), s.start);
            snprintf(s.title, sizeof s.title, "%s", sp->titles[slot % 5]);
            unsigned facilitator = (unsigned)((g + prog) % dm->nther);
            if ((rc = cairn_session_validate(&s, dm->store_today, err)) != CAIRN_OK ||
                (rc = store_demo_session(load, &s, dm->therapist_ids[facilitator], err)) !=
                    CAIRN_OK)
                return rc;
            dm->made.sessions++;
            size_t k = 0;
            for (size_t i = g; i < npresent && k < CAIRN_ROSTER_MAX; i += groups, k++) {
                struct demo_patient *dp = &dm->patients[sp->present[i]];
                draw_attendance(&dp->session_rng, dp, sp->minutes, 1, &status, &got);
                if ((rc =
                         store_demo_attendance(load, store_demo_ids(load, STORE_DEMO_ATTENDANCE, 1),
                                               &s, dp->id, status, got, err)) != CAIRN_OK)
                    return rc;
            }
            dm->made.attendance += (unsigned)k;
        }
    }
    for (size_t i = 0; i < sp->n; i++) {
        struct demo_patient *dp = &dm->patients[sp->members[i]];
        if (dp->iday != wd || !in_care(dp, day))
            continue;
        memset(&s, 0, sizeof s);
        s.type = CAIRN_SESSION_INDIVIDUAL;
        s.minutes = 50;
        s.telehealth = sp->telehealth;
        s.id = store_demo_ids(load, STORE_DEMO_SESSION, 1);
        cairn_date_format(day, s.date);
        format_start(dp->istart, s.start);
        snprintf(s.title, sizeof s.title, "%s", sp->individual);
        draw_attendance(&dp->session_rng, dp, s.minutes, 2, &status, &got);
        if ((rc = store_demo_session(load, &s, dm->therapist_ids[dp->therapist], err)) !=
                CAIRN_OK ||
            (rc = store_demo_attendance(load, store_demo_ids(load, STORE_DEMO_ATTENDANCE, 1), &s,
                                        dp->id, status, got, err)) != CAIRN_OK)
            return rc;
        dm->made.sessions++;
        dm->made.attendance++;
    }
    sp->done++;
    if (++sp->day > sp->end)
        program_start(dm, sp, prog + 1);
    return rc;
}

/* Logs the session pass's days until `share` of them (of `whole`) are
 * logged: all of them when share == whole. */
static enum cairn_status sessions_upto(struct demo *dm, struct session_pass *sp, uint64_t share,
                                       uint64_t whole, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    while (rc == CAIRN_OK && sp->prog < NPROGRAMS && sp->done * whole < sp->days * share)
        rc = sessions_day(dm, sp, err);
    return rc;
}

/* --- one patient's stay -------------------------------------------------- */

/* The attendance the session pass gives the patient, drawn again from the
 * same state of their stream: their group each day is their place in the
 * day's census (program census counts, patients placed in the order they
 * were made), which is all the start time of their group depends on. */
static enum cairn_status stay_attendance(struct demo *dm, struct stay *st, struct cairn_error *err)
{
    const struct demo_patient *dp = st->dp;
    struct census *c = &dm->census[dp->prog];
    int minutes = group_minutes(st->t), slots = group_slots(st->pr);
    enum cairn_attendance_status status;
    int got;
    st->nlines = 0;
    for (int32_t day = dp->admitted; day <= dp->last && day <= dm->today; day++) {
        int wd = cairn_date_weekday(day);
        size_t at = (size_t)(day - c->first);
        uint32_t place = c->placed[at]++;
        size_t groups = (c->in_care[at] + GROUP_SIZE - 1) / GROUP_SIZE;
        for (int slot = 0; slot < slots; slot++) {
            if (slot_day(slots, slot) != wd)
                continue;
            char start[6];
            draw_attendance(&st->rng, dp, minutes, 1, &status, &got);
            if (!grow(&st->lines, st->nlines, &st->caplines, sizeof *st->lines))
                return nomem(err);
            st->lines[st->nlines++] = (struct cairn_attendance_line){
                .day = day,
                .start_minute = format_start(group_start(place % groups, slot, minutes), start),
                .minutes = minutes,
                .minutes_attended = got,
                .status = status};
        }
        if (dp->iday == wd) {
            draw_attendance(&st->rng, dp, 50, 2, &status, &got);
            if (!grow(&st->lines, st->nlines, &st->caplines, sizeof *st->lines))
                return nomem(err);
            st->lines[st->nlines++] = (struct cairn_attendance_line){.day = day,
                                                                     .start_minute = dp->istart,
                                                                     .minutes = 50,
                                                                     .minutes_attended = got,
                                                                     .status = status};
        }
    }
    return CAIRN_OK;
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
static size_t cssrs_answers(struct stay *st, bool admission, int *a)
{
    static const unsigned low[] = {0, 4, 12, 25}, moderate[] = {0, 1, 6, 18};
    unsigned r = admission ? pick(&st->rng, 100) : 100;
    int risk = st->dp->risk <= CAIRN_RISK_HIGH ? (int)st->dp->risk : 0;
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

/* Scores measure m as cairn_measure_add() does (a C-SSRS screen keeps its
 * follow-up slot), stores it and keeps what the rules read of it. */
static enum cairn_status add_measure(struct demo *dm, struct stay *st, struct cairn_measure *m,
                                     struct cairn_error *err)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(m->instrument);
    enum cairn_status rc = cairn_measure_score(def, m->answers, m->nanswers, &m->score, err);
    if (rc != CAIRN_OK)
        return rc;
    while (m->nanswers < def->nanswers && def->yes_no)
        m->answers[m->nanswers++] = CAIRN_ANSWER_SKIPPED;
    m->id = store_demo_ids(dm->load, STORE_DEMO_MEASURE, 1);
    if ((rc = store_demo_measure(dm->load, m, err)) != CAIRN_OK)
        return rc;
    if (!grow(&st->measures, st->nmeasures, &st->capmeasures, sizeof *st->measures))
        return nomem(err);
    int32_t day = 0;
    cairn_date_parse(m->date, &day, NULL);
    st->measures[st->nmeasures++] = (struct demo_measure){
        .id = m->id,
        .day = day,
        .instrument = m->instrument,
        .total = m->score.total,
        .band = m->score.band ? m->score.band : "",
        .flags = m->score.flags,
        .item9 = m->instrument == CAIRN_INSTRUMENT_PHQ9 && m->answers[8] >= 0 ? m->answers[8] : -1};
    dm->made.measures++;
    return CAIRN_OK;
}

/* The patient's measures on their program's cadences (admission, each
 * week, two weeks or month, and discharge) following one course. */
static enum cairn_status stay_measures(struct demo *dm, struct stay *st, struct cairn_error *err)
{
    const struct cairn_template *t = st->t;
    const struct demo_patient *dp = st->dp;
    int weeks = st->pr->length_weeks;
    struct demo_course c = {.phq9 = 10 + (int)pick(&st->rng, 10),
                            .gad7 = 8 + (int)pick(&st->rng, 9),
                            .craving = 5 + (int)pick(&st->rng, 4),
                            .mood = 3 + (int)pick(&st->rng, 3),
                            .item9_at = ~0u};
    unsigned course = pick(&st->rng, 100);
    if (course < 70)
        c.trend = -40 - (int)pick(&st->rng, 36); /* improving */
    else if (course < 90)
        c.trend = 0; /* flat */
    else
        c.trend = 30 + (int)pick(&st->rng, 31); /* worsening */
    if (pick(&st->rng, 100) < 3)
        c.item9_at = pick(&st->rng, 3);
    unsigned phq9s = 0;
    st->nmeasures = 0;

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
            if (!discharged(dp))
                continue;
            from = dp->last;
            step = 0;
            break;
        default:
            step = 0;
            break;
        }
        for (int32_t day = from; day <= dp->last && day <= dm->today; day += step) {
            struct cairn_measure m = {.patient_id = dp->id, .instrument = ins};
            int week = (day - dp->admitted) / 7;
            cairn_date_format(day, m.date);
            m.nanswers = def->nanswers;
            switch (ins) {
            case CAIRN_INSTRUMENT_PHQ9: {
                int total = trajectory(&st->rng, c.phq9, c.trend, week, weeks, 2, 24);
                spread(&st->rng, total, m.answers, 8, 3);
                m.answers[8] = phq9s++ == c.item9_at ? 1 + (pick(&st->rng, 4) == 0) : 0;
                break;
            }
            case CAIRN_INSTRUMENT_GAD7:
                spread(&st->rng, trajectory(&st->rng, c.gad7, c.trend, week, weeks, 2, 21),
                       m.answers, 7, 3);
                break;
            case CAIRN_INSTRUMENT_CRAVING:
                m.answers[0] = trajectory(&st->rng, c.craving, c.trend, week, weeks, 1, 10);
                break;
            case CAIRN_INSTRUMENT_MOOD:
                m.answers[0] = trajectory(&st->rng, c.mood, -c.trend, week, weeks, 1, 10);
                break;
            case CAIRN_INSTRUMENT_CSSRS_SCREEN:
                m.nanswers = cssrs_answers(st, day == dp->admitted, m.answers);
                break;
            default: /* an instrument the demo has no course for: skipped */
                m.nanswers = 0;
                break;
            }
            enum cairn_status rc;
            if (m.nanswers && (rc = add_measure(dm, st, &m, err)) != CAIRN_OK)
                return rc;
            if (step == 0)
                break;
        }
    }
    return CAIRN_OK;
}

/* The patient's copies of the program's ladders, every step not started:
 * ids in the order admission makes them. */
static void stay_ladders(struct demo *dm, struct stay *st)
{
    for (size_t l = 0; l < st->t->nladders; l++) {
        st->ladder_id[l] = store_demo_ids(dm->load, STORE_DEMO_LADDER, 1);
        st->first_step[l] =
            store_demo_ids(dm->load, STORE_DEMO_LADDER_STEP, (int64_t)st->t->ladders[l].nsteps);
        for (size_t s = 0; s < st->t->ladders[l].nsteps; s++) {
            st->step_status[l][s] = CAIRN_STEP_NOT_STARTED;
            st->step_version[l][s] = 1;
            st->step_last_day[l][s] = 0;
        }
    }
    st->nattempts = 0;
}

/* For about half the patients in care ten days or more: attempts on the
 * first steps of their first ladder, every few days, the peak SUDS falling
 * from one attempt to the next. A step the program's rule calls mastered
 * leads to the next; one that is not after a few tries stays in progress.
 * Each attempt decides its step's status as cairn_ladder_attempt_add()
 * does (a change bumps the step's version). */
static enum cairn_status stay_attempts(struct demo *dm, struct stay *st, struct cairn_error *err)
{
    const struct demo_patient *dp = st->dp;
    const struct cairn_template *t = st->t;
    if (t->nladders == 0 || st->last - dp->admitted < 10 || pick(&st->rng, 100) >= 55)
        return CAIRN_OK;
    const struct cairn_template_ladder *l = &t->ladders[0];
    int scale = l->scale;
    int32_t day = dp->admitted + 3 + (int32_t)pick(&st->rng, 4);
    size_t steps = 1 + pick(&st->rng, 4);
    enum cairn_status rc;
    for (size_t s = 0; s < l->nsteps && s < steps; s++) {
        int peak = l->steps[s].suds * 100 / scale + 5 + (int)pick(&st->rng, 15);
        unsigned tries = 2 + pick(&st->rng, 4);
        bool mastered = false;
        size_t npeaks = 0;
        for (unsigned k = 0; k < tries && !mastered; k++) {
            if (day > st->last)
                return CAIRN_OK;
            peak = peak > 100 ? 100 : peak;
            struct cairn_ladder_attempt a = {.suds_peak = peak * scale / 100,
                                             .minutes = 15 + (int)pick(&st->rng, 40),
                                             .setting = k % 2 ? CAIRN_ATTEMPT_BETWEEN
                                                              : CAIRN_ATTEMPT_SESSION,
                                             .expectancy_before = -1,
                                             .expectancy_after = -1};
            a.suds_before = a.suds_peak * (50 + (int)pick(&st->rng, 40)) / 100;
            a.suds_after = a.suds_peak * (20 + (int)pick(&st->rng, 40)) / 100;
            cairn_date_format(day, a.date);
            if ((rc = cairn_ladder_attempt_validate(&a, scale, dm->store_today, err)) != CAIRN_OK)
                return rc;
            a.id = store_demo_ids(dm->load, STORE_DEMO_ATTEMPT, 1);
            a.step_id = st->first_step[0] + (int64_t)s;
            if (!grow(&st->attempts, st->nattempts, &st->capattempts, sizeof *st->attempts))
                return nomem(err);
            st->attempts[st->nattempts++] = (struct demo_attempt){.day = day, .step = s, .row = a};
            st->step_last_day[0][s] = day;
            st->peaks[s][npeaks++] = a.suds_peak;
            struct cairn_mastery m;
            cairn_mastery_decide(&t->mastery, scale, st->peaks[s], npeaks, &m);
            enum cairn_step_status status = cairn_mastery_status(m.branch);
            if (status != st->step_status[0][s]) {
                st->step_status[0][s] = status;
                st->step_version[0][s]++;
            }
            mastered = m.branch == CAIRN_MASTERY_BY_PEAK || m.branch == CAIRN_MASTERY_BY_DROP;
            peak = peak * (55 + (int)pick(&st->rng, 30)) / 100;
            day += 2 + (int32_t)pick(&st->rng, 4);
        }
        if (!mastered)
            break;
    }
    return CAIRN_OK;
}

/* Empties plan p into what the store reads before a first save: a plan
 * with the program's sections, in draft; a safety plan with its seven,
 * the program's crisis line among the professionals. */
static void plan_reset(struct cairn_plan *p, enum cairn_plan_kind kind,
                       const struct cairn_template *t, int64_t id, int64_t patient_id)
{
    p->kind = kind;
    p->id = id;
    p->patient_id = patient_id;
    p->revision = p->head = 0;
    p->status[0] = p->next_review_date[0] = p->signed_by[0] = p->signed_at[0] = '\0';
    p->nparts = 0;
    if (kind == CAIRN_PLAN_RELAPSE)
        snprintf(p->status, sizeof p->status, "draft");
    size_t n = kind == CAIRN_PLAN_RELAPSE ? t->nsections : CAIRN_SAFETY__COUNT;
    /* Only the parts' headers: their items (60 KiB a part) are cleared as
     * they are added. */
    for (size_t i = 0; i < n && p->nparts < CAIRN_PLAN_PARTS_MAX; i++) {
        struct cairn_plan_part *part = &p->parts[p->nparts++];
        part->section = kind == CAIRN_PLAN_RELAPSE ? (int)t->sections[i] : (int)i;
        part->last_key = 0;
        part->nitems = 0;
    }
    if (kind == CAIRN_PLAN_RELAPSE)
        return;
    struct cairn_plan_part *part = cairn_plan_part_find(p, "professionals");
    if (t->crisis_line[0] && part) {
        struct cairn_plan_item *it = &part->items[part->nitems++];
        memset(it, 0, sizeof *it);
        snprintf(it->key, sizeof it->key, "p1");
        snprintf(it->text, sizeof it->text, "%s",
                 strcmp(t->crisis_line, "988") == 0 ? "988 Suicide & Crisis Lifeline (call or text)"
                                                    : "Crisis line");
        snprintf(it->phone, sizeof it->phone, "%s", t->crisis_line);
    }
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

/* Saves plan p as its first revision, as cairn_plan_save() would on the
 * empty head whose canonical content is `empty`: nothing when p says the
 * same; otherwise keys are given, the content is made canonical, and
 * making it active signs it. Sets *saved; the caller writes the rows
 * with the JSON left in *content (free()). */
static enum cairn_status save_plan(struct demo *dm, struct cairn_plan *p, const char *empty,
                                   char **content, bool *saved, struct cairn_error *err)
{
    enum cairn_status rc;
    *saved = false;
    *content = NULL;
    if ((rc = cairn_plan_validate(p, err)) != CAIRN_OK ||
        (rc = cairn_plan_canonical(p, content, err)) != CAIRN_OK)
        return rc;
    if (strcmp(*content, empty) == 0) {
        free(*content);
        *content = NULL;
        return CAIRN_OK;
    }
    if (p->kind == CAIRN_PLAN_RELAPSE && strcmp(p->status, "active") == 0) {
        snprintf(p->signed_by, sizeof p->signed_by, "%s", dm->me);
        snprintf(p->signed_at, sizeof p->signed_at, "%s", dm->now);
    }
    p->revision = p->head = 1;
    *saved = true;
    return CAIRN_OK;
}

/* Fills in the relapse-prevention plan of most patients (triggers linked to
 * the coping strategies that answer them, warning signs, supports, social
 * goals with weekly targets…) and makes about half of them active, which
 * signs them; patients at moderate or high risk also get a safety plan.
 * Writes the plan (and its sections) of every admitted patient. */
static enum cairn_status stay_plans(struct demo *dm, struct stay *st, struct cairn_error *err)
{
    const struct demo_patient *dp = st->dp;
    uint64_t *rng = &st->rng;
    enum cairn_status rc = CAIRN_OK;
    char *content = NULL;
    char text[CAIRN_PLAN_TEXT_BYTES];
    struct cairn_plan *p = st->plan;
    int64_t plan_id = store_demo_ids(dm->load, STORE_DEMO_PLAN, 1);
    int64_t sections = store_demo_ids(dm->load, STORE_DEMO_PLAN_SECTION, (int64_t)st->t->nsections);
    plan_reset(p, CAIRN_PLAN_RELAPSE, st->t, plan_id, dp->id);
    st->plan_saved = false;
    if (st->tracked && pick(rng, 100) < 80) {
        int trig =
            add_items(rng, p, "triggers", plan_triggers, COUNT(plan_triggers), 2, 4, err, &rc);
        add_items(rng, p, "warning_signs", plan_warning_signs, COUNT(plan_warning_signs), 2, 4, err,
                  &rc);
        int cope = add_items(rng, p, "coping", plan_coping, COUNT(plan_coping), 3, 5, err, &rc);
        add_items(rng, p, "lapse_response", plan_lapse_response, COUNT(plan_lapse_response), 2, 3,
                  err, &rc);
        int goal = add_items(rng, p, "social_goals", plan_social_goals, COUNT(plan_social_goals), 1,
                             3, err, &rc);
        if (pick(rng, 2))
            add_items(rng, p, "boundaries", plan_boundaries, COUNT(plan_boundaries), 1, 2, err,
                      &rc);
        if (discharged(dp) || pick(rng, 3) == 0)
            add_items(rng, p, "aftercare", plan_aftercare, COUNT(plan_aftercare), 1, 2, err, &rc);
        struct cairn_plan_part *supports = cairn_plan_part_find(p, "supports");
        for (unsigned k = 1 + pick(rng, 3); supports && k > 0 && rc == CAIRN_OK; k--) {
            const char *who = first_names[pick(rng, COUNT(first_names))];
            unsigned rel = pick(rng, COUNT(relations));
            if ((rc = cairn_plan_add_item(p, "supports", who, err)) != CAIRN_OK)
                break;
            struct cairn_plan_item *it = &supports->items[supports->nitems - 1];
            snprintf(it->relation, sizeof it->relation, "%s", relations[rel]);
            snprintf(it->phone, sizeof it->phone, "555-01%02u", pick(rng, 100));
            snprintf(it->role, sizeof it->role, "%s",
                     rel < 7   ? "family"
                     : rel < 9 ? "friend"
                               : "recovery");
        }
        struct cairn_plan_part *goals = cairn_plan_part_find(p, "social_goals");
        for (size_t i = goal < 0 ? 0 : (size_t)goal; goals && goal >= 0 && i < goals->nitems; i++)
            goals->items[i].weekly_target = 1 + (int)pick(rng, 3);
        /* Keys are given on validation; then each trigger names its answers. */
        if (rc == CAIRN_OK && (rc = cairn_plan_validate(p, err)) == CAIRN_OK && trig >= 0 &&
            cope >= 0) {
            struct cairn_plan_part *t = cairn_plan_part_find(p, "triggers");
            struct cairn_plan_part *c = cairn_plan_part_find(p, "coping");
            for (size_t i = (size_t)trig; i < t->nitems; i++) {
                unsigned links = 1 + pick(rng, 2);
                size_t at = pick(rng, (unsigned)c->nitems);
                for (unsigned k = 0; k < links && k < c->nitems; k++)
                    snprintf(t->items[i].copes[t->items[i].ncopes++], CAIRN_PLAN_KEY_BYTES, "%s",
                             c->items[(at + k) % c->nitems].key);
            }
        }
        if (rc != CAIRN_OK)
            return rc;
        snprintf(p->status, sizeof p->status, "%s", pick(rng, 2) ? "active" : "draft");
        if ((rc = save_plan(dm, p, dm->empty_plan[dp->prog], &content, &st->plan_saved, err)) !=
            CAIRN_OK)
            return rc;
    }
    if (!st->plan_saved)
        plan_reset(p, CAIRN_PLAN_RELAPSE, st->t, plan_id, dp->id);
    rc = store_demo_plan(dm->load, p, dm->programs[dp->prog].id, st->plan_saved ? 2 : 1, sections,
                         err);
    if (rc == CAIRN_OK && st->plan_saved) {
        rc = store_demo_plan_revision(
            dm->load, p, store_demo_ids(dm->load, STORE_DEMO_PLAN_REVISION, 1),
            "Written with the patient in individual session", content, err);
        dm->made.plans++;
    }
    free(content);
    content = NULL;
    if (rc != CAIRN_OK || !st->tracked ||
        (dp->risk != CAIRN_RISK_MODERATE && dp->risk != CAIRN_RISK_HIGH))
        return rc;

    struct cairn_plan *s = st->safety;
    plan_reset(s, CAIRN_PLAN_SAFETY, st->t, 0, dp->id);
    add_items(rng, s, "warning_signs", safety_warning_signs, COUNT(safety_warning_signs), 2, 3, err,
              &rc);
    add_items(rng, s, "internal_coping", safety_coping, COUNT(safety_coping), 2, 3, err, &rc);
    add_items(rng, s, "social_distraction", safety_distraction, COUNT(safety_distraction), 1, 3,
              err, &rc);
    add_items(rng, s, "safe_environment", safety_environment, COUNT(safety_environment), 1, 2, err,
              &rc);
    add_items(rng, s, "reasons_for_living", safety_reasons, COUNT(safety_reasons), 1, 3, err, &rc);
    struct cairn_plan_part *help = cairn_plan_part_find(s, "help_contacts");
    for (unsigned k = 1 + pick(rng, 2); help && k > 0 && rc == CAIRN_OK; k--) {
        unsigned relation = pick(rng, COUNT(relations)); /* one pick per statement */
        unsigned first = pick(rng, COUNT(first_names));
        snprintf(text, sizeof text, "%s (%s)", first_names[first], relations[relation]);
        if ((rc = cairn_plan_add_item(s, "help_contacts", text, err)) == CAIRN_OK)
            snprintf(help->items[help->nitems - 1].phone, CAIRN_PLAN_SHORT_BYTES, "555-01%02u",
                     pick(rng, 100));
    }
    struct cairn_plan_part *pros = cairn_plan_part_find(s, "professionals");
    if (pros && rc == CAIRN_OK &&
        (rc = cairn_plan_add_item(s, "professionals", "My therapist at the program", err)) ==
            CAIRN_OK)
        snprintf(pros->items[pros->nitems - 1].phone, CAIRN_PLAN_SHORT_BYTES, "555-0100");
    bool saved = false;
    if (rc == CAIRN_OK &&
        (rc = save_plan(dm, s, dm->empty_safety[dp->prog], &content, &saved, err)) == CAIRN_OK &&
        saved) {
        s->id = store_demo_ids(dm->load, STORE_DEMO_SAFETY_PLAN, 1);
        rc = store_demo_safety_plan(dm->load, s, 2,
                                    store_demo_ids(dm->load, STORE_DEMO_SAFETY_REVISION, 1),
                                    "Safety planning with the patient", content, err);
        dm->made.safety_plans++;
    }
    free(content);
    return rc;
}

/* Some patients of a program that keeps a lapse log (in care two weeks or
 * more) lapse once or twice, now and then a relapse. */
static enum cairn_status stay_lapses(struct demo *dm, struct stay *st, struct cairn_error *err)
{
    const struct demo_patient *dp = st->dp;
    st->nlapses = 0;
    if (!st->t->lapse_log || st->last - dp->admitted < 14 || pick(&st->rng, 100) >= 40)
        return CAIRN_OK;
    for (unsigned k = 1 + (pick(&st->rng, 3) == 0); k > 0; k--) {
        struct cairn_lapse l = {.patient_id = dp->id};
        int32_t day =
            dp->admitted + 7 + (int32_t)pick(&st->rng, (unsigned)(st->last - dp->admitted - 6));
        cairn_date_format(day, l.date);
        snprintf(l.kind, sizeof l.kind, "%s", pick(&st->rng, 100) < 15 ? "relapse" : "lapse");
        snprintf(l.trigger, sizeof l.trigger, "%s",
                 lapse_triggers[pick(&st->rng, COUNT(lapse_triggers))]);
        snprintf(l.coping, sizeof l.coping, "%s",
                 lapse_coping[pick(&st->rng, COUNT(lapse_coping))]);
        snprintf(l.note, sizeof l.note, "Talked through in group; plan reviewed");
        enum cairn_status rc = cairn_lapse_validate(&l, dm->store_today, err);
        if (rc != CAIRN_OK)
            return rc;
        l.id = store_demo_ids(dm->load, STORE_DEMO_LAPSE, 1);
        if ((rc = store_demo_lapse(dm->load, &l, err)) != CAIRN_OK)
            return rc;
        st->lapses[st->nlapses++] =
            (struct demo_lapse){.id = l.id, .day = day, .relapse = strcmp(l.kind, "relapse") == 0};
        dm->made.lapses++;
    }
    return CAIRN_OK;
}

/* --- the patient's weekly reviews ----------------------------------------- */

/* The measure of `ins` that sorts last by (day, id) among those dated in
 * [from, to], or first when `earliest`; NULL when none. */
static const struct demo_measure *find_measure(const struct stay *st, enum cairn_instrument ins,
                                               int32_t from, int32_t to, bool earliest)
{
    const struct demo_measure *best = NULL;
    for (size_t i = 0; i < st->nmeasures; i++) {
        const struct demo_measure *m = &st->measures[i];
        if (m->instrument != ins || m->day < from || m->day > to)
            continue;
        bool before = best && (m->day < best->day || (m->day == best->day && m->id < best->id));
        if (!best || before == earliest)
            best = m;
    }
    return best;
}

/* The measure of `ins` that sorts just before `latest` by (day, id); NULL
 * when none. */
static const struct demo_measure *previous_measure(const struct stay *st,
                                                   const struct demo_measure *latest)
{
    const struct demo_measure *best = NULL;
    for (size_t i = 0; i < st->nmeasures; i++) {
        const struct demo_measure *m = &st->measures[i];
        if (m->instrument != latest->instrument || m == latest || m->day > latest->day ||
            (m->day == latest->day && m->id > latest->id))
            continue;
        if (!best || m->day > best->day || (m->day == best->day && m->id > best->id))
            best = m;
    }
    return best;
}

/* A PHQ-9 or GAD-7 as the snapshot of the week [from, to] shows it (what
 * cairn_review_snapshot_compute() reads from the store). */
static void snapshot_measure(const struct stay *st, enum cairn_instrument ins, int32_t from,
                             int32_t to, int reliable, struct cairn_review_measure *m)
{
    const struct cairn_instrument_def *def = cairn_instrument_get(ins);
    memset(m, 0, sizeof *m);
    const struct demo_measure *latest = find_measure(st, ins, INT32_MIN, to, false);
    if (!latest)
        return;
    m->has = true;
    m->total = latest->total;
    snprintf(m->band, sizeof m->band, "%s", latest->band);
    cairn_date_format(latest->day, m->date);
    const struct demo_measure *first = find_measure(st, ins, INT32_MIN, INT32_MAX, true);
    if (first && first->id != latest->id) {
        m->has_baseline = true;
        m->baseline = first->total;
        struct cairn_measure_change change;
        cairn_measure_change(def, first->total, m->total, reliable, &change);
        for (size_t i = 0; i < change.nlabels && i < 4; i++)
            snprintf(m->labels[m->nlabels++], sizeof m->labels[0], "%s", change.labels[i].text);
    }
    const struct demo_measure *prev = find_measure(st, ins, INT32_MIN, from - 1, false);
    if (prev && prev->id != latest->id) {
        m->has_last_week = true;
        m->last_week = prev->total;
    }
}

/* The patient's attendance lines dated lo..hi (they are in date order). */
static const struct cairn_attendance_line *lines_between(const struct stay *st, int32_t lo,
                                                         int32_t hi, size_t *n)
{
    size_t a = 0, b;
    while (a < st->nlines && st->lines[a].day < lo)
        a++;
    for (b = a; b < st->nlines && st->lines[b].day <= hi; b++)
        ;
    *n = b - a;
    return st->lines + a;
}

static struct cairn_alert_score alert_score(const struct demo_measure *m)
{
    struct cairn_alert_score s = {.item9 = -1};
    if (m)
        s = (struct cairn_alert_score){.id = m->id,
                                       .version = 1,
                                       .day = m->day,
                                       .total = m->total,
                                       .flags = m->flags,
                                       .item9 = m->item9};
    return s;
}

/* The latest, previous and first score of `ins` as the alert rules read
 * them (previous and baseline may be NULL when not wanted). */
static void alert_scores(const struct stay *st, enum cairn_instrument ins,
                         struct cairn_alert_score *latest, struct cairn_alert_score *previous,
                         struct cairn_alert_score *baseline)
{
    const struct demo_measure *last = find_measure(st, ins, INT32_MIN, INT32_MAX, false);
    *latest = alert_score(last);
    if (previous)
        *previous = alert_score(last ? previous_measure(st, last) : NULL);
    if (baseline)
        *baseline = alert_score(last ? find_measure(st, ins, INT32_MIN, INT32_MAX, true) : NULL);
}

/* The alert facts of the patient as of the store's today (what
 * cairn_alert_facts_load() reads), all but the reviews', which change as
 * the reviews are worked through (review_facts()). */
static void stay_facts(struct demo *dm, const struct stay *st, struct cairn_alert_facts *f)
{
    const struct demo_patient *dp = st->dp;
    const struct cairn_template *t = st->t;
    memset(f, 0, sizeof *f);
    f->patient_id = dp->id;
    snprintf(f->mrn, sizeof f->mrn, "%s", st->mrn);
    f->status = (enum cairn_patient_status)dp->status;
    f->today = dm->store_today;
    f->admission = dp->admitted;
    f->expected_discharge = dp->admitted + st->pr->length_weeks * 7;
    f->thresholds = t->alerts;
    alert_scores(st, CAIRN_INSTRUMENT_PHQ9, &f->phq9, &f->phq9_previous, &f->phq9_baseline);
    alert_scores(st, CAIRN_INSTRUMENT_GAD7, &f->gad7, &f->gad7_previous, &f->gad7_baseline);
    alert_scores(st, CAIRN_INSTRUMENT_CSSRS_SCREEN, &f->cssrs, NULL, NULL);

    /* Attendance this ISO week so far and last week, from the Sunday before
     * last week (a late session can run into its Monday). */
    int year, week, last_year, last_week;
    cairn_date_isoweek(f->today, &year, &week);
    int32_t monday = cairn_isoweek_monday(year, week);
    cairn_date_isoweek(monday - 7, &last_year, &last_week);
    size_t n;
    const struct cairn_attendance_line *lines = lines_between(st, monday - 8, monday + 6, &n);
    double min_hours = st->pr->min_hours_per_week;
    int min_days = st->pr->min_days_per_week;
    cairn_attendance_week_total(lines, n, year, week, min_hours, min_days, f->today, &f->this_week);
    cairn_attendance_week_total(lines, n, last_year, last_week, min_hours, min_days, f->today,
                                &f->last_week);
    /* The unfinished ladder with the oldest last activity. */
    for (size_t l = 0; l < t->nladders; l++) {
        bool open = false;
        int32_t since = 0;
        for (size_t s = 0; s < t->ladders[l].nsteps; s++) {
            open |= st->step_status[l][s] != CAIRN_STEP_MASTERED &&
                    st->step_status[l][s] != CAIRN_STEP_SKIPPED;
            since = st->step_last_day[l][s] > since ? st->step_last_day[l][s] : since;
        }
        if (!open)
            continue;
        if (f->admission > since)
            since = f->admission;
        if (!since || (f->stalled_ladder_id && since >= f->stalled_since))
            continue;
        f->stalled_ladder_id = st->ladder_id[l];
        snprintf(f->stalled_ladder, sizeof f->stalled_ladder, "%s", t->ladders[l].name);
        f->stalled_since = since;
    }
    /* The plan: no next-review date in a demo; aftercare when saved with some. */
    f->plan_id = st->plan->id;
    struct cairn_plan_part *aftercare = cairn_plan_part_find(st->plan, "aftercare");
    f->has_aftercare = aftercare != NULL;
    f->aftercare_filled = st->plan_saved && aftercare && aftercare->nitems > 0;
    /* Lapses from this week's Monday to today, the latest by date. */
    int32_t from = f->today - (cairn_date_weekday(f->today) - 1);
    for (size_t i = 0; i < st->nlapses; i++) {
        const struct demo_lapse *l = &st->lapses[i];
        if (l->day < from || l->day > f->today)
            continue;
        if (l->relapse)
            f->relapses_this_week++;
        else
            f->lapses_this_week++;
        if (!f->last_lapse_id || l->day > f->last_lapse_day ||
            (l->day == f->last_lapse_day && l->id > f->last_lapse_id)) {
            f->last_lapse_id = l->id;
            f->last_lapse_day = l->day;
        }
    }
}

/* The review facts as they stand now: the oldest review still due or in
 * draft whose week is over by more than a week (since the admission week),
 * and how many there are. */
static void review_facts(const struct stay *st, struct cairn_alert_facts *f)
{
    char first[CAIRN_WEEK_LEN + 1], last[CAIRN_WEEK_LEN + 1];
    int year, week;
    cairn_date_isoweek(f->admission, &year, &week);
    cairn_isoweek_format(year, week, first);
    cairn_review_last_overdue_week(f->today, last);
    f->overdue_review_id = 0;
    f->overdue_week[0] = '\0';
    f->overdue_reviews = 0;
    for (size_t i = 0; i < st->nreviews; i++) {
        const struct demo_review *r = &st->reviews[i];
        if ((r->status != CAIRN_REVIEW_DUE && r->status != CAIRN_REVIEW_DRAFT) ||
            strcmp(r->week, first) < 0 || strcmp(r->week, last) > 0)
            continue;
        if (!f->overdue_reviews++ || strcmp(r->week, f->overdue_week) < 0) {
            f->overdue_review_id = r->id;
            memcpy(f->overdue_week, r->week, sizeof f->overdue_week);
        }
    }
}

/* Computes the snapshot of review r's week as signing it would: from the
 * patient's data as it is now and the alerts as of the store's today. */
static void stay_snapshot(struct demo *dm, const struct stay *st, const struct demo_review *r,
                          struct cairn_alert_facts *facts, struct cairn_review_snapshot *snap)
{
    const struct cairn_template *t = st->t;
    /* Everything before the goals is cleared; the goals and alerts are
     * filled one by one, so their large arrays need no clearing. */
    memset(snap, 0, offsetof(struct cairn_review_snapshot, goals));
    snap->lapses = snap->relapses = 0;
    snap->nalerts = 0;
    int32_t from = r->monday, to = r->monday + 6;
    memcpy(snap->week, r->week, sizeof snap->week);
    cairn_date_format(from, snap->from);
    cairn_date_format(to, snap->to);
    memcpy(snap->computed_at, dm->now, sizeof snap->computed_at);
    int year, week;
    cairn_date_isoweek(from, &year, &week);
    size_t n;
    const struct cairn_attendance_line *lines = lines_between(st, from - 1, to, &n);
    cairn_attendance_week_total(lines, n, year, week, st->pr->min_hours_per_week,
                                st->pr->min_days_per_week, dm->store_today, &snap->attendance);
    snapshot_measure(st, CAIRN_INSTRUMENT_PHQ9, from, to, t->alerts.phq9_rise, &snap->phq9);
    snapshot_measure(st, CAIRN_INSTRUMENT_GAD7, from, to, t->alerts.gad7_rise, &snap->gad7);
    const struct demo_measure *cssrs =
        find_measure(st, CAIRN_INSTRUMENT_CSSRS_SCREEN, from, to, false);
    if (cssrs)
        snprintf(snap->cssrs, sizeof snap->cssrs, "%s", cssrs->band);
    for (size_t i = 0; i < st->nattempts; i++)
        snap->attempts += st->attempts[i].day >= from && st->attempts[i].day <= to;
    for (size_t l = 0; l < t->nladders; l++)
        for (size_t s = 0; s < t->ladders[l].nsteps; s++) {
            bool mastered = st->step_status[l][s] == CAIRN_STEP_MASTERED;
            int32_t day = st->step_last_day[l][s];
            snap->steps_total++;
            snap->steps_mastered += mastered;
            snap->steps_mastered_week += mastered && day >= from && day <= to;
        }
    for (size_t i = 0; i < st->nlapses; i++)
        if (st->lapses[i].day >= from && st->lapses[i].day <= to) {
            if (st->lapses[i].relapse)
                snap->relapses++;
            else
                snap->lapses++;
        }
    struct cairn_plan_part *goals =
        st->plan_saved ? cairn_plan_part_find(st->plan, "social_goals") : NULL;
    for (size_t i = 0; goals && i < goals->nitems && snap->ngoals < CAIRN_PLAN_ITEMS_MAX; i++) {
        struct cairn_review_goal *g = &snap->goals[snap->ngoals++];
        snprintf(g->key, sizeof g->key, "%s", goals->items[i].key);
        snprintf(g->text, sizeof g->text, "%s", goals->items[i].text);
        g->target = goals->items[i].weekly_target;
        g->done = -1; /* a demo records no tallies */
    }
    review_facts(st, facts);
    struct cairn_alert alerts[CAIRN_ALERT__COUNT];
    size_t fired = cairn_alerts_evaluate(facts, alerts);
    for (size_t i = 0; i < fired && i < CAIRN_ALERT__COUNT; i++) {
        struct cairn_review_alert *a = &snap->alerts[snap->nalerts++];
        snprintf(a->code, sizeof a->code, "%s", cairn_alert_code(alerts[i].rule));
        snprintf(a->severity, sizeof a->severity, "%s",
                 cairn_alert_severity_str(alerts[i].severity));
        snprintf(a->reason, sizeof a->reason, "%s", alerts[i].reason);
        a->acknowledged = false; /* a new caseload has no acknowledgements */
        a->acked_by[0] = '\0';
    }
}

/* The reviewer's inputs of one review as JSON: the program's checklist
 * with answers[i] for item i, the patient's risk and narrative
 * `narrative`. A pure function of those, so kept once per combination:
 * *json is the cache's, or the caller's to free() when *owned. */
_Static_assert(CAIRN_TEMPLATE_CHECKLIST_MAX <= 32, "checklist answers fit 32 bits");
static enum cairn_status review_inputs(struct demo *dm, const struct stay *st, unsigned narrative,
                                       uint32_t answers, const char **json, bool *owned,
                                       struct cairn_error *err)
{
    const struct cairn_template *t = st->t;
    uint64_t key = ((uint64_t)answers << 16 | (uint64_t)st->dp->prog << 8 |
                    (uint64_t)st->dp->risk << 4 | narrative) +
                   1;
    size_t slot = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) % INPUTS_CACHE, free_slot = 0;
    bool found_free = false;
    *owned = false;
    for (size_t probe = 0; probe < INPUTS_CACHE && !found_free; probe++) {
        size_t at = (slot + probe) % INPUTS_CACHE;
        struct inputs_entry *e = &dm->inputs_cache[at];
        if (e->key == key) {
            *json = e->json;
            return CAIRN_OK;
        }
        if (!e->key) {
            free_slot = at;
            found_free = true;
        }
    }
    struct cairn_review_inputs *in = dm->inputs;
    memset(in, 0, sizeof *in);
    in->risk = (enum cairn_risk)st->dp->risk;
    snprintf(in->text[CAIRN_REVIEW_NARRATIVE], sizeof in->text[0], "%s",
             review_narratives[narrative]);
    snprintf(in->text[CAIRN_REVIEW_NEXT_STEPS], sizeof in->text[0], "%s",
             "Continue the plan; next exposure step agreed.");
    for (size_t i = 0; i < t->nchecklist && i < CAIRN_TEMPLATE_CHECKLIST_MAX; i++) {
        struct cairn_review_check *c = &in->checks[in->nchecks++];
        snprintf(c->item, sizeof c->item, "%s", t->checklist[i]);
        c->answer = (int)(answers >> i & 1);
    }
    char *text = NULL;
    enum cairn_status rc;
    if ((rc = cairn_review_inputs_validate(in, true, err)) != CAIRN_OK ||
        (rc = cairn_review_inputs_json(in, &text, err)) != CAIRN_OK)
        return rc;
    *json = text;
    if (found_free && dm->inputs_cached < INPUTS_CACHE / 2) {
        dm->inputs_cache[free_slot] = (struct inputs_entry){.key = key, .json = text};
        dm->inputs_cached++;
    } else {
        *owned = true;
    }
    return CAIRN_OK;
}

/* The demo supervisor who co-signed the older reviews. */
#define DEMO_SUPERVISOR "demo.sup01"

/* Weekly reviews as a team would have left them: the ones admission
 * scheduled, older weeks signed by the therapist and most co-signed by the
 * demo supervisor, a few never done (overdue), last week's signed
 * (awaiting your co-signature), in draft, or not started yet. Each
 * signature freezes the snapshot as it is at that moment (the reviews not
 * yet worked through still due). */
static enum cairn_status stay_reviews(struct demo *dm, struct stay *st, struct cairn_error *err)
{
    const struct demo_patient *dp = st->dp;
    enum cairn_status rc = CAIRN_OK;
    int32_t expected = dp->admitted + st->pr->length_weeks * 7;
    st->nreviews = 0;
    for (int32_t day = monday_of(dp->admitted); day < expected; day += 7) {
        if (!grow(&st->reviews, st->nreviews, &st->capreviews, sizeof *st->reviews))
            return nomem(err);
        struct demo_review *r = &st->reviews[st->nreviews++];
        memset(r, 0, sizeof *r);
        r->id = dm->next_seeded++;
        r->monday = day;
        r->status = CAIRN_REVIEW_DUE;
        r->version = 1;
        int y, w;
        cairn_date_isoweek(day, &y, &w);
        cairn_isoweek_format(y, w, r->week);
    }
    struct cairn_alert_facts facts;
    stay_facts(dm, st, &facts);
    for (int32_t monday = monday_of(dp->admitted);
         st->tracked && monday <= st->last && monday + 6 < dm->today; monday += 7) {
        bool recent = monday + 6 >= dm->today - 7; /* last week */
        unsigned roll = pick(&st->rng, 100);
        if ((recent && roll < 25) || (!recent && roll < 6))
            continue; /* not started: due, or overdue */
        struct demo_review *r = NULL;
        for (size_t i = 0; i < st->nreviews && !r; i++)
            if (st->reviews[i].monday == monday)
                r = &st->reviews[i];
        if (!r) { /* a week admission did not schedule: starting makes it */
            if (!grow(&st->reviews, st->nreviews, &st->capreviews, sizeof *st->reviews))
                return nomem(err);
            r = &st->reviews[st->nreviews++];
            memset(r, 0, sizeof *r);
            r->id = store_demo_ids(dm->load, STORE_DEMO_REVIEW, 1);
            r->monday = monday;
            int y, w;
            cairn_date_isoweek(monday, &y, &w);
            cairn_isoweek_format(y, w, r->week);
        }
        /* Started (a new row, or the due one moved on), then saved. */
        r->status = CAIRN_REVIEW_DRAFT;
        r->version += 2;
        r->started = true;
        unsigned narrative = pick(&st->rng, COUNT(review_narratives));
        uint32_t answers = 0;
        for (size_t i = 0; i < st->t->nchecklist && i < CAIRN_TEMPLATE_CHECKLIST_MAX; i++)
            if (pick(&st->rng, 10))
                answers |= 1u << i;
        if ((rc = review_inputs(dm, st, narrative, answers, &r->inputs, &r->owns_inputs, err)) !=
            CAIRN_OK)
            return rc;
        if (recent && roll < 50)
            continue; /* left in draft */
        stay_snapshot(dm, st, r, &facts, dm->snapshot);
        if ((rc = cairn_snapshot_writer_json(dm->snapshots, dm->snapshot, &r->snapshot, err)) !=
            CAIRN_OK)
            return rc;
        r->status = CAIRN_REVIEW_SIGNED;
        r->version++;
        r->signed_ = true;
        dm->made.reviews++;
        if (!recent && roll < 90) {
            r->status = CAIRN_REVIEW_COSIGNED;
            r->version++;
            r->cosigned = true;
        }
    }
    for (size_t i = 0; i < st->nreviews && rc == CAIRN_OK; i++) {
        struct demo_review *r = &st->reviews[i];
        struct store_demo_review row = {.id = r->id,
                                        .patient_id = dp->id,
                                        .week = r->week,
                                        .status = r->status,
                                        .version = r->version,
                                        .inputs_json = r->inputs,
                                        .snapshot_json = r->snapshot,
                                        .started_by = r->started ? st->therapist : NULL,
                                        .signed_by = r->signed_ ? st->therapist : NULL,
                                        .cosigned_by = r->cosigned ? DEMO_SUPERVISOR : NULL};
        rc = store_demo_review(dm->load, &row, err);
    }
    return rc;
}

/* Frees what the reviews of the last stay own. */
static void stay_reviews_free(struct stay *st)
{
    for (size_t i = 0; i < st->nreviews; i++) {
        struct demo_review *r = &st->reviews[i];
        free(r->snapshot);
        r->snapshot = NULL;
        if (r->owns_inputs)
            free((char *)r->inputs);
        r->inputs = NULL;
        r->owns_inputs = false;
    }
    st->nreviews = 0;
}

/* The patient's summary (what store_summaries_rebuild() would compute
 * from the rows written) from the stay in memory: the reviews are final
 * (stay_reviews() is done), *f is scratch. */
static void stay_summary(struct demo *dm, struct stay *st, struct cairn_alert_facts *f,
                         struct store_summary *sum)
{
    const struct demo_patient *dp = st->dp;
    const struct cairn_template *t = st->t;
    store_summary_init(sum, dp->id, dm->store_today, dp->admitted);
    /* The scores, the stalled ladder and the plan as the alert facts have them. */
    stay_facts(dm, st, f);
    struct cairn_alert_score *sc = sum->score;
    sc[STORE_SUMMARY_PHQ9] = f->phq9;
    sc[STORE_SUMMARY_PHQ9_PREVIOUS] = f->phq9_previous;
    sc[STORE_SUMMARY_PHQ9_BASELINE] = f->phq9_baseline;
    sc[STORE_SUMMARY_GAD7] = f->gad7;
    sc[STORE_SUMMARY_GAD7_PREVIOUS] = f->gad7_previous;
    sc[STORE_SUMMARY_GAD7_BASELINE] = f->gad7_baseline;
    sc[STORE_SUMMARY_CSSRS] = f->cssrs;
    store_summary_set_facts(sum, f); /* a demo plan has no next-review date */
    if (st->nlines) {                /* the lines are in date order */
        int32_t latest = st->lines[st->nlines - 1].day;
        size_t n;
        const struct cairn_attendance_line *lines =
            lines_between(st, store_summary_weeks_from(latest), latest, &n);
        store_summary_weeks(sum, latest, lines, n);
    }
    /* The reviews by week: made in week order but for a started week
     * admission did not schedule, so sorted (their rows are written). */
    for (size_t i = 1; i < st->nreviews; i++)
        for (size_t j = i; j > 0 && strcmp(st->reviews[j].week, st->reviews[j - 1].week) < 0; j--) {
            struct demo_review r = st->reviews[j];
            st->reviews[j] = st->reviews[j - 1];
            st->reviews[j - 1] = r;
        }
    for (size_t i = 0; i < st->nreviews; i++)
        store_summary_add_review(sum, st->reviews[i].id, st->reviews[i].week,
                                 st->reviews[i].status);
    /* The lapses of the latest one's week. */
    const struct demo_lapse *latest = NULL;
    for (size_t i = 0; i < st->nlapses; i++)
        if (!latest || st->lapses[i].day > latest->day ||
            (st->lapses[i].day == latest->day && st->lapses[i].id > latest->id))
            latest = &st->lapses[i];
    if (latest) {
        int32_t monday = monday_of(latest->day);
        sum->last_lapse_id = latest->id;
        sum->last_lapse_day = latest->day;
        for (size_t i = 0; i < st->nlapses; i++)
            if (st->lapses[i].day >= monday) {
                if (st->lapses[i].relapse)
                    sum->relapses++;
                else
                    sum->lapses++;
            }
    }
    for (size_t i = 0; i < st->nmeasures; i++) {
        const struct demo_measure *m = &st->measures[i];
        if (m->instrument == CAIRN_INSTRUMENT_PHQ9 || m->instrument == CAIRN_INSTRUMENT_GAD7)
            store_summary_add_trend(sum, m->instrument == CAIRN_INSTRUMENT_GAD7, m->day, m->id,
                                    m->total);
    }
    for (size_t l = 0; l < t->nladders; l++)
        for (size_t k = 0; k < t->ladders[l].nsteps; k++)
            if (st->step_status[l][k] == CAIRN_STEP_MASTERED && st->step_last_day[l][k])
                store_summary_add_mastered(sum, st->step_last_day[l][k], st->ladder_id[l]);
}

/* The summaries of patients with no stay (referred), ids from
 * dm->next_summary up to `below`. */
static enum cairn_status empty_summaries(struct demo *dm, int64_t below, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    for (; dm->next_summary < below && rc == CAIRN_OK; dm->next_summary++) {
        store_summary_init(dm->summary, dm->next_summary, dm->store_today, 0);
        rc = store_demo_summary(dm->load, dm->summary, err);
    }
    return rc;
}

/* Everything one admitted patient's stay leaves, in the order the tracking
 * draws it from their stream; a stay that has not begun by today leaves
 * only what admission made. */
static enum cairn_status add_stay(struct demo *dm, const struct demo_patient *dp,
                                  struct cairn_error *err)
{
    struct stay *st = &dm->stay;
    enum cairn_status rc = CAIRN_OK;
    st->dp = dp;
    st->t = dm->templates[dp->prog];
    st->pr = &dm->programs[dp->prog];
    st->rng = dp->rng;
    st->last = dp->last < dm->today ? dp->last : dm->today;
    st->tracked = dp->last >= dp->admitted;
    snprintf(st->mrn, sizeof st->mrn, "DEMO-%06u", dp->number);
    therapist_login(dm->therapist_no[dp->therapist], st->therapist, sizeof st->therapist);
    st->nlines = st->nmeasures = st->nattempts = st->nlapses = 0;
    stay_ladders(dm, st);
    if (st->tracked && ((rc = stay_attendance(dm, st, err)) != CAIRN_OK ||
                        (rc = stay_measures(dm, st, err)) != CAIRN_OK ||
                        (rc = stay_attempts(dm, st, err)) != CAIRN_OK))
        return rc;
    if ((rc = stay_plans(dm, st, err)) != CAIRN_OK ||
        (st->tracked && (rc = stay_lapses(dm, st, err)) != CAIRN_OK))
        return rc;
    rc = stay_reviews(dm, st, err);
    if (rc == CAIRN_OK && (rc = empty_summaries(dm, dp->id, err)) == CAIRN_OK) {
        struct cairn_alert_facts facts;
        stay_summary(dm, st, &facts, dm->summary);
        rc = store_demo_summary(dm->load, dm->summary, err);
        dm->next_summary = dp->id + 1;
    }
    stay_reviews_free(st);
    for (size_t l = 0; l < st->t->nladders && rc == CAIRN_OK; l++)
        rc = store_demo_ladder(dm->load, st->ladder_id[l], dp->id, (int)l, &st->t->ladders[l],
                               st->first_step[l], st->step_status[l], st->step_version[l], err);
    for (size_t i = 0; i < st->nattempts && rc == CAIRN_OK; i++) {
        rc = store_demo_attempt(dm->load, &st->attempts[i].row, dp->id, err);
        dm->made.attempts++;
    }
    return rc;
}

/* --- the whole demo ---------------------------------------------------- */

static int any_patient(const struct cairn_patient *p, void *ctx)
{
    (void)p;
    *(int *)ctx = 1;
    return 1;
}

/* The programs, their templates and the canonical content of an empty
 * plan and safety plan of each (what a first save is compared with). */
static enum cairn_status load_programs(struct demo *dm, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    for (size_t i = 0; i < NPROGRAMS && rc == CAIRN_OK; i++) {
        if ((rc = ensure_program(dm->store, demo_programs[i], &dm->programs[i], &dm->made.programs,
                                 err)) != CAIRN_OK)
            return rc;
        if (!(dm->templates[i] = malloc(sizeof *dm->templates[i])))
            return nomem(err);
        if ((rc = cairn_template_load(dm->store, dm->programs[i].id, dm->templates[i], err)) !=
            CAIRN_OK)
            return rc;
        plan_reset(dm->stay.plan, CAIRN_PLAN_RELAPSE, dm->templates[i], 0, 0);
        plan_reset(dm->stay.safety, CAIRN_PLAN_SAFETY, dm->templates[i], 0, 0);
        if ((rc = cairn_plan_canonical(dm->stay.plan, &dm->empty_plan[i], err)) == CAIRN_OK)
            rc = cairn_plan_canonical(dm->stay.safety, &dm->empty_safety[i], err);
    }
    return rc;
}

/* The acting user (a supervisor, unless already staff), the demo
 * supervisor, and the clinicians: every third a case manager. */
static enum cairn_status add_staff(struct demo *dm, unsigned clinicians, struct cairn_error *err)
{
    enum cairn_status rc;
    int64_t id;
    char login[CAIRN_LOGIN_MAX + 1], name[CAIRN_NAME_MAX + 1];
    if (strcmp(dm->me, "?") != 0 &&
        (rc = ensure_staff(dm->store, dm->me, "Demo Supervisor (you)", CAIRN_ROLE_SUPERVISOR, &id,
                           &dm->made.staff, err)) != CAIRN_OK)
        return rc;
    if ((rc = ensure_staff(dm->store, DEMO_SUPERVISOR, "Demo Clinical Supervisor",
                           CAIRN_ROLE_SUPERVISOR, &id, &dm->made.staff, err)) != CAIRN_OK)
        return rc;
    if (!(dm->therapist_ids = malloc(clinicians * sizeof *dm->therapist_ids)) ||
        !(dm->manager_ids = malloc(clinicians * sizeof *dm->manager_ids)) ||
        !(dm->therapist_no = malloc(clinicians * sizeof *dm->therapist_no)))
        return nomem(err);
    for (unsigned i = 0; i < clinicians; i++) {
        bool manager = i % 3 == 2;
        snprintf(login, sizeof login, "demo.%s%02u", manager ? "cm" : "th", i + 1);
        /* One pick per statement: the order in which a call's arguments are
         * evaluated is unspecified, and compilers differ (the same seed must
         * give the same data with every compiler). */
        unsigned last = pick(&dm->rng, COUNT(last_names));
        unsigned first = pick(&dm->rng, COUNT(first_names));
        snprintf(name, sizeof name, "%s %s", first_names[first], last_names[last]);
        if ((rc = ensure_staff(dm->store, login, name,
                               manager ? CAIRN_ROLE_CASE_MANAGER : CAIRN_ROLE_THERAPIST, &id,
                               &dm->made.staff, err)) != CAIRN_OK)
            return rc;
        if (manager) {
            dm->manager_ids[dm->nman++] = id;
        } else {
            dm->therapist_no[dm->nther] = i + 1;
            dm->therapist_ids[dm->nther++] = id;
        }
    }
    return CAIRN_OK;
}

/* The demo's memory, all of it released by demo_free(). */
static enum cairn_status demo_alloc(struct demo *dm, unsigned patients, struct cairn_error *err)
{
    if (!(dm->patients = malloc((size_t)patients * sizeof *dm->patients)) ||
        !(dm->stay.plan = cairn_plan_new(CAIRN_PLAN_RELAPSE)) ||
        !(dm->stay.safety = cairn_plan_new(CAIRN_PLAN_SAFETY)) ||
        !(dm->snapshot = malloc(sizeof *dm->snapshot)) ||
        !(dm->snapshots = cairn_snapshot_writer_new()) ||
        !(dm->inputs = malloc(sizeof *dm->inputs)) ||
        !(dm->inputs_cache = calloc(INPUTS_CACHE, sizeof *dm->inputs_cache)) ||
        !(dm->summary = malloc(sizeof *dm->summary)))
        return nomem(err);
    return CAIRN_OK;
}

static void demo_free(struct demo *dm)
{
    struct stay *st = &dm->stay;
    stay_reviews_free(st);
    free(st->lines);
    free(st->measures);
    free(st->attempts);
    free(st->reviews);
    cairn_plan_free(&st->plan);
    cairn_plan_free(&st->safety);
    for (size_t i = 0; i < NPROGRAMS; i++) {
        free(dm->templates[i]);
        free(dm->census[i].in_care);
        free(dm->census[i].placed);
        free(dm->empty_plan[i]);
        free(dm->empty_safety[i]);
    }
    for (size_t i = 0; dm->inputs_cache && i < INPUTS_CACHE; i++)
        free(dm->inputs_cache[i].json);
    free(dm->inputs_cache);
    free(dm->inputs);
    free(dm->snapshot);
    cairn_snapshot_writer_free(dm->snapshots);
    free(dm->summary);
    free(dm->patients);
    free(dm->therapist_ids);
    free(dm->manager_ids);
    free(dm->therapist_no);
}

enum cairn_status cairn_demo_generate(struct cairn_store *store,
                                      const struct cairn_demo_options *opts,
                                      struct cairn_demo_stats *stats, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    enum { MAX_CLINICIANS = 4096, MAX_WEEKS = 520 };
    int has_patients = 0;
    struct session_pass sessions = {0};

    if (opts->patients < 1 || opts->patients > 1000000)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "patients", "must be 1 to 1000000");
    unsigned clinicians = opts->clinicians ? opts->clinicians : opts->patients / 25;
    if (clinicians < 3)
        clinicians = 3;
    if (clinicians > MAX_CLINICIANS)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "clinicians", "must be at most %d",
                                 MAX_CLINICIANS);
    if (opts->weeks > MAX_WEEKS)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "weeks", "must be at most %d", MAX_WEEKS);
    struct cairn_patient_filter one = {.limit = 1};
    if ((rc = cairn_patient_list(store, &one, any_patient, &has_patients, err)) != CAIRN_OK)
        return rc;
    if (has_patients)
        return cairn_error_set(err, CAIRN_ERR_EXISTS,
                               "this database already holds patients; demo data goes only into "
                               "an empty database, so synthetic and real records never mix");

    struct demo *dm = calloc(1, sizeof *dm);
    if (!dm)
        return nomem(err);
    dm->store = store;
    dm->opts = opts;
    dm->rng = opts->seed;
    dm->store_today = cairn_store_today(store);
    dm->today = opts->today < dm->store_today ? opts->today : dm->store_today;
    cairn_timestamp_now(dm->now);
    snprintf(dm->me, sizeof dm->me, "%s", cairn_store_actor_login(store));
    if ((rc = demo_alloc(dm, opts->patients, err)) != CAIRN_OK ||
        (rc = store_demo_begin(store, dm->now, &dm->load, err)) != CAIRN_OK ||
        (rc = load_programs(dm, err)) != CAIRN_OK ||
        (rc = add_staff(dm, clinicians, err)) != CAIRN_OK)
        goto out;
    for (unsigned i = 0; i < opts->patients; i++)
        if ((rc = add_patient(dm, i, err)) != CAIRN_OK)
            goto out;
    if ((rc = store_demo_table_done(dm->load, STORE_DEMO_PATIENT, err)) != CAIRN_OK ||
        (rc = count_census(dm, err)) != CAIRN_OK ||
        (rc = sessions_begin(dm, &sessions, err)) != CAIRN_OK)
        goto out;
    /* Admission scheduled the reviews before anything else was tracked:
     * their ids come first, and a week started without one comes after.
     * The session pass keeps pace with the stays (see struct session_pass). */
    dm->next_seeded = store_demo_ids(dm->load, STORE_DEMO_REVIEW, dm->seeded_reviews);
    for (size_t i = 0; i < dm->npatients; i++)
        if ((rc = add_stay(dm, &dm->patients[i], err)) != CAIRN_OK ||
            (rc = sessions_upto(dm, &sessions, i + 1, dm->npatients, err)) != CAIRN_OK)
            goto out;
    /* The last stay's share was the whole: every session is logged. */
    if ((rc = store_demo_table_done(dm->load, STORE_DEMO_SESSION, err)) != CAIRN_OK ||
        (rc = store_demo_table_done(dm->load, STORE_DEMO_ATTENDANCE, err)) != CAIRN_OK)
        goto out;
    if ((rc = empty_summaries(dm, dm->end_patient, err)) != CAIRN_OK)
        goto out;
    rc = store_demo_finish(dm->load, &dm->made, NULL, err);
out:
    sessions_end(&sessions);
    store_demo_end(&dm->load);
    if (rc == CAIRN_OK && stats)
        *stats = dm->made;
    demo_free(dm);
    free(dm);
    return rc;
}
