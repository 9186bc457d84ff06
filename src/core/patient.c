/* Patient rules: names of statuses, risk levels and fields; the status
 * lifecycle; field validation; tag normalization. Pure: no I/O. */
#include "cairn/patient.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/text.h"

static const char *const status_names[] = {
#define CAIRN_X_NAME(code, text) [code] = text,
    CAIRN_PATIENT_STATUS_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

static const char *const field_names[] = {
#define CAIRN_X_NAME(name, text) [CAIRN_PF_##name] = text,
    CAIRN_PATIENT_FIELD_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

const char *cairn_patient_status_str(enum cairn_patient_status status)
{
    return (unsigned)status < CAIRN_PATIENT_STATUS__COUNT ? status_names[status] : "?";
}

enum cairn_status cairn_patient_status_parse(const char *text, enum cairn_patient_status *status,
                                             struct cairn_error *err)
{
    for (int i = 0; i < CAIRN_PATIENT_STATUS__COUNT; i++) {
        if (text && strcmp(text, status_names[i]) == 0) {
            *status = (enum cairn_patient_status)i;
            return CAIRN_OK;
        }
    }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "status",
                             "unknown status; expected referred, active, on_hold, discharged "
                             "or alumni");
}

const char *cairn_risk_str(enum cairn_risk risk)
{
    switch (risk) {
    case CAIRN_RISK_LOW:
        return "low";
    case CAIRN_RISK_MODERATE:
        return "moderate";
    case CAIRN_RISK_HIGH:
        return "high";
    default:
        return "";
    }
}

static const char *const sort_names[] = {
#define CAIRN_X_NAME(code, name) name,
    CAIRN_PATIENT_SORT_LIST(CAIRN_X_NAME)
#undef CAIRN_X_NAME
};

const char *cairn_patient_sort_str(enum cairn_patient_sort sort)
{
    return (unsigned)sort < CAIRN_PATIENT_SORT__COUNT ? sort_names[sort] : "";
}

enum cairn_status cairn_patient_sort_parse(const char *text, enum cairn_patient_sort *sort,
                                           struct cairn_error *err)
{
    for (int i = 0; i < CAIRN_PATIENT_SORT__COUNT; i++)
        if (text && strcmp(text, sort_names[i]) == 0) {
            *sort = (enum cairn_patient_sort)i;
            return CAIRN_OK;
        }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "sort",
                             "must be name, mrn, program, status, risk or admitted");
}

enum cairn_status cairn_risk_parse(const char *text, enum cairn_risk *risk, struct cairn_error *err)
{
    for (enum cairn_risk r = CAIRN_RISK_LOW; r <= CAIRN_RISK_HIGH; r++) {
        if (text && strcmp(text, cairn_risk_str(r)) == 0) {
            *risk = r;
            return CAIRN_OK;
        }
    }
    return cairn_error_field(err, CAIRN_ERR_INVALID, "risk_level",
                             "unknown risk level; expected low, moderate or high");
}

const char *cairn_patient_field_str(enum cairn_patient_field field)
{
    return (unsigned)field < CAIRN_PF__COUNT ? field_names[field] : "?";
}

bool cairn_patient_transition_allowed(enum cairn_patient_status from, enum cairn_patient_status to)
{
    switch (from) {
    case CAIRN_PATIENT_REFERRED:
        return to == CAIRN_PATIENT_ACTIVE;
    case CAIRN_PATIENT_ACTIVE:
        return to == CAIRN_PATIENT_ON_HOLD || to == CAIRN_PATIENT_DISCHARGED;
    case CAIRN_PATIENT_ON_HOLD:
        return to == CAIRN_PATIENT_ACTIVE || to == CAIRN_PATIENT_DISCHARGED;
    case CAIRN_PATIENT_DISCHARGED:
        return to == CAIRN_PATIENT_ALUMNI;
    default:
        return false;
    }
}

/* A date field: "" allowed unless required; otherwise a real date. */
static enum cairn_status check_date(const char *value, const char *field, bool required,
                                    int32_t *out, struct cairn_error *err)
{
    struct cairn_error derr;
    *out = 0;
    if (!*value)
        return required ? cairn_error_field(err, CAIRN_ERR_INVALID, field, "is required")
                        : CAIRN_OK;
    if (cairn_date_parse(value, out, &derr) != CAIRN_OK)
        return cairn_error_field(err, CAIRN_ERR_INVALID, field, "%s", derr.message);
    return CAIRN_OK;
}

static bool mrn_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

enum cairn_status cairn_patient_validate(const struct cairn_patient *p, uint32_t mask,
                                         int32_t today, struct cairn_error *err)
{
    enum cairn_status rc = CAIRN_OK;
    int32_t dob = 0, admitted = 0, expected = 0, discharged = 0;
    char buf[CAIRN_DATE_LEN + 1];

    if (mask & CAIRN_PF_BIT(MRN)) {
        size_t n = strlen(p->mrn);
        if (n == 0)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn", "is required");
        for (size_t i = 0; i < n; i++)
            if (!mrn_char(p->mrn[i]))
                return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn",
                                         "may hold only letters, digits, '-', '_' and '.'");
        if (!isalnum((unsigned char)p->mrn[0]))
            return cairn_error_field(err, CAIRN_ERR_INVALID, "mrn",
                                     "must start with a letter or digit");
    }
    if ((mask & CAIRN_PF_BIT(LEGAL_NAME)) &&
        (rc = cairn_text_check(p->legal_name, "legal_name", true, 0, err)) != CAIRN_OK)
        return rc;
    if ((mask & CAIRN_PF_BIT(PREFERRED_NAME)) &&
        (rc = cairn_text_check(p->preferred_name, "preferred_name", false, 0, err)) != CAIRN_OK)
        return rc;
    if ((mask & CAIRN_PF_BIT(PRONOUNS)) &&
        (rc = cairn_text_check(p->pronouns, "pronouns", false, 0, err)) != CAIRN_OK)
        return rc;
    if ((mask & CAIRN_PF_BIT(EMERGENCY_CONTACT)) &&
        (rc = cairn_text_check(p->emergency_contact, "emergency_contact", false, 0, err)) !=
            CAIRN_OK)
        return rc;
    if ((mask & CAIRN_PF_BIT(DISCHARGE_REASON)) &&
        (rc = cairn_text_check(p->discharge_reason, "discharge_reason", false, 0, err)) != CAIRN_OK)
        return rc;
    if (mask & CAIRN_PF_BIT(PHONE)) {
        int digits = 0;
        for (const char *c = p->phone; *c; c++) {
            if (isdigit((unsigned char)*c))
                digits++;
            else if (!strchr("+()-. ", *c))
                return cairn_error_field(err, CAIRN_ERR_INVALID, "phone",
                                         "may hold only digits, spaces and + ( ) - .");
        }
        if (*p->phone && (digits < 3 || digits > 15))
            return cairn_error_field(err, CAIRN_ERR_INVALID, "phone",
                                     "must have between 3 and 15 digits");
    }
    if (mask & CAIRN_PF_BIT(DOB)) {
        if ((rc = check_date(p->dob, "dob", true, &dob, err)) != CAIRN_OK)
            return rc;
        if (dob > today) {
            cairn_date_format(today, buf);
            return cairn_error_field(err, CAIRN_ERR_INVALID, "dob",
                                     "is in the future (today is %s)", buf);
        }
    }
    if ((mask & (CAIRN_PF_BIT(ADMISSION_DATE) | CAIRN_PF_BIT(EXPECTED_DISCHARGE) |
                 CAIRN_PF_BIT(DISCHARGE_DATE)))) {
        if ((rc = check_date(p->admission_date, "admission_date", false, &admitted, err)) ||
            (rc = check_date(p->expected_discharge_date, "expected_discharge_date", false,
                             &expected, err)) ||
            (rc = check_date(p->discharge_date, "discharge_date", false, &discharged, err)))
            return rc;
        if ((mask & CAIRN_PF_BIT(ADMISSION_DATE)) && admitted > today) {
            cairn_date_format(today, buf);
            return cairn_error_field(err, CAIRN_ERR_INVALID, "admission_date",
                                     "is in the future (today is %s)", buf);
        }
        if ((mask & CAIRN_PF_BIT(DISCHARGE_DATE)) && discharged > today) {
            cairn_date_format(today, buf);
            return cairn_error_field(err, CAIRN_ERR_INVALID, "discharge_date",
                                     "is in the future (today is %s)", buf);
        }
        if (*p->expected_discharge_date && *p->admission_date && expected <= admitted)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "expected_discharge_date",
                                     "must be after the admission date");
        /* A weekly review is scheduled for each week of the stay: a typo in
         * the year must not schedule hundreds of them. */
        if (*p->expected_discharge_date && *p->admission_date &&
            expected - admitted > CAIRN_STAY_MAX_WEEKS * 7)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "expected_discharge_date",
                                     "is more than %d weeks after the admission date",
                                     CAIRN_STAY_MAX_WEEKS);
        if (*p->discharge_date && *p->admission_date && discharged < admitted)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "discharge_date",
                                     "is before the admission date");
        if (*p->discharge_date && !*p->admission_date)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "discharge_date",
                                     "set, but the patient was never admitted");
    }
    if ((mask & CAIRN_PF_BIT(DOB)) && (mask & CAIRN_PF_BIT(ADMISSION_DATE)) && *p->admission_date &&
        admitted < dob)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "admission_date",
                                 "is before the date of birth");
    if ((mask & CAIRN_PF_BIT(RISK)) && (unsigned)p->risk > CAIRN_RISK_HIGH)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "risk_level", "unknown risk level");
    if ((mask & CAIRN_PF_BIT(STATUS)) && (unsigned)p->status >= CAIRN_PATIENT_STATUS__COUNT)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "status", "unknown status");
    return CAIRN_OK;
}

static int compare_tags(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

enum cairn_status cairn_patient_tags_normalize(char *tags, size_t size, struct cairn_error *err)
{
    enum { MAX_TAGS = 32 };
    char copy[CAIRN_LONG_MAX + 1];
    char *items[MAX_TAGS];
    size_t count = 0;

    if (strlen(tags) >= sizeof copy)
        return cairn_error_field(err, CAIRN_ERR_INVALID, "tags", "too long (at most %d bytes)",
                                 CAIRN_LONG_MAX);
    memcpy(copy, tags, strlen(tags) + 1);
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ')
            *--end = '\0';
        if (!*tok)
            continue;
        for (char *c = tok; *c; c++) {
            *c = (char)tolower((unsigned char)*c);
            if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
                return cairn_error_field(err, CAIRN_ERR_INVALID, "tags",
                                         "a tag may hold only letters, digits, '-' and '_'");
        }
        if (count == MAX_TAGS)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "tags", "more than %d tags", MAX_TAGS);
        items[count++] = tok;
    }
    qsort(items, count, sizeof items[0], compare_tags);
    size_t o = 0;
    for (size_t i = 0; i < count; i++) {
        if (i > 0 && strcmp(items[i], items[i - 1]) == 0)
            continue;
        size_t n = strlen(items[i]);
        if (o + n + 2 > size)
            return cairn_error_field(err, CAIRN_ERR_INVALID, "tags", "too long");
        if (o)
            tags[o++] = ',';
        memcpy(tags + o, items[i], n);
        o += n;
    }
    tags[o] = '\0';
    return CAIRN_OK;
}
