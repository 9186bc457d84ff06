#!/usr/bin/env python3
"""End-to-end tests of `cairn report caseload` and `cairn report patient`.

The text reports of a fixed-seed demo caseload (`cairn demo --patients 120
--seed 11 --today 2026-11-23`, CAIRN_TODAY=2026-11-23) are compared with
the golden files in tests/cli/golden/. Two things differ from run to run
and are masked before comparing: the acting login (the OS user running the
tests, who prints the report and, in the demo, signed the plans) and times
taken from the clock (when the demo's plans and reviews were signed). Both
stand where a different width cuts or wraps nothing.

After an intended change of a report, regenerate and review the diff:

    CAIRN_BIN=build/cairn CAIRN_REGENERATE=1 python3 tests/cli/test_reports.py

The HTML reports are rendered by headless Chromium when it is installed
(Debian package chromium); that test is skipped otherwise.
"""

import csv
import io
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

from cli_support import TODAY, CairnTestCase, display_width, main

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
ME = pwd.getpwuid(os.getuid()).pw_name
CLOCK = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
SEED_ARGS = ("demo", "--patients", "120", "--seed", "11", "--today", TODAY)


def mask(text):
    """The report with the clock's times and the acting login masked."""
    text = CLOCK.sub("YYYY-MM-DDThh:mm:ssZ", text)
    return re.sub(r"\bby %s\b" % re.escape(ME), "by $USER", text)


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


class DemoReports(CairnTestCase):
    """Reports of the shared demo caseload (made once, copied per test)."""

    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="cairn-reports-")
        os.chmod(cls.shared, 0o700)
        cls.demo_db = os.path.join(cls.shared, "demo.db")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cls.shared,
               "CAIRN_TODAY": TODAY}
        for args in (["init"], list(SEED_ARGS)):
            subprocess.run([os.environ["CAIRN_BIN"], "--db", cls.demo_db] + args, check=True,
                           capture_output=True, env=env, timeout=120)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def setUp(self):
        super().setUp()
        shutil.copyfile(self.demo_db, self.db)
        os.chmod(self.db, 0o600)

    def golden(self, name, text):
        path = os.path.join(GOLDEN, name)
        got = mask(text)
        if os.environ.get("CAIRN_REGENERATE"):
            os.makedirs(GOLDEN, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(got)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(got, f.read(), "%s differs: see this file's docstring" % name)

    def assert_printable(self, text, pages=True):
        """80 columns at most, no trailing spaces, no control characters but
        form feeds between pages of at most 60 lines numbered 1..M."""
        self.assertNotIn("\x1b", text)
        chunks = text.split("\f")
        for n, chunk in enumerate(chunks, 1):
            lines = chunk.split("\n")
            if lines[-1] == "":
                lines.pop()
            if pages:
                self.assertLessEqual(len(lines), 60, "page %d" % n)
                self.assertTrue(lines[0].endswith("page %d of %d" % (n, len(chunks))), lines[0])
            for line in lines:
                self.assertLessEqual(display_width(line), 80, line)
                self.assertEqual(line, line.rstrip(" "), line)
                self.assertFalse(any(ord(c) < 32 for c in line), repr(line))
        if not pages:
            self.assertEqual(len(chunks), 1)

    # --- golden text reports ---------------------------------------------------

    def test_text_caseload_of_one_clinician_last_week_matches_its_golden_file(self):
        out = self.ok("report", "caseload", "--clinician", "demo.th01", "--week",
                      "2026-W47").out
        self.assert_printable(out)
        self.golden("report-caseload-demo.th01-2026-W47.txt", out)

    def test_text_caseload_of_the_whole_organization_matches_its_golden_file(self):
        out = self.ok("report", "caseload").out
        self.assert_printable(out)
        for login in ("demo.th01", "demo.th02", "demo.th04"):
            self.assertIn("Clinician: %s " % login, out)
        self.golden("report-caseload.txt", out)

    def test_text_patient_summary_matches_its_golden_file(self):
        out = self.ok("report", "patient", "DEMO-000095").out
        self.assert_printable(out, pages=False)
        for part in ("RELAPSE-PREVENTION PLAN", "SAFETY PLAN", "EXPOSURE LADDERS",
                     "Peak SUDS per attempt", "MEASURES", "PHQ-9 total over time",
                     "LAST 4 WEEKLY REVIEWS"):
            self.assertIn(part, out)
        self.golden("report-patient-DEMO-000095.txt", out)

    # --- the other formats --------------------------------------------------------

    def test_json_parses_and_its_totals_add_up(self):
        doc = json.loads(self.ok("report", "caseload", "--format", "json").out)
        self.assertEqual(doc["report"], "caseload")
        self.assertEqual(doc["week"], "2026-W48")
        self.assertEqual(doc["printed_by"], ME)
        self.assertIsNone(doc["clinician"])
        patients = [p for c in doc["clinicians"] for p in c["patients"]]
        active = [p for p in patients if p["status"] == "active"]
        self.assertEqual(doc["totals"]["active"], len(active))
        self.assertEqual(doc["totals"]["on_hold"], len(patients) - len(active))
        self.assertEqual(sum(c["totals"]["active"] for c in doc["clinicians"]), len(active))
        self.assertEqual(sum(p["totals"]["active"] for p in doc["programs"]), len(active))
        bands = doc["totals"]["phq9"]["bands"]
        self.assertEqual(sum(bands.values()) + doc["totals"]["phq9"]["none"], len(active))
        urgent = sum(1 for p in patients for a in p["alerts"]
                     if a["severity"] == "urgent" and not a["acknowledged"])
        self.assertEqual(doc["totals"]["open_alerts"]["urgent"], urgent)
        # Each clinician's patients: active first, then by risk.
        order = {"high": 0, "moderate": 1, "low": 2, None: 3}
        for c in doc["clinicians"]:
            keys = [(p["status"] != "active", order[p["risk"]]) for p in c["patients"]]
            self.assertEqual(keys, sorted(keys))
        # The same patients as the alerts list for one clinician.
        one = json.loads(self.ok("report", "caseload", "--clinician", "demo.cm03", "--format",
                                 "json").out)
        self.assertEqual([c["clinician"] for c in one["clinicians"]], ["demo.cm03"])
        self.assertEqual(len(one["clinicians"][0]["patients"]), len(patients))

    def test_csv_has_one_row_per_patient_and_guards_formulas(self):
        # A patient whose name a spreadsheet would run as a formula.
        self.ok("patient", "edit", "DEMO-000047", "--name", "=HYPERLINK(\"http://evil\",\"x\")")
        out = self.ok("report", "caseload", "--format", "csv").out
        self.assertIn("\r\n", out)
        rows = list(csv.reader(io.StringIO(out, newline="")))
        header, body = rows[0], rows[1:]
        doc = json.loads(self.ok("report", "caseload", "--format", "json").out)
        self.assertEqual(len(body), sum(len(c["patients"]) for c in doc["clinicians"]))
        name = [r for r in body if r[header.index("mrn")] == "DEMO-000047"][0][
            header.index("name")]
        self.assertEqual(name, "'=HYPERLINK(\"http://evil\",\"x\")")
        for r in body:
            for cell in r:
                self.assertFalse(cell[:1] in ("=", "+", "@", "\t", "\r"), cell)
                self.assertFalse(cell.startswith("-") and not re.fullmatch(r"-?\d+", cell), cell)

    def test_markdown_has_a_table_per_clinician(self):
        out = self.ok("report", "caseload", "--format", "md").out
        self.assertTrue(out.startswith("# Caseload report\n"))
        self.assertEqual(out.count("| Risk | Name | MRN |"), 3)
        self.assertIn("## Overall totals", out)

    def test_html_is_self_contained(self):
        for args in (("report", "caseload", "--format", "html"),
                     ("report", "patient", "DEMO-000095", "--format", "html")):
            out = self.ok(*args).out
            self.assertTrue(out.startswith("<!DOCTYPE html>"))
            self.assertIn("<svg", out)
            self.assertIn("@media print", out)
            self.assertIsNone(re.search(r"(?i)(src|href)\s*=\s*[\"']?\s*(https?:|file:|//)", out))
            self.assertNotIn("<script", out)
            self.assertNotIn("<link", out)

    @unittest.skipIf(chromium() is None, "Chromium is not installed (Debian package chromium)")
    def test_html_reports_render_in_headless_chromium(self):
        for name, args in (("caseload", ("report", "caseload", "--format", "html")),
                           ("patient", ("report", "patient", "DEMO-000095", "--format", "html"))):
            with self.subTest(report=name):
                page = os.path.join(self.tmp, name + ".html")
                pdf = os.path.join(self.tmp, name + ".pdf")
                png = os.path.join(self.tmp, name + ".png")
                self.ok(*args, "--output", page)
                profile = tempfile.mkdtemp(prefix="chromium-", dir=self.tmp)
                base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-first-run", "--user-data-dir=" + profile]
                for extra in (["--print-to-pdf=" + pdf], ["--screenshot=" + png,
                                                           "--window-size=1000,1400"]):
                    proc = subprocess.run(base + extra + ["file://" + page],
                                          capture_output=True, timeout=120,
                                          env=dict(os.environ, HOME=self.tmp))
                    self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
                with open(pdf, "rb") as f:
                    self.assertEqual(f.read(5), b"%PDF-")
                self.assertGreater(os.path.getsize(pdf), 1000)
                with open(png, "rb") as f:
                    self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    # --- --output, refusals, audit -------------------------------------------------

    def test_output_is_created_0600_and_never_overwritten(self):
        path = os.path.join(self.tmp, "caseload.txt")
        res = self.ok("report", "caseload", "--output", path, umask=0o022)
        self.assertEqual(res.out, "")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path, encoding="utf-8") as f:
            first = f.read()
        self.assertEqual(mask(first), mask(self.ok("report", "caseload").out))
        again = self.run_cairn("report", "caseload", "--format", "csv", "--output", path)
        self.assert_error(again, 1, r"--output .*caseload\.txt: already exists")
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), first)
        # A symlink is refused too, and its target left alone.
        link = os.path.join(self.tmp, "link.txt")
        os.symlink(path, link)
        self.assert_error(self.run_cairn("report", "patient", "DEMO-000095", "--output", link), 1)
        # A failed report leaves no file behind.
        missing = os.path.join(self.tmp, "nope.txt")
        self.assert_error(self.run_cairn("report", "patient", "NO-SUCH", "--output", missing), 1)
        self.assertFalse(os.path.exists(missing))

    def test_refusals_name_the_option_and_exit_as_documented(self):
        self.assert_error(self.run_cairn("report", "caseload", "--clinician", "nobody"), 1,
                          r"--clinician: no staff member with login 'nobody'")
        self.assert_error(self.run_cairn("report", "caseload", "--program", "nope"), 1,
                          r"--program: no program")
        self.assert_error(self.run_cairn("report", "caseload", "--week", "2026-W49"), 3,
                          r"--week: 2026-W49 has not begun")
        self.assert_error(self.run_cairn("report", "caseload", "--week", "last"), 3, r"--week")
        self.assert_error(self.run_cairn("report", "caseload", "--format", "pdf"), 2,
                          r"not a report format")
        self.assert_error(self.run_cairn("report", "patient", "DEMO-000095", "--format",
                                         "csv"), 2, r"text or html")
        self.assert_error(self.run_cairn("report", "patient", "NO-SUCH"), 1, r"NO-SUCH")

    def test_the_caseload_is_audited_once_and_the_patient_summary_as_a_read(self):
        before = self.query("SELECT max(id) FROM audit")[0][0]
        self.ok("report", "caseload", "--clinician", "demo.th01", "--format", "json")
        rows = self.query("SELECT action, entity, entity_id, patient_id, fields FROM audit "
                          "WHERE id > ?", before)
        self.assertEqual(rows, [("read", "report", None, None, "caseload,clinician,week")])
        before = self.query("SELECT max(id) FROM audit")[0][0]
        self.ok("report", "patient", "DEMO-000095", "--output",
                os.path.join(self.tmp, "p.txt"))
        pid = self.query("SELECT id FROM patient WHERE mrn = 'DEMO-000095'")[0][0]
        rows = self.query("SELECT action, entity FROM audit WHERE id > ? AND patient_id = ?",
                          before, pid)
        self.assertIn(("read", "patient"), rows)
        self.assertIn(("export", "report"), rows)
        self.assertIn(("read", "review"), rows)


class SmallReports(CairnTestCase):
    """Reports of a hand-made caseload: hostile text, unassigned patients."""

    def test_stored_control_characters_never_reach_the_terminal(self):
        self.init_caseload()
        self.ok("patient", "add", "--mrn", "X-1", "--name", "Plain Name", "--dob", "1990-01-01")
        self.ok("patient", "admit", "X-1", "--program", "virtual-mh-iop", "--date",
                "2026-11-02")
        # Stored by something other than cairn (which refuses control characters).
        self.query("SELECT 1")
        import sqlite3
        con = sqlite3.connect(self.db)
        con.execute("UPDATE patient SET legal_name = 'Evil \x1b]0;pwned\x07 \x1b[2J' "
                    "WHERE mrn = 'X-1'")
        con.commit()
        con.close()
        for fmt in ("text", "md", "csv", "json", "html"):
            out = self.ok("report", "caseload", "--format", fmt).out
            self.assertNotIn("\x1b", out, fmt)
            self.assertNotIn("\x07", out, fmt)
        out = self.ok("report", "patient", "X-1").out
        self.assertNotIn("\x1b", out)
        # Unassigned (no therapist, no case manager) is a group of its own.
        self.assertIn("Clinician: unassigned", self.ok("report", "caseload").out)


if __name__ == "__main__":
    main()
