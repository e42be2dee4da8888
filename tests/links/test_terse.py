"""Terse notes search with BM25, longer ones with the cosine (see ``links/weighting.py``).

Small crafted vaults whose right answers are known: a terse meeting note finds its project
by the rare words they share, where the cosine prefers a short note sharing filler; long
notes rank exactly as before; and the all-pairs pass, one changed note and a reloaded index
all agree when both kinds of note are mixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultcurator.links import language, weighting
from vaultcurator.links.lexical import Row, SparseIndex, row_terms
from vaultcurator.links.text import NoteDoc

MEETING = "Reuniones/Atlas seguimiento.md"
PROJECT = "Proyectos/Atlas.md"
SHORT = "Diario/lunes.md"
FILLER = ["pdte", "urgente", "llamar", "mandar", "revisar", "bloqueado", "cerrar", "hablar"]
PROJECT_BODY = (
    "Migración ERP para Roca. Alcance: facturación, SII, informes, certificado digital. "
    "Riesgos: plazos, proveedor externo. Equipo de desarrollo y QA, entregas mensuales en "
    "staging y producción. Comité mensual con cliente, actas en carpeta compartida. Fase "
    "dos: integración con almacén y rutas de reparto. Formación a usuarios clave, manual de "
    "uso, soporte durante el arranque, copia de seguridad diaria, accesos por VPN, informes "
    "de cierre mensual para dirección."
)


def _row(path: str, body: str, title: str | None = None) -> Row:
    doc = NoteDoc(path=path, title=title or path.rsplit("/", 1)[-1][:-3], body=body)
    terms, weights = row_terms(doc)
    return Row(path, path, "es", False, terms, weights)


def _work_vault() -> list[Row]:
    rows = [
        _row(MEETING, "- Ana: SII retrasado, pdte urgente llamar\n- presupuesto Atlas"),
        _row(PROJECT, PROJECT_BODY),
        _row(SHORT, "- pdte urgente llamar\n- comida"),
    ]
    rows += [
        _row(f"Diario/d{i}.md", f"- {FILLER[i % 8]} {FILLER[(i + 3) % 8]}\n- comida")
        for i in range(16)
    ]
    return rows


def _same_list(got: list[tuple[str, float]], want: list[tuple[str, float]]) -> None:
    """The same scores, and the same notes above the last score (ties there may differ)."""
    assert [s for _, s in got] == pytest.approx([s for _, s in want])
    last = want[-1][1] if want else 0.0
    assert {p for p, s in got if s > last + 1e-6} == {p for p, s in want if s > last + 1e-6}


def _copy(rows: list[Row]) -> list[Row]:
    return [Row(r.path, r.hash, r.lang, r.short, r.terms, r.weights) for r in rows]


def test_a_terse_note_finds_its_project_where_the_cosine_prefers_shared_filler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = _work_vault()
    meeting = rows[0]
    assert meeting.terse and not rows[1].terse  # a 12-word note; a 60-word project page
    best = SparseIndex(rows=rows).nearest(meeting, 3)
    assert best[0][0] == PROJECT  # "Atlas" and "SII" are rare, the filler words are not
    assert best[0][1] <= 1.0  # a share of the note's match with itself, like a cosine
    # the cosine alone: the short note made of three filler words wins on its small norm
    monkeypatch.setattr(weighting, "TERSE_LENGTH", -1.0)
    plain = SparseIndex(rows=_copy(rows)).nearest(meeting, 3)
    assert plain[0][0] == SHORT


def test_notes_with_more_text_rank_as_with_the_cosine_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    topics = ["garden tomato soil", "bread flour starter", "rust borrow lifetime", "tax receipt"]
    rows = [
        _row(f"n{i}.md", ". ".join([topics[i % 4]] * 12 + [f"general remarks, page {i}"] * 12))
        for i in range(16)
    ]
    assert not any(r.terse for r in rows)
    now = SparseIndex(rows=rows).top_all([r.path for r in rows], 5)
    monkeypatch.setattr(weighting, "TERSE_LENGTH", -1.0)
    before = SparseIndex(rows=_copy(rows)).top_all([r.path for r in rows], 5)
    assert now == before


def test_terse_and_long_notes_mixed_agree_across_passes_updates_and_reloads(
    tmp_path: Path,
) -> None:
    rows = _work_vault() + [
        _row(f"Notas/largo{i}.md", PROJECT_BODY + f" Nota {i} sobre {FILLER[i]} y más.")
        for i in range(4)
    ]
    index = SparseIndex(rows=rows)
    paths = index.paths()
    everyone = index.top_all(paths, 4)
    for row in index.rows:  # the all-pairs pass and one note's lookup give the same list
        _same_list(index.nearest(row, 4), everyone[row.path])
    # one changed note is scored directly: ranked as after a rebuild with the change
    changed = _row(SHORT, "- SII Atlas presupuesto, facturación Roca")
    index.update([changed], [])
    rebuilt = SparseIndex(rows=[changed if r.path == SHORT else r for r in _copy(rows)])
    for row in (rebuilt.row(MEETING), rebuilt.row(PROJECT)):
        assert row is not None
        got, want = index.nearest(row, 4), rebuilt.nearest(row, 4)
        assert [p for p, _ in got[:2]] == [p for p, _ in want[:2]]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=0.3)
    assert index.nearest(rows[0], 1)[0][0] == SHORT  # now the closest to the meeting
    # a reloaded index keeps the BM25 weights it was saved with: the same lists
    index.save(tmp_path)
    loaded = SparseIndex.load(tmp_path)
    assert loaded.top_all(paths, 4) == index.top_all(paths, 4)


def test_terse_spanish_is_told_from_portuguese() -> None:
    # a Spanish to-do list has few common words, and "a" and "no" are Portuguese ones too
    note = "Preguntar a DM.\nPlazo: 27/03.\nOjo certificados, no responden.\nERP en staging."
    assert language.detect(note) == "es"
    assert language.detect("Llamar a Ana, no contesta. Revisar presupuesto con su equipo.") == "es"
    portuguese = (
        "Para abrir a paleta de comandos, use o atalho. Os plugins do núcleo podem ser "
        "ativados nas configurações, e a lista de notas fica na barra lateral."
    )
    assert language.detect(portuguese) == "pt"


def test_a_daily_note_finds_the_meetings_of_its_day_by_the_date() -> None:
    # the day's note shares only its date with that day's meeting; another day's meeting
    # shares a word with it besides
    rows = [
        _row("Diario/2024-03-12.md", "- llamar a Ana por el informe\n- comida con Luis"),
        _row("Reuniones/2024-03-12 Atlas seguimiento.md", "- demo SII el viernes\n- cert pdte"),
        _row("Reuniones/2024-03-19 Atlas seguimiento.md", "- demo SII el viernes\n- informe pdte"),
        *(_row(f"Notas/n{i}.md", f"- {FILLER[i % 8]} {FILLER[(i + 3) % 8]}") for i in range(12)),
    ]
    index = SparseIndex(rows=rows)
    best = index.nearest(rows[0], 2)
    assert best[0][0] == "Reuniones/2024-03-12 Atlas seguimiento.md"
    # the date is one word, not three numbers dropped as such
    terms = row_terms(NoteDoc(path="x.md", title="2024-03-12", body=""))[0]
    assert len(terms) == 1
