#!/usr/bin/env python3
"""The files in examples/ are real cairn output, not hand-written.

Each example is regenerated here from a fresh demo caseload and compared
byte for byte, so an example can never drift from what cairn prints. After
an intended change of output, refresh them with

    CAIRN_BIN=build/cairn CAIRN_REGENERATE=1 python3 tests/cli/test_examples.py
"""

import os
import pwd
import re

from cli_support import TODAY, CairnTestCase, main

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")

# file name -> the cairn arguments that produce it, on the demo caseload.
OUTPUTS = {
    "caseload.txt": ("patient", "list"),
    "caseload.csv": ("patient", "list", "--format", "csv"),
    "caseload-demo.th01.json": ("patient", "list", "--clinician", "demo.th01", "--format",
                                "json"),
    "ladder-DEMO-000026.txt": ("ladder", "show", "DEMO-000026", "1", "--attempts"),
    "measures-DEMO-000026.txt": ("measure", "list", "DEMO-000026"),
    "attendance-weeks-DEMO-000026.csv": ("session", "weeks", "DEMO-000026", "--format", "csv"),
    "report-caseload.txt": ("report", "caseload", "--week", "2026-W47"),
    "report-caseload.html": ("report", "caseload", "--week", "2026-W47", "--format", "html"),
    "report-patient-DEMO-000026.txt": ("report", "patient", "DEMO-000026"),
}

# Reports name who printed them (the OS user running this) and the demo's
# signatures carry clock times: both are masked in the examples.
ME = pwd.getpwuid(os.getuid()).pw_name


def masked(text):
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "YYYY-MM-DDThh:mm:ssZ", text)
    return re.sub(r"\bby %s\b" % re.escape(ME), "by $USER", text)

# Inputs: example files cairn reads, checked to be accepted as they are.
INPUTS = ["attendance.csv"]


class Examples(CairnTestCase):

    def test_examples_are_what_cairn_prints_on_the_demo_caseload(self):
        self.ok("init")
        self.ok("demo", "--seed", "1", "--today", TODAY)
        regenerate = os.environ.get("CAIRN_REGENERATE") == "1"
        for name, args in OUTPUTS.items():
            with self.subTest(example=name):
                out = self.ok(*args).out
                out = (masked(out) if args[0] == "report" else out).encode("utf-8")
                path = os.path.join(EXAMPLES, name)
                if regenerate:
                    with open(path, "wb") as f:
                        f.write(out)
                with open(path, "rb") as f:
                    self.assertEqual(f.read().decode("utf-8"), out.decode("utf-8"),
                                     "examples/%s is stale: see this file's docstring" % name)

    def test_the_sample_attendance_csv_imports_into_the_demo_caseload(self):
        self.ok("init")
        self.ok("demo", "--seed", "1", "--today", TODAY)
        path = os.path.join(EXAMPLES, "attendance.csv")
        self.assertEqual(self.ok("session", "import", path).out,
                         "imported 5 attendance lines (1 new session)\n")
        rows = self.query("SELECT a.status, a.minutes_attended FROM attendance a "
                          "JOIN session s ON s.id = a.session_id "
                          "WHERE s.title = 'Family skills, week 1' ORDER BY a.id")
        self.assertEqual(rows, [("attended", 90), ("attended", 90), ("late", 60),
                                ("excused", 0), ("absent", 0)])

    def test_every_example_is_named_in_the_examples_readme(self):
        with open(os.path.join(EXAMPLES, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        for name in list(OUTPUTS) + INPUTS:
            self.assertIn(name, readme)


if __name__ == "__main__":
    main()
