#!/usr/bin/env python3
"""The TUI without a terminal: each tests/tui/scripts/NAME.keys runs
against a fixed demo caseload (`cairn demo --seed 1 --today 2026-11-23`)
with `cairn tui --script`, and the screens it dumps must equal
tests/tui/screens/NAME.txt byte for byte.

Times taken from the clock (when a review was signed, when its snapshot
was computed) differ from run to run: they are masked, the same width.

After an intended change of the screens, regenerate and review the diff:

    CAIRN_BIN=build/cairn CAIRN_REGENERATE=1 python3 tests/tui/test_headless.py
"""

import os
import pwd
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CAIRN = os.path.abspath(os.environ.get("CAIRN_BIN") or os.path.join(HERE, "..", "..", "build", "cairn"))
TODAY = "2026-11-23"
CLOCK = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


class Headless(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cairn-headless-")
        cls.db = os.path.join(cls.dir, "c.db")
        cls.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cls.dir,
                   "CAIRN_TODAY": TODAY, "CAIRN_DB": cls.db, "LANG": "C.UTF-8"}
        for args in (["init"], ["demo", "--seed", "1", "--today", TODAY]):
            subprocess.run([CAIRN] + args, check=True, capture_output=True, env=cls.env)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def run_script(self, name, size="100x30", cwd=None, env=None):
        # Each script on its own copy of the caseload: what one saves never
        # shows in another's screens. It runs in an empty directory of its
        # own (the supervisor view prints to ./caseload-WEEK.txt there).
        db = os.path.join(self.dir, "run.db")
        shutil.copyfile(self.db, db)
        env = dict(self.env, CAIRN_DB=db, **(env or {}))
        cwd = cwd or tempfile.mkdtemp(dir=self.dir)
        script = name if os.path.isabs(name) else os.path.join(HERE, "scripts", name)
        res = subprocess.run([CAIRN, "tui", "--script", script, "--size", size],
                             capture_output=True, env=env, cwd=cwd, timeout=60)
        self.assertEqual((res.returncode, res.stderr.decode()), (0, ""))
        return CLOCK.sub("YYYY-MM-DDThh:mm:ssZ", res.stdout.decode("utf-8"))

    def test_every_script_draws_its_expected_screens(self):
        scripts = sorted(f for f in os.listdir(os.path.join(HERE, "scripts"))
                         if f.endswith(".keys"))
        self.assertGreaterEqual(len(scripts), 5)
        for script in scripts:
            with self.subTest(script=script):
                got = self.run_script(script)
                path = os.path.join(HERE, "screens", script[:-len(".keys")] + ".txt")
                if os.environ.get("CAIRN_REGENERATE"):
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(got)
                with open(path, encoding="utf-8") as f:
                    self.assertEqual(got, f.read(), "screens differ: see this file's docstring")

    def test_a_co_signature_by_someone_not_a_supervisor_is_refused(self):
        # The acting user (a supervisor in the demo) made a therapist here.
        me = pwd.getpwuid(os.getuid()).pw_name
        db = os.path.join(self.dir, "therapist.db")
        shutil.copyfile(self.db, db)
        con = sqlite3.connect(db)
        con.execute("UPDATE staff SET role = 'therapist' WHERE login = ?", (me,))
        con.commit()
        con.close()
        res = subprocess.run([CAIRN, "tui", "--script", "-"],
                             input=b"key A\ndump\nkey C y\ndump\n", capture_output=True,
                             env=dict(self.env, CAIRN_DB=db), timeout=60)
        self.assertEqual((res.returncode, res.stderr.decode()), (0, ""))
        first, second = res.stdout.decode("utf-8").split("-- cursor", 1)
        self.assertIn("You are a therapist: only a supervisor co-signs.", first)
        self.assertIn("not co-signed: only a supervisor co-signs reviews; %s is a therapist" % me,
                      second)
        self.assertIn("40 signed reviews awaiting co-signature", second)  # none co-signed

    def test_supervisor_print_writes_the_text_report_to_a_new_0600_file(self):
        cwd = tempfile.mkdtemp(dir=self.dir)
        out = self.run_script("supervisor-print.keys", cwd=cwd)
        self.assertIn("Written to ./caseload-2026-W48.txt (only you can read it: 0600).", out)
        self.assertIn("! already exists; choose another name", out)
        # Only the one report: the refused second print and the missing
        # directory left nothing behind, partial or whole.
        self.assertEqual(os.listdir(cwd), ["caseload-2026-W48.txt"])
        path = os.path.join(cwd, "caseload-2026-W48.txt")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path, encoding="utf-8") as f:
            report = f.read()
        self.assertTrue(report.startswith(
            "CASELOAD REPORT  week 2026-W48 (2026-11-23 to 2026-11-29)"), report[:200])
        self.assertIn("OVERALL TOTALS", report)
        # The print is audited as an export of the report (no patient).
        con = sqlite3.connect(os.path.join(self.dir, "run.db"))
        rows = con.execute("SELECT action FROM audit WHERE entity = 'report'").fetchall()
        con.close()
        self.assertIn(("export",), rows)

    def print_to_lp(self, path_dirs):
        script = os.path.join(self.dir, "lp.keys")
        with open(script, "w") as f:
            f.write("key V p C-u\ntype lp\nkey Enter\ndump\n")
        return self.run_script(script, env={"PATH": os.pathsep.join(path_dirs)})

    def test_supervisor_print_pipes_the_report_to_lp(self):
        bindir = tempfile.mkdtemp(dir=self.dir)
        printed = os.path.join(self.dir, "printed.txt")
        with open(os.path.join(bindir, "lp"), "w") as f:
            f.write("#!/bin/sh\ncat > '%s'\necho 'request id is desk-7 (1 file(s))'\n" % printed)
        os.chmod(os.path.join(bindir, "lp"), 0o755)
        out = self.print_to_lp([bindir, "/usr/bin", "/bin"])
        self.assertIn("Sent to lp: request id is desk-7 (1 file(s))", out)
        with open(printed, encoding="utf-8") as f:
            self.assertTrue(f.read().startswith("CASELOAD REPORT  week 2026-W48"))

    def test_supervisor_print_says_so_when_lp_fails_or_is_missing(self):
        bindir = tempfile.mkdtemp(dir=self.dir)
        with open(os.path.join(bindir, "lp"), "w") as f:
            f.write("#!/bin/sh\necho 'lp: Error - no default destination available.' >&2\n"
                    "exit 1\n")
        os.chmod(os.path.join(bindir, "lp"), 0o755)
        out = self.print_to_lp([bindir, "/usr/bin", "/bin"])
        self.assertIn("! lp failed: lp: Error - no default destination available.", out)
        out = self.print_to_lp([tempfile.mkdtemp(dir=self.dir)])  # no lp anywhere
        self.assertIn("! lp is not installed (no lp command on PATH)", out)
        self.assertIn("Print to   lp", out)  # the prompt stays open, nothing lost

    def test_script_errors_name_the_line(self):
        res = subprocess.run([CAIRN, "tui", "--script", "-"], input=b"key j\nkey Hyper\n",
                             capture_output=True, env=self.env, timeout=60)
        self.assertEqual(res.returncode, 3)
        self.assertEqual(res.stderr.decode(), "cairn: tui script line 2: unknown key 'Hyper'\n")

    def test_a_headless_run_writes_nothing_but_screens(self):
        out = self.run_script("caseload.keys")
        self.assertNotIn("\x1b", out)  # no terminal control sequences
        self.assertEqual(out.count("-- cursor "), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
