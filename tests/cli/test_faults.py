#!/usr/bin/env python3
"""Full disks and failing devices: every write-path command, with the Nth
write or sync to the database failing (ENOSPC, then EIO), for every N until
the command gets through. Each failure must be a clear one-line error with
a non-zero exit, and leave the database unchanged and intact.

The fault comes from tests/fault/fault_inject.c, preloaded into the real
binary (CAIRN_FAULT_LIB, set by ctest).
"""

import os
import pwd
import sqlite3
import sys

from cli_support import TODAY, CairnTestCase, main

MAX_N = 400  # a command needing more writes than this is itself a finding


def dump(path):
    con = sqlite3.connect(path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def integrity(path):
    con = sqlite3.connect(path)
    try:
        return (con.execute("PRAGMA integrity_check").fetchone()[0],
                con.execute("PRAGMA foreign_key_check").fetchall())
    finally:
        con.close()


class Faults(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.lib = os.environ.get("CAIRN_FAULT_LIB")
        if not self.lib:
            self.skipTest("CAIRN_FAULT_LIB names no fault-injection library (ctest sets it)")
        self.assertTrue(os.path.exists(self.lib), self.lib)
        self.init_caseload()
        self.ok("staff", "add", "--login", pwd.getpwuid(os.getuid()).pw_name, "--name",
                "Fault Reviewer", "--role", "case_manager")
        self.ok("patient", "add", "--mrn", "F1", "--name", "Fay Fault", "--dob", "1990-01-02",
                "--therapist", "tkeller")
        self.ok("patient", "add", "--mrn", "F2", "--name", "Finn Fault", "--dob", "1991-01-02")
        self.ok("patient", "add", "--mrn", "F4", "--name", "Fern Fault", "--dob", "1993-01-02")
        self.ok("patient", "admit", "F4", "--program", "virtual-mh-iop", "--date", "2026-11-02")
        template = os.path.join(self.tmp, "t.yaml")
        with open(os.path.join(os.path.dirname(__file__), "..", "data", "templates", "good",
                               "minimal.yaml"), encoding="utf-8") as f:
            text = f.read()
        with open(template, "w", encoding="utf-8") as f:
            f.write(text.replace("minimal-iop", "fault-iop"))
        self.template = template
        self.attendance = os.path.join(self.tmp, "attendance.csv")
        with open(self.attendance, "w", encoding="utf-8") as f:
            f.write("date,mrn,type,minutes,status\n2026-11-19,F4,individual,60,attended\n")

    def faulty(self, n, errno_name):
        return self.env(LD_PRELOAD=self.lib, CAIRN_FAULT_AFTER=str(n),
                        CAIRN_FAULT_ERRNO=errno_name)

    def survive(self, *args, errno_name="ENOSPC", words=r"disk is full|disk I/O error|cannot write"):
        """Runs `args` with the Nth database write failing, N = 0, 1, ...;
        returns how many failing runs there were before one succeeded."""
        for n in range(MAX_N):
            before = dump(self.db)
            res = self.run_cairn(*args, env=self.faulty(n, errno_name))
            if res.rc == 0:
                # Success: at most advice (ladder shape warnings) on stderr.
                self.assertEqual([ln for ln in res.err.splitlines()
                                  if not ln.startswith("cairn: warning: ")], [])
                return n
            self.assert_error(res, res.rc, words, stdout_empty=False)
            self.assertNotIn(res.rc, (0, 2, 3, 4), "a fault is an operation failure")
            self.assertEqual(integrity(self.db), ("ok", []), "after %d writes" % n)
            self.assertEqual(dump(self.db), before, "unchanged after %d writes" % n)
        self.fail("%s still failing after %d writes" % (" ".join(args), MAX_N))

    def test_every_write_command_fails_cleanly_on_a_full_disk(self):
        commands = [
            ("staff", "add", "--login", "nnew", "--name", "Nia New", "--role", "therapist"),
            ("patient", "add", "--mrn", "F3", "--name", "Flo Fault", "--dob", "1992-01-02"),
            ("patient", "edit", "F1", "--phone", "555-0101", "--risk", "high"),
            ("template", "import", self.template),
            ("patient", "admit", "F1", "--program", "fault-iop", "--date", TODAY),
            ("patient", "show", "F1"),
            ("patient", "hold", "F1"),
            ("ladder", "add-step", "F4", "1", "--text", "Walk to the corner shop", "--suds", "20"),
            ("ladder", "attempt", "F4", "1", "1", "--before", "30", "--peak", "50", "--after",
             "20", "--date", "2026-11-20"),
            ("ladder", "show", "F4", "1"),
            ("session", "log", "--group", "DBT skills", "--minutes", "180", "--date",
             "2026-11-20", "--present", "F4"),
            ("session", "import", self.attendance),
            ("session", "mark", "1", "F4", "--status", "late", "--minutes-attended", "90"),
            ("measure", "add", "F4", "phq9", "1,2,0,1,3,0,1,0,0", "--date", "2026-11-20"),
            ("measure", "correct", "1", "phq9", "1,2,0,1,3,0,1,1,0"),
            ("plan", "set", "F4", "coping", "--add", "Call my sponsor"),
            ("plan", "set", "F4", "social_goals", "--add", "Call a friend"),
            ("plan", "goal", "F4", "g1", "--week", "2026-W47", "--done", "1"),
            ("plan", "show", "F4"),
            ("safety", "set", "F4", "reasons_for_living", "--add", "My garden"),
            ("lapse", "add", "F4", "--kind", "lapse", "--date", "2026-11-20"),
            ("review", "start", "F4", "--week", "2026-W47"),
            ("review", "set", "F4", "--week", "2026-W47", "--risk", "moderate", "--narrative",
             "A steady week", "--checklist", "y,y,y,y,y,y"),
            ("review", "sign", "F4", "--week", "2026-W47"),
            ("review", "addendum", "F4", "--week", "2026-W47", "--text", "Corrected a date"),
            ("review", "show", "F4", "--week", "2026-W47"),
        ]
        for args in commands:
            with self.subTest(command=" ".join(args[:2])):
                failures = self.survive(*args)
                self.assertGreater(failures, 0, "the command wrote nothing at all?")
                print("%s: survived %d injected faults" % (" ".join(args[:2]), failures),
                      file=sys.stderr)

    def test_io_errors_fail_cleanly_too(self):
        failures = self.survive("patient", "admit", "F2", "--date", TODAY, errno_name="EIO")
        self.assertGreater(failures, 0)

    def test_an_interrupted_init_can_be_run_again(self):
        path = os.path.join(self.tmp, "fresh", "caseload.db")
        for n in range(MAX_N):
            res = self.run_cairn("init", db=path, env=self.faulty(n, "ENOSPC"))
            if res.rc == 0:
                break
            self.assertNotEqual(res.rc, 0)
            self.assertEqual(len(res.err.splitlines()), 1, res.err)
            # Whatever the failure left, a plain init finishes the job.
            again = self.run_cairn("init", db=path)
            self.assertEqual(again.rc, 0, "after %d writes: %s" % (n, again.err))
            self.assertEqual(integrity(path), ("ok", []))
            self.assertEqual(len(self.ok("template", "list", "--format", "csv", db=path)
                                 .out.splitlines()), 4)
            os.remove(path)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        else:
            self.fail("init never succeeded")


if __name__ == "__main__":
    main()
