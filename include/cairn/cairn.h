/* cairn — umbrella header for libcairn. */
#ifndef CAIRN_H
#define CAIRN_H

#include "cairn/alert.h"
#include "cairn/audit.h"
#include "cairn/backup.h"
#include "cairn/care.h"
#include "cairn/csv.h"
#include "cairn/date.h"
#include "cairn/demo.h"
#include "cairn/export.h"
#include "cairn/ladder.h"
#include "cairn/measure.h"
#include "cairn/outfile.h"
#include "cairn/patient.h"
#include "cairn/plan.h"
#include "cairn/program.h"
#include "cairn/report.h"
#include "cairn/review.h"
#include "cairn/session.h"
#include "cairn/staff.h"
#include "cairn/status.h"
#include "cairn/store.h"
#include "cairn/template.h"
#include "cairn/text.h"

#define CAIRN_VERSION "0.1.0"

#endif
