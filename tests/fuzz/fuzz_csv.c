/* libFuzzer harness for attendance CSV import: the RFC 4180 reader, the
 * header and row checks, and the store's all-or-nothing write.
 *
 * One in-memory store is set up once with a program, a facilitator and
 * three admitted patients (MRNs F-1, F-2, F-3) whose MRNs a corpus can
 * name. Each input is imported inside an outer transaction that is then
 * rolled back, so every input sees the same database. Any bytes must give
 * CAIRN_OK or a located CAIRN_ERR_INVALID / NOT_FOUND / EXISTS, never a
 * crash, a leak or a sanitizer report. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/cairn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cairn_store *setup(void)
{
    struct cairn_store *s = NULL;
    struct cairn_error err;
    static struct cairn_template t;
    size_t len = 0;
    const char *yaml = cairn_bundled_template_text(0, &len);
    bool unchanged;
    if (cairn_store_open(CAIRN_STORE_MEMORY, CAIRN_STORE_CREATE, &s, &err) != CAIRN_OK)
        abort();
    cairn_store_set_actor(s, 1000, "fuzz");
    cairn_store_set_today(s, cairn_date_from_ymd(2026, 11, 23));
    if (!yaml || cairn_template_parse(yaml, len, &t, NULL, &err) != CAIRN_OK ||
        cairn_template_import(s, &t, yaml, len, &unchanged, &err) != CAIRN_OK)
        abort();
    struct cairn_staff st = {0};
    snprintf(st.login, sizeof st.login, "fac");
    snprintf(st.name, sizeof st.name, "Fay Facilitator");
    st.role = CAIRN_ROLE_THERAPIST;
    st.active = true;
    if (cairn_staff_add(s, &st, &err) != CAIRN_OK)
        abort();
    for (int i = 1; i <= 3; i++) {
        struct cairn_patient p;
        memset(&p, 0, sizeof p);
        snprintf(p.mrn, sizeof p.mrn, "F-%d", i);
        snprintf(p.legal_name, sizeof p.legal_name, "Fuzz Patient %d", i);
        snprintf(p.dob, sizeof p.dob, "1990-01-0%d", i);
        if (cairn_patient_add(s, &p, &err) != CAIRN_OK)
            abort();
        snprintf(p.admission_date, sizeof p.admission_date, "2026-11-0%d", i);
        p.program_id = t.program.id;
        if (cairn_patient_change_status(s, &p, CAIRN_PATIENT_ACTIVE, &err) != CAIRN_OK)
            abort();
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cairn_store *s;
    struct cairn_error err;
    struct cairn_import_result res;
    if (!s)
        s = setup();
    if (cairn_store_begin(s, &err) != CAIRN_OK)
        abort();
    enum cairn_status rc =
        cairn_session_import(s, (const char *)data, size, "fuzz.csv", &res, &err);
    cairn_store_rollback(s);
    if (rc == CAIRN_OK) {
        if (res.rows == 0 || res.sessions > res.rows)
            abort();
    } else if (rc == CAIRN_ERR_INVALID || rc == CAIRN_ERR_NOT_FOUND || rc == CAIRN_ERR_EXISTS) {
        if (res.rows != 0 || !err.message[0] || strcmp(err.file, "fuzz.csv") != 0)
            abort();
    } else {
        abort();
    }
    return 0;
}
