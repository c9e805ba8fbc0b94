#!/usr/bin/env python3
"""Counts which breakglass rules match each CloudTrail record, with moto's EventBridge pattern matcher.

Part of bench/simulate.bench.ts (a script, not a test): an independent matcher to cross-check the match counts of
`breakglass simulate` and to give a reference speed.

    python3 bench/moto-match.py --patterns .bench/patterns.json [--limit N] [--matches-out FILE] FILE.jsonl[.gz]

--patterns: JSON written by the benchmark from lib/detection/catalogue.ts under the example config:
    {"context": {...DetectionContext...}, "rules": [{"id", "accounts", "regions": [...], "pattern"}]}
Each record is wrapped into the EventBridge event as lib/detection/envelope.ts does (CloudTrail records only), then
every rule's central pattern is evaluated with moto.events.models.EventPattern (loaded through EventPattern.load, so
moto's own pattern parser validates it; matched with the public matches_event).

Two counts per rule:
  raw       the pattern alone matches (what `aws events test-event-pattern` would say)
  deployed  raw AND a forwarder for the rule exists in the event's account and region: the same two conditions as
            lib/detection/simulate.ts (rule account scope vs. security/member, region in the rule's regions).
            This is the count comparable with `breakglass simulate`.
Prints one JSON object on stdout; with --matches-out also writes "index<TAB>rule,rule" for each record with deployed
matches (0-based index among the records read), for a per-event diff.
"""
import argparse
import gzip
import json
import sys
import time

from moto.events.models import EventPattern

DETAIL_TYPES = {
    "AwsApiCall": "AWS API Call via CloudTrail",
    "AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
    "AwsConsoleSignin": "AWS Console Sign In via CloudTrail",
    "AwsConsoleAction": "AWS Console Action via CloudTrail",
    "AwsServiceEvent": "AWS Service Event via CloudTrail",
}
SOURCE_EXCEPTIONS = {"monitoring.amazonaws.com": "aws.cloudwatch"}


def envelope(v):
    """lib/detection/envelope.ts toEventBridgeEvent, for CloudTrail records and EventBridge events."""
    if not isinstance(v, dict):
        return None
    if "detail-type" in v and "detail" in v and "source" in v:
        return v
    src, name = v.get("eventSource"), v.get("eventName")
    if not isinstance(src, str) or not isinstance(name, str):
        return None
    event_type = v.get("eventType") if isinstance(v.get("eventType"), str) else "AwsApiCall"
    account = v.get("recipientAccountId")
    if not isinstance(account, str):
        ui = v.get("userIdentity")
        account = ui.get("accountId") if isinstance(ui, dict) else None
    return {
        "version": "0",
        "id": v["eventID"] if isinstance(v.get("eventID"), str) else "00000000-0000-0000-0000-000000000000",
        "detail-type": DETAIL_TYPES.get(event_type, f"{event_type} via CloudTrail"),
        "source": SOURCE_EXCEPTIONS.get(src, "aws." + src.split(".")[0]),
        "account": account,
        "time": v.get("eventTime"),
        "region": v.get("awsRegion"),
        "resources": [],
        "detail": v,
    }


def account_kind(ctx, account):
    """lib/detection/simulate.ts Simulator.accountKind."""
    if not isinstance(account, str):
        return "outside"
    if account == ctx["securityAccountId"]:
        return "security"
    if account == ctx["managementAccountId"] or account in ctx["memberAccounts"]:
        return "member"
    return "member" if ctx["targetsOrganizationalUnits"] else "outside"


def deployed_in(scope, kind):
    if kind == "outside":
        return False
    return scope == "all" or ((scope == "security") == (kind == "security"))


def records(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        head = fh.read(64)
        fh.seek(0)
        if head.lstrip().startswith('{"Records"'):
            # A CloudTrail log file: one document.
            yield from json.load(fh)["Records"]
            return
        for line in fh:
            if line.strip():
                yield json.loads(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--patterns", required=True)
    ap.add_argument("--limit", type=int, default=0, help="stop after this many records (0 = all)")
    ap.add_argument("--matches-out")
    ap.add_argument("file")
    a = ap.parse_args()

    spec = json.load(open(a.patterns, encoding="utf-8"))
    ctx = spec["context"]
    rules = [
        (r["id"], r["accounts"], frozenset(r["regions"]), EventPattern.load(json.dumps(r["pattern"])))
        for r in spec["rules"]
    ]
    raw = {r[0]: 0 for r in rules}
    deployed = {r[0]: 0 for r in rules}
    alerting = 0
    unreadable = 0
    n = 0
    match_s = 0.0
    out = open(a.matches_out, "w", encoding="utf-8") if a.matches_out else None
    started = time.perf_counter()
    for rec in records(a.file):
        if a.limit and n >= a.limit:
            break
        ev = envelope(rec)
        if ev is None:
            unreadable += 1
            n += 1
            continue
        kind = account_kind(ctx, ev.get("account"))
        region = ev.get("region")
        hit = []
        t0 = time.perf_counter()
        for rid, scope, regions, pat in rules:
            if pat.matches_event(ev):
                raw[rid] += 1
                if deployed_in(scope, kind) and isinstance(region, str) and region in regions:
                    deployed[rid] += 1
                    hit.append(rid)
        match_s += time.perf_counter() - t0
        if hit:
            alerting += 1
            if out:
                out.write(f"{n}\t{','.join(hit)}\n")
        n += 1
    elapsed = time.perf_counter() - started
    if out:
        out.close()
    json.dump({
        "events": n,
        "unreadable": unreadable,
        "alerting": alerting,
        "raw": raw,
        "deployed": deployed,
        "seconds": round(elapsed, 3),
        "matchSeconds": round(match_s, 3),
        "eventsPerSecond": round(n / elapsed) if elapsed else None,
        "matchEventsPerSecond": round(n / match_s) if match_s else None,
        "python": sys.version.split()[0],
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
