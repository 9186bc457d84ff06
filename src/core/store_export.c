/* The audit row of an export (the document itself is built in export.c
 * from the public API). */
#include "cairn/export.h"
#include "store_internal.h"

enum cairn_status cairn_export_audit(struct cairn_store *s, int64_t patient_id,
                                     enum cairn_export_format format, struct cairn_error *err)
{
    const char *name = cairn_export_format_str(format);
    if (!*name || patient_id <= 0)
        return cairn_error_set(err, CAIRN_ERR_INVALID, "exporting: no patient or format given");
    enum cairn_status rc = store_tx_begin(s, err);
    if (rc != CAIRN_OK)
        return rc;
    rc = store_audit(s, "export", "patient", patient_id, patient_id, name, "ok", err);
    return store_tx_end(s, rc, err);
}
