#!/usr/bin/env python3
"""Program templates through the real binary: check, import, list, show,
the bundled examples, and admission seeding a patient's care.

Broken templates live in tests/data/templates/bad/ with the first error
each must produce in bad/expected-first-errors.txt; valid ones in good/.
"""

import datetime
import glob
import json
import os

from cli_support import TODAY, CairnTestCase, main

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DATA = os.path.join(ROOT, "tests", "data", "templates")
EXAMPLES = sorted(glob.glob(os.path.join(ROOT, "examples", "templates", "*.yaml")))
EXAMPLE_CODES = {"virtual-mh-iop", "substance-use-iop", "adolescent-iop"}

TOO_BIG = 10 * 1024 * 1024


def expected_first_errors():
    expected = {}
    with open(os.path.join(DATA, "bad", "expected-first-errors.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, _, first = line.rstrip("\n").partition(": ")
            expected[name] = first
    return expected


def review_weeks(admitted, expected_discharge):
    """Every ISO week with a day in care: from the admission week through the
    week of the day before the expected discharge."""
    day = admitted - datetime.timedelta(days=admitted.weekday())
    weeks = []
    while day < expected_discharge:
        year, week, _ = day.isocalendar()
        weeks.append("%04d-W%02d" % (year, week))
        day += datetime.timedelta(days=7)
    return weeks


class TemplateCheck(CairnTestCase):

    def bad_fixtures(self):
        """(name, path) of every broken template, the 10 MB one made here."""
        big = os.path.join(self.tmp, "too-big.yaml")
        with open(os.path.join(DATA, "good", "minimal.yaml"), "rb") as src, open(big, "wb") as f:
            f.write(src.read())
            f.write(b"# padding\n" * (TOO_BIG // 10))
        paths = sorted(glob.glob(os.path.join(DATA, "bad", "*.yaml"))) + [big]
        return [(os.path.basename(p), p) for p in paths]

    def test_at_least_25_broken_templates_each_with_its_exact_first_error(self):
        expected = expected_first_errors()
        fixtures = self.bad_fixtures()
        self.assertGreaterEqual(len(fixtures), 25)
        self.assertEqual(sorted(expected), sorted(name for name, _ in fixtures),
                         "every fixture has an expected first error, and only fixtures do")
        for name, path in fixtures:
            with self.subTest(fixture=name):
                res = self.run_cairn("template", "check", path, db=False)
                self.assertEqual(res.rc, 3, res.err)
                self.assertEqual(res.out, "")
                first = res.err.split("\n")[0]
                self.assertEqual(first, "%s:%s" % (path, expected[name]))

    def test_each_problem_is_followed_by_its_line_and_a_caret_under_the_column(self):
        path = os.path.join(DATA, "bad", "unknown-instrument.yaml")
        err = self.run_cairn("template", "check", path, db=False).err.split("\n")
        self.assertEqual(err[0], path + ":12:18: /measures/0/instrument: unknown instrument "
                         "'phq10' (expected phq9, gad7, cssrs_screen, craving or mood)")
        self.assertEqual(err[1], "   12 |   - {instrument: phq10, every: week}")
        self.assertEqual(err[2], "      |                  ^")
        self.assertEqual(err[2].index("^") - err[1].index("|") - 1, 18)

    def test_every_problem_is_reported_not_just_the_first(self):
        path = os.path.join(self.tmp, "many.yaml")
        with open(os.path.join(DATA, "good", "minimal.yaml"), encoding="utf-8") as f:
            text = f.read()
        text = text.replace("population: adult", "population: adults")
        text = text.replace("length_weeks: 8", "length_weeks: 80")
        text = text.replace("every: week", "every: fortnight")
        text += "lapse_log: maybe\n"
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        res = self.run_cairn("template", "check", path, db=False)
        self.assertEqual(res.rc, 3)
        firsts = [line for line in res.err.split("\n") if line.startswith(path + ":")]
        self.assertEqual([line.split(": ")[1] for line in firsts],
                         ["/population", "/schedule/length_weeks", "/measures/0/every",
                          "/lapse_log"])

    def test_valid_templates_and_the_examples_pass(self):
        self.assertEqual({os.path.basename(p)[:-5] for p in EXAMPLES}, EXAMPLE_CODES)
        paths = sorted(glob.glob(os.path.join(DATA, "good", "*.yaml"))) + EXAMPLES
        res = self.ok("template", "check", *paths, db=False)
        self.assertEqual(len(res.out.splitlines()), len(paths))
        for line in res.out.splitlines():
            self.assertRegex(line, r": ok \([a-z0-9-]+: .+\)$")

    def test_check_needs_no_database_and_reports_unreadable_files(self):
        missing = os.path.join(self.tmp, "nope.yaml")
        res = self.run_cairn("template", "check", missing, db=False)
        self.assert_error(res, 1, r"nope\.yaml: No such file or directory")
        self.assertFalse(os.path.exists(self.db))
        res = self.run_cairn("template", "check", db=False)
        self.assert_error(res, 2, "missing FILE")


class TemplateImport(CairnTestCase):

    def counts(self):
        tables = ("program", "program_measure", "program_plan_section", "program_ladder",
                  "program_ladder_step", "program_checklist_item", "audit")
        return {t: self.query("SELECT count(*) FROM %s" % t)[0][0] for t in tables}

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_init_imports_the_bundled_examples_once(self):
        res = self.ok("init")
        self.assertIn("imported 3 program templates", res.out)
        rows = json.loads(self.ok("template", "list", "--format", "json").out)
        self.assertEqual({r["code"] for r in rows}, EXAMPLE_CODES)
        self.assertTrue(all(r["version"] == 1 for r in rows))
        self.assertNotIn("imported", self.ok("init").out)
        self.assertEqual(len(json.loads(self.ok("template", "list", "--all", "--format",
                                                "json").out)), 3)

    def test_bundled_examples_are_exactly_the_files_in_examples(self):
        self.ok("init")
        for path in EXAMPLES:
            code = os.path.basename(path)[:-5]
            with open(path, encoding="utf-8") as f:
                self.assertEqual(self.ok("template", "show", code, "--format", "yaml").out,
                                 f.read())

    def test_identical_import_is_a_no_op_and_a_change_makes_the_next_version(self):
        self.ok("init")
        with open(os.path.join(DATA, "good", "minimal.yaml"), encoding="utf-8") as f:
            v1 = f.read()
        path = self.write("minimal.yaml", v1)
        self.assertEqual(self.ok("template", "import", path).out,
                         "imported minimal-iop version 1 (Minimal IOP)\n")
        before = self.counts()
        self.assertEqual(self.ok("template", "import", path).out,
                         "minimal-iop unchanged: the file is the same as version 1\n")
        self.assertEqual(self.counts(), before, "an identical import writes nothing")
        self.write("minimal.yaml", v1.replace("length_weeks: 8", "length_weeks: 10"))
        self.assertEqual(self.ok("template", "import", path).out,
                         "imported minimal-iop version 2 (Minimal IOP)\n")
        shown = json.loads(self.ok("template", "show", "minimal-iop", "--format", "json").out)
        self.assertEqual((shown["version"], shown["schedule"]["length_weeks"]), (2, 10))
        old = json.loads(self.ok("template", "show", "minimal-iop", "--version", "1",
                                 "--format", "json").out)
        self.assertEqual((old["version"], old["schedule"]["length_weeks"]), (1, 8))
        self.assertEqual(self.ok("template", "show", "minimal-iop", "--version", "1",
                                 "--format", "yaml").out, v1)
        imports = self.query("SELECT count(*) FROM audit WHERE action = 'import' "
                             "AND entity = 'program'")[0][0]
        self.assertEqual(imports, 3 + 2)

    def test_bundled_examples_are_the_programs_the_issue_describes(self):
        self.ok("init")
        show = lambda code: json.loads(self.ok("template", "show", code, "--format", "json").out)
        measures = lambda t: {(m["instrument"], m["every"]) for m in t["measures"]}

        mh = show("virtual-mh-iop")
        self.assertEqual((mh["level_of_care"], mh["population"]), ("asam-2.1", "adult"))
        self.assertEqual(mh["schedule"]["min_hours_per_week"], 9)
        self.assertLessEqual({("phq9", "week"), ("gad7", "week"), ("cssrs_screen", "admission")},
                             measures(mh))
        self.assertIn("social_goals", mh["plan_sections"])
        ladder = [l for l in mh["ladders"] if "reintegration" in l["name"].lower()]
        self.assertEqual(len(ladder), 1)
        self.assertGreaterEqual(len(ladder[0]["steps"]), 8)

        su = show("substance-use-iop")
        self.assertEqual(su["level_of_care"], "asam-2.1")
        self.assertTrue(su["lapse_log"])
        self.assertIn(("craving", "week"), measures(su))
        for section in ("triggers", "warning_signs", "coping", "lapse_response", "supports"):
            self.assertIn(section, su["plan_sections"])

        teen = show("adolescent-iop")
        self.assertEqual((teen["population"], teen["schedule"]["min_hours_per_week"]),
                         ("adolescent", 6))
        self.assertIn("family", teen["session_types"])

        for t in (mh, su, teen):
            self.assertEqual(t["crisis_line"], "988")
            for l in t["ladders"]:
                suds = [s["suds"] for s in l["steps"]]
                self.assertEqual(suds, sorted(suds))
                self.assertTrue(all(b - a <= 15 for a, b in zip(suds, suds[1:])),
                                "%s: steps more than 15 SUDS apart" % l["name"])

    def test_show_json_has_every_setting_with_defaults_filled_in(self):
        self.ok("init")
        self.ok("template", "import", os.path.join(DATA, "good", "minimal.yaml"))
        t = json.loads(self.ok("template", "show", "minimal-iop", "--format", "json").out)
        self.assertEqual(t["schedule"], {"sessions_per_week": 3, "hours_per_session": 3.0,
                                         "min_hours_per_week": 9.0, "max_hours_per_week": 19.0,
                                         "min_days_per_week": 3, "length_weeks": 8})
        self.assertEqual(t["session_types"], ["group", "individual"])
        self.assertEqual(t["mastery"], {"peak_suds_at_most": 30, "consecutive": 2,
                                        "or_drop_percent": 50})
        self.assertEqual(t["alerts"], {"phq9_rise": 5, "gad7_rise": 4, "absences_per_week": 2,
                                       "ladder_stall_days": 14, "discharge_planning_days": 14})
        self.assertEqual((t["crisis_line"], t["lapse_log"], t["ladders"]), (None, False, []))
        self.assertEqual(t["plan_sections"], ["triggers", "coping", "supports"])

    def test_a_rejected_import_writes_nothing(self):
        self.ok("init")
        before = self.counts()
        db_hash = self.sha256(self.db)
        for path in sorted(glob.glob(os.path.join(DATA, "bad", "*.yaml"))):
            with self.subTest(fixture=os.path.basename(path)):
                res = self.run_cairn("template", "import", path)
                self.assertEqual(res.rc, 3, res.err)
                self.assertEqual(res.out, "")
                self.assertEqual(self.counts(), before)
        self.assertEqual(self.sha256(self.db), db_hash)

    def test_show_and_list_errors(self):
        self.ok("init")
        self.assert_error(self.run_cairn("template", "show", "nope"), 1,
                          "no program with code 'nope'")
        self.assert_error(self.run_cairn("template", "show", "adolescent-iop", "--version", "9"),
                          1, "has no version 9")
        self.assert_error(self.run_cairn("template", "show", "adolescent-iop", "--format", "csv"),
                          2, "--format must be text, json or yaml")
        out = self.ok("template", "show", "adolescent-iop").out
        self.assertTrue(out.startswith("adolescent-iop version 1: "), out)
        self.assertIn("review checklist:", out)


class Admission(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.init_caseload()

    def admit(self, mrn, code, date):
        self.ok("patient", "add", "--mrn", mrn, "--name", "Test Patient " + mrn, "--dob",
                "2001-02-03", "--therapist", "tkeller")
        self.ok("patient", "admit", mrn, "--program", code, "--date", date)
        return json.loads(self.ok("patient", "show", mrn, "--format", "json").out)

    def test_admission_seeds_plan_sections_ladders_and_review_schedule(self):
        admitted = "2026-11-18"
        for i, code in enumerate(sorted(EXAMPLE_CODES)):
            with self.subTest(program=code):
                t = json.loads(self.ok("template", "show", code, "--format", "json").out)
                rec = self.admit("ADM-%d" % i, code, admitted)
                care = rec["care"]
                self.assertEqual(care["plan"]["status"], "draft")
                self.assertEqual(care["plan"]["sections"], t["plan_sections"])
                self.assertGreaterEqual(len(t["ladders"]), 1)
                self.assertEqual(
                    [(l["name"], l["scale"], [(s["text"], s["suds"]) for s in l["steps"]])
                     for l in care["ladders"]],
                    [(l["name"], l["scale"], [(s["text"], s["suds"]) for s in l["steps"]])
                     for l in t["ladders"]])
                self.assertTrue(all(s["status"] == "not_started"
                                    for l in care["ladders"] for s in l["steps"]))
                start = datetime.date.fromisoformat(admitted)
                end = start + datetime.timedelta(weeks=t["schedule"]["length_weeks"])
                self.assertEqual(rec["expected_discharge_date"], end.isoformat())
                self.assertEqual([r["week"] for r in care["reviews"]], review_weeks(start, end))
                # A mid-week admission is in care on part of one more ISO week.
                self.assertEqual(len(care["reviews"]), t["schedule"]["length_weeks"] + 1)
                self.assertTrue(all(r["status"] == "due" for r in care["reviews"]))

    def test_admission_is_audited_and_text_show_summarises_the_care(self):
        rec = self.admit("ADM-T", "virtual-mh-iop", TODAY)
        pid = rec["id"]
        rows = self.query("SELECT action, entity, count(*) FROM audit WHERE patient_id = ? "
                          "GROUP BY action, entity ORDER BY action, entity", pid)
        counts = {(a, e): n for a, e, n in rows}
        self.assertEqual(counts[("create", "plan")], 1)
        self.assertEqual(counts[("create", "ladder")], len(rec["care"]["ladders"]))
        self.assertEqual(counts[("create", "review")], len(rec["care"]["reviews"]))
        out = self.ok("patient", "show", "ADM-T").out
        self.assertRegex(out, r"(?m)^Plan +draft, revision 0, \d+ sections: ")
        self.assertRegex(out, r"(?m)^Reviews +\d+ weekly, 2026-W48 to ")

    def test_a_new_template_version_never_changes_admitted_patients(self):
        before = self.admit("ADM-1", "adolescent-iop", "2026-11-02")["care"]
        text = self.ok("template", "show", "adolescent-iop", "--format", "yaml").out
        path = os.path.join(self.tmp, "adolescent-iop.yaml")
        # Version 2 drops the aftercare section and the ladder's last step.
        self.assertIn("  - aftercare\n", text)
        changed = text.replace("  - aftercare\n", "", 1)
        last_step = changed.rindex("      - {text:")
        changed = changed[:last_step] + changed[changed.index("\n", last_step) + 1:]
        with open(path, "w", encoding="utf-8") as f:
            f.write(changed)
        self.assertIn("version 2", self.ok("template", "import", path).out)
        after = json.loads(self.ok("patient", "show", "ADM-1", "--format", "json").out)["care"]
        self.assertEqual(after, before)
        self.assertIn("aftercare", after["plan"]["sections"])
        admitted_v1 = self.query("SELECT pr.template_version FROM patient p JOIN program pr "
                                 "ON pr.id = p.program_id WHERE p.mrn = 'ADM-1'")[0][0]
        self.assertEqual(admitted_v1, 1)
        newer = self.admit("ADM-2", "adolescent-iop", "2026-11-16")["care"]
        self.assertNotIn("aftercare", newer["plan"]["sections"])
        self.assertEqual(len(newer["ladders"][0]["steps"]),
                         len(before["ladders"][0]["steps"]) - 1)
        admitted_v2 = self.query("SELECT pr.template_version FROM patient p JOIN program pr "
                                 "ON pr.id = p.program_id WHERE p.mrn = 'ADM-2'")[0][0]
        self.assertEqual(admitted_v2, 2)

    def test_admission_without_a_program_seeds_nothing(self):
        self.ok("patient", "add", "--mrn", "NOPROG", "--name", "No Program", "--dob",
                "2001-02-03")
        self.ok("patient", "admit", "NOPROG", "--date", TODAY)
        care = json.loads(self.ok("patient", "show", "NOPROG", "--format", "json").out)["care"]
        self.assertEqual(care, {"plan": None, "ladders": [], "reviews": []})


if __name__ == "__main__":
    main()
