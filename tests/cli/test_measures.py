#!/usr/bin/env python3
"""End to end: symptom measures through the real cairn binary.

measure add (answers on the command line and item by item on stdin), the
urgent flags at entry, measure list in text, CSV and JSON with bands,
change from baseline and previous, change labels naming their rules, the
program's reliable-change threshold, errors with their exit codes, and the
audit trail.
"""

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

MRN = "M5550001"
ITEM9 = ("URGENT: PHQ-9 item 9 (thoughts of self-harm) answered 1: complete a C-SSRS "
         "screen now (rule phq9_item9)")


class MeasureTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.init_caseload()
        self.ok("patient", "add", "--mrn", MRN, "--name", "Rosalind Measure", "--dob",
                "1988-02-03", "--therapist", "tkeller")
        self.ok("patient", "admit", MRN, "--program", "virtual-mh-iop", "--date", "2026-09-28")

    def run_stdin(self, data, *args):
        """Runs cairn --db self.db ARGS with `data` on standard input (a pipe,
        not a terminal)."""
        proc = subprocess.run([self.bin, "--db", self.db] + list(args), input=data.encode(),
                              capture_output=True, env=self.env(), timeout=60)
        res = (proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
        self.stderr_seen.append(res[2])
        return res

    def rows(self):
        return self.query("SELECT instrument, date, answers, total, band, flags FROM measure "
                          "ORDER BY id")

    def list_json(self, *args):
        return json.loads(self.ok("measure", "list", MRN, "--format", "json", *args).out)

    # --- corrections -----------------------------------------------------------

    def test_a_wrong_entry_is_corrected_and_the_labels_follow(self):
        self.ok("measure", "add", MRN, "phq9", "3,3,2,2,2,2,2,1,0", "--date", "2026-10-01")
        self.ok("measure", "add", MRN, "phq9", "3,3,2,2,2,2,2,1,0", "--date", "2026-10-08")
        second = self.list_json()[1]
        self.assertEqual((second["total"], second["version"]), (17, 1))
        out = self.ok("measure", "correct", str(second["id"]), "phq9", "1,1,0,1,1,0,0,0,0",
                      "--if-version", "1").out
        self.assertEqual(out, "corrected measure %d (phq9 on 2026-10-08): total 4, minimal, "
                              "version 2\n" % second["id"])
        second = self.list_json()[1]
        self.assertEqual([label["label"] for label in second["labels"]],
                         ["reliable improvement", "response", "remission"])
        res = self.run_cairn("measure", "correct", str(second["id"]), "phq9",
                             "1,1,0,1,1,0,0,0,1", "--if-version", "1")
        self.assert_error(res, 4, r"changed by someone else")
        res = self.run_cairn("measure", "correct", str(second["id"]), "gad7", "1,1,0,1,1,0,0")
        self.assert_error(res, 3, r"is a phq9, not a gad7")
        self.assertEqual(self.query("SELECT count(*) FROM audit WHERE entity = 'measure' "
                                    "AND action = 'update'")[0][0], 2)  # the fix, the refusal

    # --- entry and urgent flags ---------------------------------------------

    def test_phq9_item9_prints_the_urgent_flag_and_still_saves(self):
        res = self.run_cairn("measure", "add", MRN, "phq9", "1,2,0,1,3,0,1,0,1", "--date",
                             "2026-11-20")
        self.assertEqual(res.rc, 0, res.err)
        self.assertEqual(res.err, ITEM9 + "\n")
        self.assertEqual(res.out, "added phq9 for %s on 2026-11-20: total 9, mild (rule "
                                  "phq9_severity: total 5–9) (measure 1)\n" % MRN)
        self.assertEqual(self.rows(),
                         [("phq9", "2026-11-20", "1,2,0,1,3,0,1,0,1", 9, "mild", "phq9_item9")])
        # Item 9 at 0: no flag, nothing on stderr.
        self.ok("measure", "add", MRN, "phq9", "1,2,0,1,3,0,1,0,0")
        self.assertEqual(self.rows()[1][5], "")

    def test_cssrs_high_risk_is_flagged_and_triaged_with_its_rule(self):
        res = self.run_cairn("measure", "add", MRN, "cssrs_screen", "y,y,n,n,y,n",
                             "--format", "json")
        self.assertEqual(res.rc, 0, res.err)
        self.assertRegex(res.err, r"^URGENT: C-SSRS screen is high risk \(yes to item 5, intent "
                                  r"with a specific plan\).*\(rule cssrs_high_risk\)\n$")
        out = json.loads(res.out)
        self.assertEqual(out["band"], {"label": "high", "rule": "cssrs_triage",
                                       "why": "yes to item 5, intent with a specific plan"})
        self.assertEqual(out["answers"], [1, 1, 0, 0, 1, 0, None])
        self.assertEqual([f["rule"] for f in out["flags"]], ["cssrs_high_risk"])
        # Behaviour long ago, with items 3-5 skipped after a no to item 2.
        res = self.ok("measure", "add", MRN, "cssrs_screen", "y,n,-,-,-,y,n")
        self.assertIn("moderate (rule cssrs_triage: item 6, suicidal behaviour more than 3 "
                      "months ago)", res.out)
        self.assertEqual(self.rows()[1][2:], ("1,0,-,-,-,1,0", 2, "moderate", ""))

    def test_scales_take_one_answer_and_have_no_bands(self):
        res = self.ok("measure", "add", MRN, "craving", "7")
        self.assertIn("total 7, no bands defined", res.out)
        self.ok("measure", "add", MRN, "craving", "4")
        rows = self.list_json("--instrument", "craving")
        self.assertEqual([r["band"] for r in rows], [None, None])
        self.assertEqual(rows[1]["change_from_baseline"], -3)
        self.assertEqual(rows[1]["labels"], [])

    # --- the list --------------------------------------------------------------

    def add_course(self):
        self.ok("measure", "add", MRN, "phq9", "3,3,2,2,2,2,2,2,0", "--date", "2026-10-01")  # 18
        self.ok("measure", "add", MRN, "gad7", "2,2,2,2,2,1,1", "--date", "2026-10-01")  # 12
        self.ok("measure", "add", MRN, "phq9", "2,2,2,2,1,1,1,1,0", "--date", "2026-10-15")  # 12
        self.ok("measure", "add", MRN, "phq9", "1,1,1,0,0,0,0,0,0", "--date", "2026-11-12")  # 3
        self.ok("measure", "add", MRN, "gad7", "1,1,1,1,1,1,0", "--date", "2026-11-12")  # 6

    def test_list_json_has_bands_changes_and_labels_that_name_their_rules(self):
        self.add_course()
        reads = self.query("SELECT count(*) FROM audit WHERE action = 'read'")[0][0]
        rows = self.list_json()
        self.assertEqual(self.query("SELECT count(*) FROM audit WHERE action = 'read'")[0][0],
                         reads + 1)
        self.assertEqual([(r["date"], r["instrument"], r["total"]) for r in rows],
                         [("2026-10-01", "phq9", 18), ("2026-10-01", "gad7", 12),
                          ("2026-10-15", "phq9", 12), ("2026-11-12", "phq9", 3),
                          ("2026-11-12", "gad7", 6)])
        first = rows[0]
        self.assertTrue(first["baseline"])
        self.assertEqual(first["band"], {"label": "moderately severe", "rule": "phq9_severity",
                                         "why": "total 15–19"})
        self.assertEqual(first["change_from_baseline"], 0)
        self.assertIsNone(first["change_from_previous"])
        self.assertEqual(first["labels"], [])
        self.assertEqual(first["reliable_change_threshold"], 5)
        second = rows[2]
        self.assertEqual((second["change_from_baseline"], second["change_from_previous"]),
                         (-6, -6))
        self.assertEqual(second["labels"], [
            {"label": "reliable improvement", "rule": "phq9_reliable_change",
             "text": "reliable improvement (rule phq9_reliable_change: drop ≥ 5 from "
                     "baseline 18)"}])
        third = rows[3]
        self.assertEqual((third["change_from_baseline"], third["change_from_previous"]),
                         (-15, -9))
        self.assertEqual([l["rule"] for l in third["labels"]],
                         ["phq9_reliable_change", "phq9_response", "phq9_remission"])
        self.assertEqual(third["labels"][2]["text"],
                         "remission (rule phq9_remission: total < 5, baseline ≥ 10)")
        gad = rows[4]
        self.assertEqual(gad["reliable_change_threshold"], 4)
        self.assertEqual([l["text"] for l in gad["labels"]],
                         ["reliable improvement (rule gad7_reliable_change: drop ≥ 4 from "
                          "baseline 12)",
                          "response (rule gad7_response: ≥ 50% drop from baseline 12)"])
        only = self.list_json("--instrument", "gad7")
        self.assertEqual([r["total"] for r in only], [12, 6])

    def test_list_text_and_csv_show_change_and_labels(self):
        self.add_course()
        out = self.ok("measure", "list", MRN, "--instrument", "phq9").out.splitlines()
        self.assertEqual(out[0].split(), ["ID", "DATE", "INSTRUMENT", "TOTAL", "BAND", "VS",
                                          "BASELINE", "VS", "PREVIOUS", "LABELS"])
        self.assertIn("baseline", out[1])
        self.assertRegex(out[3], r"^\d+ +2026-11-12  phq9 +3 +minimal \(rule phq9_severity: total "
                                 r"0–4\) +-15 +-9 +reliable improvement")
        rows = list(csv.reader(io.StringIO(self.ok("measure", "list", MRN, "--format",
                                                   "csv").out)))
        self.assertEqual(rows[0], ["ID", "DATE", "INSTRUMENT", "TOTAL", "BAND", "VS BASELINE",
                                   "VS PREVIOUS", "LABELS"])
        self.assertEqual(rows[3][5:7], ["-6", "-6"])  # numbers, not formulas: no guard

    def test_the_programs_reliable_change_threshold_is_used(self):
        con = sqlite3.connect(self.db)
        con.execute("UPDATE program SET alert_phq9_rise = 6")
        con.commit()
        con.close()
        self.ok("measure", "add", MRN, "phq9", "1,1,1,1,1,1,1,1,0", "--date", "2026-10-01")  # 8
        self.ok("measure", "add", MRN, "phq9", "1,1,1,0,0,0,0,0,0", "--date", "2026-10-08")  # 3
        self.ok("measure", "add", MRN, "phq9", "1,1,0,0,0,0,0,0,0", "--date", "2026-10-15")  # 2
        rows = self.list_json()
        self.assertEqual([r["reliable_change_threshold"] for r in rows], [6, 6, 6])
        self.assertEqual(rows[1]["labels"], [])  # drop 5 < 6; baseline 8 < 10: no response
        self.assertEqual([l["text"] for l in rows[2]["labels"]],
                         ["reliable improvement (rule phq9_reliable_change: drop ≥ 6 from "
                          "baseline 8)"])

    # --- errors -----------------------------------------------------------------

    def test_bad_input_is_refused_with_clear_errors_and_nothing_written(self):
        before = self.snapshot()
        cases = [
            (("phq9", "1,2,0,1,3,0,1,0"), 3, r"answers: PHQ-9 needs 9 answers, got 8$"),
            (("phq9", "1,2,4,1,3,0,1,0,0"), 3, r"answers: item 3: 4 is out of range 0–3$"),
            (("gad7", "1,1,1,1,1,1,1,1"), 3, r"answers: GAD-7 needs 7 answers, got 8$"),
            (("phq9", "1,2,0,1,3,0,1,0,0", "--date", "2026-11-24"), 3,
             r"--date: 2026-11-24 is in the future \(today is 2026-11-23\)"),
            (("phq9", "1,2,0,1,3,0,1,0,0", "--date", "2026-13-01"), 3, r"--date: "),
            (("phq10", "1"), 3, r"instrument: unknown instrument 'phq10' \(known: phq9, gad7"),
            (("cssrs_screen", "y,n,y,-,-,n"), 3,
             r"answers: item 3: answered, but item 2 is no.*rule cssrs_branching"),
            (("cssrs_screen", "n,n,-,-,-,y"), 3, r"answers: item 6 is yes: give its follow-up"),
            (("mood", "11"), 3, r"answers: item 1: 11 is out of range 0–10$"),
        ]
        for args, code, pattern in cases:
            with self.subTest(args=args):
                res = self.run_cairn("measure", "add", MRN, *args)
                self.assert_error(res, code, r"^cairn: measure add: " + pattern)
        res = self.run_cairn("measure", "add", "NOPE1", "phq9", "1,2,0,1,3,0,1,0,0")
        self.assert_error(res, 1, r"^cairn: measure add: NOPE1: no patient with that MRN$")
        res = self.run_cairn("measure", "list", "NOPE1")
        self.assert_error(res, 1, r"NOPE1: no patient with that MRN$")
        self.assert_error(self.run_cairn("measure", "add", MRN), 2, r"missing MRN INSTRUMENT")
        self.assert_error(self.run_cairn("measure", "list", MRN, "--format", "yaml"), 2)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.rows(), [])

    def test_audit_rows_name_fields_never_answers(self):
        self.ok("measure", "add", MRN, "phq9", "1,2,0,1,3,0,1,0,0")
        self.ok("measure", "list", MRN)
        rows = self.query("SELECT action, entity, entity_id, fields FROM audit "
                          "WHERE entity = 'measure' ORDER BY id")
        self.assertEqual(rows, [("create", "measure", 1,
                                 "instrument,date,answers,total,band,flags"),
                                ("read", "measure", None, "")])

    # --- item by item -----------------------------------------------------------

    def test_items_are_read_one_per_line_when_answers_are_omitted(self):
        rc, out, err = self.run_stdin("1\n2\n0\n1\n3\n0\n1\n0\n0\n", "measure", "add", MRN,
                                      "phq9")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("total 8, mild", out)
        # C-SSRS: a no to item 2 skips items 3-5; a yes to item 6 asks the follow-up.
        rc, out, err = self.run_stdin("y\nn\ny\ny\n", "measure", "add", MRN, "cssrs_screen")
        self.assertEqual(rc, 0, err)
        self.assertIn("high (rule cssrs_triage: item 6, suicidal behaviour within the past 3 "
                      "months)", out)
        self.assertRegex(err, r"^URGENT: C-SSRS screen is high risk")
        rc, out, err = self.run_stdin("n\nn\nn\n", "measure", "add", MRN, "cssrs_screen")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("none (rule cssrs_triage: no to every item)", out)
        self.assertEqual([r[2] for r in self.rows()],
                         ["1,2,0,1,3,0,1,0,0", "1,0,-,-,-,1,1", "0,0,-,-,-,0,-"])
        # Not a terminal: a bad value or too few lines is an error, nothing saved.
        rc, out, err = self.run_stdin("1\n2\n5\n", "measure", "add", MRN, "phq9")
        self.assertEqual((rc, out), (3, ""))
        self.assertEqual(err, "cairn: measure add: answers: item 3: 5 is out of range 0–3\n")
        rc, out, err = self.run_stdin("1\n2\n", "measure", "add", MRN, "gad7")
        self.assertEqual((rc, out), (3, ""))
        self.assertIn("input ended before item 3 was answered", err)
        self.assertEqual(len(self.rows()), 3)

    def test_instruments_lists_items_bands_and_rules_without_a_database(self):
        out = self.ok("measure", "instruments", db=False).out
        self.assertIn("phq9: PHQ-9", out)
        self.assertIn("bands (rule phq9_severity): 0–4 minimal, 5–9 mild, 10–14 moderate, "
                      "15–19 moderately severe, 20–27 severe", out)
        self.assertIn("6b. Was that within the past 3 months?", out)
        data = json.loads(self.ok("measure", "instruments", "--format", "json", db=False).out)
        self.assertEqual([d["code"] for d in data],
                         ["phq9", "gad7", "cssrs_screen", "craving", "mood"])
        self.assertEqual(len(data[0]["items"]), 9)
        self.assertEqual(data[1]["bands"][-1], {"from": 15, "to": 21, "label": "severe"})
        self.assertEqual(data[0]["reliable_change"], 5)


if __name__ == "__main__":
    main()
