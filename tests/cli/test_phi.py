#!/usr/bin/env python3
"""Protected health information stays where it belongs.

(Every CLI test also checks, on cleanup, that nothing it saw on stderr
names a patient of its database: cli_support.assert_no_patient_detail_on_stderr.)

On a demo caseload, a battery of commands (successes, usage errors, invalid
input, unknown records, conflicts, refusals) is run and everything cairn
writes to standard error is searched for every patient's names, date of
birth and phone number: none may appear. Files and directories cairn creates
are 0600 / 0700 whatever the umask, and a running cairn cannot dump core.
"""

import os
import pty
import sqlite3
import stat
import time

from cli_support import TODAY, CairnTestCase, main


class PhiTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.ok("init")
        self.ok("demo", "--patients", "30", "--seed", "3", "--today", TODAY)
        with sqlite3.connect(self.db) as con:
            self.patients = con.execute(
                "SELECT mrn, legal_name, preferred_name, dob, phone, emergency_contact, version "
                "FROM patient").fetchall()
        self.secrets = set()
        for _, legal, preferred, dob, phone, contact, _ in self.patients:
            self.secrets.update(s for s in (legal, preferred, dob, phone, contact) if s)
            self.secrets.update(part for part in legal.split() if len(part) > 3)

    def run_battery(self):
        for mrn, legal, _, dob, _, _, version in self.patients[:10]:
            self.run_cairn("patient", "show", mrn)
            self.run_cairn("patient", "show", mrn + "X")
            self.run_cairn("patient", "edit", mrn, "--dob", "not-a-date")
            self.run_cairn("patient", "edit", mrn, "--dob", "2999-01-01")
            self.run_cairn("patient", "edit", mrn, "--name", "")
            self.run_cairn("patient", "edit", mrn, "--phone", "555-0199", "--if-version",
                           str(version + 100))
            self.run_cairn("patient", "edit", mrn, "--therapist", "nobody")
            self.run_cairn("patient", "admit", mrn, "--program", "virtual-mh-iop")
            self.run_cairn("patient", "discharge", mrn)
            self.run_cairn("patient", "add", "--mrn", mrn, "--name", legal, "--dob", dob)
            self.run_cairn("patient", "add", "--mrn", "NEW-" + mrn, "--name", legal, "--dob",
                           "31-12-1990")
            self.run_cairn("patient", "list", "--search", legal, "--format", "xml")
            self.run_cairn("patient", "frobnicate", legal)
            self.run_cairn("audit", "--patient", mrn, "--since", legal)

    def test_no_patient_detail_reaches_standard_error(self):
        self.run_battery()
        errors = "\n".join(self.stderr_seen)
        self.assertGreater(errors.count("cairn:"), 100, "the battery produced errors")
        leaked = sorted(s for s in self.secrets if s in errors)
        self.assertEqual(leaked, [], "patient details on stderr")

    def test_created_files_are_private_whatever_the_umask(self):
        db = os.path.join(self.tmp, "private", "nested", "caseload.db")
        self.ok("init", db=db, umask=0o022)
        self.ok("demo", "--patients", "5", db=db, umask=0o000)
        self.ok("patient", "show", "DEMO-000001", db=db, umask=0o000)
        for name in os.listdir(os.path.dirname(db)):
            mode = stat.S_IMODE(os.stat(os.path.join(os.path.dirname(db), name)).st_mode)
            self.assertEqual(mode, 0o600, name)
        for d in (os.path.dirname(db), os.path.dirname(os.path.dirname(db))):
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700, d)

    def test_a_running_cairn_cannot_dump_core(self):
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(self.env(TERM="xterm", LINES="30", COLUMNS="100"))
            os.execv(self.bin, [self.bin, "--db", self.db])
        try:
            limits = ""
            for _ in range(50):
                time.sleep(0.05)
                try:
                    with open("/proc/%d/limits" % pid, encoding="ascii") as f:
                        limits = f.read()
                except OSError:
                    break
                try:
                    os.read(fd, 65536)
                except OSError:
                    pass
                if "Max core file size" in limits and os.path.exists("/proc/%d/exe" % pid):
                    line = [ln for ln in limits.splitlines()
                            if ln.startswith("Max core file size")][0]
                    if line.split()[4:6] == ["0", "0"]:
                        break
            line = [ln for ln in limits.splitlines() if ln.startswith("Max core file size")][0]
            self.assertEqual(line.split()[4:6], ["0", "0"], line)
        finally:
            os.write(fd, b"q")
            time.sleep(0.1)
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)


if __name__ == "__main__":
    main()
