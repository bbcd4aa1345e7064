"""Audit the pinned requirements for known vulnerabilities with pip-audit.

    .venv/bin/python scripts/audit_dependencies.py

Audits requirements/base.txt and requirements/dev.txt (fully pinned by pip-compile, so
nothing is installed or resolved: --no-deps --disable-pip). Exit status:

- 1 when a known vulnerability is found that requirements/audit-ignore.txt does not list
  (upgrade the pin: edit requirements/*.in if needed, recompile, reinstall), or when the
  vulnerability service answered for some packages but not for others;
- 0 when nothing is found;
- 0 with a loud "NOT AUDITED" report when the vulnerability service cannot be reached
  at all from this machine (no network, a mirror without the vulnerability API): a
  network refusal is not a finding, but it must not pass silently either.

requirements/audit-ignore.txt lists accepted advisories, one per line:
``PYSEC-2024-1  # why it does not apply to us`` — a line without a reason is refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = [ROOT / "requirements" / "base.txt", ROOT / "requirements" / "dev.txt"]
IGNORE_FILE = ROOT / "requirements" / "audit-ignore.txt"
SERVICES = ["pypi", "osv"]  # tried in turn while the previous one cannot be reached
NETWORK_WORDS = ("connect", "resolve", "timed out", "timeout", "network", "unreachable", "max retries", "ssl")


@dataclass
class Outcome:
    status: int  # process exit status
    lines: list[str] = field(default_factory=list)
    unreachable: bool = False


def read_ignored(path: Path = IGNORE_FILE) -> list[str]:
    ids = []
    if not path.exists():
        return ids
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        advisory, _, reason = line.partition("#")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {advisory.strip()} needs a reason after '#'")
        ids.append(advisory.strip())
    return ids


def judge(report: dict | None, stderr: str, service: str) -> Outcome:
    """Turn one pip-audit run (its JSON report, or its error output) into an outcome."""
    if report is None:
        text = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
        if any(word in stderr.lower() for word in NETWORK_WORDS):
            return Outcome(0, [f"{service}: cannot reach the vulnerability service ({text})"], unreachable=True)
        return Outcome(1, [f"pip-audit failed: {stderr.strip()}"])
    dependencies = report.get("dependencies", [])
    found = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if found:
        lines = ["Known vulnerabilities in pinned requirements:"]
        for dep in found:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                lines.append(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
        lines.append("Upgrade the pins (requirements/*.in, pip-compile) or, if an advisory does not apply,")
        lines.append(f"list it with the reason in {IGNORE_FILE.relative_to(ROOT)}.")
        return Outcome(1, lines)
    if dependencies and len(skipped) == len(dependencies):
        reason = skipped[0]["skip_reason"]
        return Outcome(
            0, [f"{service}: the service answered for none of {len(dependencies)} packages ({reason})"], True
        )
    if skipped:
        lines = [f"{service}: {len(skipped)} of {len(dependencies)} packages could not be audited:"]
        lines += [f"  {d['name']}: {d['skip_reason']}" for d in skipped]
        return Outcome(1, lines)
    return Outcome(0, [f"{service}: no known vulnerabilities in {len(dependencies)} pinned packages."])


def audit(service: str, ignored: list[str]) -> Outcome:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "--progress-spinner", "off"]
        command += ["--vulnerability-service", service, "--timeout", "20", "--format", "json", "--output", str(out)]
        for requirement in REQUIREMENTS:
            command += ["--requirement", str(requirement)]
        for advisory in ignored:
            command += ["--ignore-vuln", advisory]
        try:
            result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=600)  # noqa: S603
        except subprocess.TimeoutExpired:
            return judge(None, "timed out after 600 s", service)
        report = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
        return judge(report, result.stderr, service)


def main() -> int:
    ignored = read_ignored()
    reports = []
    for service in SERVICES:
        outcome = audit(service, ignored)
        if not outcome.unreachable:
            print("\n".join(outcome.lines))
            if ignored:
                print(f"(accepted advisories, see {IGNORE_FILE.name}: {', '.join(ignored)})")
            return outcome.status
        reports += outcome.lines
    print("=" * 78)
    print("pip-audit: NOT AUDITED — no vulnerability service could be reached from this machine:")
    print("\n".join(f"  {line}" for line in reports))
    print("Run `.venv/bin/python scripts/audit_dependencies.py` where PyPI's JSON API or OSV is reachable.")
    print("=" * 78)
    return 0


if __name__ == "__main__":
    sys.exit(main())
