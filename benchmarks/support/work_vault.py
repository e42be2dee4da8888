"""A generated terse work vault (Spanish or German), for measuring related links.

What a team lead's vault looks like after a year: people, clients, projects, meetings, daily
notes, tasks and a few how-to notes, 20-80 words each, written in shorthand (``pdte``,
``reu``, ``mañ``; ``z.B.``, ``Rückm.``, ``nä. Wo``), with dates, ticket numbers and jargon.
Authors link the way such vaults do: a meeting names its project and attendees in its
properties (``proyecto: "[[Atlas]]"``, ``asistentes: ["[[Ana García]]"]``), a project its
client and lead, a person their company, a task its project and owner, a daily note the
meetings and tasks of the day. Names come back unlinked too, usually by first name only
(many people share one), sometimes in full or as initials.

Made to be hard, not to suit a method: projects share most of their jargon (a pool of
terms, each project drawing a few), people work on several projects, a fifth of meetings
are internal with no project, some meetings and tasks name the wrong or no project in the
text, daily notes mix several projects, and filler words are the same everywhere.
Deterministic per seed. Run: ``python benchmarks/support/work_vault.py OUT [--lang de]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything language-specific: names, words, shorthand and property keys."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    companies: tuple[str, ...]
    codenames: tuple[str, ...]
    jargon: tuple[str, ...]
    """Shared pool of project terms (each project draws a handful: they overlap)."""
    sectors: tuple[str, ...]
    roles: tuple[str, ...]
    filler: tuple[str, ...]
    """Shorthand phrases any note may hold (noise shared by every project)."""
    meeting_kinds: tuple[str, ...]
    task_verbs: tuple[str, ...]
    how_to: tuple[str, ...]
    person_lines: tuple[str, ...]
    project_lines: tuple[str, ...]
    meeting_lines: tuple[str, ...]
    daily_lines: tuple[str, ...]
    task_lines: tuple[str, ...]
    keys: dict[str, str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)
    internal: str = "interna"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


ES = Lexicon(
    first=_words(
        "Ana Luis Marta Pedro Carmen Javier Lucía Pablo Elena Jorge Sara David Laura Sergio "
        "Paula Raúl Irene Álvaro Nuria Diego Ana Carlos María José Rocío Íñigo Beatriz Hugo "
        "Marina Adrián Silvia Rubén Alicia Óscar Noelia Iván Teresa Gonzalo Eva Andrés"
    ),
    last=_words(
        "García Pérez Ruiz López Martín Sánchez Gómez Díaz Moreno Romero Navarro Torres Gil "
        "Serrano Molina Ortega Delgado Castro Rubio Vidal Ramos Iglesias Herrero Cano"
    ),
    companies=_phrases(
        "Acme Logística|Transportes Iberia|Grupo Norte|Clínica Santa Elena|Ferretería Vidal|"
        "Seguros Alba|Bodegas Ribera|Hotel Mirador|Constructora Levante|Editorial Faro|"
        "Farmacia Central|Aguas del Sur|Talleres Ochoa|Colegio San Blas|Inmobiliaria Sol|"
        "Cooperativa Olivar|Ayto. Villanueva|Textil Mara|Distribuciones Roca|Banco Cierzo"
    ),
    codenames=_words(
        "Atlas Boreal Cierzo Delta Ébano Fénix Galera Halcón Iris Jara Kappa Lince Mistral "
        "Nácar Orión Pino Quimera Rayo Sirio Tauro Umbra Vega Yunque Zafiro Alba Brisa "
        "Cobalto Duna Eco Faro"
    ),
    jargon=_words(
        "facturación SII ERP CRM migración cloud API integración informes dashboard "
        "presupuesto licencias SSO LDAP backup RGPD auditoría pasarela pagos TPV inventario "
        "almacén rutas flota app móvil web portal intranet SAP nóminas contabilidad "
        "conciliación stock pedidos albaranes e-commerce SEO campaña newsletter catálogo "
        "formación soporte SLA incidencias tickets Jira sprint QA staging despliegue servidor"
        " VPN firewall certificados dominio correo Office365 Teams BI KPIs scoring leads "
        "onboarding encuesta tarifas reservas agenda citas historial"
    ),
    sectors=_words(
        "logística transporte sanidad retail seguros vino hostelería construcción edición "
        "farmacia agua taller educación inmobiliaria agro administración textil distribución "
        "banca"
    ),
    roles=_phrases(
        "PM|CTO|dir. financiera|responsable IT|comercial|consultor|dev backend|dev frontend|"
        "QA|diseño|jefe de almacén|gerente|administración|soporte|analista"
    ),
    filler=_phrases(
        "pdte confirmar|ok|ojo|revisar mañ|llamar|mandar mail|xq no responden|tb|a la espera|"
        "urgente|bloqueado|hablar el lun|sin novedades|ver doc compartido|pasar a limpio|"
        "queda pdte|dice q sí|retraso|todo ok|fatal|ni idea|por confirmar|en curso|hecho|"
        "cerrar tema|próx. semana|antes del vie|asap"
    ),
    meeting_kinds=_words("seguimiento kickoff demo retro comité revisión llamada taller"),
    task_verbs=_words(
        "Revisar Enviar Preparar Cerrar Actualizar Migrar Configurar Documentar Probar "
        "Renovar Facturar Presupuestar"
    ),
    how_to=_phrases(
        "Checklist onboarding|Proceso facturación|Plantilla presupuesto|Guía despliegue|"
        "Accesos VPN|Política backups|Protocolo incidencias|Alta proveedor|Cierre mensual|"
        "Formato actas|Criterios QA|Uso de Jira|Vacaciones equipo|Tarifas 2024|"
        "Contactos útiles"
    ),
    person_lines=(
        "{role} en {company_short}.",
        "Lleva {term} y {term2}.",
        "Prefiere llamada a mail.",
        "Tel ext {num}.",
        "Muy resolutiva, tb algo lenta con {term}.",
        "Contacto para {term}.",
        "Conocí en {kind} de {code}.",
        "Ojo: de vacaciones en ago.",
        "Sabe mucho de {term2}.",
        "Ahora con lo de {code}.",
    ),
    project_lines=(
        "{term} para {company_short}.",
        "Alcance: {term}, {term2}, {term3}.",
        "Riesgos: plazos Q{q}, dependencia de {term2}.",
        "Estado: {filler}.",
        "Presupuesto aprobado {num}k.",
        "Pendiente definir {term3} con cliente.",
        "Fase {q}: {term} + {term2}.",
        "Entregable: {term3} en staging.",
    ),
    meeting_lines=(
        "- {who}: {term} {filler}",
        "- {who} revisa {term2} antes del vie",
        "- acuerdo: {term} en {code_or_client}",
        "- [ ] {who} manda {term3}",
        "- {term} {filler}",
        "- riesgo {term2}, {filler}",
        "- demo {term} el {date}",
        "- {who} y {who2} ven {term}",
        "- tema {ticket}: {filler}",
    ),
    daily_lines=(
        "- llamar a {who} por {term}",
        "- {term} {filler}",
        "- {ticket} {term2}",
        "- comida con {who}",
        "- revisar {term} de {code_or_client}",
        "- {filler}",
        "- mail a {who} ({term2})",
    ),
    task_lines=(
        "{verb} {term} de {code_or_client}.",
        "Ojo {term2}, {filler}.",
        "Preguntar a {who}.",
        "Ref {ticket}.",
        "Depende de {term3}.",
        "Plazo: {date}.",
    ),
    keys={
        "company": "empresa",
        "role": "rol",
        "client": "cliente",
        "lead": "responsable",
        "status": "estado",
        "date": "fecha",
        "project": "proyecto",
        "attendees": "asistentes",
        "owner": "responsable",
        "due": "vence",
        "kind": "tipo",
        "team": "equipo",
    },
    folders={
        "people": "Personas",
        "clients": "Clientes",
        "projects": "Proyectos",
        "meetings": "Reuniones",
        "daily": "Diario",
        "tasks": "Tareas",
        "notes": "Notas",
        "templates": "Plantillas",
    },
    internal="interna",
)

DE = Lexicon(
    first=_words(
        "Anna Lukas Julia Stefan Katrin Michael Sabine Thomas Laura Jan Miriam Tobias Lea "
        "Felix Anna Markus Eva Daniel Sophie Jonas Petra Frank Lisa Max Ingrid Uwe Heike Jörg"
        " Nina Ralf Bettina Sven Carina Dirk Ute Timo Marion Holger Anja Kai"
    ),
    last=_words(
        "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch "
        "Richter Klein Wolf Neumann Schwarz Braun Zimmermann Krüger Hartmann Lange Werner"
    ),
    companies=_phrases(
        "Spedition Nord|Stadtwerke Ulm|Klinikum Süd|Bäckerei Huber|Versicherung Adler|"
        "Weingut Mosel|Hotel Alpenblick|Bau Krämer|Verlag Leuchtturm|Apotheke am Markt|"
        "Autohaus Berger|Gymnasium Linden|Immobilien Sonne|Agrar Genossenschaft|"
        "Gemeinde Hochdorf|Textil Brandt|Großhandel Roth|Sparkasse Tal"
    ),
    codenames=_words(
        "Atlas Boreas Falke Delta Eiche Phönix Greif Habicht Iris Jade Kompass Luchs Mistral "
        "Nordlicht Orion Pinie Quelle Rabe Sirius Taurus Ulme Vega Amboss Saphir Brise Kobalt"
        " Düne Echo"
    ),
    jargon=_words(
        "Abrechnung ERP CRM Migration Cloud API Schnittstelle Reporting Dashboard Budget "
        "Lizenzen SSO LDAP Backup DSGVO Audit Zahlungen Kasse Inventur Lager Touren Fuhrpark "
        "App Webshop Portal Intranet SAP Lohn Buchhaltung Abgleich Bestand Bestellungen "
        "Lieferscheine SEO Kampagne Newsletter Katalog Schulung Support SLA Störungen Tickets"
        " Jira Sprint QA Staging Deployment Server VPN Firewall Zertifikate Domain Mail Teams"
        " BI KPIs Leads Onboarding Umfrage Tarife Buchungen Termine Akte"
    ),
    sectors=_words(
        "Logistik Energie Klinik Bäckerei Versicherung Wein Hotel Bau Verlag Apotheke Auto "
        "Schule Immobilien Agrar Verwaltung Textil Handel Bank"
    ),
    roles=_phrases(
        "PM|CTO|Leitung Finanzen|IT-Leitung|Vertrieb|Berater|Backend-Dev|Frontend-Dev|QA|"
        "Design|Lagerleitung|Geschäftsführung|Verwaltung|Support|Analyst"
    ),
    filler=_phrases(
        "offen|ok|Achtung|morgen prüfen|anrufen|Mail schicken|keine Rückm.|auch|wartet|"
        "dringend|blockiert|Mo besprechen|nichts Neues|s. Doku|ins Reine|noch offen|sagt ja|"
        "Verzug|alles gut|schlecht|k.A.|tbd|läuft|erledigt|abschließen|nä. Wo|bis Fr|asap"
    ),
    meeting_kinds=_phrases("Jour fixe|Kickoff|Demo|Retro|Lenkungskreis|Review|Call|Workshop"),
    task_verbs=_words(
        "Prüfen Schicken Vorbereiten Abschließen Aktualisieren Migrieren Einrichten "
        "Dokumentieren Testen Verlängern Abrechnen Kalkulieren"
    ),
    how_to=_phrases(
        "Checkliste Onboarding|Prozess Abrechnung|Vorlage Angebot|Leitfaden Deployment|"
        "VPN Zugänge|Backup Richtlinie|Störungsprozess|Lieferant anlegen|Monatsabschluss|"
        "Protokollformat|QA Kriterien|Jira Nutzung|Urlaub Team|Preise 2024|Kontakte"
    ),
    person_lines=(
        "{role} bei {company_short}.",
        "Macht {term} und {term2}.",
        "Lieber anrufen als Mail.",
        "Tel Dw {num}.",
        "Sehr lösungsorientiert, bei {term} etwas langsam.",
        "Ansprechpartner für {term}.",
        "Kennengelernt beim {kind} {code}.",
        "Achtung: im Aug im Urlaub.",
        "Kennt sich mit {term2} aus.",
        "Gerade bei {code} dabei.",
    ),
    project_lines=(
        "{term} für {company_short}.",
        "Umfang: {term}, {term2}, {term3}.",
        "Risiken: Termine Q{q}, Abhängigkeit {term2}.",
        "Status: {filler}.",
        "Budget freigegeben {num}k.",
        "{term3} mit Kunde noch klären.",
        "Phase {q}: {term} + {term2}.",
        "Lieferung: {term3} auf Staging.",
    ),
    meeting_lines=(
        "- {who}: {term} {filler}",
        "- {who} prüft {term2} bis Fr",
        "- Beschluss: {term} bei {code_or_client}",
        "- [ ] {who} schickt {term3}",
        "- {term} {filler}",
        "- Risiko {term2}, {filler}",
        "- Demo {term} am {date}",
        "- {who} und {who2} schauen {term} an",
        "- Thema {ticket}: {filler}",
    ),
    daily_lines=(
        "- {who} anrufen wg. {term}",
        "- {term} {filler}",
        "- {ticket} {term2}",
        "- Mittag mit {who}",
        "- {term} von {code_or_client} prüfen",
        "- {filler}",
        "- Mail an {who} ({term2})",
    ),
    task_lines=(
        "{term} {code_or_client} {verb_lower}.",
        "Achtung {term2}, {filler}.",
        "{who} fragen.",
        "Ref {ticket}.",
        "Hängt an {term3}.",
        "Frist: {date}.",
    ),
    keys={
        "company": "firma",
        "role": "rolle",
        "client": "kunde",
        "lead": "verantwortlich",
        "status": "status",
        "date": "datum",
        "project": "projekt",
        "attendees": "teilnehmer",
        "owner": "verantwortlich",
        "due": "fällig",
        "kind": "typ",
        "team": "team",
    },
    folders={
        "people": "Personen",
        "clients": "Kunden",
        "projects": "Projekte",
        "meetings": "Besprechungen",
        "daily": "Journal",
        "tasks": "Aufgaben",
        "notes": "Notizen",
        "templates": "Vorlagen",
    },
    internal="intern",
)

LEXICONS = {"es": ES, "de": DE}


@dataclass(slots=True)
class _Person:
    name: str
    company: str | None
    """A client's name, or None for a colleague."""
    role: str
    projects: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Project:
    name: str
    client: str
    lead: str
    team: list[str]
    terms: list[str]


def _link(name: str) -> str:
    return f"[[{name}]]"


def _yaml_link(name: str) -> str:
    return f'"[[{name}]]"'


def _yaml_list(names: list[str]) -> str:
    return "[" + ", ".join(_yaml_link(n) for n in names) + "]"


class _Writer:
    def __init__(self, root: Path, lex: Lexicon, rng: random.Random) -> None:
        self.root, self.lex, self.rng = root, lex, rng
        self.count = 0

    def write(self, folder: str, title: str, front: dict[str, str], lines: list[str]) -> None:
        head = "".join(f"{k}: {v}\n" for k, v in front.items() if v)
        text = (f"---\n{head}---\n" if head else "") + "\n".join(lines) + "\n"
        path = self.root / self.lex.folders[folder] / f"{title}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.count += 1


def _short(company: str) -> str:
    """How people write a client in passing: its distinctive word."""
    words = company.replace(".", "").split()
    return words[-1] if len(words) > 1 else words[0]


def generate_work_vault(root: Path, *, lang: str = "es", notes: int = 1800, seed: int = 5) -> int:
    """Write a terse work vault of about ``notes`` notes under ``root``; returns the count."""
    lex = LEXICONS[lang]
    rng = random.Random(seed)
    out = _Writer(root, lex, rng)
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    keys = lex.keys
    scale = notes / 1800
    # ---------------------------------------------------------------- entities
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < int(130 * scale) + 10:
        name = f"{rng.choice(lex.first)} {rng.choice(lex.last)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    companies = list(lex.companies)
    people: dict[str, _Person] = {}
    colleagues = names[: len(names) // 3]
    for name in colleagues:
        people[name] = _Person(name, None, rng.choice(lex.roles))
    for name in names[len(names) // 3 :]:
        people[name] = _Person(name, rng.choice(companies), rng.choice(lex.roles))
    by_company: dict[str, list[str]] = {}
    for p in people.values():
        if p.company:
            by_company.setdefault(p.company, []).append(p.name)
    projects: list[_Project] = []
    for code in lex.codenames[: int(28 * scale) + 2]:
        client = rng.choice([c for c in companies if by_company.get(c)])
        team = rng.sample(colleagues, rng.randint(2, 5)) + rng.sample(
            by_company[client], min(len(by_company[client]), rng.randint(1, 3))
        )
        terms = rng.sample(lex.jargon, rng.randint(4, 8))
        projects.append(_Project(code, client, team[0], team, terms))
        for member in team:
            people[member].projects.append(code)
    by_name = {p.name: p for p in projects}

    def first(name: str) -> str:
        return name.split()[0]

    def mention(name: str) -> str:
        """A person named unlinked: first name mostly, else in full or as initials."""
        roll = rng.random()
        if roll < 0.7:
            return first(name)
        if roll < 0.9:
            return name
        return "".join(w[0] for w in name.split())

    def fill(template: str, project: _Project | None, who: list[str]) -> str:
        terms = project.terms if project else list(lex.jargon)
        noisy = [*terms, *rng.sample(lex.jargon, 2)]  # a little off-topic everywhere
        client_short = _short(project.client) if project else rng.choice(lex.sectors)
        return template.format(
            term=rng.choice(noisy),
            term2=rng.choice(noisy),
            term3=rng.choice(noisy),
            filler=rng.choice(lex.filler),
            who=mention(rng.choice(who)) if who else rng.choice(lex.first),
            who2=mention(rng.choice(who)) if who else rng.choice(lex.first),
            code_or_client=(
                (project.name if rng.random() < 0.5 else client_short)
                if project
                else rng.choice(lex.sectors)
            ),
            date=f"{rng.randint(1, 28)}/{rng.randint(1, 12):02d}",
            ticket=f"#{rng.randint(100, 2999)}",
            role=rng.choice(lex.roles),
            company_short=client_short,
            num=rng.randint(10, 990),
            q=rng.randint(1, 4),
            kind=rng.choice(lex.meeting_kinds),
            code=project.name if project else rng.choice(lex.codenames),
            verb=rng.choice(lex.task_verbs),
            verb_lower=rng.choice(lex.task_verbs).lower(),
        )

    def body(pool: tuple[str, ...], lo: int, hi: int, project: _Project | None, who: list[str]):
        lines: list[str] = []
        words = 0
        target = rng.randint(lo, hi)
        order: list[str] = []
        while words < target:
            if not order:  # each kind of line once before any comes back
                order = rng.sample(pool, len(pool))
            line = fill(order.pop(), project, who)
            lines.append(line)
            words += len(line.split())
        return lines

    # ---------------------------------------------------------------- clients
    for company in companies:
        contacts = by_company.get(company, [])
        front = {keys["kind"]: "cliente" if lang == "es" else "Kunde"}
        lines = [f"{rng.choice(lex.sectors)}. {rng.choice(lex.filler)}."]
        mine = [p for p in projects if p.client == company]
        for p in mine:
            lines.append(f"- {_link(p.name) if rng.random() < 0.6 else p.name}: {p.terms[0]}")
        if contacts:
            shown = rng.sample(contacts, min(2, len(contacts)))
            lines.append(
                ("Contacto: " if lang == "es" else "Kontakt: ")
                + ", ".join(_link(c) if rng.random() < 0.5 else mention(c) for c in shown)
            )
        out.write("clients", company, front, lines)
    # ---------------------------------------------------------------- people
    for person in people.values():
        project = by_name[person.projects[0]] if person.projects else None
        front = {
            keys["company"]: _yaml_link(person.company) if person.company else "",
            keys["role"]: person.role,
        }
        where = _short(person.company) if person.company else lex.internal
        lines = [lex.person_lines[0].format(role=person.role, company_short=where)]
        lines += body(lex.person_lines[1:], 8, 30, project, [])
        if person.projects and rng.random() < 0.6:
            lines.append(" ".join(_link(p) for p in person.projects[:2]))
        out.write("people", person.name, front, lines)
    # ---------------------------------------------------------------- projects
    for project in projects:
        front = {
            keys["client"]: _yaml_link(project.client),
            keys["lead"]: _yaml_link(project.lead),
            keys["status"]: rng.choice(lex.filler),
        }
        lines = body(lex.project_lines, 25, 60, project, project.team)
        if rng.random() < 0.7:
            shown = project.team[1 : 1 + rng.randint(1, 3)]
            lines.append(
                f"{keys['team'].capitalize()}: "
                + ", ".join(_link(m) if rng.random() < 0.6 else mention(m) for m in shown)
            )
        out.write("projects", project.name, front, lines)
    # ---------------------------------------------------------------- meetings, tasks, days
    start = dt.date(2024, 1, 8)
    n_meetings = int(700 * scale)
    n_tasks = int(380 * scale)
    span = int(730 * max(scale, 1.0))  # a larger vault covers more years
    days = [start + dt.timedelta(days=i) for i in range(span) if (start.weekday() + i) % 7 < 5]
    meetings_on: dict[dt.date, list[str]] = {}
    meeting_project: dict[dt.date, list[str]] = {}
    last_meeting: dict[str, str] = {}
    tasks_of: dict[str, list[str]] = {}
    titles: set[str] = set()

    def unique(title: str) -> str:
        base, n = title, 2
        while title in titles:
            title = f"{base} {n}"
            n += 1
        titles.add(title)
        return title

    # tasks first, so meetings and days can point at them
    task_titles: list[tuple[str, _Project | None]] = []
    for _ in range(n_tasks):
        project = rng.choice(projects) if rng.random() < 0.85 else None
        subject = rng.choice(project.terms if project else lex.jargon)
        where = project.name if project and rng.random() < 0.7 else ""
        title = unique(" ".join(x for x in (rng.choice(lex.task_verbs), subject, where) if x))
        owner = rng.choice(project.team if project else colleagues)
        front = {
            keys["project"]: _yaml_link(project.name) if project and rng.random() < 0.8 else "",
            keys["owner"]: _yaml_link(owner) if rng.random() < 0.6 else "",
            keys["due"]: str(rng.choice(days)),
            keys["status"]: rng.choice(lex.filler),
        }
        lines = body(lex.task_lines, 10, 35, project, project.team if project else [owner])
        out.write("tasks", title, front, lines)
        task_titles.append((title, project))
        if project:
            tasks_of.setdefault(project.name, []).append(title)
    for day in sorted(rng.choice(days) for _ in range(n_meetings)):  # in date order
        project = rng.choice(projects) if rng.random() < 0.8 else None
        kind = rng.choice(lex.meeting_kinds)
        label = project.name if project else lex.internal
        title = unique(f"{day.isoformat()} {label} {kind}")
        pool = project.team if project else colleagues
        attendees = rng.sample(pool, min(len(pool), rng.randint(2, 5)))
        if rng.random() < 0.3:  # someone from outside the team joins
            attendees.append(rng.choice(colleagues))
        attendees = list(dict.fromkeys(attendees))
        front = {
            keys["date"]: day.isoformat(),
            keys["kind"]: kind,
            keys["project"]: _yaml_link(project.name) if project and rng.random() < 0.85 else "",
            keys["attendees"]: _yaml_list(attendees) if rng.random() < 0.85 else "",
        }
        # a meeting about one project sometimes drifts to another's topics
        drift = rng.choice(projects) if project and rng.random() < 0.15 else project
        lines = body(lex.meeting_lines, 20, 70, drift, attendees)
        if project and project.name in last_meeting and rng.random() < 0.5:
            lines.append(
                ("Anterior: " if lang == "es" else "Vorher: ") + _link(last_meeting[project.name])
            )
        if project and tasks_of.get(project.name) and rng.random() < 0.3:
            lines.append(f"- {_link(rng.choice(tasks_of[project.name]))}")
        if project and rng.random() < 0.35:
            lines.insert(0, project.name if rng.random() < 0.5 else _short(project.client))
        out.write("meetings", title, front, lines)
        meetings_on.setdefault(day, []).append(title)
        if project:
            meeting_project.setdefault(day, []).append(project.name)
            last_meeting[project.name] = title
    n_days = int(560 * scale)
    for day in sorted(rng.sample(days, min(n_days, len(days)))):
        front = {keys["date"]: day.isoformat()}
        lines: list[str] = []
        for meeting in meetings_on.get(day, []):
            if rng.random() < 0.7:
                lines.append(f"- {rng.randint(8, 18)}:{rng.choice(('00', '30'))} {_link(meeting)}")
        held = [by_name[m] for m in meeting_project.get(day, [])]
        project = rng.choice(held) if held and rng.random() < 0.7 else rng.choice(projects)
        who = project.team + rng.sample(colleagues, 2)
        lines += body(lex.daily_lines, 15, 45, project, who)
        if rng.random() < 0.3:
            task, _ = rng.choice(task_titles)
            lines.append(f"- {_link(task)}")
        if rng.random() < 0.15:
            lines.append(f"- {_link(rng.choice(names))}")
        out.write("daily", day.isoformat(), front, lines)
    for topic in lex.how_to:
        project = rng.choice(projects) if rng.random() < 0.4 else None
        lines = body(lex.task_lines + lex.project_lines, 30, 80, project, colleagues[:8])
        if rng.random() < 0.5:
            lines.append(_link(rng.choice([t for t in lex.how_to if t != topic])))
        if rng.random() < 0.5:
            lines.append(_link(rng.choice(colleagues)))
        out.write("notes", topic, {}, lines)
    template = (
        f"---\n{keys['date']}: {{{{date}}}}\n{keys['project']}: \n{keys['attendees']}: []\n---\n"
        "- \n"
    )
    (root / lex.folders["templates"]).mkdir(parents=True, exist_ok=True)
    (root / lex.folders["templates"] / "Meeting.md").write_text(template, encoding="utf-8")
    return out.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lang", choices=sorted(LEXICONS), default="es")
    parser.add_argument("--notes", type=int, default=1800)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    count = generate_work_vault(args.out, lang=args.lang, notes=args.notes, seed=args.seed)
    print(f"{count} notes written to {args.out}")


if __name__ == "__main__":
    main()
