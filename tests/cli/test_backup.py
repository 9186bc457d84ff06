#!/usr/bin/env python3
"""End to end: `cairn backup` and `cairn restore`.

A backup taken while a second process commits 1,000 numbered rows (one
transaction each) opens, passes integrity_check and holds exactly rows 1..k.
Backups are 0600 and never overwrite a file or follow a symlink; restore
makes a new database only, and refuses damaged, foreign and newer files
with one clear line.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

DEMO = ["demo", "--patients", "40", "--seed", "5", "--today", "2026-11-23"]
ROWS = 1000

# The second process: appends audit rows "seq 1".."seq 1000" (the audit table
# takes inserts from anyone), each in its own write transaction, a little
# apart, so a backup lands in the middle of them.
WRITER = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
for i in range(1, %d + 1):
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO audit (at, uid, login, action, entity, fields, outcome) "
                "VALUES ('2026-11-23T00:00:00Z', 0, 'seqwriter', 'create', 'test', ?, 'ok')",
                ("seq %%d" %% i,))
    con.execute("COMMIT")
    time.sleep(0.002)
con.close()
""" % ROWS


class BackupTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.ok("init")
        self.ok(*DEMO)

    def patients(self, db):
        return json.loads(self.ok("patient", "list", "--status", "all", "--sort", "mrn",
                                  "--format", "json", db=db).out)

    def seq_count(self):
        return self.query("SELECT count(*) FROM audit WHERE login = 'seqwriter'")[0][0]

    def test_backup_while_another_process_writes_1000_rows(self):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, self.db])
        self.addCleanup(writer.wait)
        deadline = time.monotonic() + 30
        while self.seq_count() < 50:
            self.assertLess(time.monotonic(), deadline, "the writer never got going")
            time.sleep(0.005)
        copy = os.path.join(self.tmp, "during.db")
        res = self.ok("backup", copy)
        live_after = self.seq_count()
        self.assertEqual(writer.wait(timeout=60), 0)
        self.assertLess(live_after, ROWS, "the backup ran while the writer was writing")
        self.assertRegex(res.out, r"^backed up to .*: schema \d+, \d+ pages \(\d+ KiB\), "
                         r"integrity ok, mode 0600\n$")
        self.assertEqual(os.stat(copy).st_mode & 0o777, 0o600)
        con = sqlite3.connect("file:%s?mode=ro" % copy, uri=True)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            seqs = [r[0] for r in con.execute(
                "SELECT fields FROM audit WHERE login = 'seqwriter' ORDER BY id")]
        finally:
            con.close()
        k = len(seqs)
        self.assertEqual(seqs, ["seq %d" % i for i in range(1, k + 1)], "a prefix, no gaps")
        self.assertTrue(50 <= k <= live_after < ROWS, (k, live_after))
        # The copy is a working cairn database.
        self.assertEqual(self.patients(copy), self.patients(self.db))
        self.assertEqual(self.query("SELECT count(*) FROM audit WHERE action = 'backup'")[0][0], 1)

    def test_backup_refuses_an_existing_file_and_a_symlink(self):
        taken = os.path.join(self.tmp, "taken.db")
        with open(taken, "w") as f:
            f.write("keep")
        self.assert_error(self.run_cairn("backup", taken), 1, r"taken\.db already exists")
        with open(taken) as f:
            self.assertEqual(f.read(), "keep")
        link, target = os.path.join(self.tmp, "link.db"), os.path.join(self.tmp, "target.db")
        os.symlink(target, link)
        self.assert_error(self.run_cairn("backup", link), 1, r"symbolic link")
        self.assertFalse(os.path.exists(target))
        self.assertEqual(self.query("SELECT count(*) FROM audit WHERE action = 'backup'")[0][0], 0)

    def test_restore_makes_a_new_database_with_the_same_caseload(self):
        copy = os.path.join(self.tmp, "copy.db")
        self.ok("backup", copy)
        fresh = os.path.join(self.tmp, "restored", "deeper", "caseload.db")
        res = self.ok("restore", copy, fresh, db=False)
        self.assertRegex(res.out, r"^restored .*copy\.db into .*caseload\.db \(schema \d+\); "
                         r"use it with --db ")
        self.assertEqual(os.stat(fresh).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(os.path.dirname(fresh)).st_mode & 0o777, 0o700)
        self.assertEqual(self.patients(fresh), self.patients(self.db))
        rows = json.loads(self.ok("audit", "--limit", "1", "--format", "json", db=fresh).out)
        self.assertEqual((rows[0]["action"], rows[0]["entity"]), ("import", "backup"))
        # Never over an existing database, the live one included.
        self.assert_error(self.run_cairn("restore", copy, fresh, db=False), 1, r"already exists")
        self.assert_error(self.run_cairn("restore", copy, self.db, db=False), 1,
                          r"already exists")
        self.assert_error(self.run_cairn("restore", copy, fresh), 2, r"--db is not used")

    def test_restore_refuses_damaged_foreign_and_newer_files(self):
        copy = os.path.join(self.tmp, "copy.db")
        self.ok("backup", copy)
        target = os.path.join(self.tmp, "never.db")

        text = os.path.join(self.tmp, "text.db")
        with open(text, "w") as f:
            f.write("not a database, only text " * 200)
        other = os.path.join(self.tmp, "other.db")
        con = sqlite3.connect(other)
        con.execute("CREATE TABLE t (x)")
        con.commit()
        con.close()
        newer = os.path.join(self.tmp, "newer.db")
        shutil.copy(copy, newer)
        con = sqlite3.connect(newer)
        con.execute("PRAGMA user_version = 999")
        con.commit()
        con.close()
        damaged = os.path.join(self.tmp, "damaged.db")
        shutil.copy(copy, damaged)
        size = os.path.getsize(damaged)
        with open(damaged, "r+b") as f:
            for page in range(2, size // 4096, 3):
                f.seek(page * 4096 + 100)
                f.write(b"\xff" * 3000)

        for path, pattern in ((text, r"not a cairn database"),
                              (other, r"not a cairn database \(application_id 0\)"),
                              (newer, r"schema version 999, newer than this cairn knows"),
                              (damaged, r"is damaged"),
                              (os.path.join(self.tmp, "missing.db"), r"missing\.db")):
            res = self.run_cairn("restore", path, target, db=False)
            self.assert_error(res, 1, pattern)
            self.assertFalse(os.path.exists(target), "nothing left behind")


if __name__ == "__main__":
    main()
