"""Taxonomy plans in the store: every plan built is kept with a version number; the newest
approved one is the vault's vocabulary (its canonical tags) and its approved renames are
applied to every engine's answer (see :mod:`vaultcurator.curation.tag_policy`)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping

from vaultcurator.domain.taxonomy import Decision, Rename, TaxonomyPlan
from vaultcurator.store.db import Store


def save_plan(store: Store, plan: TaxonomyPlan) -> TaxonomyPlan:
    """Store ``plan`` as the next version (a draft; older drafts are superseded)."""
    now = time.time()
    with store.transaction() as conn:
        row = conn.execute("SELECT coalesce(max(version), 0) AS v FROM taxonomy_plans").fetchone()
        version = int(row["v"]) + 1
        conn.execute("UPDATE taxonomy_plans SET state = 'superseded' WHERE state = 'draft'")
        cursor = conn.execute(
            "INSERT INTO taxonomy_plans(version, engine, model, state, created_at, cost_usd,"
            " input_tokens, output_tokens) VALUES (?, ?, ?, 'draft', ?, ?, ?, ?)",
            (
                version,
                plan.engine,
                plan.model,
                now,
                plan.cost_usd,
                plan.input_tokens,
                plan.output_tokens,
            ),
        )
        plan_id = int(cursor.lastrowid or 0)
        conn.executemany(
            "INSERT INTO taxonomy_renames(plan_id, old, target, proposed, reason, notes,"
            " inline_uses, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    plan_id,
                    r.old,
                    r.target,
                    r.proposed or r.target,
                    r.reason,
                    r.notes,
                    r.inline_uses,
                    r.decision,
                )
                for r in plan.renames
            ],
        )
        conn.executemany(
            "INSERT INTO taxonomy_tags(plan_id, tag, count) VALUES (?, ?, ?)",
            [(plan_id, tag, count) for tag, count in plan.tags],
        )
    plan.id, plan.version, plan.state = plan_id, version, "draft"
    return plan


def load_plan(store: Store, plan_id: int | None = None) -> TaxonomyPlan | None:
    """The plan ``plan_id``, or the newest one that is not superseded."""
    if plan_id is None:
        rows = store.query(
            "SELECT * FROM taxonomy_plans WHERE state != 'superseded' ORDER BY version DESC LIMIT 1"
        )
    else:
        rows = store.query("SELECT * FROM taxonomy_plans WHERE id = ?", (plan_id,))
    return _plan(store, rows[0]) if rows else None


def approved_plan(store: Store) -> TaxonomyPlan | None:
    """The vault's vocabulary: the newest approved plan."""
    rows = store.query(
        "SELECT * FROM taxonomy_plans WHERE state = 'approved' ORDER BY version DESC LIMIT 1"
    )
    return _plan(store, rows[0]) if rows else None


def approved_renames(store: Store) -> dict[str, str]:
    """``{old: target}`` of the approved plan's approved renames ({} if none)."""
    plan = approved_plan(store)
    return {} if plan is None else plan.rename_map()


def _plan(store: Store, row: sqlite3.Row) -> TaxonomyPlan:
    get = row.__getitem__
    renames = [
        Rename(
            old=r["old"],
            target=r["target"],
            reason=r["reason"],
            notes=int(r["notes"]),
            inline_uses=int(r["inline_uses"]),
            proposed=r["proposed"],
            decision=r["decision"],
        )
        for r in store.query(
            "SELECT * FROM taxonomy_renames WHERE plan_id = ? ORDER BY notes DESC, old",
            (get("id"),),
        )
    ]
    tags = [
        (str(r["tag"]), int(r["count"]))
        for r in store.query(
            "SELECT tag, count FROM taxonomy_tags WHERE plan_id = ? ORDER BY count DESC, tag",
            (get("id"),),
        )
    ]
    return TaxonomyPlan(
        renames=renames,
        tags=tags,
        engine=get("engine"),
        model=get("model"),
        id=int(get("id")),
        version=int(get("version")),
        state=get("state"),
        cost_usd=get("cost_usd"),
        input_tokens=int(get("input_tokens")),
        output_tokens=int(get("output_tokens")),
        apply_run_id=get("apply_run_id"),
    )


def decide_renames(
    store: Store,
    plan_id: int,
    decisions: Mapping[str, Decision],
    targets: Mapping[str, str] | None = None,
) -> None:
    """A reviewer's decisions on some renames (by ``old``), and edited targets."""
    with store.transaction() as conn:
        conn.executemany(
            "UPDATE taxonomy_renames SET decision = ? WHERE plan_id = ? AND old = ?",
            [(d, plan_id, old) for old, d in decisions.items()],
        )
        conn.executemany(
            "UPDATE taxonomy_renames SET target = ? WHERE plan_id = ? AND old = ?",
            [(t, plan_id, old) for old, t in (targets or {}).items()],
        )


def approve_plan(store: Store, plan_id: int, tags: list[tuple[str, int]]) -> None:
    """Make ``plan_id`` the vault's vocabulary (``tags``: its canonical tags after review)."""
    now = time.time()
    with store.transaction() as conn:
        conn.execute(
            "UPDATE taxonomy_plans SET state = 'superseded' WHERE state = 'approved' AND id != ?",
            (plan_id,),
        )
        conn.execute(
            "UPDATE taxonomy_plans SET state = 'approved', approved_at = ? WHERE id = ?",
            (now, plan_id),
        )
        conn.execute("DELETE FROM taxonomy_tags WHERE plan_id = ?", (plan_id,))
        conn.executemany(
            "INSERT INTO taxonomy_tags(plan_id, tag, count) VALUES (?, ?, ?)",
            [(plan_id, tag, count) for tag, count in tags],
        )


def mark_applied(store: Store, plan_id: int, run_id: int | None) -> None:
    store.execute(
        "UPDATE taxonomy_plans SET applied_at = ?, apply_run_id = ? WHERE id = ?",
        (time.time(), run_id, plan_id),
    )


def plan_versions(store: Store) -> list[tuple[int, int, str]]:
    """``(id, version, state)`` of every stored plan, newest first."""
    rows = store.query("SELECT id, version, state FROM taxonomy_plans ORDER BY version DESC")
    return [(int(r["id"]), int(r["version"]), str(r["state"])) for r in rows]
