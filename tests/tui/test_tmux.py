#!/usr/bin/env python3
"""tmux smoke tests: start the real cairn in a detached tmux session, type,
and poll the captured pane until the expected text shows (no fixed sleeps).
Skipped (exit 77) when tmux is not installed."""
import os
import pwd
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

CAIRN = os.environ.get("CAIRN_BIN", "build/cairn")
TMUX = shutil.which("tmux")


class Pane:
    def __init__(self, socket, db, cols=100, lines=30, env=None):
        self.socket = socket
        self.base = ["tmux", "-S", socket]
        # The shell ignores SIGINT so that Ctrl-C reaches only cairn (which
        # installs its own handler) and the pane survives to be read.
        cmd = f"trap '' INT; '{CAIRN}' --db '{db}'; echo CAIRN-EXIT=$?; sleep 60"
        extra = " ".join(f"{k}={v}" for k, v in (env or {}).items())
        subprocess.run(self.base + ["new-session", "-d", "-s", "t", "-x", str(cols), "-y",
                                    str(lines), f"env {extra} TERM=xterm-256color sh -c \"{cmd}\""],
                       check=True)

    def text(self):
        return subprocess.run(self.base + ["capture-pane", "-p", "-t", "t"], check=True,
                              capture_output=True, text=True).stdout

    def wait_for(self, needle, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.text()
            if needle in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} did not appear; screen was:\n{self.text()}")

    def until(self, check, timeout=10.0):
        """Polls the screen until check(screen) holds (a screen may be
        captured half drawn); returns that screen or fails with the last."""
        end = time.monotonic() + timeout
        screen = self.text()
        while not check(screen) and time.monotonic() < end:
            time.sleep(0.05)
            screen = self.text()
        if not check(screen):
            raise AssertionError("the screen never passed the check:\n" + screen)
        return screen

    def wait_gone(self, needle, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.text()
            if needle not in screen:
                return screen
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} stayed; screen was:\n{self.text()}")

    def keys(self, *keys):
        subprocess.run(self.base + ["send-keys", "-t", "t", *keys], check=True)

    def resize(self, cols, lines):
        subprocess.run(self.base + ["resize-window", "-t", "t", "-x", str(cols), "-y", str(lines)],
                       check=True)

    def kill(self):
        subprocess.run(self.base + ["kill-server"], capture_output=True)


class TmuxSmoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cairn-tui-")
        cls.db = os.path.join(cls.dir, "c.db")
        env = dict(os.environ, CAIRN_TODAY="2026-11-23")
        subprocess.run([CAIRN, "--db", cls.db, "init"], check=True, capture_output=True, env=env)
        subprocess.run([CAIRN, "--db", cls.db, "demo", "--patients", "120", "--seed", "3",
                        "--today", "2026-11-23"], check=True, capture_output=True, env=env)
        subprocess.run([CAIRN, "--db", cls.db, "patient", "add", "--mrn", "ZZ-1",
                        "--name", "Zoë Ångström", "--dob", "1990-02-03"],
                       check=True, capture_output=True, env=env)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.pane = Pane(os.path.join(self.dir, f"tmux-{self._testMethodName}"), self.db)
        self.addCleanup(self.pane.kill)
        self.pane.wait_for("caseload (in care)")

    def cairn(self, *args):
        """Runs a cairn command on the shared database, as a colleague would."""
        res = subprocess.run([CAIRN, "--db", self.db] + list(args), capture_output=True,
                             text=True, env=dict(os.environ, CAIRN_TODAY="2026-11-23"))
        self.assertEqual(res.returncode, 0, res.stderr)

    def admit(self, mrn, name, admitted="2026-11-09"):
        self.cairn("patient", "add", "--mrn", mrn, "--name", name, "--dob", "1980-01-02")
        self.cairn("patient", "admit", mrn, "--program", "virtual-mh-iop", "--date", admitted)

    def open_patient(self, mrn):
        """Searches for mrn on the caseload and opens the record."""
        p = self.pane
        p.keys("/", *mrn)
        p.wait_for("search: " + mrn)
        p.keys("Enter", "Enter")
        p.wait_for("Date of birth")

    def test_moves_searches_opens_and_quits_cleanly(self):
        p = self.pane
        p.keys("j", "j", "k")
        p.keys("/", "Z", "o", "ë", " ", "Å")
        p.wait_for("search: Zoë Å")

        def rows():
            return [line for line in p.text().splitlines()[2:] if line.strip()][:-1]

        end = time.monotonic() + 10
        while len(rows()) != 1 and time.monotonic() < end:
            time.sleep(0.05)
        self.assertEqual(len(rows()), 1, p.text())
        self.assertIn("Zoë Ångström", rows()[0])
        p.keys("Enter")  # keep the search
        p.keys("Enter")  # open the patient
        screen = p.wait_for("Date of birth")
        self.assertIn("ZZ-1", screen)
        self.assertIn("1990-02-03", screen)
        p.keys("Escape")
        p.wait_for("caseload (in care)")
        p.keys("q")
        screen = p.wait_for("CAIRN-EXIT=0")
        self.assertNotIn("caseload (in care)", screen.split("CAIRN-EXIT")[0][-200:])

    def test_patient_overview_shows_the_care_admission_set_up(self):
        con = sqlite3.connect(self.db)
        mrn, sections, weeks, due = con.execute(
            "SELECT p.mrn, (SELECT count(*) FROM plan_section WHERE plan_id = pl.id), "
            "(SELECT count(*) FROM review WHERE patient_id = p.id), "
            "(SELECT count(*) FROM review WHERE patient_id = p.id AND status = 'due') "
            "FROM patient p "
            "JOIN plan pl ON pl.patient_id = p.id WHERE p.status = 'active' "
            # one the demo left as admission set it up: no plan saved, no attempts
            "AND pl.revision = 0 AND NOT EXISTS (SELECT 1 FROM ladder_attempt a "
            "WHERE a.patient_id = p.id) ORDER BY p.mrn LIMIT 1").fetchone()
        con.close()
        p = self.pane
        p.keys("/", *mrn)
        p.wait_for("search: " + mrn)
        p.keys("Enter", "Enter")
        reviews = re.compile(r"Reviews: %d weekly, \d{4}-W\d\d to \d{4}-W\d\d, %d due"
                             % (weeks, due))
        screen = p.until(lambda sc: reviews.search(sc) is not None)
        self.assertIn("Plan: draft, revision 0, %d sections" % sections, screen)
        self.assertRegex(screen, r"Ladder: .+, 0 of \d+ steps mastered")
        # Tabs: Plan, Ladders, Reviews, Audit, and back round to the overview.
        p.keys("Tab")
        p.until(lambda sc: "plan: revision 0, draft" in sc and "(none)" in sc)
        p.keys("Tab")
        p.until(lambda sc: "Safety plan" in sc)
        p.keys("Tab")
        p.until(lambda sc: re.search(r"\(SUDS 0-100, active\)", sc)
                and "not_started" in sc)
        p.keys("Tab")
        p.until(lambda sc: "HOURS / MIN" in sc)
        p.keys("Tab")
        p.until(lambda sc: "No measures recorded." in sc or "PHQ-9" in sc)
        p.keys("Tab")
        p.until(lambda sc: "CO-SIGNED BY" in sc
                and len(re.findall(r"\d{4}-W\d\d  (?:due|draft|signed|cosigned) ", sc))
                == min(weeks, 25))
        p.keys("Tab")
        # The demo audits each patient it creates once (fields "demo").
        p.until(lambda sc: "AT (UTC)" in sc and re.search(r"create +patient .* demo", sc))
        # Oldest first: the demo's creation, then this read (the header
        # scrolls away with the rows).
        for _ in range(20):
            if re.search(r"read +patient", p.text()):
                break
            p.keys("NPage")
        p.until(lambda sc: re.search(r"read +patient", sc))
        p.keys("BTab", "BTab", "BTab", "BTab", "BTab", "BTab", "BTab")
        p.until(lambda sc: "Date of birth" in sc)

    def test_plan_edit_from_the_command_line_hands_the_terminal_to_the_editor(self):
        self.admit("PE-1", "Pia Eklund", "2026-11-02")
        editor = os.path.join(self.dir, "editor.sh")
        with open(editor, "w") as f:
            # Shows a marker on the terminal (so the test sees the editor has
            # it), then adds a coping strategy.
            f.write("#!/bin/sh\necho EDITOR-RUNNING; sleep 0.3\n"
                    "sed -i 's/^  coping: \\[\\]$/  coping:\\n  - \"Box breathing\"/' \"$1\"\n")
        os.chmod(editor, 0o700)
        self.pane.kill()
        self.pane = Pane(os.path.join(self.dir, "tmux-edit"), self.db,
                         env={"EDITOR": editor, "XDG_STATE_HOME": self.dir})
        self.addCleanup(self.pane.kill)  # this pane's own server
        p = self.pane
        p.wait_for("caseload (in care)")
        self.open_patient("PE-1")
        p.keys(":", *"plan edit PE-1", "Enter")
        p.until(lambda sc: "saved revision 1" in sc)
        p.keys("Tab")
        screen = p.until(lambda sc: "revision 1, draft" in sc and "1. Box breathing" in sc)
        self.assertIn("Coping strategies", screen)
        p.keys("Tab")
        p.until(lambda sc: "Safety plan (Stanley-Brown method), revision 0" in sc
                and "988" in sc)

    def test_forms_show_errors_by_the_field_keep_drafts_and_save(self):
        self.admit("FM-1", "Fiona Marsh")
        p = self.pane
        self.open_patient("FM-1")
        # An exposure attempt whose peak is below the rating after it.
        p.keys("a")
        p.wait_for("Log an exposure attempt")
        p.keys("Down", "Down", "Down", *"40", "Tab", *"20", "Tab", *"30")
        p.keys("Tab", "Tab", "Tab", *"felt ok", "Enter")
        screen = p.until(lambda sc: "! the peak (20) is below the SUDS after (30)" in sc)
        self.assertIn("felt ok", screen)  # nothing typed was lost
        # Esc leaves with the draft kept; a comes back to it; fix and save.
        p.keys("Escape")
        p.wait_for("the form keeps what you typed")
        p.keys("a")
        p.until(lambda sc: "felt ok" in sc and "! the peak (20)" in sc)
        p.keys("C-u", *"60")  # the focus is on the field at fault
        p.keys("Down", "Down", "Down", "Down", "Enter")
        p.until(lambda sc: "logged attempt on ladder 1 step 1" in sc)
        con = sqlite3.connect(self.db)
        row = con.execute("SELECT a.suds_before, a.suds_peak, a.suds_after, a.note FROM "
                          "ladder_attempt a JOIN patient p ON p.id = a.patient_id "
                          "WHERE p.mrn = 'FM-1'").fetchall()
        con.close()
        self.assertEqual(row, [(40, 60, 30, "felt ok")])
        # A measure with too few answers, then the right number.
        p.keys("m")
        p.wait_for("Enter a measure")
        p.keys("Down", *"1,1,1", "Enter", "Enter")
        p.until(lambda sc: "! PHQ-9 needs 9 answers, got 3" in sc)
        p.keys(*",0,0,0,0,0,0", "Enter", "Enter")  # the focus is on the answers
        p.until(lambda sc: "PHQ-9 3, minimal" in sc)

    def test_adding_a_coping_strategy_keeps_the_text_when_a_colleague_saved_first(self):
        self.admit("PI-1", "Paz Iglesias")
        p = self.pane
        self.open_patient("PI-1")
        p.keys("i")
        p.wait_for("Add to a plan")
        p.keys("Down", "Down", *"Box breathing")
        p.wait_for("Box breathing")
        # A colleague saves the plan while the form is open.
        self.cairn("plan", "set", "PI-1", "triggers", "--add", "Loud parties")
        p.keys("Down", "Enter")
        screen = p.until(lambda sc: "the plan changed since you opened this form" in sc)
        self.assertIn("Box breathing", screen)
        p.keys("Enter")
        p.until(lambda sc: "plan: saved revision 2" in sc)
        p.keys("Tab")
        screen = p.until(lambda sc: "revision 2" in sc and "Box breathing" in sc)
        self.assertIn("Loud parties", screen)  # the colleague's change is kept too

    def test_a_record_edit_after_a_colleagues_save_is_shown_and_kept(self):
        self.cairn("patient", "add", "--mrn", "RE-1", "--name", "Rui Esteves", "--dob",
                   "1975-06-07", "--phone", "555 0100")
        p = self.pane
        self.open_patient("RE-1")
        p.keys("E")
        p.wait_for("Edit the record")
        p.keys("Down", "Down", "C-u", *"555 0199")
        p.wait_for("555 0199")
        self.cairn("patient", "edit", "RE-1", "--pronouns", "he/him")
        p.keys("Down", "Down", "Down", "Enter")
        screen = p.until(lambda sc: "changed by someone else since you opened this form" in sc)
        self.assertIn("555 0199", screen)  # the edit is kept
        p.keys("Enter")
        p.until(lambda sc: "record saved (version 3)" in sc)
        con = sqlite3.connect(self.db)
        row = con.execute("SELECT phone, pronouns, version FROM patient "
                          "WHERE mrn = 'RE-1'").fetchone()
        con.close()
        # Both changes stand: the colleague's pronouns and this phone.
        self.assertEqual(row, ("555 0199", "he/him", 3))

    def test_tracking_tabs_show_attendance_ladder_attempts_and_measure_bands(self):
        self.admit("TR-1", "Tomasz Rybak", "2026-11-02")
        for args in (["session", "log", "TR-1", "--minutes", "180", "--date", "2026-11-17"],
                     ["ladder", "attempt", "TR-1", "1", "1", "--before", "40", "--peak", "70",
                      "--after", "30", "--date", "2026-11-18"],
                     ["measure", "add", "TR-1", "phq9", "3,3,2,2,2,2,2,1,0", "--date",
                      "2026-11-10"],
                     ["measure", "add", "TR-1", "phq9", "1,1,0,1,0,0,1,0,0", "--date",
                      "2026-11-17"]):
            self.cairn(*args)
        p = self.pane
        p.keys("/", *"TR-1")
        p.wait_for("search: TR-1")
        # The caseload row: week of stay, this week's hours so far against
        # the minimum, the latest PHQ-9 and its trend.
        row = p.until(lambda sc: "TR-1" in sc.splitlines()[2]).splitlines()[2]
        self.assertRegex(row, r"TR-1 .* w4 +active +0\.0/9 +4 \u2585\u2582 ")
        p.keys("Enter", "Enter")
        p.wait_for("Date of birth")
        p.keys("Tab", "Tab", "Tab")
        p.until(lambda sc: "in_progress      1  70" in sc and "peak  70" in sc)
        p.keys("Tab")
        p.until(lambda sc: re.search(r"2026-W47 +3\.0 / 9\.0 +1 / 3 .* BELOW", sc))
        p.keys("Tab")
        screen = p.until(lambda sc: "remission (rule phq9_remission" in sc)
        self.assertIn("(bands: phq9_severity)", screen)
        self.assertRegex(screen, r"2026-11-10  17 \u2588{34} +\u2502 +moderately severe")

    def test_idle_lock_hides_patient_data_until_the_login_is_typed(self):
        self.pane.kill()
        self.pane = Pane(os.path.join(self.dir, "tmux-lock"), self.db,
                         env={"CAIRN_LOCK_AFTER": "2s"})
        self.addCleanup(self.pane.kill)  # this pane's own server
        p = self.pane
        p.wait_for("caseload (in care)")
        p.keys("/", "Z", "o", "ë")  # a search in progress is kept through the lock
        p.wait_for("search: Zoë")
        p.wait_for("cairn is locked", timeout=15)
        p.until(lambda sc: "Zoë" not in sc and "DEMO-" not in sc and "cairn is locked" in sc)
        p.keys("n", "o", "b", "o", "d", "y", "Enter")
        p.wait_for("That is not the login of this session.")
        self.assertIn("cairn is locked", p.text())
        p.keys(*pwd.getpwuid(os.getuid()).pw_name, "Enter")
        p.until(lambda sc: "search: Zoë" in sc and "Zoë Ångström" in sc
                and "cairn is locked" not in sc)

    def test_colon_runs_cli_commands_on_the_same_database(self):
        p = self.pane
        p.keys(":", *"staff list", "Enter")
        p.until(lambda sc: "command output" in sc and "LOGIN" in sc and "demo.th01" in sc
                and ":staff list (exit 0)" in sc)
        p.keys("Escape")
        p.wait_for("caseload (in care)")
        p.keys(":", *"patient hold ZZ-1", "Enter")
        p.wait_for("cannot go from referred to on_hold")
        p.keys(":", *"patient resume 'no such'", "Enter")
        p.wait_for("no such: no patient with that MRN")
        p.keys(":", *"patient edit ZZ-1 --tags colon-test", "Enter")
        p.wait_for("updated patient ZZ-1")
        p.keys(":", *"patient list --search 'Zoë Å' --format csv", "Enter")
        p.until(lambda sc: "command output" in sc and "ZZ-1,Zoë Ångström" in sc)
        p.keys("q")
        p.wait_for("caseload (in care)")
        p.keys(":", "Escape")  # an abandoned line runs nothing
        p.keys(":", "q", "Enter")
        p.wait_for("CAIRN-EXIT=0")

    def test_filters_by_risk_clinician_program_and_orders_by_mrn(self):
        p = self.pane

        def rows(screen):
            return [ln for ln in screen.splitlines()[2:-1] if ln.strip()]

        p.keys("r")
        p.until(lambda sc: "risk: high" in sc and rows(sc)
                and all(re.search(r" high( |$)", r) for r in rows(sc)))
        p.keys("r", "r", "r", "r")  # moderate or high, low, none recorded, back to any
        end = time.monotonic() + 10
        while "risk:" in p.text().splitlines()[0] and time.monotonic() < end:
            time.sleep(0.05)
        self.assertNotIn("risk:", p.text().splitlines()[0])
        p.keys("c", *"nobody", "Enter")
        p.wait_for("nobody")  # the error names the login typed
        self.assertNotIn("clinician:", p.text().splitlines()[0])
        p.keys("c", *"demo.th01", "Enter")
        p.wait_for("clinician: demo.th01")
        p.keys("p", *"adolescent-iop", "Enter")
        p.until(lambda sc: "program: adolescent-iop" in sc and rows(sc)
                and all("adolescent-iop" in r for r in rows(sc)))

        def mrns(screen):
            return [re.search(r"DEMO-\d{6}", r).group(0) for r in rows(screen) if "DEMO-" in r]

        p.keys("o")
        p.until(lambda sc: "by mrn" in sc and len(mrns(sc)) > 1 and mrns(sc) == sorted(mrns(sc)))
        p.keys("o", "o", "o")  # program, status, risk

        def risks(screen):
            order = {"high": 0, "moderate": 1, "low": 2, "-": 3}
            found = [re.search(r" (high|moderate|low|-)(?: |$)", r[60:]) for r in rows(screen)]
            return [order[m.group(1)] for m in found if m]

        p.until(lambda sc: "by risk" in sc and len(risks(sc)) > 1 and risks(sc) == sorted(risks(sc)))
        p.keys("o", "o")  # admitted, back to name
        p.until(lambda sc: "by " not in sc.splitlines()[0])
        p.keys("p", "C-u", "Enter")  # an empty program code clears that filter
        end = time.monotonic() + 10
        while "program:" in p.text().splitlines()[0] and time.monotonic() < end:
            time.sleep(0.05)
        self.assertNotIn("program:", p.text().splitlines()[0])
        self.assertIn("clinician: demo.th01", p.text().splitlines()[0])

    def test_escape_sequences_stored_in_the_database_are_not_sent_to_the_terminal(self):
        # cairn refuses control characters on input; a database written by
        # something else may still hold them. They must reach the screen inert.
        con = sqlite3.connect(self.db)
        con.execute("INSERT INTO patient (mrn, legal_name, preferred_name, dob, name_key, "
                    "created_at, updated_at) VALUES ('ESC-1', ?, ?, '1990-01-01', "
                    "'aaaa evil', '2026-11-23T00:00:00Z', '2026-11-23T00:00:00Z')",
                    ("Evil\x1b]0;pwned\x07\x1b[2JName", "\x1b[31mRed"))
        con.commit()
        con.close()
        self.addCleanup(self._delete_escape_patient)
        p = self.pane
        p.keys("/", *"ESC-1")
        screen = p.until(lambda sc: "Evil" in sc and "ESC-1" in sc.splitlines()[2])
        line = [ln for ln in screen.splitlines() if "Evil" in ln][0]
        self.assertRegex(line, r"Evil\?+\]0;pwned\?+\[2JNa")
        self.assertIn("caseload", screen)  # the screen was not cleared by \x1b[2J
        p.keys("Enter", "Enter")
        p.until(lambda sc: "Date of birth" in sc and "Evil" in sc)

    def _delete_escape_patient(self):
        """Other tests share the database: take the hostile row out again."""
        con = sqlite3.connect(self.db)
        con.execute("DELETE FROM patient WHERE mrn = 'ESC-1'")
        con.commit()
        con.close()

    def test_help_lists_every_key_of_the_table(self):
        # The table is longer than 30 lines: the help scrolls to its end.
        p = self.pane
        p.keys("?")
        p.wait_for("keys (\u2191\u2193 scroll, any other key returns)")
        first = p.wait_for("\u2193 more")  # the last row: the whole screen is drawn
        p.keys("PgDn")
        seen = first + p.wait_for("leave cairn")
        for label in ("move up", "move down", "next page", "search names", "risk filter",
                      "weekly review to do", "open alert", "reviews due, one by one",
                      "awaiting a supervisor's co-signature", "co-sign the selected review",
                      "run a cairn command", "leave cairn"):
            self.assertIn(label, seen)
        p.keys("x")
        p.wait_for("caseload (in care)")

    def test_review_queue_signs_with_one_key_and_shows_the_next_patient(self):
        # A therapist of their own, so the queue (the clinician filter's)
        # holds only this patient's weeks: 2026-W46 (overdue), W47, W48.
        self.cairn("staff", "add", "--login", "rq.th", "--name", "Queue Therapist", "--role",
                   "therapist")
        self.cairn("patient", "add", "--mrn", "RQ-1", "--name", "Rowan Queue", "--dob",
                   "1985-03-04", "--therapist", "rq.th")
        self.cairn("patient", "admit", "RQ-1", "--program", "virtual-mh-iop", "--date",
                   "2026-11-09")
        p = self.pane
        p.keys("c", *"rq.th", "Enter")
        p.wait_for("clinician: rq.th")
        p.keys("W")
        screen = p.wait_for("Review queue \u00b7 1 of 3")
        self.assertIn("2026-W46", screen)
        self.assertIn("OVERDUE", screen)
        self.assertIn("Attendance", screen)
        p.keys("Enter", "h", "Enter")
        p.keys(*"Reviewed in session")
        p.keys("Escape")
        p.wait_for("saved (version")
        p.keys("Down", "Down", "Down", "Down", "Down", "Enter", *"yyyyyy")
        p.until(lambda sc: sc.count("[yes]") == 6)
        p.keys("S")
        p.wait_for("y signs")
        p.keys("y")
        screen = p.wait_for("signed the review of 2026-W46 for Rowan Queue")
        self.assertIn("1 of 2", screen)
        self.assertIn("2026-W47", screen)
        p.keys("Escape")
        p.wait_for("caseload (in care)")
        p.keys("q")
        p.wait_for("CAIRN-EXIT=0")

    def test_review_edit_from_the_queue_hands_long_text_to_the_editor(self):
        self.cairn("staff", "add", "--login", "re.th", "--name", "Editor Therapist", "--role",
                   "therapist")
        self.cairn("patient", "add", "--mrn", "RV-ED-1", "--name", "Remy Editor", "--dob",
                   "1979-05-06", "--therapist", "re.th")
        self.cairn("patient", "admit", "RV-ED-1", "--program", "virtual-mh-iop", "--date",
                   "2026-11-16")
        editor = os.path.join(self.dir, "review-editor.sh")
        with open(editor, "w") as f:
            f.write("#!/bin/sh\necho EDITOR-RUNNING; sleep 0.3\n"
                    "sed -i 's/^narrative: \"\"$/narrative: |\\n  Written in the editor,\\n"
                    "  over two lines./' \"$1\"\n")
        os.chmod(editor, 0o700)
        self.pane.kill()
        self.pane = Pane(os.path.join(self.dir, "tmux-review-edit"), self.db,
                         env={"EDITOR": editor, "XDG_STATE_HOME": self.dir})
        self.addCleanup(self.pane.kill)  # this pane's own server
        p = self.pane
        p.wait_for("caseload (in care)")
        p.keys("c", *"re.th", "Enter")
        p.wait_for("clinician: re.th")
        p.keys("W")
        p.wait_for("Review queue \u00b7 1 of 2")
        p.keys(":", *"review edit RV-ED-1 --week 2026-W47", "Enter")
        # Read again when the editor is done: the new lines shown as \u21b5.
        screen = p.wait_for("Written in the editor,\u21b5over two lines.")
        self.assertIn("saved the review of 2026-W47", screen)
        self.assertIn("Review queue \u00b7 1 of 2", screen)

    def test_resize_below_minimum_shows_too_small_then_recovers(self):
        p = self.pane
        p.resize(60, 20)
        p.wait_for("Terminal too small")
        p.resize(100, 30)
        p.wait_for("caseload (in care)")

    def test_no_color_draws_without_colours_and_keeps_the_words(self):
        def sgr_colours(pane):
            """The SGR colour codes (30-38, 40-48, 90-107) on screen; 39 and 49 (the
            terminal's default colours) are not colours."""
            raw = subprocess.run(pane.base + ["capture-pane", "-p", "-e", "-t", "t"],
                                 check=True, capture_output=True, text=True).stdout
            codes = []
            for params in re.findall(r"\x1b\[([0-9;]*)m", raw):
                for code in params.split(";"):
                    if code and code not in ("39", "49") and (
                            30 <= int(code) <= 48 or 90 <= int(code) <= 107):
                        codes.append(code)
            return codes

        self.pane.wait_for("caseload (in care)")
        self.assertNotEqual(sgr_colours(self.pane), [], "the colour theme uses colours")
        self.pane.kill()
        self.pane = Pane(os.path.join(self.dir, "tmux-nocolor"), self.db, env={"NO_COLOR": "1"})
        self.addCleanup(self.pane.kill)  # this pane's own server
        p = self.pane
        p.wait_for("caseload (in care)")
        p.keys("r")  # the risk filter: risk is written out, not only coloured
        screen = p.until(lambda sc: "risk: high" in sc)
        self.assertEqual(sgr_colours(p), [])
        self.assertRegex(screen, r" high ")

    def test_paging_reaches_the_last_patient_and_back(self):
        p = self.pane
        first = p.text().splitlines()[2]
        p.keys("G")
        p.wait_gone(first)
        p.keys("g")
        p.wait_for(first)

    def test_supervisor_view_shows_clinicians_and_prints_to_a_file(self):
        p = self.pane
        out = os.path.join(tempfile.mkdtemp(dir=self.dir), "w48.txt")
        p.keys("V")
        p.wait_for("TOTAL, ")
        p.wait_for("Co-sign queue: ")
        p.keys("Enter")
        p.wait_for("Patients: ")
        p.keys("Escape")
        p.wait_for("TOTAL, ")
        p.keys("p")
        p.wait_for("Print to")
        p.keys("C-u")
        p.keys("-l", out)
        p.keys("Enter")
        p.wait_for("Written to ")
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        with open(out, encoding="utf-8") as f:
            self.assertTrue(f.read().startswith("CASELOAD REPORT  week 2026-W48"))
        p.keys("Escape")
        p.wait_for("caseload (in care)")
        p.keys("q")
        p.wait_for("CAIRN-EXIT=0")

    def cairn_pid(self):
        """The pid of the cairn the pane's shell runs."""
        shell = subprocess.run(self.pane.base + ["display-message", "-p", "-t", "t",
                                                 "#{pane_pid}"], check=True, capture_output=True,
                               text=True).stdout.strip()
        with open(f"/proc/{shell}/task/{shell}/children") as f:
            for pid in f.read().split():
                if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "cairn":
                    return int(pid)
        self.fail("no cairn under the pane's shell")

    def half_typed_measure(self, mrn, name):
        """Opens a PHQ-9 form for a new patient and types part of it."""
        self.admit(mrn, name)
        p = self.pane
        self.open_patient(mrn)
        p.keys("m")
        p.wait_for("Enter a measure")
        p.keys("Down", *"3,3,3")
        p.wait_for("3,3,3")

    def assert_nothing_written(self, mrn):
        con = sqlite3.connect(self.db)
        n = con.execute("SELECT count(*) FROM measure JOIN patient ON patient.id = patient_id "
                        "WHERE patient.mrn = ?", (mrn,)).fetchone()[0]
        check = con.execute("PRAGMA integrity_check").fetchone()[0]
        con.close()
        self.assertEqual((n, check), (0, "ok"))

    def test_sighup_with_a_form_half_typed_restores_the_terminal_and_writes_nothing(self):
        self.half_typed_measure("HU-1", "Hugo Ulloa")
        os.kill(self.cairn_pid(), signal.SIGHUP)
        screen = self.pane.wait_for("CAIRN-EXIT=0")
        tail = screen.split("CAIRN-EXIT")[0][-300:]
        self.assertNotIn("Enter a measure", tail)  # off the alternate screen
        self.assert_nothing_written("HU-1")

    def test_the_terminal_going_away_stops_cairn_and_writes_nothing(self):
        self.half_typed_measure("HU-2", "Hana Ulloa")
        pid = self.cairn_pid()
        self.pane.kill()  # the terminal hangs up: SIGHUP to cairn
        end = time.monotonic() + 10
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < end:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[-1].startswith("Z"):
                    break  # exited, not yet reaped
            time.sleep(0.05)
        self.assertFalse(os.path.exists(f"/proc/{pid}/exe") and
                         os.path.exists(f"/proc/{pid}/fd/0"), "cairn still runs")
        self.assert_nothing_written("HU-2")

    def test_ctrl_c_restores_the_terminal(self):
        p = self.pane
        p.keys("C-c")
        screen = p.wait_for("CAIRN-EXIT=")
        self.assertNotIn("caseload (in care)", screen)


if __name__ == "__main__":
    if not TMUX:
        print("tmux not installed: skipping")
        sys.exit(77)
    unittest.main(verbosity=2)
