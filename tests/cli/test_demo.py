#!/usr/bin/env python3
"""End to end: `cairn demo` builds a realistic, reproducible synthetic caseload."""

import json
import os
import re
import sqlite3
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

DEMO = ["demo", "--patients", "60", "--seed", "7", "--today", "2026-11-23"]
# Stamped with the real clock at generation time, so they differ run to run.
# Record columns the caseload list leaves out (they need an audited read),
# read straight from the file for these checks.
RECORD_SQL = ("SELECT mrn, dob, discharge_date, discharge_reason, phone, emergency_contact "
              "FROM patient")
# The tracking a demo generates, every column but ids and timestamps, in the
# order it was made.
TRACKING_SQL = [
    "SELECT s.date, s.start_time, s.type, s.title, s.minutes, s.telehealth, f.login, "
    "p.mrn, a.status, a.minutes_attended FROM attendance a JOIN session s ON s.id = a.session_id "
    "JOIN patient p ON p.id = a.patient_id LEFT JOIN staff f ON f.id = s.facilitator_id "
    "ORDER BY a.id",
    "SELECT p.mrn, m.instrument, m.date, m.answers, m.total, m.band, m.flags FROM measure m "
    "JOIN patient p ON p.id = m.patient_id ORDER BY m.id",
    "SELECT patient_id, step_id, date, suds_before, suds_peak, suds_after, setting "
    "FROM ladder_attempt ORDER BY id",
    "SELECT ladder_id, position, status FROM ladder_step ORDER BY id",
    "SELECT plan_id, revision, status, content_json FROM plan_revision ORDER BY id",
    "SELECT safety_plan_id, revision, content_json FROM safety_revision ORDER BY id",
    "SELECT patient_id, date, kind, trigger, coping, note FROM lapse ORDER BY id",
]


class DemoTest(CairnTestCase):

    def demo_db(self, name, *args):
        db = os.path.join(self.tmp, name)
        self.ok("init", db=db)
        res = self.ok(*(args or DEMO), db=db)
        return db, res

    def caseload(self, db):
        rows = json.loads(self.ok("patient", "list", "--status", "all", "--format", "json",
                                  "--sort", "mrn", db=db).out)
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            record = {m: (dob, dd, reason, phone, contact)
                      for m, dob, dd, reason, phone, contact in con.execute(RECORD_SQL)}
        for r in rows:
            (r["dob"], r["discharge_date"], r["discharge_reason"], r["phone"],
             r["emergency_contact"]) = record[r["mrn"]]
        return rows

    def test_demo_makes_60_patients_across_every_status_with_utf8_names(self):
        db, res = self.demo_db("a.db")
        self.assertRegex(res.out, r"^demo caseload: 60 patients, \d+ staff \(synthetic names "
                         r"only\)\ntracking: \d+ sessions with \d+ attendance lines, \d+ measures, "
                         r"\d+ ladder attempts, \d+ plans, \d+ safety plans, \d+ lapses, "
                         r"\d+ signed reviews\n$")
        rows = self.caseload(db)
        self.assertEqual(len(rows), 60)
        self.assertEqual(len({r["mrn"] for r in rows}), 60)
        statuses = Counter(r["status"] for r in rows)
        self.assertEqual(set(statuses), {"referred", "active", "on_hold", "discharged", "alumni"},
                         statuses)
        self.assertGreater(statuses["active"], 30, "mostly active")
        self.assertTrue(any(any(ord(c) > 127 for c in r["legal_name"]) for r in rows))
        for r in rows:
            if r["status"] == "referred":
                self.assertIsNone(r["admission_date"])
            else:
                self.assertLessEqual(r["admission_date"], "2026-11-23")
                self.assertIsNotNone(r["program"])
            if r["status"] in ("discharged", "alumni"):
                self.assertLessEqual(r["admission_date"], r["discharge_date"])
                self.assertLessEqual(r["discharge_date"], "2026-11-23")
                self.assertTrue(r["discharge_reason"])
            self.assertIsNotNone(r["therapist"])
            self.assertLess(r["dob"], "2013-11-23", "patients are at least 13")
        # The text list of a UTF-8 demo caseload prints as valid UTF-8 without a locale.
        self.assertEqual(len(self.ok("patient", "list", "--status", "all", db=db)
                             .out.splitlines()), 61)

    def tracking(self, db):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return [con.execute(q).fetchall() for q in TRACKING_SQL]

    def query(self, db, sql):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute(sql).fetchall()

    def test_the_same_seed_and_day_give_the_same_caseload(self):
        a, res_a = self.demo_db("a.db")
        b, res_b = self.demo_db("b.db")
        self.assertEqual(self.caseload(a), self.caseload(b))
        self.assertEqual(res_a.out, res_b.out, "the same counts")
        self.assertEqual(self.tracking(a), self.tracking(b), "the same tracking, row for row")
        c, _ = self.demo_db("c.db", "demo", "--patients", "60", "--seed", "8", "--today",
                            "2026-11-23")
        self.assertNotEqual(self.caseload(a), self.caseload(c), "another seed, another caseload")
        self.assertNotEqual(self.tracking(a), self.tracking(c), "another seed, other tracking")

    def test_the_printed_counts_are_the_rows_made(self):
        db, res = self.demo_db("a.db")
        counts = [int(n) for n in re.findall(r"\d+", res.out.splitlines()[1])]
        self.assertEqual(counts, [self.query(db, "SELECT count(*) FROM " + t)[0][0] for t in
                                  ("session", "attendance", "measure", "ladder_attempt",
                                   "plan_revision", "safety_revision", "lapse",
                                   "review WHERE status IN ('signed', 'cosigned')")])

    def test_every_admitted_patient_in_care_a_week_attends_and_only_during_the_stay(self):
        db, _ = self.demo_db("a.db")
        stays = self.query(db, "SELECT mrn, admission_date, coalesce(discharge_date, ?1), "
                           .replace("?1", "'2026-11-23'") +
                           "(SELECT count(*) FROM attendance a WHERE a.patient_id = p.id) "
                           "FROM patient p WHERE status IN ('active', 'discharged', 'alumni') "
                           "AND julianday(coalesce(discharge_date, '2026-11-23')) - "
                           "julianday(admission_date) >= 7")
        self.assertGreater(len(stays), 30)
        for mrn, admitted, left, lines in stays:
            self.assertGreater(lines, 0, f"{mrn}, in care {admitted} to {left}, never attended")
        # Nothing before admission, after discharge or after today, in any table.
        for table in ("attendance", "measure", "ladder_attempt", "lapse"):
            outside = self.query(db, f"SELECT count(*) FROM {table} t JOIN patient p "
                                 "ON p.id = t.patient_id WHERE p.admission_date IS NULL "
                                 "OR t.date < p.admission_date OR t.date > '2026-11-23' "
                                 "OR t.date > coalesce(p.discharge_date, '9999-12-31')")[0][0]
            self.assertEqual(outside, 0, table)
        # Referred patients have no tracking at all.
        self.assertEqual(self.query(db, "SELECT count(*) FROM attendance a JOIN patient p "
                                    "ON p.id = a.patient_id WHERE p.status = 'referred'")[0][0], 0)

    def test_groups_are_small_and_most_attend_with_some_absent_late_or_excused(self):
        db, _ = self.demo_db("a.db")
        sizes = self.query(db, "SELECT s.type, count(*) FROM session s JOIN attendance a "
                           "ON a.session_id = s.id GROUP BY s.id")
        self.assertTrue(all(n <= 12 for t, n in sizes if t == "group"), "groups of 12 at most")
        self.assertTrue(all(n == 1 for t, n in sizes if t == "individual"))
        titles = {t for (t,) in self.query(db, "SELECT DISTINCT title FROM session")}
        self.assertTrue({"DBT skills", "Relapse prevention", "Process group"} <= titles, titles)
        status = Counter(dict(self.query(db, "SELECT status, count(*) FROM attendance "
                                         "GROUP BY status")))
        self.assertGreater(status["attended"] / sum(status.values()), 0.8)
        for s in ("absent", "late", "excused"):
            self.assertGreater(status[s], 0, s)
        self.assertEqual(self.query(db, "SELECT count(*) FROM attendance a JOIN session s "
                                    "ON s.id = a.session_id WHERE a.status = 'late' AND NOT "
                                    "(a.minutes_attended BETWEEN 1 AND s.minutes - 1)")[0][0], 0)

    def test_most_phq9_scores_improve_and_a_few_do_not(self):
        db, _ = self.demo_db("a.db")
        runs = self.query(db, "SELECT patient_id, group_concat(total) FROM (SELECT * FROM measure "
                          "WHERE instrument = 'phq9' ORDER BY patient_id, date) "
                          "GROUP BY patient_id HAVING count(*) >= 5")
        change = [int(t.split(",")[-1]) - int(t.split(",")[0]) for _, t in runs]
        self.assertGreater(len(change), 5)
        self.assertGreater(sum(c < 0 for c in change), len(change) / 2, change)
        self.assertGreater(sum(c >= 0 for c in change), 0, change)
        # Every admitted patient had a C-SSRS screen on the day of admission.
        missing = self.query(db, "SELECT count(*) FROM patient p WHERE admission_date IS NOT NULL "
                             "AND NOT EXISTS (SELECT 1 FROM measure m WHERE m.patient_id = p.id "
                             "AND m.instrument = 'cssrs_screen' AND m.date = p.admission_date)")
        self.assertEqual(missing[0][0], 0)
        # Cravings only in the substance-use program.
        programs = {c for (c,) in self.query(db, "SELECT DISTINCT pr.code FROM measure m JOIN "
                                             "patient p ON p.id = m.patient_id JOIN program pr "
                                             "ON pr.id = p.program_id "
                                             "WHERE m.instrument = 'craving'")}
        self.assertEqual(programs, {"substance-use-iop"})

    def test_ladders_plans_and_lapses_are_partly_filled_in(self):
        db, _ = self.demo_db("a.db")
        steps = Counter(s for (s,) in self.query(db, "SELECT status FROM ladder_step"))
        self.assertGreater(steps["mastered"], 0)
        self.assertGreater(steps["in_progress"], 0)
        self.assertEqual(self.query(db, "SELECT count(*) FROM ladder_attempt "
                                    "WHERE suds_peak < suds_after")[0][0], 0)
        plans = Counter(s for (s,) in self.query(db, "SELECT status FROM plan WHERE revision > 0"))
        self.assertGreater(plans["active"], 0)
        self.assertGreater(plans["draft"], 0)
        self.assertEqual(self.query(db, "SELECT count(*) FROM plan WHERE status = 'active' "
                                    "AND signed_by IS NULL")[0][0], 0, "active plans are signed")
        risks = {r for (r,) in self.query(db, "SELECT DISTINCT p.risk_level FROM safety_plan s "
                                          "JOIN patient p ON p.id = s.patient_id "
                                          "WHERE s.revision > 0")}
        self.assertEqual(risks, {"moderate", "high"})
        lapsed = {c for (c,) in self.query(db, "SELECT DISTINCT pr.code FROM lapse l JOIN patient "
                                           "p ON p.id = l.patient_id JOIN program pr "
                                           "ON pr.id = p.program_id")}
        self.assertEqual(lapsed, {"substance-use-iop"})
        # The plan reads back through cairn, items and all.
        mrn = self.query(db, "SELECT p.mrn FROM plan pl JOIN patient p ON p.id = pl.patient_id "
                         "WHERE pl.revision > 0 ORDER BY p.mrn LIMIT 1")[0][0]
        shown = self.ok("plan", "show", mrn, db=db).out
        self.assertIn("Triggers", shown)

    def test_a_second_demo_into_the_same_database_is_refused(self):
        db, _ = self.demo_db("a.db")
        before = self.snapshot(db)
        res = self.run_cairn(*DEMO, db=db)
        self.assert_error(res, 1, r"^cairn: demo: this database already holds patients")
        self.assertEqual(self.snapshot(db), before)
        self.assertEqual(len(self.caseload(db)), 60)


if __name__ == "__main__":
    main()
