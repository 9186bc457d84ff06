#!/usr/bin/env python3
"""End to end: plans, safety plans, goal tallies and the lapse log.

`plan edit` runs a scripted $EDITOR (small sh scripts in the test's
directory that edit the file they are given): a valid edit, an invalid edit
corrected on the second try, an edit that changes nothing, a failing
editor, and a save refused because someone saved meanwhile.
"""

import json
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

MRN = "P1001"
NAME = "Wren Halloway"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class PlanTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.init_caseload()
        self.ok("patient", "add", "--mrn", MRN, "--name", NAME, "--dob", "1991-02-03")
        self.ok("patient", "admit", MRN, "--program", "virtual-mh-iop", "--date", "2026-11-16")
        self.state = os.path.join(self.tmp, "state")

    def env(self, **extra):
        extra.setdefault("XDG_STATE_HOME", os.path.join(self.tmp, "state"))
        return super().env(**extra)

    def editor(self, name, body):
        """Writes an executable sh script and returns its path."""
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\nset -e\n" + body)
        os.chmod(path, 0o700)
        return path

    def edit(self, script, *args, kind="plan"):
        return self.run_cairn(kind, "edit", MRN, *args, env=self.env(EDITOR=script, VISUAL=None))

    def show_json(self, kind="plan", *args):
        return json.loads(self.ok(kind, "show", MRN, "--format", "json", *args).out)

    def revisions(self):
        return self.query("SELECT count(*) FROM plan_revision")[0][0]

    def kept_files(self):
        d = os.path.join(self.state, "cairn")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def test_set_adds_removes_and_only_changes_make_revisions(self):
        self.assertEqual(self.ok("plan", "set", MRN, "coping", "--add", "Call my sponsor").out,
                         "saved revision 1\n")
        self.ok("plan", "set", MRN, "coping", "--add", "Walk the dog")
        self.ok("plan", "set", MRN, "triggers", "--add", "Payday evenings")
        self.ok("plan", "set", MRN, "social_goals", "--add", "Attend one social event")
        self.assertEqual(self.revisions(), 4)
        out = self.ok("plan", "set", MRN, "--status", "draft").out
        self.assertEqual(out, "no change (revision 4)\n")
        self.assertEqual(self.revisions(), 4)
        self.ok("plan", "set", MRN, "coping", "--remove", "2", "--reason", "not helping")
        doc = self.show_json()
        self.assertEqual([i["key"] for i in doc["sections"]["coping"]], ["c1"])
        hist = json.loads(self.ok("plan", "history", MRN, "--format", "json").out)
        self.assertEqual([h["revision"] for h in hist], [1, 2, 3, 4, 5])
        self.assertEqual(hist[-1]["reason"], "not helping")
        diff = self.ok("plan", "diff", MRN).out
        self.assertEqual(diff, "revision 4 -> 5\ncoping:\n  - [c2] Walk the dog\n")
        self.assertIn("+ [c2] Walk the dog", self.ok("plan", "diff", MRN, "1", "2").out)
        # Signing and the next review date.
        self.ok("plan", "set", MRN, "--status", "active", "--next-review", "2026-12-07")
        doc = self.show_json()
        self.assertEqual((doc["status"], doc["next_review_date"]), ("active", "2026-12-07"))
        self.assertEqual(doc["signed_by"], self.query("SELECT login FROM audit LIMIT 1")[0][0])
        # Errors name options and MRNs, never plan text.
        res = self.run_cairn("plan", "set", MRN, "hobbies", "--add", "Chess")
        self.assert_error(res, 3, "hobbies")
        res = self.run_cairn("plan", "set", MRN, "coping", "--remove", "9")
        self.assert_error(res, 3)
        res = self.run_cairn("plan", "set", "NOPE", "coping", "--add", "x")
        self.assert_error(res, 1, "NOPE")

    def test_show_json_round_trips_through_set_from_file(self):
        self.ok("plan", "set", MRN, "coping", "--add", "Call my sponsor")
        self.ok("plan", "set", MRN, "triggers", "--add", "Payday evenings")
        self.ok("plan", "set", MRN, "supports", "--add", "Ana Ruiz")
        self.ok("plan", "set", MRN, "social_goals", "--add", "Video call with a friend")
        before = self.revisions()
        path = os.path.join(self.tmp, "plan.json")
        with open(path, "w") as f:
            f.write(self.ok("plan", "show", MRN, "--format", "json").out)
        self.assertEqual(self.ok("plan", "set", MRN, "--from-file", path).out,
                         "no change (revision %d)\n" % before)
        self.assertEqual(self.revisions(), before)
        # A changed export is a new revision, links included.
        doc = json.loads(read(path))
        doc["sections"]["triggers"][0]["copes"] = ["c1"]
        doc["sections"]["supports"][0].update(relation="sister", phone="555-0199", role="family")
        with open(path, "w") as f:
            json.dump(doc, f)
        self.ok("plan", "set", MRN, "--from-file", path)
        shown = self.ok("plan", "show", MRN).out
        self.assertIn("[t1] Payday evenings [copes c1]", shown)
        self.assertIn("[s1] Ana Ruiz (sister; 555-0199; family)", shown)
        # A stale base is refused.
        res = self.run_cairn("plan", "set", MRN, "--from-file", path, "--if-revision", "1")
        self.assert_error(res, 4, "changed since you opened it")

    def test_edit_valid_invalid_then_corrected_and_unchanged(self):
        self.ok("plan", "set", MRN, "coping", "--add", "Call my sponsor")
        self.ok("plan", "set", MRN, "triggers", "--add", "Payday evenings")

        # No change: the editor saves the file as it was.
        res = self.edit(self.editor("noop.sh", "true\n"))
        self.assertEqual((res.rc, res.out, res.err), (0, "no change\n", ""))
        self.assertEqual(self.revisions(), 2)

        # A valid edit: a link, a new coping strategy without a key, a goal.
        valid = self.editor("valid.sh", r"""
sed -i 's/    copes: \[\]/    copes: [c1]/' "$1"
sed -i 's/^  coping:$/  coping:\n  - "Breathing exercise"/' "$1"
sed -i 's/^  social_goals: \[\]$/  social_goals:\n  - {text: "Attend one social event", weekly_target: 2}/' "$1"
""")
        res = self.edit(valid, "--reason", "after session 3")
        self.assertEqual((res.rc, res.err), (0, ""), res.err)
        self.assertEqual(res.out, "saved revision 3\n")
        doc = self.show_json()
        self.assertEqual(doc["sections"]["triggers"][0]["copes"], ["c1"])
        self.assertEqual([i["key"] for i in doc["sections"]["coping"]], ["c2", "c1"])
        self.assertEqual(doc["sections"]["social_goals"][0]["weekly_target"], 2)

        # Invalid first (an unknown status and a link to nothing), corrected on
        # the second try; the second run sees the problems at the top.
        counter = os.path.join(self.tmp, "count")
        seen = os.path.join(self.tmp, "seen.yaml")
        twice = self.editor("twice.sh", r"""
n=$(cat "%(c)s" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "%(c)s"
if [ $n = 1 ]; then
  sed -i 's/^status: draft/status: finished/; s/copes: \[c1\]/copes: [c9]/' "$1"
else
  cp "$1" "%(s)s"
  sed -i 's/^status: finished/status: active/; s/copes: \[c9\]/copes: [c1, c2]/' "$1"
fi
""" % {"c": counter, "s": seen})
        res = self.edit(twice)
        self.assertEqual(res.rc, 0, res.err)
        self.assertEqual(res.out, "saved revision 4\n")
        err = res.err.splitlines()
        self.assertEqual(len(err), 2, res.err)
        self.assertRegex(err[0], r"^/.*\.yaml:\d+:9: /status: unknown status 'finished'")
        self.assertRegex(err[1], r":\d+:\d+: /sections/triggers/0/copes/0: 'c9' is not the key")
        with open(seen) as f:
            second = f.read()
        self.assertTrue(second.startswith("#! cairn could not save this"), second)
        # The positions in the re-opened file point at the offending lines.
        lines = second.splitlines()
        line = int(second.split("#! line ", 1)[1].split(",", 1)[0])
        self.assertTrue(lines[line - 1].startswith("status: finished"), lines[line - 1])
        self.assertEqual(read(counter).strip(), "2")
        doc = self.show_json()
        self.assertEqual(doc["status"], "active")
        self.assertEqual(doc["sections"]["triggers"][0]["copes"], ["c1", "c2"])
        self.assertIn("status: draft -> active", self.ok("plan", "diff", MRN).out)
        self.assertEqual(self.kept_files(), [])

        # Emptying the file cancels.
        res = self.edit(self.editor("empty.sh", ': > "$1"\n'))
        self.assertEqual((res.rc, res.out), (0, "no change\n"))
        self.assertEqual(self.revisions(), 4)

    def test_edit_file_is_private_and_a_failing_editor_keeps_it(self):
        probe = os.path.join(self.tmp, "mode")
        res = self.edit(self.editor("fail.sh", 'stat -c %%a "$1" > "%s"\nexit 3\n' % probe))
        self.assertEqual(res.rc, 1)
        self.assertIn("the editor failed", res.err)
        self.assertEqual(read(probe).strip(), "600")
        kept = self.kept_files()
        self.assertEqual(len(kept), 1)
        self.assertNotIn(MRN, kept[0])
        d = os.path.join(self.state, "cairn")
        self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700)
        self.assertIn(os.path.join(d, kept[0]), res.err)
        self.assertEqual(self.revisions(), 0)

    def test_a_stale_edit_is_refused_and_kept(self):
        self.ok("plan", "set", MRN, "coping", "--add", "Call my sponsor")
        # While the editor is open, someone else saves the plan.
        racing = self.editor("race.sh", """
CAIRN_DB="%s" "%s" plan set %s coping --add "Their change" > /dev/null
sed -i 's/Call my sponsor/My change/' "$1"
""" % (self.db, self.bin, MRN))
        res = self.edit(racing)
        self.assertEqual(res.rc, 4, res.err)
        self.assertRegex(res.err, r"changed since you opened it.*kept in (/\S+\.yaml)")
        path = res.err.split("kept in ", 1)[1].strip()
        self.assertIn("My change", read(path))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        doc = self.show_json()
        self.assertEqual([i["text"] for i in doc["sections"]["coping"]],
                         ["Call my sponsor", "Their change"])
        self.assertEqual(
            self.query("SELECT count(*) FROM audit WHERE outcome = 'conflict'")[0][0], 1)

    def test_safety_plan_has_the_crisis_line_and_is_versioned(self):
        out = self.ok("safety", "show", MRN).out
        order = ["warning_signs", "internal_coping", "social_distraction", "help_contacts",
                 "professionals", "safe_environment", "reasons_for_living"]
        positions = [out.index("(%s)" % name) for name in order]
        self.assertEqual(positions, sorted(positions))
        self.assertIn("988 Suicide & Crisis Lifeline", out)
        self.ok("safety", "set", MRN, "reasons_for_living", "--add", "My niece")
        edit = self.editor("safety.sh", r"""
sed -i 's/^  warning_signs: \[\]$/  warning_signs:\n  - "Not sleeping"/' "$1"
""")
        res = self.edit(edit, kind="safety")
        self.assertEqual((res.rc, res.out), (0, "saved revision 2\n"), res.err)
        doc = self.show_json("safety")
        self.assertEqual(doc["sections"]["warning_signs"][0]["key"], "w1")
        self.assertEqual(doc["sections"]["professionals"][0]["phone"], "988")
        self.assertEqual(len(json.loads(self.ok("safety", "history", MRN, "--format",
                                                "json").out)), 2)

    def test_goal_tallies(self):
        self.ok("plan", "set", MRN, "social_goals", "--add", "Attend one social event")
        self.ok("plan", "goal", MRN, "g1", "--week", "2026-W47", "--done", "1")
        self.ok("plan", "goal", MRN, "g1", "--week", "2026-W47", "--done", "2")
        self.ok("plan", "goal", MRN, "g1", "--week", "2026-W48", "--done", "0")
        doc = self.show_json()
        self.assertEqual(doc["tallies"], [{"goal": "g1", "week": "2026-W47", "done": 2},
                                          {"goal": "g1", "week": "2026-W48", "done": 0}])
        self.assertIn("2026-W47: met 2 of 1", self.ok("plan", "show", MRN).out)
        self.assert_error(self.run_cairn("plan", "goal", MRN, "g1", "--week", "2026-47",
                                         "--done", "1"), 3, "--week")
        self.assert_error(self.run_cairn("plan", "goal", MRN, "g7", "--week", "2026-W47",
                                         "--done", "1"), 3, "g7")

    def test_lapse_log(self):
        self.assert_error(self.run_cairn("lapse", "add", MRN, "--kind", "lapse", "--date",
                                         "2026-11-24"), 3, "--date: .*future")
        self.assert_error(self.run_cairn("lapse", "add", MRN, "--kind", "slip"), 3, "--kind")
        self.ok("lapse", "add", MRN, "--kind", "lapse", "--date", "2026-11-20", "--trigger",
                "Payday", "--coping", "Called sponsor", "--note", "Felt ashamed, then ok")
        self.ok("lapse", "add", MRN, "--kind", "relapse")
        rows = json.loads(self.ok("lapse", "list", MRN, "--format", "json").out)
        self.assertEqual([(r["date"], r["kind"]) for r in rows],
                         [("2026-11-20", "lapse"), ("2026-11-23", "relapse")])
        self.assertEqual(rows[0]["coping"], "Called sponsor")
        audit = self.query("SELECT action, fields FROM audit WHERE entity = 'lapse'")
        self.assertIn(("create", "date,kind,trigger,coping,note"), audit)
        self.assertIn(("read", ""), audit)

    def test_every_write_and_read_is_audited_without_content(self):
        self.ok("plan", "set", MRN, "coping", "--add", "Secret strategy")
        self.ok("plan", "show", MRN)
        rows = self.query("SELECT action, entity, fields FROM audit WHERE entity IN "
                          "('plan', 'safety_plan', 'goal_tally', 'lapse')")
        self.assertIn(("update", "plan", "coping"), rows)
        self.assertIn(("read", "plan", ""), rows)
        dump = "\n".join(str(r) for r in self.query("SELECT * FROM audit"))
        self.assertNotIn("Secret", dump)


if __name__ == "__main__":
    main()
