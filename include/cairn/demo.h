/* cairn — synthetic demo caseloads.
 *
 * Generates fictional staff, programs and patients (made-up names, several
 * with non-ASCII letters) so cairn can be tried and measured without real
 * patient data. The same seed and today give the same database.
 */
#ifndef CAIRN_DEMO_H
#define CAIRN_DEMO_H

#include <stdint.h>

#include "cairn/status.h"

struct cairn_store;

struct cairn_demo_options {
    unsigned patients;   /* 1..1000000 */
    unsigned clinicians; /* 0 = one per ~25 patients, at least 3 */
    uint64_t seed;
    int32_t today; /* day number; demo dates lead up to it */
};

struct cairn_demo_stats {
    unsigned staff;    /* staff rows created */
    unsigned programs; /* programs imported from the bundled templates (0 after init) */
    unsigned patients; /* patients created */
};

/* Fills the (empty) database with a demo caseload in one transaction. The
 * acting login is added as a supervisor when it is not staff yet, so every
 * command works on the demo. A database that already holds patients is
 * refused with CAIRN_ERR_EXISTS: synthetic and real records never mix. */
enum cairn_status cairn_demo_generate(struct cairn_store *store,
                                      const struct cairn_demo_options *opts,
                                      struct cairn_demo_stats *stats, struct cairn_error *err);

#endif
