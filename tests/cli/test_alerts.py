#!/usr/bin/env python3
"""Alerts end to end: the issue's scenario (PHQ-9 12 -> 18, two sessions
missed in one week, no ladder attempt for 15 days) shows exactly the
expected alerts; `alert ack` hides one until new data reopens it; bad input
gives clear errors and exit codes; and on a 1,000-patient demo caseload the
JSON list is urgent first, ordered by severity throughout."""

import json
import os
import pwd
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

MRN = "A5550001"
KEYS = ["id", "mrn", "patient_id", "name", "code", "severity", "reason", "key",
        "acknowledged", "acked_by", "acked_at", "note"]
RANK = {"urgent": 0, "warning": 1, "info": 2}
# Sums to 12 and 18 with item 9 (the last) 0; 19 for the reopening score.
PHQ9_12 = "2,2,2,2,1,1,1,1,0"
PHQ9_18 = "3,3,3,3,2,2,1,1,0"
PHQ9_19 = "3,3,3,3,3,2,1,1,0"


def me():
    """The OS login cairn acts as (the acting user of every command)."""
    return pwd.getpwuid(os.getuid()).pw_name


class AlertsTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.init_caseload()

    def scenario(self):
        """The issue's patient, admitted on Sunday 2026-11-08 (15 days before
        TODAY, Monday 2026-11-23) to virtual-mh-iop (9 h on 3 days a week,
        alert thresholds 5/4/2/14/14)."""
        self.ok("patient", "add", "--mrn", MRN, "--name", "Mara Quist", "--dob", "1985-02-03",
                "--therapist", "tkeller", "--case-manager", "cmorales")
        self.ok("patient", "admit", MRN, "--program", "virtual-mh-iop", "--date", "2026-11-08")
        self.ok("measure", "add", MRN, "phq9", PHQ9_12, "--date", "2026-11-09")
        self.ok("measure", "add", MRN, "phq9", PHQ9_18, "--date", "2026-11-20")
        # Last week (2026-W47): 9 hours on 3 days attended, two sessions missed.
        for date, status in (("2026-11-16", "attended"), ("2026-11-17", "absent"),
                             ("2026-11-18", "attended"), ("2026-11-19", "absent"),
                             ("2026-11-20", "attended")):
            self.ok("session", "log", MRN, "--minutes", "180", "--date", date,
                    "--status", status)

    def alerts(self, *args):
        return json.loads(self.ok("alerts", "--format", "json", *args).out)

    # --- the scenario ------------------------------------------------------------

    def test_the_issue_scenario_shows_exactly_its_alerts(self):
        self.scenario()
        rows = self.alerts()
        # review_overdue fires too, and must: admission scheduled weekly
        # reviews from 2026-W45, and W45 and W46 are unsigned after the end
        # of their following week. Nothing else fires: last week's hours and
        # days met the minimum, there is no GAD-7, C-SSRS, lapse or plan date,
        # and discharge (2027-01-03) is far.
        self.assertEqual(sorted(r["code"] for r in rows),
                         ["absences", "ladder_stalled", "phq9_worse", "review_overdue"])
        by_code = {r["code"]: r for r in rows}
        self.assertEqual(
            by_code["phq9_worse"]["reason"],
            "phq9_worse: PHQ-9 18, up 6 from 12 on 2026-11-09 (reliable change ≥ 5)")
        self.assertEqual(by_code["absences"]["reason"],
                         "absences: 2 absences in 2026-W47 (alert at 2 a week)")
        self.assertEqual(by_code["absences"]["key"], "w:2026-W47:2")
        self.assertEqual(
            by_code["ladder_stalled"]["reason"],
            'ladder_stalled: no attempt on "Social reintegration" for 15 days, since 2026-11-08 '
            "(alert after 14)")
        self.assertEqual(
            by_code["review_overdue"]["reason"],
            "review_overdue: review of 2026-W45 not signed by 2026-11-15 (and 1 more)")
        ids = self.query("SELECT id FROM measure ORDER BY id")
        row = by_code["phq9_worse"]
        self.assertEqual(list(row), KEYS)
        pid = self.query("SELECT id FROM patient WHERE mrn = ?", MRN)[0][0]
        self.assertEqual(row, {
            "id": MRN + ":phq9_worse", "mrn": MRN, "patient_id": pid, "name": "Mara Quist",
            "code": "phq9_worse", "severity": "warning", "reason": row["reason"],
            "key": "m:%d/m:%d" % (ids[1][0], ids[0][0]), "acknowledged": False,
            "acked_by": None, "acked_at": None, "note": None})
        # In rule order within the one patient (all warnings).
        self.assertEqual([r["code"] for r in rows],
                         ["phq9_worse", "absences", "ladder_stalled", "review_overdue"])
        # The text table.
        lines = self.ok("alerts").out.splitlines()
        self.assertRegex(lines[0], r"^SEVERITY +ID +NAME +REASON$")
        self.assertEqual(len(lines), 5)
        self.assertRegex(lines[1], r"^warning +A5550001:phq9_worse +Mara Quist +phq9_worse: "
                                   r"PHQ-9 18, up 6 from 12")
        # Listing is not an audited read of anyone's record.
        audit = self.query("SELECT count(*) FROM audit")[0][0]
        self.ok("alerts")
        self.assertEqual(self.query("SELECT count(*) FROM audit")[0][0], audit)

    def test_ack_hides_an_alert_until_new_data_reopens_it(self):
        self.scenario()
        # Not staff yet: refused, and the refusal is audited.
        res = self.run_cairn("alert", "ack", MRN + ":phq9_worse", "--note", "Seen")
        self.assert_error(res, 1, r"acting user '%s' is not staff; ask an administrator to run "
                                  r"cairn staff add" % re.escape(me()))
        self.ok("staff", "add", "--login", me(), "--name", "Test Clinician", "--role", "therapist")
        out = self.ok("alert", "ack", MRN + ":phq9_worse", "--note",
                      "Discussed in session; medication review booked").out
        self.assertRegex(out, r"^acknowledged A5550001:phq9_worse \(m:\d+/m:\d+\)")
        self.assertEqual(self.query("SELECT code, note, acked_by FROM alert_ack"),
                         [("phq9_worse", "Discussed in session; medication review booked", me())])
        self.assertEqual(self.query("SELECT action, entity, fields, outcome FROM audit "
                                    "WHERE entity = 'alert_ack' ORDER BY id"),
                         [("create", "alert_ack", "", "denied"),
                          ("create", "alert_ack", "note", "ok")])
        # Hidden from the open list...
        self.assertEqual(sorted(r["code"] for r in self.alerts()),
                         ["absences", "ladder_stalled", "review_overdue"])
        self.assertNotIn("phq9_worse", self.ok("alerts").out)
        # ...shown, acknowledged, with --all.
        rows = {r["code"]: r for r in self.alerts("--all")}
        self.assertEqual(len(rows), 4)
        acked = rows["phq9_worse"]
        self.assertEqual((acked["acknowledged"], acked["acked_by"], acked["note"]),
                         (True, me(), "Discussed in session; medication review booked"))
        self.assertRegex(acked["acked_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertFalse(rows["absences"]["acknowledged"])
        text = self.ok("alerts", "--all").out.splitlines()
        self.assertRegex(text[0], r"^SEVERITY +ID +NAME +REASON +ACKNOWLEDGED BY +NOTE$")
        line = [ln for ln in text if ":phq9_worse" in ln][0]
        self.assertIn(me() + " ", line)
        self.assertIn("Discussed in session", line)
        # The same data again: already acknowledged.
        res = self.run_cairn("alert", "ack", MRN + ":phq9_worse", "--note", "Again")
        self.assert_error(res, 1, r"already acknowledged for the same data")
        # Tomorrow, with the same data, it stays acknowledged.
        tomorrow = self.env(CAIRN_TODAY="2026-11-24")
        res = self.run_cairn("alerts", "--format", "json", env=tomorrow)
        self.assertEqual(res.rc, 0, res.err)
        self.assertNotIn("phq9_worse", [r["code"] for r in json.loads(res.out)])
        # A correction of the PHQ-9 it fired on changes its data: open again.
        ids = [r[0] for r in self.query("SELECT id FROM measure WHERE instrument = 'phq9' "
                                        "ORDER BY date")]
        self.ok("measure", "correct", str(ids[-1]), "phq9", PHQ9_19)
        rows = {r["code"]: r for r in self.alerts()}
        self.assertFalse(rows["phq9_worse"]["acknowledged"])
        self.assertRegex(rows["phq9_worse"]["key"], r"^m:%dv2/m:\d+$" % ids[-1])
        self.ok("alert", "ack", MRN + ":phq9_worse", "--note", "Corrected score reviewed")
        self.assertNotIn("phq9_worse", [r["code"] for r in self.alerts()])
        # A new PHQ-9 (19: up 7 from the baseline 12) is new data: open again.
        self.ok("measure", "add", MRN, "phq9", PHQ9_19, "--date", "2026-11-23")
        rows = {r["code"]: r for r in self.alerts()}
        self.assertIn("phq9_worse", rows)
        self.assertFalse(rows["phq9_worse"]["acknowledged"])
        self.assertEqual(
            rows["phq9_worse"]["reason"],
            "phq9_worse: PHQ-9 19, up 7 from the baseline 12 on 2026-11-09 (reliable change ≥ 5)")

    def test_bad_input_gives_clear_errors_and_exit_codes(self):
        self.scenario()
        self.ok("staff", "add", "--login", me(), "--name", "Test Clinician", "--role", "therapist")
        cases = [
            (("alert", "ack", "NOPE1:phq9_worse", "--note", "x"), 1,
             r"^cairn: alert ack: id: no patient with MRN NOPE1$"),
            (("alert", "ack", MRN + ":gad7_worse", "--note", "x"), 1,
             r"alert A5550001:gad7_worse is not open$"),
            (("alert", "ack", MRN, "--note", "x"), 3,
             r"'A5550001' is not an alert ID: write MRN:code"),
            (("alert", "ack", MRN + ":bogus", "--note", "x"), 3,
             r"'bogus' is not an alert code: use phq9_item9, cssrs_high, phq9_worse, "
             r"gad7_worse, hours_below, absences, ladder_stalled, review_overdue, "
             r"lapse_this_week, discharge_planning, plan_review_due$"),
            (("alert", "ack", MRN + ":phq9_worse"), 2, r"--note is required"),
            (("alert", "ack", MRN + ":phq9_worse", "--note", ""), 3, r"--note: "),
            (("alert", "ack", MRN + ":phq9_worse", "--note", "two\nlines"), 3, r"--note: "),
            (("alert", "ack", MRN + ":phq9_worse", "--note", "x" * 501), 3, r"--note: "),
            (("alert", "ack", "--note", "x"), 2, r"missing ID"),
            (("alerts", "--severity", "high"), 3,
             r"--severity: 'high' is not a severity: use urgent, warning or info$"),
            (("alerts", "--format", "xml"), 2, r"--format must be text, tsv, csv or json"),
            (("alerts", "--clinician", "nobody"), 1,
             r"--clinician: no staff member with login 'nobody'$"),
            (("alerts", "extra"), 2, r"unexpected argument 'extra'"),
        ]
        for args, code, pattern in cases:
            with self.subTest(args=args[:3]):
                self.assert_error(self.run_cairn(*args), code, pattern)
        self.assertEqual(self.query("SELECT count(*) FROM alert_ack"), [(0,)])
        # The help says what an ID is.
        self.assertIn("MRN:code", self.ok("alert", "ack", "--help", db=False).out)

    def test_an_empty_list_says_so(self):
        self.assertEqual(self.ok("alerts").out, "no open alerts\n")
        self.assertEqual(self.ok("alerts", "--all").out, "no alerts\n")
        self.assertEqual(self.ok("alerts", "--format", "json").out, "[]\n")
        self.assertEqual(self.ok("alerts", "--format", "csv").out,
                         "SEVERITY,ID,NAME,REASON\r\n")
        self.assertEqual(self.ok("alerts", "--format", "tsv", "--all").out,
                         "SEVERITY\tID\tNAME\tREASON\tACKNOWLEDGED BY\tNOTE\n")

    def test_on_hold_keeps_only_urgent_and_discharge_ends_alerts(self):
        self.scenario()
        res = self.run_cairn("measure", "add", MRN, "phq9", "3,3,3,3,2,2,1,0,1",
                             "--date", "2026-11-23")
        self.assertEqual(res.rc, 0, res.err)
        self.assertIn("phq9_item9", res.err)
        self.assertEqual(self.alerts()[0]["code"], "phq9_item9")
        self.ok("patient", "hold", MRN)
        self.assertEqual([r["code"] for r in self.alerts()], ["phq9_item9"])
        self.ok("patient", "discharge", MRN, "--reason", "moved away")
        self.assertEqual(self.alerts(), [])

    # --- a 1,000-patient caseload ------------------------------------------------

    def test_demo_caseload_json_is_urgent_first_and_monotonic_in_severity(self):
        self.ok("demo", "--patients", "1000", "--seed", "7")
        rows = self.alerts()
        if not any(r["severity"] == "urgent" for r in rows):
            # Make one: a flagged PHQ-9 for an active patient.
            active = json.loads(self.ok("patient", "list", "--status", "active", "--limit", "1",
                                        "--format", "json").out)[0]
            res = self.run_cairn("measure", "add", active["mrn"], "phq9", "1,1,1,1,1,1,1,1,2")
            self.assertEqual(res.rc, 0, res.err)
            rows = self.alerts()
        self.assertGreater(len(rows), 100)
        self.assertEqual(rows[0]["severity"], "urgent")
        ranks = [RANK[r["severity"]] for r in rows]
        self.assertEqual(ranks, sorted(ranks), "urgent, then warning, then info")
        for r in rows:
            self.assertEqual(list(r), KEYS)
            self.assertEqual(r["id"], "%s:%s" % (r["mrn"], r["code"]))
            self.assertTrue(r["reason"].startswith(r["code"] + ": "), r["reason"])
            self.assertFalse(r["acknowledged"])
        # At most one alert per rule and patient.
        self.assertEqual(len({r["id"] for r in rows}), len(rows))
        # Only active and on-hold patients; on hold, only urgent alerts.
        status = dict(self.query("SELECT mrn, status FROM patient"))
        for r in rows:
            self.assertIn(status[r["mrn"]], ("active", "on_hold"))
            if status[r["mrn"]] == "on_hold":
                self.assertEqual(r["severity"], "urgent")
        # --severity urgent: only those; warning: no info; urgent always kept.
        urgent = self.alerts("--severity", "urgent")
        self.assertEqual(urgent, [r for r in rows if r["severity"] == "urgent"])
        warning = self.alerts("--severity", "warning")
        self.assertEqual(warning, [r for r in rows if r["severity"] != "info"])
        # --clinician: that login's patients as therapist or case manager.
        login = self.query("SELECT s.login FROM patient p JOIN staff s "
                           "ON s.id = p.therapist_id WHERE p.status = 'active' "
                           "ORDER BY p.id LIMIT 1")[0][0]
        mine = {m for (m,) in self.query(
            "SELECT p.mrn FROM patient p JOIN staff s ON s.id IN (p.therapist_id, "
            "p.case_manager_id) WHERE s.login = ?", login)}
        theirs = self.alerts("--clinician", login)
        self.assertGreater(len(theirs), 0)
        self.assertEqual(theirs, [r for r in rows if r["mrn"] in mine])


if __name__ == "__main__":
    main()
