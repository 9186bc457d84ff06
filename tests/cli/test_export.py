#!/usr/bin/env python3
"""End to end: `cairn export patient` on a fixed-seed demo caseload.

The FHIR R4 Bundle of several patients (in care with sessions, measures
including a PHQ-9 item-9 flag, ladders and a safety plan; discharged; on
hold; referred) passes a structural check written here: resource types,
the elements R4 requires (1..1), code systems, value sets of the status
codes used, valid dates, unique urn:uuid fullUrls and references that all
resolve inside the bundle. The JSON record holds what it should. Files are
0600 and never overwrite anything; reads and the export are audited;
stderr never names a patient.
"""

import datetime
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import CairnTestCase, main  # noqa: E402

DEMO = ["demo", "--patients", "40", "--seed", "5", "--today", "2026-11-23"]
ACTIVE, DISCHARGED, ON_HOLD, REFERRED = "DEMO-000007", "DEMO-000004", "DEMO-000039", "DEMO-000014"
ON_HOLD_SIGNED = "DEMO-000005"  # on hold, with an active plan and a saved safety plan

LOINC = "http://loinc.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# R4 value sets (required bindings) of the codes cairn writes.
CAREPLAN_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error",
                   "unknown"}
ACTIVITY_STATUS = {"not-started", "scheduled", "in-progress", "on-hold", "completed",
                   "cancelled", "stopped", "unknown", "entered-in-error"}
GOAL_LIFECYCLE = {"proposed", "planned", "accepted", "active", "on-hold", "completed",
                  "cancelled", "entered-in-error", "rejected"}
GOAL_ACHIEVED = {"in-progress", "improving", "worsening", "no-change", "achieved", "sustaining",
                 "not-achieved", "no-progress", "not-attainable"}
OBS_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
              "entered-in-error", "unknown"}
ENCOUNTER_STATUS = {"planned", "arrived", "triaged", "in-progress", "onleave", "finished",
                    "cancelled", "entered-in-error", "unknown"}
QR_STATUS = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}

UUID_URL = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                      r"[0-9a-f]{12}$")
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
FHIR_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
FHIR_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FHIR_INSTANT = FHIR_DATETIME


def check_date(value, allow_time=True):
    """A FHIR date, or (allow_time) a dateTime whose time carries a zone;
    the calendar date must be real."""
    if FHIR_DATE.match(value):
        if len(value) == 10:
            datetime.date.fromisoformat(value)
        return
    if not allow_time or not FHIR_DATETIME.match(value):
        raise AssertionError("not a FHIR date%s: %r" % ("Time" if allow_time else "", value))
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def references(node):
    """Every Reference.reference string anywhere under node."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "reference" and isinstance(v, str):
                yield v
            else:
                yield from references(v)
    elif isinstance(node, list):
        for v in node:
            yield from references(v)


def codings(concept, system):
    return [c["code"] for c in concept.get("coding", []) if c.get("system") == system]


def check_bundle(test, bundle):
    """The structural check. Returns the resources by type."""
    test.assertEqual(bundle["resourceType"], "Bundle")
    test.assertEqual(bundle["type"], "collection")   # Bundle.type 1..1
    test.assertRegex(bundle["id"], FHIR_ID)
    entries = bundle["entry"]
    urls = [e["fullUrl"] for e in entries]
    test.assertEqual(len(urls), len(set(urls)), "fullUrls are unique")
    by_type = {}
    for e in entries:
        test.assertRegex(e["fullUrl"], UUID_URL)
        r = e["resource"]
        test.assertIn(r["resourceType"], {"Patient", "CarePlan", "Goal", "QuestionnaireResponse",
                                          "Observation", "Encounter"})
        test.assertEqual("urn:uuid:" + r["id"], e["fullUrl"])
        by_type.setdefault(r["resourceType"], []).append(r)
        kind = r["resourceType"]
        if kind == "Patient":
            for ident in r["identifier"]:
                test.assertTrue(ident["system"].startswith("urn:"))
                test.assertTrue(ident["value"])
            if "birthDate" in r:
                check_date(r["birthDate"], allow_time=False)
            for n in r["name"]:
                test.assertIn(n["use"], {"official", "usual"})
        elif kind == "CarePlan":
            test.assertIn(r["status"], CAREPLAN_STATUS)          # 1..1
            test.assertIn(r["intent"], {"proposal", "plan", "order", "option"})  # 1..1
            test.assertIn("subject", r)                          # 1..1
            for a in r.get("activity", []):
                test.assertIn(a["detail"]["status"], ACTIVITY_STATUS)
            for p in ("start", "end"):
                if p in r.get("period", {}):
                    check_date(r["period"][p])
        elif kind == "Goal":
            test.assertIn(r["lifecycleStatus"], GOAL_LIFECYCLE)  # 1..1
            test.assertTrue(r["description"]["text"])           # 1..1
            test.assertIn("subject", r)                          # 1..1
            if "achievementStatus" in r:
                codes = codings(r["achievementStatus"], GOAL_ACHIEVEMENT)
                test.assertEqual(len(codes), 1)
                test.assertIn(codes[0], GOAL_ACHIEVED)
            if "statusDate" in r:
                check_date(r["statusDate"], allow_time=False)
            for t in r.get("target", []):
                test.assertIn("measure", t)                      # gol-1
        elif kind == "QuestionnaireResponse":
            test.assertIn(r["status"], QR_STATUS)                # 1..1
            check_date(r["authored"])
            for item in r["item"]:
                test.assertTrue(item["linkId"])                  # 1..1
                for ans in item.get("answer", []):
                    test.assertIsInstance(ans["valueInteger"], int)
        elif kind == "Observation":
            test.assertIn(r["status"], OBS_STATUS)               # 1..1
            test.assertIn(codings(r["code"], LOINC), (["44261-6"], ["70274-6"]))  # 1..1
            test.assertEqual(codings(r["category"][0], OBS_CATEGORY), ["survey"])
            check_date(r["effectiveDateTime"])
            FHIR_INSTANT.match(r["issued"]) or test.fail("issued %r" % r["issued"])
            test.assertIsInstance(r["valueInteger"], int)
            for c in r["component"]:
                test.assertTrue(c["code"]["text"])               # component.code 1..1
                test.assertIsInstance(c["valueInteger"], int)
        elif kind == "Encounter":
            test.assertIn(r["status"], ENCOUNTER_STATUS)         # 1..1
            cls = r["class"]                                     # 1..1, a Coding in R4
            test.assertEqual(cls["system"], ACT_CODE)
            test.assertIn(cls["code"], {"VR", "AMB"})
            check_date(r["period"]["start"])
            check_date(r["period"]["end"])
            test.assertLessEqual(r["period"]["start"][:10], r["period"]["end"][:10])
    test.assertEqual(len(by_type["Patient"]), 1)
    known = set(urls)
    refs = list(references(entries))
    test.assertTrue(refs)
    for ref in refs:
        test.assertIn(ref, known, "every reference resolves inside the bundle")
    patient_url = "urn:uuid:" + by_type["Patient"][0]["id"]
    for kind, resources in by_type.items():
        if kind != "Patient":
            for r in resources:
                test.assertEqual(r["subject"]["reference"], patient_url)
    return by_type


class ExportTest(CairnTestCase):

    def setUp(self):
        super().setUp()
        self.ok("init")
        self.ok(*DEMO)
        # An item-9 answer, so an urgent flag travels with the export.
        res = self.run_cairn("measure", "add", ACTIVE, "phq9", "1,1,1,1,1,1,1,1,1")
        self.assertEqual(res.rc, 0)
        self.assertIn("rule phq9_item9", res.err)
        self.ok("plan", "goal", ACTIVE, "g1", "--week", "2026-W47", "--done", "3")

    def export(self, mrn, fmt, *args):
        return self.ok("export", "patient", mrn, "--format", fmt, *args)

    def export_file(self, mrn, fmt):
        path = os.path.join(self.tmp, "%s.%s.json" % (mrn, fmt))
        res = self.export(mrn, fmt, "--output", path)
        self.assertRegex(res.out, r"^exported %s as %s to .* \(\d+ bytes, mode 0600\)\n$"
                         % (mrn, fmt))
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path, encoding="utf-8") as f:
            return path, json.load(f)

    def audit(self, mrn):
        return json.loads(self.ok("audit", "--patient", mrn, "--format", "json").out)

    # --- FHIR ---------------------------------------------------------------

    def test_fhir_bundles_pass_the_structural_check(self):
        seen_classes = set()
        for mrn in (ACTIVE, DISCHARGED, ON_HOLD, REFERRED):
            _, bundle = self.export_file(mrn, "fhir")
            by_type = check_bundle(self, bundle)
            ident = by_type["Patient"][0]["identifier"][0]
            self.assertEqual(ident["value"], mrn)
            for enc in by_type.get("Encounter", []):
                seen_classes.add(enc["class"]["code"])
        self.assertEqual(seen_classes, {"VR", "AMB"}, "telehealth and in-person sessions")

    def test_the_patient_in_care_has_every_kind_of_resource(self):
        _, bundle = self.export_file(ACTIVE, "fhir")
        by_type = check_bundle(self, bundle)
        self.assertEqual(set(by_type), {"Patient", "CarePlan", "Goal", "QuestionnaireResponse",
                                        "Observation", "Encounter"})
        plans = {p["title"]: p for p in by_type["CarePlan"]}
        self.assertEqual(set(plans), {"Relapse-prevention plan", "Safety plan"})
        self.assertEqual(plans["Relapse-prevention plan"]["status"], "active")
        self.assertEqual(plans["Safety plan"]["status"], "active")
        self.assertTrue(plans["Safety plan"]["activity"])
        # Every Goal is one of the plan's.
        goal_urls = {"urn:uuid:" + g["id"] for g in by_type["Goal"]}
        self.assertEqual({g["reference"] for g in plans["Relapse-prevention plan"]["goal"]},
                         goal_urls)
        social = [g for g in by_type["Goal"]
                  if g["category"][0]["text"] == "social reintegration"]
        met = [g for g in social if g["description"]["text"] == "Have a meal with a friend"]
        self.assertEqual(codings(met[0]["achievementStatus"], GOAL_ACHIEVEMENT), ["achieved"])
        steps = [g for g in by_type["Goal"] if g["category"][0]["text"] == "exposure hierarchy"]
        self.assertIn("completed", {g["lifecycleStatus"] for g in steps}, "a mastered step")
        # Observations come from their QuestionnaireResponses; the item-9 flag is a note.
        qrs = {"urn:uuid:" + q["id"] for q in by_type["QuestionnaireResponse"]}
        for obs in by_type["Observation"]:
            self.assertIn(obs["derivedFrom"][0]["reference"], qrs)
        flagged = [o for o in by_type["Observation"]
                   if any("phq9_item9" in n["text"] for n in o.get("note", []))]
        self.assertEqual(len(flagged), 1)
        self.assertEqual(flagged[0]["effectiveDateTime"], "2026-11-23")
        self.assertEqual(flagged[0]["valueInteger"], 9)
        self.assertEqual(len(flagged[0]["component"]), 9)
        self.assertIn("GAD-7 total score", {o["code"]["text"] for o in by_type["Observation"]})

    def test_statuses_follow_the_patient(self):
        _, bundle = self.export_file(DISCHARGED, "fhir")
        plans = {p["title"]: p for p in check_bundle(self, bundle)["CarePlan"]}
        self.assertEqual(plans["Relapse-prevention plan"]["status"], "completed")
        self.assertIn("end", plans["Relapse-prevention plan"]["period"])
        _, bundle = self.export_file(ON_HOLD_SIGNED, "fhir")
        plans = {p["title"]: p for p in check_bundle(self, bundle)["CarePlan"]}
        self.assertEqual(plans["Relapse-prevention plan"]["status"], "on-hold")
        self.assertEqual(plans["Safety plan"]["status"], "on-hold")
        # A plan never made active stays a draft, on hold or not.
        _, bundle = self.export_file(ON_HOLD, "fhir")
        plans = {p["title"]: p for p in check_bundle(self, bundle)["CarePlan"]}
        self.assertEqual(plans["Relapse-prevention plan"]["status"], "draft")
        _, bundle = self.export_file(REFERRED, "fhir")
        by_type = check_bundle(self, bundle)
        self.assertEqual([p["title"] for p in by_type["CarePlan"]], ["Safety plan"])
        self.assertEqual(by_type["CarePlan"][0]["status"], "draft")

    def test_stdout_and_file_hold_the_same_reproducible_document(self):
        path, _ = self.export_file(ACTIVE, "fhir")
        with open(path, encoding="utf-8") as f:
            from_file = f.read()
        self.assertEqual(self.export(ACTIVE, "fhir").out, from_file)
        self.assertEqual(self.export(ACTIVE, "fhir").out, from_file)

    # --- cairn's JSON ---------------------------------------------------------

    def test_json_export_holds_the_whole_record(self):
        _, d = self.export_file(ACTIVE, "json")
        self.assertEqual((d["format"], d["format_version"]), ("cairn-patient-record", 1))
        self.assertEqual(d["patient"]["mrn"], ACTIVE)
        self.assertRegex(d["patient"]["dob"], r"^\d{4}-\d{2}-\d{2}$")
        self.assertEqual(d["program"]["code"], d["patient"]["program"])
        self.assertEqual(d["plan"]["head"]["status"], "active")
        self.assertEqual([r["revision"] for r in d["plan"]["revisions"]],
                         list(range(1, len(d["plan"]["revisions"]) + 1)))
        self.assertIn({"goal": "g1", "week": "2026-W47", "done": 3}, d["plan"]["goal_tallies"])
        self.assertEqual(d["safety_plan"]["head"]["kind"], "safety")
        self.assertTrue(any(l["attempts"] for l in d["ladders"]))
        self.assertTrue(all(s["status"] in ("attended", "absent", "excused", "late")
                            for s in d["sessions"]))
        self.assertTrue(d["sessions"])
        last = d["measures"][-1]
        self.assertEqual((last["instrument"], last["answers"], last["total"]),
                         ("phq9", [1] * 9, 9))
        self.assertEqual([f["rule"] for f in last["flags"]], ["phq9_item9"])
        signed = [r for r in d["reviews"] if r["status"] in ("signed", "cosigned")]
        self.assertTrue(signed)
        self.assertTrue(all(r["snapshot_frozen"] and r["snapshot"]["week"] == r["week"]
                            for r in signed))
        self.assertIsInstance(d["lapses"], list)
        # The measure list agrees with the record.
        listed = json.loads(self.ok("measure", "list", ACTIVE, "--format", "json").out)
        self.assertEqual([m["id"] for m in listed], [m["id"] for m in d["measures"]])

    # --- files, audit, errors ---------------------------------------------------

    def test_an_existing_file_is_never_overwritten_nor_a_symlink_followed(self):
        path = os.path.join(self.tmp, "taken.json")
        with open(path, "w") as f:
            f.write("keep")
        before = len(self.audit(ACTIVE))
        res = self.run_cairn("export", "patient", ACTIVE, "--format", "fhir", "--output", path)
        self.assert_error(res, 1, r"already exists; an export never overwrites a file")
        with open(path) as f:
            self.assertEqual(f.read(), "keep")
        self.assertEqual(len(self.audit(ACTIVE)), before + 0, "refused before any read")
        link, target = os.path.join(self.tmp, "link.json"), os.path.join(self.tmp, "t.json")
        os.symlink(target, link)
        res = self.run_cairn("export", "patient", ACTIVE, "--format", "json", "--output", link)
        self.assert_error(res, 1, r"already exists")
        self.assertFalse(os.path.exists(target))

    def test_reads_and_the_export_are_audited_with_ids_only(self):
        before = len(self.audit(ACTIVE))
        self.export_file(ACTIVE, "fhir")
        rows = self.audit(ACTIVE)[before:]
        actions = [(r["action"], r["entity"]) for r in rows]
        self.assertIn(("read", "patient"), actions)
        self.assertIn(("read", "measure"), actions)
        self.assertEqual(actions[-1], ("export", "patient"))
        self.assertEqual(rows[-1]["fields"], ["fhir"])
        self.export(ACTIVE, "json")
        self.assertEqual(self.audit(ACTIVE)[-1]["fields"], ["json"])
        legal = self.query("SELECT legal_name FROM patient WHERE mrn = ?", ACTIVE)[0][0]
        self.assertNotIn(legal, json.dumps(self.audit(ACTIVE)))

    def test_errors_say_what_and_leave_no_file(self):
        path = os.path.join(self.tmp, "nobody.json")
        res = self.run_cairn("export", "patient", "NOPE-1", "--format", "fhir", "--output", path)
        self.assert_error(res, 1, r"NOPE-1")
        self.assertFalse(os.path.exists(path), "the file made for a failed export is removed")
        self.assert_error(self.run_cairn("export", "patient", ACTIVE), 2, r"--format is required")
        self.assert_error(self.run_cairn("export", "patient", ACTIVE, "--format", "xml"), 2,
                          r"json or fhir")


if __name__ == "__main__":
    main()
