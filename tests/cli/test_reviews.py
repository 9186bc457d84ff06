"""End-to-end tests of the weekly review and the alerts it carries.

The acting user is the OS user running the tests (cairn maps it to a staff
row), so the suite registers that login as a case manager. The scenario of
issue #6: a patient whose PHQ-9 goes 12 -> 18, who misses two sessions and
has had no exposure attempt for 15 days shows exactly the expected alert
codes; after the review is signed, changing a session does not change the
signed snapshot; a co-signature by someone who is not a supervisor is
refused.
"""

import json
import os
import pwd
import sqlite3
import stat

from cli_support import CairnTestCase, main

MRN = "RV-001"
ME = pwd.getpwuid(os.getuid()).pw_name


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class ReviewTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.state = os.path.join(self.tmp, "state")
        self.init_caseload()
        self.ok("staff", "add", "--login", ME, "--name", "Casey Reviewer", "--role",
                "case_manager")
        self.ok("patient", "add", "--mrn", MRN, "--name", "Robin Review", "--dob", "1990-04-04",
                "--therapist", "tkeller", "--case-manager", ME)
        self.ok("patient", "admit", MRN, "--program", "virtual-mh-iop", "--date", "2026-11-02")

    def env(self, **extra):
        extra.setdefault("XDG_STATE_HOME", os.path.join(self.tmp, "state"))
        return super().env(**extra)

    def show(self, week):
        return json.loads(self.ok("review", "show", MRN, "--week", week, "--format",
                                  "json").out)

    def alert_codes(self, *args):
        rows = json.loads(self.ok("alerts", "--format", "json", *args).out)
        return sorted(r["code"] for r in rows if r["mrn"] == MRN)

    def complete(self, week, risk="moderate"):
        self.ok("review", "start", MRN, "--week", week)
        self.ok("review", "set", MRN, "--week", week, "--risk", risk, "--narrative",
                "Reviewed with the patient.", "--checklist", "y,y,y,y,y,y")
        self.ok("review", "sign", MRN, "--week", week)

    # --- the scenario --------------------------------------------------

    def test_scenario_alerts_then_a_signed_snapshot_that_does_not_move(self):
        # PHQ-9 12 then 18; the last exposure attempt 15 days ago.
        self.ok("measure", "add", MRN, "phq9", "2,2,1,1,2,1,1,2,0", "--date", "2026-11-10")
        self.ok("measure", "add", MRN, "phq9", "2,2,2,2,2,2,3,3,0", "--date", "2026-11-20")
        self.ok("ladder", "attempt", MRN, "1", "1", "--before", "40", "--peak", "55", "--after",
                "30", "--date", "2026-11-08")
        # Last week (2026-W47): one group attended, two missed.
        ids = []
        for day, flag in (("2026-11-16", "--present"), ("2026-11-18", "--absent"),
                          ("2026-11-20", "--absent")):
            out = self.ok("session", "log", "--group", "Process group", "--date", day,
                          "--minutes", "180", flag, MRN).out
            ids.append(out.split()[2])
        # Weeks 45 and 46 were not reviewed: overdue.
        self.assertEqual(self.alert_codes(),
                         ["absences", "hours_below", "ladder_stalled", "phq9_worse",
                          "review_overdue"])
        self.complete("2026-W45", risk="low")
        self.complete("2026-W46", risk="low")
        self.assertEqual(self.alert_codes(),
                         ["absences", "hours_below", "ladder_stalled", "phq9_worse"])

        # The review of week 47, signed.
        self.complete("2026-W47", risk="high")
        signed = self.show("2026-W47")
        snap = signed["snapshot"]
        self.assertEqual(signed["status"], "signed")
        self.assertTrue(signed["snapshot_frozen"])
        self.assertEqual((snap["attendance"]["absent"], snap["attendance"]["minutes_attended"]),
                         (2, 180))
        self.assertEqual((snap["phq9"]["total"], snap["phq9"]["baseline"]), (18, 12))
        self.assertEqual(sorted(a["code"] for a in snap["alerts"]),
                         ["absences", "hours_below", "ladder_stalled", "phq9_worse"])
        patient = json.loads(self.ok("patient", "show", MRN, "--format", "json").out)
        self.assertEqual((patient["risk_level"], patient["risk_set_by"]), ("high", ME))

        # A session corrected after signing: the data and the alerts move,
        # the signed snapshot does not.
        self.ok("session", "mark", ids[1], MRN, "--status", "attended")
        self.assertEqual(self.show("2026-W47")["snapshot"], snap)
        self.assertNotIn("absences", self.alert_codes())

        # Only a supervisor co-signs.
        res = self.run_cairn("review", "cosign", MRN, "--week", "2026-W47")
        self.assert_error(res, 1, r"only a supervisor co-signs reviews; %s is a case_manager"
                          % ME)
        self.assertEqual(self.show("2026-W47")["status"], "signed")
        # Corrections are addenda; the review itself is frozen.
        res = self.run_cairn("review", "set", MRN, "--week", "2026-W47", "--risk", "low")
        self.assert_error(res, 1, r"signed and cannot change; add an addendum")
        self.ok("review", "addendum", MRN, "--week", "2026-W47", "--text",
                "Session of 2026-11-18 was attended; the absence was entered in error.")
        again = self.show("2026-W47")
        self.assertEqual(again["snapshot"], snap)
        self.assertEqual([a["author"] for a in again["addenda"]], [ME])

    # --- the editor ---------------------------------------------------------

    def editor(self, name, body):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\nset -e\n" + body)
        os.chmod(path, 0o700)
        return path

    def edit(self, script, week="2026-W48"):
        return self.run_cairn("review", "edit", MRN, "--week", week,
                              env=self.env(EDITOR=script, VISUAL=None))

    def test_edit_in_the_editor_with_problems_shown_and_conflicts_kept(self):
        res = self.run_cairn("review", "edit", MRN, "--week", "2026-W48")
        self.assert_error(res, 1, r"is due: start it first")
        self.ok("review", "start", MRN, "--week", "2026-W48")
        # Invalid first (YAML 1.1 "yes", an unknown risk), fixed on the second try.
        counter = os.path.join(self.tmp, "count")
        seen = os.path.join(self.tmp, "seen.yaml")
        twice = self.editor("twice.sh", r"""
n=$(cat "%(c)s" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "%(c)s"
if [ $n = 1 ]; then
  sed -i 's/^risk: null/risk: severe/; 0,/done: null/s//done: yes/' "$1"
  sed -i 's/^narrative: ""/narrative: |\n  Two lines\n  of narrative./' "$1"
else
  cp "$1" "%(s)s"
  sed -i 's/^risk: severe/risk: moderate/; s/done: yes/done: true/' "$1"
fi
""" % {"c": counter, "s": seen})
        res = self.edit(twice)
        self.assertEqual(res.rc, 0, res.err)
        self.assertEqual(res.out, "saved the review of 2026-W48, version 3\n")
        err = res.err.splitlines()
        self.assertTrue(any("/risk:" in line and "severe" in line for line in err), res.err)
        self.assertTrue(any("/checklist/0/done" in line for line in err), res.err)
        second = read(seen)
        self.assertTrue(second.startswith("#! cairn could not save this"), second)
        self.assertIn("# What cairn computed for 2026-W48", second)
        doc = self.show("2026-W48")
        self.assertEqual(doc["inputs"]["risk"], "moderate")
        self.assertEqual(doc["inputs"]["narrative"], "Two lines\nof narrative.")
        self.assertEqual(doc["inputs"]["checklist"][0]["done"], True)
        self.assertIsNone(doc["inputs"]["checklist"][1]["done"])

        # Someone saves while the editor is open: refused, the text kept.
        racing = self.editor("race.sh", """
CAIRN_DB="%s" "%s" review set %s --week 2026-W48 --barriers "Their change" > /dev/null
sed -i 's/^went_well: ""/went_well: "My change"/' "$1"
""" % (self.db, self.bin, MRN))
        res = self.edit(racing)
        self.assertEqual(res.rc, 4, res.err)
        path = res.err.split("kept in ", 1)[1].strip()
        self.assertIn("My change", read(path))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        doc = self.show("2026-W48")
        self.assertEqual((doc["inputs"]["barriers"], doc["inputs"]["went_well"]),
                         ("Their change", ""))

    # --- errors --------------------------------------------------------------

    def test_bad_input_is_refused_with_the_field_and_nothing_changes(self):
        res = self.run_cairn("review", "show", MRN, "--week", "2026-W40")
        self.assert_error(res, 1, r"has no review for 2026-W40; start one with")
        res = self.run_cairn("review", "start", MRN, "--week", "2026-W60")
        self.assert_error(res, 3, r"week")
        res = self.run_cairn("review", "start", MRN, "--week", "2026-W50")
        self.assert_error(res, 3, r"2026-W50 has not begun")
        self.ok("review", "start", MRN)
        before = self.query("SELECT inputs_json, version FROM review WHERE week = '2026-W48'")
        for args, code, pattern in (
                (("--risk", "severe"), 3, r"risk"),
                (("--checklist", "y,maybe"), 3, r"answer 2 must be y, n or -"),
                (("--checklist", "y,y,y,y,y,y,y"), 3, r"has 6 items"),
                (("--narrative", "bell \x07"), 3, r"narrative .*control characters"),
                (("--if-version", "1", "--risk", "low"), 4, r"changed since you opened it"),
                ((), 2, r"nothing to set")):
            res = self.run_cairn("review", "set", MRN, *args)
            self.assert_error(res, code, pattern)
        self.assertEqual(self.query(
            "SELECT inputs_json, version FROM review WHERE week = '2026-W48'"), before)
        res = self.run_cairn("review", "sign", MRN)
        self.assert_error(res, 3, r"risk")
        res = self.run_cairn("review", "addendum", MRN, "--text", "too early")
        self.assert_error(res, 1, r"not signed: change the draft")
        res = self.run_cairn("review", "due", "--clinician", "nobody")
        self.assert_error(res, 1, r"no staff member has the login 'nobody'")

    def test_escape_sequences_in_a_stored_review_never_reach_the_terminal(self):
        self.ok("review", "start", MRN)
        # Text no cairn command accepts, written by another tool.
        con = sqlite3.connect(self.db)
        row = con.execute("SELECT inputs_json FROM review WHERE week = '2026-W48'").fetchone()
        doc = json.loads(row[0])
        doc["narrative"] = "line one\n\x1b]0;pwned\x07\x1b[2J line two"
        doc["checklist"][0]["item"] += "\x1b[31m"
        con.execute("UPDATE review SET inputs_json = ? WHERE week = '2026-W48'",
                    (json.dumps(doc),))
        con.commit()
        con.close()
        out = self.ok("review", "show", MRN).out
        self.assertNotIn("\x1b", out)
        self.assertNotIn("\x07", out)
        self.assertIn("line two", out)
        # JSON keeps the exact value, escaped as JSON does.
        raw = self.ok("review", "show", MRN, "--format", "json").out
        self.assertNotIn("\x1b", raw)
        self.assertEqual(json.loads(raw)["inputs"]["narrative"], doc["narrative"])

    def test_a_user_who_is_not_staff_cannot_start_or_sign(self):
        self.ok("review", "start", MRN)
        con = sqlite3.connect(self.db)
        con.execute("UPDATE staff SET active = 0 WHERE login = ?", (ME,))
        con.commit()
        con.close()
        res = self.run_cairn("review", "start", MRN, "--week", "2026-W47")
        self.assert_error(res, 1, r"is not active staff, so may not start a review")
        res = self.run_cairn("review", "sign", MRN)
        self.assert_error(res, 1, r"may not sign a review")

    def test_due_lists_overdue_first_and_filters_by_clinician(self):
        rows = json.loads(self.ok("review", "due", "--format", "json").out)
        self.assertEqual([(r["week"], r["overdue"]) for r in rows],
                         [("2026-W45", True), ("2026-W46", True), ("2026-W47", False),
                          ("2026-W48", False)])
        self.assertEqual(rows[0]["case_manager"], ME)
        self.assertEqual(json.loads(self.ok("review", "due", "--clinician", "cmorales",
                                            "--format", "json").out), [])
        self.assertEqual(len(json.loads(self.ok("review", "due", "--clinician", "tkeller",
                                                "--format", "json").out)), 4)
        text = self.ok("review", "due").out.splitlines()
        self.assertRegex(text[0], r"^WEEK\s+STATE\s+MRN\s+NAME")
        self.assertRegex(text[1], r"^2026-W45\s+overdue\s+RV-001\s+Robin Review")
        listing = self.ok("review", "list", MRN).out
        self.assertRegex(listing, r"2026-W52\s+due")
        # patient list --review-due: until every week up to this one is signed.
        def due_mrns():
            return [r["mrn"] for r in json.loads(self.ok(
                "patient", "list", "--review-due", "--format", "json").out)]
        self.assertEqual(due_mrns(), [MRN])
        for week in ("2026-W45", "2026-W46", "2026-W47"):
            self.complete(week)
        self.assertEqual(due_mrns(), [MRN])  # this week's is still to do
        self.complete("2026-W48")
        self.assertEqual(due_mrns(), [])


    def test_awaiting_lists_signed_reviews_oldest_first_until_cosigned(self):
        self.assertEqual(json.loads(self.ok("review", "awaiting", "--format", "json").out), [])
        self.ok("review", "start", MRN, "--week", "2026-W47")  # a draft does not await
        self.complete("2026-W46", risk="high")
        self.complete("2026-W45", risk="low")
        rows = json.loads(self.ok("review", "awaiting", "--format", "json").out)
        self.assertEqual([(r["week"], r["mrn"], r["risk"], r["signed_by"]) for r in rows],
                         [("2026-W45", MRN, "low", ME), ("2026-W46", MRN, "high", ME)])
        self.assertEqual((rows[0]["therapist"], rows[0]["case_manager"]), ("tkeller", ME))
        text = self.ok("review", "awaiting").out.splitlines()
        self.assertRegex(text[0], r"^WEEK\s+MRN\s+NAME\s+RISK\s+SIGNED BY\s+SIGNED AT")
        self.assertRegex(text[1], r"^2026-W45\s+RV-001\s+Robin Review\s+low\s+")
        self.assertEqual(len(json.loads(self.ok("review", "awaiting", "--clinician", "tkeller",
                                                "--format", "json").out)), 2)
        self.assertEqual(json.loads(self.ok("review", "awaiting", "--clinician", "cmorales",
                                            "--format", "json").out), [])
        res = self.run_cairn("review", "awaiting", "--clinician", "nobody")
        self.assert_error(res, 1, r"--clinician: no staff member has the login 'nobody'")
        # A co-signed review leaves the list (co-signed here by hand: the
        # acting user signed both, so may not co-sign them).
        con = sqlite3.connect(self.db)
        con.execute("UPDATE review SET status = 'cosigned', cosigned_by = 'cmorales', "
                    "cosigned_at = '2026-11-23T10:00:00Z' WHERE week = '2026-W45'")
        con.commit()
        con.close()
        rows = json.loads(self.ok("review", "awaiting", "--format", "json").out)
        self.assertEqual([r["week"] for r in rows], ["2026-W46"])

if __name__ == "__main__":
    main()
