#!/usr/bin/env python3
"""End to end: a caseload's life through the real cairn binary.

init, staff, patients with UTF-8 names, lists in every format, edits with
optimistic concurrency, the status lifecycle, and the audit trail.
"""

import csv
import io
import json
import os
import shlex
import sqlite3
import stat
import sys
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import (TODAY, CairnTestCase, cells_by_display_column,  # noqa: E402
                         header_columns, main)

MRN = "A1234567"
NAME = "Zoë Ångström"
PATIENT = {
    "mrn": MRN,
    "name": NAME,
    "preferred-name": "Zo",
    "dob": "1990-04-05",
    "pronouns": "she/her",
    "phone": "555-0100",
    "emergency-contact": "Ragnar Ångström 555-0111",
    "therapist": "tkeller",
    "case-manager": "cmorales",
    "risk": "moderate",
    "tags": "new,telehealth-only",
}
# Text that identifies the patient and must never reach the audit trail.
IDENTIFYING = [NAME, "Zoë", "Ångström", MRN, "555-0100", "1990-04-05", "Ragnar"]

LIST_HEADER = ["MRN", "NAME", "PREFERRED", "STATUS", "PROGRAM", "ADMITTED", "THERAPIST",
               "CASE MANAGER", "RISK", "VERSION"]


def add_args(fields):
    args = ["patient", "add"]
    for k, v in fields.items():
        args += ["--" + k, v]
    return args


class WorkflowTest(CairnTestCase):

    def add_patients(self):
        """Zoë (every field) plus two more: a wide-character name and a
        name spelled with a combining diaeresis."""
        self.init_caseload()
        self.ok(*add_args(PATIENT))
        self.ok("patient", "add", "--mrn", "B7654321", "--name", "Bao Nguyen", "--dob",
                "1985-12-31")
        self.ok("patient", "add", "--mrn", "C2468", "--name", "山田 花子", "--dob",
                "2001-07-07", "--preferred-name", "花子", "--therapist", "tkeller")
        self.ok("patient", "add", "--mrn", "D1357", "--name", "Noe\u0308l Combining", "--dob",
                "1979-03-03")

    def show(self, mrn=MRN):
        return json.loads(self.ok("patient", "show", mrn, "--format", "json").out)

    def list_json(self, *args):
        return json.loads(self.ok("patient", "list", "--format", "json", *args).out)

    # --- init and the database path ----------------------------------------

    def test_init_makes_a_private_file_in_private_directories_whatever_the_umask(self):
        db = os.path.join(self.tmp, "data", "cairn", "caseload.db")
        res = self.ok("init", db=db, umask=0)
        self.assertIn("created %s" % db, res.out)
        for d in (os.path.join(self.tmp, "data"), os.path.dirname(db)):
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700, d)
        self.assertEqual(stat.S_IMODE(os.stat(db).st_mode), 0o600)
        self.ok("staff", "add", "--login", "tkeller", "--name", "Tess Keller", "--role",
                "therapist", db=db, umask=0)
        for f in os.listdir(os.path.dirname(db)):  # -wal and -shm too, if left
            path = os.path.join(os.path.dirname(db), f)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
        again = self.ok("init", db=db)
        self.assertIn("is ready", again.out)
        self.assertEqual(len(self.snapshot(db)["staff"]), 1, "init keeps what is there")

    def test_database_path_comes_from_db_then_CAIRN_DB_then_XDG_DATA_HOME_then_HOME(self):
        xdg_db = os.path.join(self.tmp, "xdg", "cairn", "caseload.db")
        self.assertIn("created %s" % xdg_db, self.ok("init", db=False).out)
        env_db = os.path.join(self.tmp, "env.db")
        self.assertIn("created %s" % env_db,
                      self.ok("init", db=False, env=self.env(CAIRN_DB=env_db)).out)
        home_db = os.path.join(self.tmp, ".local", "share", "cairn", "caseload.db")
        self.assertIn("created %s" % home_db,
                      self.ok("init", db=False, env=self.env(XDG_DATA_HOME=None)).out)
        # --db wins over CAIRN_DB, before or after the command words.
        self.ok("staff", "add", "--login", "tkeller", "--name", "Tess Keller", "--role",
                "therapist", "--db", env_db, db=False,
                env=self.env(CAIRN_DB=xdg_db))
        self.assertEqual(len(self.snapshot(env_db)["staff"]), 1)
        self.assertEqual(len(self.snapshot(xdg_db)["staff"]), 0)
        self.ok("staff", "add", "--login", "cmorales", "--name", "Cruz Morales", "--role",
                "case_manager", db=xdg_db, env=self.env(CAIRN_DB=env_db))
        self.assertEqual(len(self.snapshot(xdg_db)["staff"]), 1)

    # --- staff ---------------------------------------------------------------

    def test_staff_add_and_list(self):
        self.init_caseload()
        res = self.run_cairn("staff", "add", "--login", "pmentor", "--name", "Pat Mentor",
                             "--role", "peer_mentor")
        self.assertEqual((res.rc, res.out), (0, "added peer_mentor pmentor\n"))
        staff = json.loads(self.ok("staff", "list", "--format", "json").out)
        self.assertEqual(
            sorted((s["login"], s["name"], s["role"], s["active"]) for s in staff),
            [("cmorales", "Cruz Morales", "case_manager", True),
             ("pmentor", "Pat Mentor", "peer_mentor", True),
             ("sadeyemi", "Sade Adeyemi", "supervisor", True),
             ("tkeller", "Tess Keller", "therapist", True)])

    # --- patients and lists -------------------------------------------------------

    def test_patient_add_prints_a_short_confirmation_or_the_record_as_json(self):
        self.init_caseload()
        res = self.ok(*add_args(PATIENT))
        self.assertEqual(res.out, "added patient %s (referred, version 1)\n" % MRN)
        rec = json.loads(self.ok("patient", "add", "--mrn", "J1", "--name", "Jo Json", "--dob",
                                 "2000-01-01", "--format", "json").out)
        self.assertEqual((rec["mrn"], rec["legal_name"], rec["status"], rec["version"]),
                         ("J1", "Jo Json", "referred", 1))

    def test_list_as_json_has_the_caseload_columns_and_utf8(self):
        self.add_patients()
        rows = {p["mrn"]: p for p in self.list_json()}
        self.assertEqual(set(rows), {MRN, "B7654321", "C2468", "D1357"})
        zoe = rows[MRN]
        expected = {
            "mrn": MRN, "legal_name": NAME, "preferred_name": "Zo", "status": "referred",
            "program": None, "admission_date": None, "expected_discharge_date": None,
            "therapist": "tkeller", "case_manager": "cmorales", "peer_mentor": None,
            "risk_level": "moderate", "version": 1,
        }
        self.assertEqual({k: zoe[k] for k in expected}, expected)
        # A list is not an audited record read, so it carries no date of birth
        # or contact details: those come only from `patient show`.
        self.assertEqual(set(zoe) - set(expected), {"id"})
        for private in ("1990-04-05", "555-0100", "Ragnar"):
            self.assertNotIn(private, self.ok("patient", "list", "--format", "json").out)
        self.assertIsInstance(zoe["id"], int)
        self.assertEqual(rows["C2468"]["legal_name"], "山田 花子")
        # Sorted by name by default, by MRN on request.
        self.assertEqual([p["mrn"] for p in self.list_json("--sort", "mrn")],
                         [MRN, "B7654321", "C2468", "D1357"])
        # Names sort case- and accent-insensitively ("Zoë Ångström" files under
        # Z, a combining diaeresis sorts like the base letter), then by id.
        self.assertEqual([p["mrn"] for p in self.list_json()],
                         ["B7654321", "D1357", MRN, "C2468"])

    def test_search_ignores_case_and_accents_in_either_direction(self):
        self.add_patients()
        for term in ("angstrom", "ÅNGSTRÖM", "zoe", "Zoë"):
            self.assertEqual([p["mrn"] for p in self.list_json("--search", term)], [MRN], term)
        self.assertEqual([p["mrn"] for p in self.list_json("--search", "noel")], ["D1357"])
        self.assertEqual([p["mrn"] for p in self.list_json("--search", "B765")], ["B7654321"])
        self.assertEqual(self.list_json("--search", "nobody"), [])

    def test_list_filters_by_risk(self):
        self.add_patients()  # only the first has a risk level (moderate)
        self.ok("patient", "edit", "C2468", "--risk", "high")
        mrns = lambda *a: [p["mrn"] for p in self.list_json("--sort", "mrn", *a)]
        self.assertEqual(mrns("--risk", "high"), ["C2468"])
        self.assertEqual(mrns("--risk", "moderate,high"), [MRN, "C2468"])
        self.assertEqual(mrns("--risk", "none"), ["B7654321", "D1357"])
        self.assertEqual(mrns("--risk", "low"), [])
        by_risk = [p["mrn"] for p in self.list_json("--sort", "risk")]
        self.assertEqual(by_risk, ["C2468", MRN, "B7654321", "D1357"])  # then by name
        res = self.run_cairn("patient", "list", "--risk", "severe")
        self.assert_error(res, 2, r"--risk takes low, moderate, high or none")

    def test_list_as_csv_and_tsv(self):
        self.add_patients()
        out = self.ok("patient", "list", "--format", "csv", "--sort", "mrn").out
        self.assertIn("\r\n", out, "CSV lines end in CRLF (RFC 4180)")
        rows = list(csv.reader(io.StringIO(out, newline="")))
        self.assertEqual(rows[0], LIST_HEADER)
        self.assertEqual(rows[1], [MRN, NAME, "Zo", "referred", "", "", "tkeller", "cmorales",
                                   "moderate", "1"])
        self.assertEqual([r[1] for r in rows[1:]],
                         [NAME, "Bao Nguyen", "山田 花子", "Noe\u0308l Combining"])

        out = self.ok("patient", "list", "--format", "tsv", "--sort", "mrn").out
        lines = out.split("\n")
        self.assertEqual(lines[-1], "", "TSV ends with a newline")
        table = [line.split("\t") for line in lines[:-1]]
        self.assertEqual(table, [r for r in rows])

    def test_list_as_text_aligns_columns_by_display_width(self):
        self.add_patients()
        records = {p["mrn"]: p for p in self.list_json()}
        outputs = [self.ok("patient", "list").out,
                   self.ok("patient", "list", env=self.env(LANG="C")).out,
                   self.ok("patient", "list", env=self.env(LC_ALL="POSIX")).out]
        self.assertEqual(outputs[1], outputs[0], "same output whatever the locale")
        self.assertEqual(outputs[2], outputs[0], "same output whatever the locale")
        lines = outputs[0].rstrip("\n").split("\n")
        cols = header_columns(lines[0])
        self.assertEqual([t for t, _ in cols], LIST_HEADER)
        starts = [s for _, s in cols]
        self.assertEqual(len(lines), 1 + len(records))
        seen = set()
        for line in lines[1:]:
            raw = cells_by_display_column(line, starts)
            cells = [c.rstrip(" ") for c in raw]
            p = records[cells[0]]
            seen.add(cells[0])
            self.assertEqual(cells, [
                p["mrn"], p["legal_name"], p["preferred_name"] or "", p["status"],
                p["program"] or "", p["admission_date"] or "", p["therapist"] or "",
                p["case_manager"] or "", p["risk_level"] or "", str(p["version"])], line)
            for c in raw[:-1]:
                if c.strip():
                    self.assertFalse(c.startswith(" "), "cell starts at its column: %r" % line)
                self.assertTrue(c.endswith("  "), "two spaces between columns: %r" % line)
        self.assertEqual(seen, set(records))
        # The plain reading of the same rule, for the row named in the design:
        zoe = next(line for line in lines if line.startswith(MRN))
        self.assertEqual(zoe.index("Zo ", zoe.index(NAME) + len(NAME)), lines[0].index("PREFERRED"))

    def test_list_filters(self):
        self.add_patients()
        self.assertEqual([p["mrn"] for p in self.list_json("--search", "Ångström")], [MRN])
        self.assertEqual([p["mrn"] for p in self.list_json("--search", "C24")], ["C2468"])
        self.assertEqual(sorted(p["mrn"] for p in self.list_json("--clinician", "tkeller")),
                         [MRN, "C2468"])
        self.assertEqual(len(self.list_json("--limit", "2")), 2)
        self.assertEqual(self.list_json("--status", "active"), [])
        empty = self.ok("patient", "list", "--status", "alumni").out
        self.assertEqual(empty.count("\n"), 1, "an empty list is its header alone")
        self.assertEqual([t for t, _ in header_columns(empty.rstrip("\n"))], LIST_HEADER)

    def test_show_prints_the_record_as_text_or_json(self):
        self.add_patients()
        rec = self.show()
        self.assertEqual((rec["mrn"], rec["legal_name"], rec["dob"], rec["risk_level"]),
                         (MRN, NAME, "1990-04-05", "moderate"))
        text = self.ok("patient", "show", MRN).out
        self.assertIn("Legal name          %s\n" % NAME, text)
        self.assertIn("Status              referred\n", text)
        self.assertIn("Version             1\n", text)

    # --- edits and optimistic concurrency ---------------------------------

    def test_edit_changes_only_the_fields_given(self):
        self.add_patients()
        res = self.ok("patient", "edit", MRN, "--phone", "555-0199")
        self.assertEqual(res.out, "updated patient %s (version 2)\n" % MRN)
        rec = self.show()
        self.assertEqual((rec["phone"], rec["version"], rec["legal_name"], rec["pronouns"]),
                         ("555-0199", 2, NAME, "she/her"))
        # An empty value clears an optional field; the right --if-version passes.
        self.ok("patient", "edit", MRN, "--pronouns", "", "--if-version", "2")
        rec = self.show()
        self.assertEqual((rec["pronouns"], rec["version"]), (None, 3))

    def test_stale_edit_is_refused_with_exit_4_and_a_command_that_reapplies_it(self):
        self.add_patients()
        self.ok("patient", "edit", MRN, "--phone", "555-0199")  # someone else: version 2
        before = self.snapshot()
        mine = "Zo 'Ångie' Ångström"
        res = self.run_cairn("patient", "edit", MRN, "--phone", "+1 (555) 0142",
                             "--preferred-name", mine, "--if-version", "1")
        line = self.assert_error(res, 4, r"changed by someone else", stdout_empty=False)
        self.assertNotIn(NAME, line, "names stay out of error messages")
        after = self.snapshot()
        self.assertEqual(after["patient"], before["patient"], "nothing was saved")
        self.assertEqual(after["audit_rows"], before["audit_rows"] + 1, "the conflict is audited")

        commands = [ln.strip() for ln in res.out.splitlines() if ln.strip().startswith("cairn ")]
        self.assertEqual(len(commands), 1, res.out)
        argv = shlex.split(commands[0])
        self.assertEqual(argv[:4], ["cairn", "patient", "edit", MRN])
        self.assertIn("--if-version 2", commands[0])
        self.assertEqual(argv[argv.index("--if-version") + 1], "2")
        self.assertEqual(argv[argv.index("--preferred-name") + 1], mine)
        self.assertEqual(argv[argv.index("--phone") + 1], "+1 (555) 0142")

        again = self.ok(*argv[1:])
        self.assertEqual(again.out, "updated patient %s (version 3)\n" % MRN)
        rec = self.show()
        self.assertEqual((rec["phone"], rec["preferred_name"], rec["version"], rec["dob"]),
                         ("+1 (555) 0142", mine, 3, "1990-04-05"))

    def test_stale_status_change_prints_its_own_reapply_command(self):
        self.add_patients()
        self.ok("patient", "admit", MRN)  # version 2
        res = self.run_cairn("patient", "hold", MRN, "--if-version", "1")
        self.assert_error(res, 4, r"changed by someone else", stdout_empty=False)
        self.assertEqual(self.show()["status"], "active")
        cmd = next(ln.strip() for ln in res.out.splitlines() if ln.strip().startswith("cairn "))
        argv = shlex.split(cmd)
        self.assertEqual(argv, ["cairn", "patient", "hold", MRN, "--if-version", "2"])
        self.ok(*argv[1:])
        self.assertEqual(self.show()["status"], "on_hold")

    # --- the status lifecycle --------------------------------------------------

    def test_lifecycle_referred_active_on_hold_discharged_alumni(self):
        self.add_patients()
        self.assertEqual(self.ok("patient", "admit", MRN, "--date", "2026-11-02").out,
                         "patient %s is now active (version 2)\n" % MRN)
        rec = self.show()
        self.assertEqual((rec["status"], rec["admission_date"]), ("active", "2026-11-02"))
        self.ok("patient", "admit", "B7654321")
        self.assertEqual(self.show("B7654321")["admission_date"], TODAY, "--date defaults to today")
        self.ok("patient", "admit", "D1357", "--date", "2026-11-01")

        self.assertIn("is now on_hold", self.ok("patient", "hold", MRN).out)
        self.assertEqual(self.show()["status"], "on_hold")
        self.assertIn("is now active", self.ok("patient", "resume", MRN).out)
        res = self.ok("patient", "discharge", MRN, "--reason", "Completed program")
        self.assertEqual(res.out, "patient %s is now discharged (version 5)\n" % MRN)
        rec = self.show()
        self.assertEqual((rec["status"], rec["discharge_date"], rec["discharge_reason"]),
                         ("discharged", TODAY, "Completed program"))
        self.ok("patient", "alumni", MRN)
        self.assertEqual(self.show()["status"], "alumni")

        self.ok("patient", "discharge", "D1357", "--reason", "Stepped down",
                "--date", "2026-11-20")
        self.assertEqual(self.show("D1357")["discharge_date"], "2026-11-20")
        self.assertRegex(self.run_cairn("patient", "discharge", "B7654321", "--reason", "x",
                                        "--date", "2026-11-20").err, "before the admission date")

        # Lists show the open caseload by default; --status picks.
        self.assertEqual(sorted(p["mrn"] for p in self.list_json()), ["B7654321", "C2468"])
        self.assertEqual([p["mrn"] for p in self.list_json("--status", "alumni")], [MRN])
        self.assertEqual(sorted(p["mrn"] for p in self.list_json("--status", "alumni,discharged")),
                         [MRN, "D1357"])
        self.assertEqual(len(self.list_json("--status", "all")), 4)

    def test_illegal_transitions_fail_clearly_and_change_nothing(self):
        self.add_patients()
        self.ok("patient", "admit", "B7654321")
        self.ok("patient", "admit", "C2468")
        self.ok("patient", "discharge", "C2468", "--reason", "Moved away")
        cases = [
            (["hold", MRN], r"cannot go from referred to on_hold"),
            (["alumni", MRN], r"cannot go from referred to alumni"),
            (["discharge", MRN, "--reason", "x"], r"cannot go from referred to discharged"),
            (["resume", MRN], r"only a patient on hold can resume"),
            (["alumni", "B7654321"], r"cannot go from active to alumni"),
            (["admit", "B7654321"], r"only a referred patient can be admitted"),
            (["resume", "B7654321"], r"only a patient on hold"),
            (["hold", "C2468"], r"cannot go from discharged to on_hold"),
            (["admit", "C2468"], r"only a referred patient"),
            (["discharge", "C2468", "--reason", "again"], r"status: is already discharged$"),
        ]
        for args, pattern in cases:
            with self.subTest(args=args):
                before = self.snapshot()
                res = self.run_cairn("patient", *args)
                line = self.assert_error(res, 1, r"^cairn: patient %s: %s: .*%s"
                                         % (args[0], args[1], pattern))
                self.assertNotIn(NAME, line)
                self.assertEqual(self.snapshot(), before)

    # --- the audit trail -------------------------------------------------------

    def audit(self, *args):
        return json.loads(self.ok("audit", "--format", "json", *args).out)

    def reads(self):
        return sum(1 for r in self.audit() if r["action"] == "read")

    def test_audit_records_every_change_and_read_by_id_never_by_name(self):
        self.add_patients()
        pid = self.show()["id"]                                        # read
        self.ok("patient", "edit", MRN, "--phone", "555-0199")        # update phone
        self.run_cairn("patient", "edit", MRN, "--phone", "555-0100",  # conflict
                       "--if-version", "1")
        self.ok("patient", "admit", MRN)                               # update status
        self.ok("patient", "hold", MRN)
        self.ok("patient", "resume", MRN)
        self.ok("patient", "discharge", MRN, "--reason", "Zoë finished")
        self.ok("patient", "alumni", MRN)
        self.run_cairn("patient", "hold", MRN)                         # refused: no row

        # Listing is not a record read; show (text or json) is.
        n = self.reads()
        for fmt in ("text", "tsv", "csv", "json"):
            self.ok("patient", "list", "--status", "all", "--format", fmt)
        self.assertEqual(self.reads(), n, "patient list is not audited as a read")
        self.ok("patient", "show", MRN)
        self.assertEqual(self.reads(), n + 1)
        self.show()
        self.assertEqual(self.reads(), n + 2)

        rows = self.audit()
        self.assertEqual([r["id"] for r in rows], sorted(r["id"] for r in rows))
        staff_ids = {s["login"]: s["id"]
                     for s in json.loads(self.ok("staff", "list", "--format", "json").out)}
        creates = [(r["entity"], r["entity_id"]) for r in rows if r["action"] == "create"]
        for login in ("tkeller", "cmorales", "sadeyemi"):
            self.assertIn(("staff", staff_ids[login]), creates)
        mine = [r for r in rows if r["entity"] == "patient" and r["entity_id"] == pid]
        self.assertTrue(all(r["patient_id"] == pid for r in mine))
        got = [(r["action"], r["outcome"]) for r in mine]
        self.assertEqual(got, [("create", "ok"), ("read", "ok"), ("update", "ok"),
                               ("update", "conflict"), ("update", "ok"), ("update", "ok"),
                               ("update", "ok"), ("update", "ok"), ("update", "ok"),
                               ("read", "ok"), ("read", "ok")])
        self.assertLessEqual({"mrn", "legal_name", "dob"}, set(mine[0]["fields"]))
        self.assertEqual(mine[2]["fields"], ["phone"])
        self.assertIn("status", mine[4]["fields"])
        self.assertIn("admission_date", mine[4]["fields"])
        self.assertIn("discharge_reason", mine[7]["fields"])
        for r in rows:
            self.assertEqual(set(r), {"id", "at", "uid", "login", "action", "entity",
                                      "entity_id", "patient_id", "fields", "outcome"})
            self.assertEqual(r["uid"], os.getuid())
            self.assertRegex(r["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

        # Ids only: no value anywhere in the trail names the patient, in any
        # format, nor in the table itself.
        texts = [self.ok("audit", "--format", f).out for f in ("text", "tsv", "csv", "json")]
        con = sqlite3.connect(self.db)
        texts += [repr(row) for row in con.execute("SELECT * FROM audit")]
        con.close()
        for text in texts:
            for secret in IDENTIFYING + ["Zoë finished", "Bao", "山田", "B7654321"]:
                self.assertNotIn(secret.casefold(), text.casefold())
        for err in self.stderr_seen:
            self.assertNotIn(NAME, err)

        # Append-only, even for someone with the file and the sqlite3 module.
        con = sqlite3.connect(self.db)
        with self.assertRaises(sqlite3.DatabaseError):
            con.execute("UPDATE audit SET outcome = 'ok' WHERE outcome = 'conflict'")
        with self.assertRaises(sqlite3.DatabaseError):
            con.execute("DELETE FROM audit")
        con.close()

    def test_audit_filters_by_patient_since_and_limit(self):
        self.add_patients()
        self.ok("patient", "edit", MRN, "--phone", "555-0199")
        self.ok("patient", "admit", "B7654321")
        ids = {p["mrn"]: p["id"] for p in self.list_json()}  # not a read
        pid, other = ids[MRN], ids["B7654321"]
        everything = self.audit()

        mine = self.audit("--patient", MRN)
        self.assertEqual(mine, [r for r in everything if r["patient_id"] == pid])
        self.assertEqual([r["action"] for r in mine], ["create", "update"])
        self.assertEqual([r["action"] for r in self.audit("--patient", "B7654321")],
                         ["create", "update"])
        self.assertNotIn(other, {r["patient_id"] for r in mine})

        # Audit times are the real UTC clock, not CAIRN_TODAY.
        days = sorted({r["at"][:10] for r in everything})
        self.assertEqual(self.audit("--since", days[0]), everything)
        later = (date.fromisoformat(days[-1]) + timedelta(days=1)).isoformat()
        self.assertEqual(self.audit("--since", later), [])
        header = self.ok("audit", "--since", later).out
        self.assertEqual(header.count("\n"), 1)
        self.assertEqual(header_columns(header.rstrip("\n"))[1][0], "AT (UTC)")
        self.assertEqual([r["id"] for r in self.audit("--limit", "2")],
                         [r["id"] for r in everything[-2:]])
        self.assertEqual(self.audit("--patient", MRN, "--since", later), [])


if __name__ == "__main__":
    main()
