#!/usr/bin/env python3
"""Every command path once under valgrind memcheck: a definite leak or any
memory error makes cairn exit 99 and fails the test.

The full CLI suites can be run the same way (they take minutes, so CI runs
this tour instead):

    CAIRN_BIN=build/cairn CAIRN_WRAPPER="valgrind -q --error-exitcode=99 \\
        --leak-check=full --errors-for-leak-kinds=definite" \\
        python3 -m unittest -q test_workflow test_bad_input test_templates
"""

import os
import pwd
import shutil

from cli_support import TODAY, CairnTestCase, main

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
VALGRIND = ("valgrind -q --error-exitcode=99 --leak-check=full "
            "--errors-for-leak-kinds=definite --show-leak-kinds=definite")


class Valgrind(CairnTestCase):

    def setUp(self):
        super().setUp()
        if not shutil.which("valgrind"):
            self.skipTest("valgrind is not installed")
        os.environ["CAIRN_WRAPPER"] = VALGRIND
        self.addCleanup(os.environ.pop, "CAIRN_WRAPPER", None)

    def expect(self, code, *args, **kw):
        res = self.run_cairn(*args, **kw)
        self.assertEqual(res.rc, code, "cairn %s: %s" % (" ".join(args), res.err))
        return res

    def test_a_tour_of_every_command_is_clean(self):
        good = os.path.join(ROOT, "tests", "data", "templates", "good", "scale-ten.yaml")
        bad = os.path.join(ROOT, "tests", "data", "templates", "bad", "duplicate-key.yaml")
        self.expect(0, "init")
        self.expect(0, "staff", "add", "--login", "tk", "--name", "Tess Keller", "--role",
                    "therapist")
        self.expect(0, "staff", "list", "--format", "json")
        self.expect(0, "template", "check", good, db=False)
        self.expect(3, "template", "check", bad, os.path.join(ROOT, "examples", "templates",
                                                             "adolescent-iop.yaml"), db=False)
        self.expect(0, "template", "import", good)
        self.expect(0, "template", "import", good)
        self.expect(3, "template", "import", bad)
        self.expect(0, "template", "list")
        for fmt in ("text", "json", "yaml"):
            self.expect(0, "template", "show", "virtual-mh-iop", "--format", fmt)
        self.expect(0, "patient", "add", "--mrn", "V1", "--name", "Zoë Ångström", "--dob",
                    "1990-02-03", "--therapist", "tk", "--risk", "low")
        self.expect(0, "patient", "admit", "V1", "--program", "virtual-mh-iop", "--date", TODAY)
        for fmt in ("text", "tsv", "csv", "json"):
            self.expect(0, "patient", "list", "--format", fmt, "--search", "zoe")
        self.expect(0, "patient", "show", "V1", "--format", "json")
        self.expect(0, "patient", "show", "V1")
        self.expect(0, "patient", "edit", "V1", "--phone", "555-0100")
        self.expect(4, "patient", "edit", "V1", "--phone", "555-0101", "--if-version", "1")
        self.expect(0, "ladder", "list", "V1", "--format", "json")
        self.expect(0, "ladder", "add-step", "V1", "1", "--text", "Say hello on camera", "--suds",
                    "5", "--at", "1")
        self.expect(0, "ladder", "move-step", "V1", "1", "1", "--to", "3")
        self.expect(0, "ladder", "edit-step", "V1", "1", "2", "--skip", "--text", "Wave")
        self.expect(0, "ladder", "attempt", "V1", "1", "1", "--before", "40", "--peak", "60",
                    "--after", "20", "--predicted", "they laugh", "--came-true", "no")
        self.expect(3, "ladder", "attempt", "V1", "1", "1", "--before", "40", "--peak", "10",
                    "--after", "20")
        self.expect(0, "ladder", "show", "V1", "1", "--attempts")
        self.expect(0, "ladder", "show", "V1", "1", "--format", "json")
        self.expect(0, "session", "log", "V1", "--minutes", "60", "--start", "23:30")
        self.expect(0, "session", "log", "--group", "DBT skills", "--minutes", "180",
                    "--present", "V1", "--facilitator", "tk")
        self.expect(1, "session", "log", "--group", "DBT skills", "--minutes", "180",
                    "--present", "V1,NOPE")
        csv_path = os.path.join(self.tmp, "a.csv")
        with open(csv_path, "w", encoding="utf-8") as f:
            f.write('date,mrn,type,minutes,status,title\n%s,V1,skills,90,attended,"A, B"\n'
                    '%s,V1,skills,90,sick,"A, B"\n' % (TODAY, TODAY))
        self.expect(3, "session", "import", csv_path)
        self.expect(0, "session", "mark", "1", "V1", "--status", "late", "--minutes-attended",
                    "30")
        self.expect(4, "session", "mark", "1", "V1", "--status", "absent", "--if-version", "1")
        self.expect(0, "session", "list", "V1", "--format", "csv")
        self.expect(0, "session", "weeks", "V1", "--format", "json")
        self.expect(0, "measure", "add", "V1", "phq9", "1,2,0,1,3,0,1,0,1")
        self.expect(0, "measure", "add", "V1", "cssrs_screen", "y,n,-,-,-,n")
        self.expect(3, "measure", "add", "V1", "gad7", "1,2,0")
        self.expect(0, "measure", "correct", "1", "phq9", "1,2,0,1,3,0,1,0,0")
        self.expect(3, "measure", "correct", "1", "gad7", "1,2,0,1,3,0,1")
        self.expect(0, "measure", "list", "V1", "--format", "json")
        self.expect(0, "measure", "instruments", db=False)
        self.expect(0, "plan", "set", "V1", "triggers", "--add", "Payday")
        self.expect(0, "plan", "set", "V1", "coping", "--add", "Call my sponsor", "--reason", "x")
        self.expect(0, "plan", "set", "V1", "coping", "--remove", "1")
        self.expect(4, "plan", "set", "V1", "coping", "--add", "Late", "--if-revision", "1")
        self.expect(0, "plan", "set", "V1", "--status", "active", "--next-review", TODAY)
        self.expect(0, "plan", "show", "V1")
        plan_json = os.path.join(self.tmp, "plan.json")
        with open(plan_json, "w", encoding="utf-8") as f:
            f.write(self.expect(0, "plan", "show", "V1", "--format", "json").out)
        self.expect(0, "plan", "set", "V1", "--from-file", plan_json)
        self.expect(0, "plan", "history", "V1", "--format", "json")
        self.expect(0, "plan", "diff", "V1")
        self.expect(0, "plan", "diff", "V1", "1", "3")
        editor = os.path.join(self.tmp, "editor.sh")
        with open(editor, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\nsed -i 's/^status: .*/status: bogus/' \"$1\"\n")
        os.chmod(editor, 0o700)
        env = self.env(EDITOR=editor, VISUAL=None, XDG_STATE_HOME=self.tmp)
        self.expect(3, "plan", "edit", "V1", env=env)  # the editor never fixes it
        self.expect(0, "plan", "set", "V1", "social_goals", "--add", "Call a friend")
        self.expect(0, "plan", "goal", "V1", "g1", "--week", "2026-W47", "--done", "1")
        self.expect(0, "safety", "show", "V1", "--format", "json")
        self.expect(0, "safety", "set", "V1", "reasons_for_living", "--add", "My daughter")
        self.expect(0, "safety", "diff", "V1")
        self.expect(0, "lapse", "add", "V1", "--kind", "lapse", "--trigger", "Payday",
                    "--coping", "Called sponsor", "--date", TODAY)
        self.expect(3, "lapse", "add", "V1", "--kind", "slip")
        self.expect(0, "lapse", "list", "V1", "--format", "csv")
        self.expect(1, "alert", "ack", "V1:lapse_this_week", "--note", "x")  # not staff yet
        self.expect(0, "staff", "add", "--login", pwd.getpwuid(os.getuid()).pw_name, "--name",
                    "Val Grind", "--role", "case_manager")
        self.expect(0, "alert", "ack", "V1:lapse_this_week", "--note", "Talked it through")
        self.expect(1, "alert", "ack", "V1:gad7_worse", "--note", "x")
        self.expect(3, "alert", "ack", "V1:nope", "--note", "x")
        for fmt in ("text", "tsv", "csv", "json"):
            self.expect(0, "alerts", "--all", "--format", fmt)
        self.expect(0, "alerts", "--clinician", "tk", "--severity", "warning")
        self.expect(0, "review", "due", "--format", "json")
        self.expect(0, "review", "start", "V1")
        self.expect(3, "review", "sign", "V1")  # not filled in yet
        review_editor = os.path.join(self.tmp, "review.sh")
        with open(review_editor, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\nsed -i 's/^risk: null/risk: low/' \"$1\"\n")
        os.chmod(review_editor, 0o700)
        self.expect(0, "review", "edit", "V1",
                    env=self.env(EDITOR=review_editor, VISUAL=None, XDG_STATE_HOME=self.tmp))
        self.expect(0, "review", "set", "V1", "--narrative", "Steady",
                    "--checklist", "y,y,y,y,y,y")
        self.expect(0, "review", "sign", "V1")
        self.expect(1, "review", "cosign", "V1")  # not a supervisor
        self.expect(0, "review", "addendum", "V1", "--text", "Addendum")
        self.expect(0, "review", "show", "V1")
        self.expect(0, "review", "show", "V1", "--format", "json")
        self.expect(0, "review", "list", "V1", "--format", "csv")
        self.expect(0, "patient", "list", "--review-due")
        for fmt in ("text", "md", "csv", "json", "html"):
            self.expect(0, "report", "caseload", "--week", "2026-W47", "--format", fmt)
        self.expect(0, "report", "caseload", "--clinician", "tk", "--output",
                    os.path.join(self.tmp, "caseload.txt"))
        self.expect(1, "report", "caseload", "--output", os.path.join(self.tmp, "caseload.txt"))
        self.expect(0, "report", "patient", "V1")
        self.expect(0, "report", "patient", "V1", "--format", "html")
        self.expect(0, "patient", "hold", "V1")
        self.expect(0, "patient", "resume", "V1")
        self.expect(0, "patient", "discharge", "V1", "--date", TODAY, "--reason", "Completed")
        self.expect(1, "patient", "show", "NOPE")
        self.expect(3, "patient", "add", "--mrn", "V2", "--name", "X", "--dob", "1990-13-01")
        self.expect(2, "patient", "frobnicate")
        self.expect(0, "audit", "--patient", "V1", "--format", "csv")
        demo = os.path.join(self.tmp, "demo.db")
        self.expect(0, "init", db=demo)
        self.expect(0, "demo", "--patients", "5", "--today", TODAY, db=demo)
        self.expect(0, "--help", db=False)
        # Export, backup and restore.
        for fmt in ("fhir", "json"):
            self.expect(0, "export", "patient", "V1", "--format", fmt)
        self.expect(0, "export", "patient", "V1", "--format", "fhir", "--output",
                    os.path.join(self.tmp, "v1.json"))
        self.expect(1, "export", "patient", "NOPE", "--format", "json")
        backup = os.path.join(self.tmp, "backup.db")
        self.expect(0, "backup", backup, db=demo)
        self.expect(1, "backup", backup, db=demo)
        self.expect(0, "restore", backup, os.path.join(self.tmp, "restored.db"), db=False)
        self.expect(1, "restore", bad, os.path.join(self.tmp, "never.db"), db=False)
        # The TUI, headless: every tab, a form opened and left, a roster.
        script = os.path.join(self.tmp, "tour.keys")
        with open(script, "w", encoding="utf-8") as f:
            f.write("key j\ntype /a\nkey Enter Enter\nkey Tab Tab Tab Tab Tab Tab Tab\n"
                    "type a\nkey Esc\ntype m\nkey Esc\nkey Esc\ntype R\nkey Esc\n"
                    "key ?\nkey PgDn\nkey x\ndump\n")
        self.expect(0, "tui", "--script", script, "--size", "80x24", db=demo)


if __name__ == "__main__":
    main()
