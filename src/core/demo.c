/* Synthetic demo caseloads. Every name here is made up and combined at
 * random; none belongs to a real patient. Uses only the public API, so a
 * demo exercises the same validation and audit paths as real use. */
#include "cairn/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/patient.h"
#include "cairn/program.h"
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
    static int64_t therapists[MAX_CLINICIANS], managers[MAX_CLINICIANS];
    unsigned nther = 0, nman = 0;
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

    if ((rc = cairn_store_begin(store, err)) != CAIRN_OK)
        return rc;
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
    for (unsigned i = 0; i < clinicians; i++) {
        bool manager = i % 3 == 2;
        int64_t id;
        snprintf(login, sizeof login, "demo.%s%02u", manager ? "cm" : "th", i + 1);
        snprintf(name, sizeof name, "%s %s", first_names[pick(&rng, COUNT(first_names))],
                 last_names[pick(&rng, COUNT(last_names))]);
        if ((rc = ensure_staff(store, login, name,
                               manager ? CAIRN_ROLE_CASE_MANAGER : CAIRN_ROLE_THERAPIST, &id,
                               &made.staff, err)) != CAIRN_OK)
            goto out;
        if (manager)
            managers[nman++] = id;
        else
            therapists[nther++] = id;
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
        p.therapist_id = therapists[pick(&rng, nther)];
        p.case_manager_id = nman ? managers[pick(&rng, nman)] : 0;
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
        int32_t admitted = opts->today - (int32_t)pick(&rng, (unsigned)weeks * 7);
        if (roll >= 85)
            admitted -= (int32_t)(weeks * 7 + pick(&rng, 120));
        cairn_date_format(admitted, p.admission_date);
        p.program_id = programs[prog].id;
        if ((rc = cairn_patient_change_status(store, &p, CAIRN_PATIENT_ACTIVE, err)) != CAIRN_OK)
            goto out;
        if (roll >= 78 && roll < 85) {
            rc = cairn_patient_change_status(store, &p, CAIRN_PATIENT_ON_HOLD, err);
        } else if (roll >= 85) {
            int32_t left = admitted + weeks * 7 - (int32_t)pick(&rng, 14);
            if (left > opts->today)
                left = opts->today;
            cairn_date_format(left, p.discharge_date);
            snprintf(p.discharge_reason, sizeof p.discharge_reason, "%s",
                     pick(&rng, 4) ? "Completed program" : "Stepped down to outpatient care");
            rc = cairn_patient_change_status(store, &p, CAIRN_PATIENT_DISCHARGED, err);
            if (rc == CAIRN_OK && roll >= 95)
                rc = cairn_patient_change_status(store, &p, CAIRN_PATIENT_ALUMNI, err);
        }
        if (rc != CAIRN_OK)
            goto out;
    }
    rc = cairn_store_commit(store, err);
out:
    if (rc != CAIRN_OK)
        cairn_store_rollback(store);
    else if (stats)
        *stats = made;
    return rc;
}
