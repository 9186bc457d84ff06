#!/usr/bin/env python3
"""End to end: the commands scripts/bench times, on a 1,000-patient demo.

scripts/bench measures them on 100,000 patients and is not part of
scripts/check; this runs the same code paths on a caseload small enough for
every check run: the demo load (then PRAGMA integrity_check, which checks
the CHECK constraints the load leaves off, and foreign_key_check), `report
caseload` for one clinician and for everyone, `alerts` for everyone,
`patient list` first page and a filtered page, and the TUI's first screen
in headless mode. Each must succeed with nothing on stderr and print what a
user would expect. It also pins that scripts/check never runs the bench.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import TODAY, CairnTestCase, main  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PATIENTS = 1000


class BenchQueriesTest(CairnTestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cairn-bench-")
        os.chmod(cls.dir, 0o700)
        cls.demo_db = os.path.join(cls.dir, "demo.db")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        # One demo for the whole class (made by the first test that needs
        # it); self.db points at it so the stderr PHI check reads its names.
        self.db = self.demo_db
        if not os.path.exists(self.db):
            self.ok("init")
            self.ok("demo", "--patients", str(PATIENTS), "--seed", "3", "--today", TODAY)

    def clinician(self):
        """The login with the most active or on-hold patients, as bench picks it."""
        return self.query("SELECT s.login FROM patient p JOIN staff s ON s.id IN "
                          "(p.therapist_id, p.case_manager_id) "
                          "WHERE p.status IN ('active', 'on_hold') "
                          "GROUP BY s.id ORDER BY count(*) DESC, s.login LIMIT 1")[0][0]

    def test_the_demo_load_passes_integrity_and_foreign_key_checks(self):
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            self.assertEqual(con.execute("PRAGMA foreign_key_check").fetchall(), [])
            self.assertEqual(con.execute("SELECT count(*) FROM patient").fetchone()[0], PATIENTS)
            # Every index of the schema is back after the load.
            names = {n for (n,) in con.execute("SELECT name FROM sqlite_schema "
                                               "WHERE type = 'index' AND sql IS NOT NULL")}
        finally:
            con.close()
        self.assertTrue({"patient_by_name", "attendance_by_patient", "measure_by_patient",
                         "review_by_week", "session_by_date"} <= names, names)

    def test_report_caseload_for_one_clinician_has_their_patients_and_totals(self):
        login = self.clinician()
        out = self.ok("report", "caseload", "--clinician", login, "--format", "text").out
        self.assertIn(login, out)
        self.assertIn("TOTALS", out)
        active, on_hold = map(int, re.search(r"TOTALS all patients in this report: (\d+) active, "
                                             r"(\d+) on hold", out).groups())
        mine = self.query("SELECT count(*) FROM patient p JOIN staff s ON s.id IN "
                          "(p.therapist_id, p.case_manager_id) WHERE s.login = ? "
                          "AND p.status IN ('active', 'on_hold')", login)[0][0]
        self.assertEqual(active + on_hold, mine)
        self.assertTrue(all(len(line) <= 80 for line in out.replace("\f", "\n").splitlines()))

    def test_report_caseload_for_everyone_totals_every_patient_in_care(self):
        out = self.ok("report", "caseload", "--format", "text").out
        active, on_hold = map(int, re.search(r"TOTALS all patients in this report: (\d+) active, "
                                             r"(\d+) on hold", out).groups())
        in_care = dict(self.query("SELECT status, count(*) FROM patient "
                                  "WHERE status IN ('active', 'on_hold') GROUP BY status"))
        self.assertEqual((active, on_hold), (in_care["active"], in_care["on_hold"]))
        self.assertGreater(out.count("\f"), 10, "pages for a printer")
        doc = json.loads(self.ok("report", "caseload", "--format", "json").out)
        self.assertEqual(doc["totals"]["active"], active)

    def test_alerts_for_everyone_are_json_for_patients_in_care(self):
        rows = json.loads(self.ok("alerts", "--format", "json").out)
        self.assertGreater(len(rows), 100)
        in_care = {m for (m,) in self.query("SELECT mrn FROM patient "
                                            "WHERE status IN ('active', 'on_hold')")}
        self.assertTrue(all(r["mrn"] in in_care for r in rows))
        self.assertIn(rows[0]["severity"], ("urgent", "warning"))

    def test_patient_list_first_page_and_a_filtered_page(self):
        page = self.ok("patient", "list", "--limit", "50").out.splitlines()
        self.assertEqual(len(page), 51, "a header and 50 patients")
        self.assertTrue(page[0].startswith("MRN"), page[0])
        self.assertEqual(sum(bool(re.match(r"DEMO-\d{6} ", line)) for line in page[1:]), 50)
        rows = json.loads(self.ok("patient", "list", "--risk", "high", "--limit", "50",
                                  "--format", "json").out)
        high = self.query("SELECT count(*) FROM patient WHERE risk_level = 'high' "
                          "AND status IN ('referred', 'active', 'on_hold')")[0][0]
        self.assertEqual(len(rows), min(50, high))
        self.assertGreater(len(rows), 0)
        self.assertTrue(all(r["risk_level"] == "high" for r in rows), rows[:3])

    def test_the_tui_draws_its_first_screen_headless(self):
        script = os.path.join(self.tmp, "first.keys")
        with open(script, "w") as f:
            f.write("dump\n")
        screen = self.ok("tui", "--script", script, "--size", "100x30",
                         env=self.env(LANG="C.UTF-8")).out
        lines = screen.splitlines()
        self.assertGreaterEqual(len(lines), 30)
        self.assertIn("caseload", lines[0])
        header = next(line for line in lines if line.startswith("NAME"))
        self.assertIn("MRN", header)
        self.assertGreater(sum(bool(re.search(r"DEMO-\d{6}", line)) for line in lines), 20)

    def test_scripts_check_does_not_run_the_bench(self):
        with open(os.path.join(ROOT, "scripts", "check")) as f:
            check = f.read()
        self.assertNotIn("bench", check)
        bench = os.path.join(ROOT, "scripts", "bench")
        self.assertTrue(os.access(bench, os.X_OK))
        self.assertEqual(subprocess.run(["bash", "-n", bench]).returncode, 0)


if __name__ == "__main__":
    main()
