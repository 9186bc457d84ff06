#!/usr/bin/env python3
"""End to end: `cairn demo` builds a realistic, reproducible synthetic caseload."""

import json
import os
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
                         r"only\)\n$")
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

    def test_the_same_seed_and_day_give_the_same_caseload(self):
        a, _ = self.demo_db("a.db")
        b, _ = self.demo_db("b.db")
        self.assertEqual(self.caseload(a), self.caseload(b))
        c, _ = self.demo_db("c.db", "demo", "--patients", "60", "--seed", "8", "--today",
                            "2026-11-23")
        self.assertNotEqual(self.caseload(a), self.caseload(c), "another seed, another caseload")

    def test_a_second_demo_into_the_same_database_is_refused(self):
        db, _ = self.demo_db("a.db")
        before = self.snapshot(db)
        res = self.run_cairn(*DEMO, db=db)
        self.assert_error(res, 1, r"^cairn: demo: this database already holds patients")
        self.assertEqual(self.snapshot(db), before)
        self.assertEqual(len(self.caseload(db)), 60)


if __name__ == "__main__":
    main()
