"""What the progress dialog says when apply, undo or a curation run ends (pure rendering)."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from vaultcurator.pipeline.report import CurationReport
from vaultcurator.review.apply import ApplyReport
from vaultcurator.review.undo import UndoSummary


def apply_summary(report: ApplyReport) -> tuple[str, Group]:
    lines = [
        Text.assemble(
            ("Applied ", ""),
            (str(len(report.applied)), "bold green"),
            f" · unchanged {len(report.unchanged)}",
            (
                f" · conflicts {len(report.conflicts)}",
                "bold magenta" if report.conflicts else "",
            ),
            (f" · failed {len(report.failed)}", "bold red" if report.failed else ""),
        ),
    ]
    if report.run_id is not None:
        lines.append(Text(f"Apply run #{report.run_id}; press u to undo it.", style="dim"))
    lines.extend(problem_lines("Conflicts (left untouched)", report.conflicts))
    lines.extend(problem_lines("Failed", report.failed))
    if report.conflicts:
        lines.append(Text("Press C to re-curate the conflicted notes.", style="dim"))
    title = "Apply finished" if report.ok else "Apply finished with problems"
    return title, Group(*lines)


def undo_summary(summary: UndoSummary) -> tuple[str, Group]:
    lines = [
        Text.assemble(
            "Restored ",
            (str(len(summary.restored)), "bold green"),
            f" note(s) of apply run #{summary.run_id}",
            (
                f" · conflicts {len(summary.conflicts)}",
                "bold magenta" if summary.conflicts else "",
            ),
        ),
        Text(f"{summary.reopened} proposal(s) are pending again.", style="dim"),
    ]
    lines.extend(problem_lines("Conflicts (left alone)", summary.conflicts))
    title = "Undo finished" if summary.ok else "Undo finished with conflicts"
    return title, Group(*lines)


def problem_lines(title: str, items: list[tuple[str, str]], limit: int = 20) -> list[Text]:
    if not items:
        return []
    lines = [Text(""), Text(title, style="bold")]
    for path, reason in items[:limit]:
        lines.append(Text.assemble(("  " + path, "bold"), f": {reason}"))
    if len(items) > limit:
        lines.append(Text(f"  … and {len(items) - limit} more", style="dim"))
    return lines


def curation_summary(report: CurationReport) -> tuple[str, list[str]]:
    if report.status == "empty":
        return "Nothing to curate", ["Every selected note is already curated."]
    lines = [
        f"Job {report.job_id}: {report.status}",
        f"{report.selected} note(s) selected, {report.proposals} proposal(s), "
        f"{len(report.failures)} failed",
    ]
    if report.cost is not None:
        lines.append(f"Cost ${report.cost.actual_usd:.4f}")
    for failure in report.failures[:10]:
        lines.append(f"  {failure.path}: {failure.error}")
    if report.proposals:
        lines.append("The new proposals are in the table, pending review.")
    title = "Curation finished" if not report.failures else "Curation finished with failures"
    return title, lines
