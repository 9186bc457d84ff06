#!/usr/bin/env python3
"""Tracking end to end: exposure ladders with attempts, session rosters,
weekly attendance and CSV import, through the real binary."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

MRNS = ["T-%02d" % i for i in range(10)]
NAMES = ["Ines Varga", "Oskar Lind", "Mai Tran", "Kofi Mensah", "Zoë Ångström",
         "Ravi Iyer", "Lea Novak", "Tomás Ruiz", "Ana Sousa", "Yuki Sato"]


class TrackingTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.init_caseload()
        for mrn, name in zip(MRNS, NAMES):
            self.ok("patient", "add", "--mrn", mrn, "--name", name, "--dob", "1990-04-01")
            self.ok("patient", "admit", mrn, "--program", "virtual-mh-iop",
                    "--date", "2026-11-02")

    # --- sessions ----------------------------------------------------------

    def test_a_roster_of_ten_in_one_command(self):
        out = self.ok("session", "log", "--group", "DBT skills", "--date", "2026-11-20",
                      "--minutes", "180", "--start", "17:00", "--facilitator", "tkeller",
                      "--present", ",".join(MRNS[:6]), "--late", "T-06:150",
                      "--absent", "T-07,T-08", "--excused", "T-09").out
        self.assertRegex(out, r"^logged session \d+ \(group DBT skills, 2026-11-20, 180 min\): "
                              r"6 attended, 1 late, 2 absent, 1 excused\n$")
        self.assertEqual(self.query("SELECT count(*) FROM attendance")[0][0], 10)
        self.assertEqual(self.query("SELECT count(*) FROM session")[0][0], 1)
        rows = json.loads(self.ok("session", "list", "T-06", "--format", "json").out)
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["status"], rows[0]["minutes_attended"], rows[0]["title"],
                          rows[0]["facilitator"], rows[0]["telehealth"]),
                         ("late", 150, "DBT skills", "tkeller", True))
        weeks = json.loads(self.ok("session", "weeks", "T-00", "--week", "2026-W47",
                                   "--format", "json").out)
        self.assertEqual(weeks, [{
            "week": "2026-W47", "minutes_attended": 180, "hours_attended": 3.0,
            "min_hours": 9.0, "days_attended": 1, "min_days": 3, "sessions": 1,
            "attended": 1, "late": 0, "absent": 0, "excused": 0,
            "meets_hours": False, "meets_days": False, "complete": True}])
        text = self.ok("session", "weeks", "T-07", "--week", "2026-W47").out
        self.assertIn("below: hours and days", text)
        # The week of today is still running: not judged yet.
        text = self.ok("session", "weeks", "T-07", "--week", "2026-W48").out
        self.assertIn("so far", text)

    def test_an_attendance_line_is_corrected_and_audited(self):
        out = self.ok("session", "log", "--group", "DBT skills", "--date", "2026-11-20",
                      "--minutes", "180", "--present", "T-00", "--absent", "T-01").out
        session = out.split()[2]
        line = json.loads(self.ok("session", "list", "T-01", "--format", "json").out)[0]
        self.assertEqual((line["status"], line["version"]), ("absent", 1))
        self.assertEqual(self.ok("session", "mark", session, "T-01", "--status", "late",
                                 "--minutes-attended", "120", "--if-version", "1").out,
                         "session %s, patient T-01: corrected\n" % session)
        line = json.loads(self.ok("session", "list", "T-01", "--format", "json").out)[0]
        self.assertEqual((line["status"], line["minutes_attended"], line["version"]),
                         ("late", 120, 2))
        res = self.run_cairn("session", "mark", session, "T-01", "--status", "excused",
                             "--if-version", "1")
        self.assert_error(res, 4, r"changed by someone else")
        self.assertIn("added to the roster",
                      self.ok("session", "mark", session, "T-02", "--status", "attended").out)
        self.assertEqual(self.query("SELECT count(*) FROM attendance")[0][0], 3)
        res = self.run_cairn("session", "mark", "99999", "T-02", "--status", "attended")
        self.assert_error(res, 1, r"no session 99999")

    def test_a_bad_roster_writes_nothing(self):
        res = self.run_cairn("session", "log", "--group", "DBT skills", "--date", "2026-11-20",
                             "--minutes", "180", "--present", "T-00,T-01,NOPE")
        self.assert_error(res, 1, r"no patient with MRN NOPE")
        res = self.run_cairn("session", "log", "--group", "DBT skills", "--minutes", "180",
                             "--late", "T-00")
        self.assert_error(res, 2, r"--late takes MRN:MINUTES")
        res = self.run_cairn("session", "log", "T-00", "--minutes", "60",
                             "--date", "2026-11-24")
        self.assert_error(res, 3, r"--date: 2026-11-24 is in the future")
        self.assertEqual(self.query("SELECT count(*) FROM attendance")[0][0], 0)
        self.assertEqual(self.query("SELECT count(*) FROM session")[0][0], 0)

    def test_csv_import_with_one_bad_row_writes_nothing_and_names_the_line(self):
        path = os.path.join(self.tmp, "week47.csv")
        rows = ["date,mrn,type,minutes,status,title,minutes_attended"]
        rows += ["2026-11-18,%s,group,180,attended,\"Relapse prevention, part 2\"," % m
                 for m in MRNS[:5]]
        rows.append("2026-11-18,T-05,group,180,late,\"Relapse prevention, part 2\",200")
        rows += ["2026-11-18,%s,group,180,absent,\"Relapse prevention, part 2\"," % m
                 for m in MRNS[6:]]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\r\n".join(rows) + "\r\n")
        audit = self.query("SELECT count(*) FROM audit")[0][0]
        res = self.run_cairn("session", "import", path)
        self.assertEqual(res.rc, 3, res.err)
        self.assertEqual(res.err.splitlines(), [
            "%s:7:61: minutes_attended: the patient on this line was late: give the minutes "
            "attended, 1 to 179 (the session ran 180)" % path,
            "cairn: session import: nothing was imported"])
        self.assertEqual(self.query("SELECT count(*) FROM attendance")[0][0], 0)
        self.assertEqual(self.query("SELECT count(*) FROM session")[0][0], 0)
        self.assertEqual(self.query("SELECT count(*) FROM audit")[0][0], audit)

        rows[6] = rows[6].replace(",200", ",120")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\r\n".join(rows) + "\r\n")
        self.assertEqual(self.ok("session", "import", path).out,
                         "imported 10 attendance lines (1 new session)\n")
        week = json.loads(self.ok("session", "weeks", "T-05", "--week", "2026-W47",
                                  "--format", "json").out)[0]
        self.assertEqual((week["minutes_attended"], week["late"]), (120, 1))
        # The same file again: everyone would be on the roster twice.
        res = self.run_cairn("session", "import", path)
        self.assertEqual(res.rc, 3)
        self.assertIn(":2:12: mrn: the patient on this line is already on this session's "
                      "roster", res.err)
        self.assertEqual(self.query("SELECT count(*) FROM attendance")[0][0], 10)

    def test_import_errors_repeat_nothing_from_the_file(self):
        # Columns shifted by one: names land where statuses and MRNs belong.
        # The error points at the place; the names never reach stderr (the
        # cleanup of every test checks this database's names against it).
        path = os.path.join(self.tmp, "shifted.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("date,mrn,type,minutes,status\n"
                    "2026-11-18,T-00,group,180,%s\n" % NAMES[0])
        res = self.run_cairn("session", "import", path)
        self.assertEqual(res.rc, 3)
        self.assertIn("%s:2:27: status: not an attendance status" % path, res.err)
        with open(path, "w", encoding="utf-8") as f:
            f.write("%s,date,mrn,type,minutes,status\n" % NAMES[1])
        res = self.run_cairn("session", "import", path)
        self.assertIn("%s:1:1: unknown column" % path, res.err)

    def test_session_lists_in_every_format(self):
        self.ok("session", "log", "T-00", "--type", "individual", "--minutes", "50",
                "--date", "2026-11-19")
        for fmt in ("text", "tsv", "csv"):
            out = self.ok("session", "list", "T-00", "--format", fmt).out
            self.assertIn("2026-11-19", out)
            self.assertIn("individual", out)
        csv_out = self.ok("session", "weeks", "T-00", "--format", "csv").out.splitlines()
        self.assertEqual(csv_out[0], "WEEK,HOURS,MIN HOURS,DAYS,MIN DAYS,SESSIONS,ABSENT,"
                                     "EXCUSED,LATE,MINIMUM")
        # Admission (2026-11-02, W45) through today (2026-11-23, W48).
        self.assertEqual([r.split(",")[0] for r in csv_out[1:]],
                         ["2026-W45", "2026-W46", "2026-W47", "2026-W48"])
        self.assertTrue(csv_out[3].startswith("2026-W47,0.83,9.00,1,"))

    # --- ladders -------------------------------------------------------------

    def test_ladder_attempts_follow_the_mastery_rule(self):
        ladders = json.loads(self.ok("ladder", "list", "T-00", "--format", "json").out)
        self.assertGreaterEqual(len(ladders), 1)
        first = ladders[0]
        self.assertEqual((first["position"], first["next_step"], first["attempts"]), (1, 1, 0))
        name = first["name"]
        out = self.ok("ladder", "attempt", "T-00", name.upper(), "1", "--before", "50",
                      "--peak", "70", "--after", "30", "--date", "2026-11-10",
                      "--minutes", "40", "--where", "between", "--predicted",
                      "everyone will stare", "--expectancy-before", "80",
                      "--came-true", "no", "--expectancy-after", "20").out
        self.assertIn("step 1: not yet: 0 of the last 2 attempts peaked at SUDS 30 or less", out)
        out = self.ok("ladder", "attempt", "T-00", "1", "1", "--before", "40", "--peak", "35",
                      "--after", "20", "--date", "2026-11-12").out
        self.assertIn("step 1: mastered: peak SUDS fell 50% from 70 at the first attempt to 35 "
                      "(program rule mastery.or_drop_percent 50%, a program convention)", out)
        self.assertIn("next step: 2. ", out)
        shown = json.loads(self.ok("ladder", "show", "T-00", "1", "--format", "json").out)
        self.assertEqual(shown["steps"][0]["status"], "mastered")
        self.assertEqual(shown["steps"][0]["mastery"]["branch"], "drop")
        self.assertEqual(shown["next_step"], 2)
        self.assertEqual(len(shown["attempts_log"]), 2)
        self.assertEqual(shown["attempts_log"][0]["predicted"], "everyone will stare")
        self.assertEqual(shown["attempts_log"][0]["came_true"], "no")
        text = self.ok("ladder", "show", "T-00", "1", "--attempts").out
        self.assertIn("(a program convention)", text)
        self.assertIn("expectancy 80% → 20%, came true: no", text)
        # Both reads audited against the patient.
        reads = self.query("SELECT count(*) FROM audit a JOIN patient p ON p.id = a.patient_id "
                           "WHERE p.mrn = 'T-00' AND a.action = 'read'")[0][0]
        self.assertGreaterEqual(reads, 3)

    def test_ladder_edits_warn_but_never_refuse_a_gap(self):
        res = self.run_cairn("ladder", "add-step", "T-01", "1", "--text",
                             "Say hello on camera", "--suds", "5")
        self.assertEqual(res.rc, 0, res.err)
        self.assertRegex(res.err, r"cairn: warning: step 10 \(SUDS 5\) is rated lower than "
                                  r"step 9 before it")
        before = json.loads(self.ok("ladder", "show", "T-01", "1", "--format", "json").out)
        last = len(before["steps"])
        self.assertEqual(before["steps"][-1]["text"], "Say hello on camera")
        res = self.run_cairn("ladder", "move-step", "T-01", "1", str(last), "--to", "1",
                             "--if-version", str(before["version"]))
        self.assertEqual(res.rc, 0, res.err)
        # A second change from the same (now stale) version is a conflict.
        res = self.run_cairn("ladder", "edit-step", "T-01", "1", "2", "--skip",
                             "--if-version", str(before["version"]))
        self.assert_error(res, 4, r"changed by someone else")
        after = json.loads(self.ok("ladder", "show", "T-01", "1", "--format", "json").out)
        self.assertEqual(after["steps"][0]["text"], "Say hello on camera")
        self.assertEqual(after["steps"][1]["status"], "not_started")
        res = self.run_cairn("ladder", "attempt", "T-01", "1", "1", "--before", "5",
                             "--peak", "4", "--after", "9")
        self.assert_error(res, 3, r"the peak \(4\) is below the SUDS after \(9\)")
        res = self.run_cairn("ladder", "attempt", "T-01", "9", "1", "--before", "5",
                             "--peak", "5", "--after", "5")
        self.assert_error(res, 1, r"no ladder at that position")


if __name__ == "__main__":
    main()
