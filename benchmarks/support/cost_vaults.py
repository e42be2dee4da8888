"""Generated vaults shaped like the three the cost bar of issue 13 is measured on.

- ``english``: documentation, few tags, long notes (headings, lists, code spans);
- ``spanish``: a work vault, short and mid-size notes, a large tag vocabulary (nested,
  accented, many used once);
- ``multilingual``: documentation in twelve languages and six scripts (Latin, Cyrillic,
  Arabic, Devanagari, CJK, Hangul), one folder per language, a mid-size vocabulary.

Text is assembled from sentence banks written for this benchmark (deterministic per seed).
They stand in for vaults we do not have; the held-out bar counts real ones.
"""

from __future__ import annotations

import random
from pathlib import Path

SENTENCES: dict[str, list[str]] = {
    "en": [
        "The service reads its settings from the environment before it opens the database.",
        "Run the migration twice on a copy first and compare the row counts.",
        "Each request is retried with exponential backoff when the server answers 529.",
        "The cache is invalidated whenever a note is renamed or moved to another folder.",
        "Use the command line flag to print the plan without writing anything.",
        "This page lists the known limitations and the workarounds we recommend.",
        "Tokens are counted on the server, so the estimate may differ slightly.",
        "When the queue is full, new jobs wait until a worker becomes free.",
    ],
    "es": [
        "Revisamos el estado de la migración y los riesgos para el cierre del trimestre.",
        "María prepara el informe de indicadores antes del jueves por la tarde.",
        "La facturación de marzo se retrasó por un error en la conciliación bancaria.",
        "Hay que decidir si contratamos a un analista más o ampliamos el presupuesto.",
        "Los proveedores logísticos enviaron las nuevas tarifas para el segundo semestre.",
        "El equipo de operaciones propone automatizar la revisión de los pedidos.",
        "Pendiente: confirmar la fecha de la auditoría con el departamento financiero.",
        "La reunión con el cliente se movió al lunes a las diez de la mañana.",
    ],
    "fr": [
        "La configuration est lue au démarrage et peut être remplacée par des variables.",
        "Chaque tâche est relancée automatiquement après une erreur temporaire du serveur.",
        "Les notes archivées ne sont plus indexées ni proposées dans la recherche.",
    ],
    "de": [
        "Die Konfiguration wird beim Start gelesen und kann überschrieben werden.",
        "Jede Anfrage wird bei einem vorübergehenden Fehler automatisch wiederholt.",
        "Archivierte Notizen werden nicht mehr indiziert oder vorgeschlagen.",
    ],
    "pt": [
        "A configuração é lida na inicialização e pode ser substituída por variáveis.",
        "Cada pedido é repetido automaticamente quando o servidor está sobrecarregado.",
        "As notas arquivadas deixam de ser indexadas e sugeridas na pesquisa.",
    ],
    "it": [
        "La configurazione viene letta all'avvio e può essere sostituita da variabili.",
        "Ogni richiesta viene ripetuta automaticamente dopo un errore temporaneo.",
        "Le note archiviate non vengono più indicizzate né suggerite nella ricerca.",
    ],
    "ru": [
        "Настройки читаются при запуске и могут быть переопределены переменными окружения.",
        "Каждый запрос повторяется автоматически после временной ошибки сервера.",
        "Архивные заметки больше не индексируются и не предлагаются в поиске.",
    ],
    "ja": [
        "設定は起動時に読み込まれ、環境変数で上書きできます。",
        "サーバーが一時的に応答しない場合、各リクエストは自動的に再試行されます。",
        "アーカイブされたメモは検索の候補に表示されなくなります。",
    ],
    "zh": [
        "配置在启动时读取，可以通过环境变量覆盖。",
        "服务器暂时不可用时，每个请求都会自动重试。",
        "归档的笔记不再被索引，也不会出现在搜索建议中。",
    ],
    "ko": [
        "설정은 시작할 때 읽히며 환경 변수로 덮어쓸 수 있습니다.",
        "서버가 일시적으로 응답하지 않으면 각 요청은 자동으로 다시 시도됩니다.",
        "보관된 메모는 더 이상 색인되거나 검색에 제안되지 않습니다.",
    ],
    "ar": [
        "تتم قراءة الإعدادات عند التشغيل ويمكن استبدالها بمتغيرات البيئة.",
        "تتم إعادة كل طلب تلقائيًا بعد خطأ مؤقت في الخادم.",
        "لم تعد الملاحظات المؤرشفة تظهر في نتائج البحث.",
    ],
    "hi": [
        "सेटिंग्स शुरू होने पर पढ़ी जाती हैं और पर्यावरण चर से बदली जा सकती हैं।",
        "सर्वर की अस्थायी त्रुटि के बाद हर अनुरोध अपने आप दोबारा भेजा जाता है।",
        "संग्रहीत नोट्स अब खोज में सुझाए नहीं जाते।",
    ],
}
HEADINGS: dict[str, list[str]] = {
    "en": ["Overview", "Installation", "Configuration", "Usage", "Troubleshooting", "FAQ"],
    "es": ["Contexto", "Acuerdos", "Pendientes", "Riesgos", "Próximos pasos"],
}
SPANISH_AREAS = [
    "proyectos",
    "clientes",
    "finanzas",
    "operaciones",
    "recursos-humanos",
    "logística",
    "ventas",
    "marketing",
    "legal",
    "tecnología",
    "reuniones",
    "personas",
]
SPANISH_WORDS = [
    "migración",
    "facturación",
    "auditoría",
    "presupuesto",
    "contratos",
    "proveedores",
    "indicadores",
    "nómina",
    "inventario",
    "pedidos",
    "campaña",
    "licitación",
    "cobros",
    "tesorería",
    "calidad",
    "seguridad",
    "formación",
    "incidencias",
    "soporte",
    "compras",
]
DOC_AREAS = ["guide", "reference", "api", "howto", "concepts", "release-notes", "faq"]
DOC_TOPICS = [
    "install",
    "config",
    "cli",
    "sync",
    "plugins",
    "themes",
    "search",
    "graph",
    "backup",
    "mobile",
    "publish",
    "canvas",
    "properties",
    "templates",
    "links",
    "embeds",
]


def _paragraph(rng: random.Random, lang: str, sentences: int) -> str:
    bank = SENTENCES[lang]
    return " ".join(rng.choice(bank) for _ in range(sentences))


def _note(rng: random.Random, lang: str, sections: int, title: str) -> str:
    heads = HEADINGS.get(lang, HEADINGS["en"])
    parts = [f"# {title}\n", _paragraph(rng, lang, 3)]
    for _ in range(sections):
        parts.append(f"\n## {rng.choice(heads)}\n")
        parts.append(_paragraph(rng, lang, rng.randint(2, 7)))
        if rng.random() < 0.4:
            parts.append("\n- " + "\n- ".join(rng.choice(SENTENCES[lang]) for _ in range(3)))
        if rng.random() < 0.3:
            parts.append("\nSee [[" + rng.choice(DOC_TOPICS).title() + "]].")
    return "\n".join(parts) + "\n"


def _write(root: Path, path: str, tags: list[str], body: str) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    front = ""
    if tags:
        front = "---\ntags:\n" + "".join(f"  - {t}\n" for t in tags) + "---\n"
    file.write_text(front + body, encoding="utf-8")


def generate(kind: str, root: Path, notes: int, seed: int = 13) -> None:
    """Write ``notes`` notes of vault ``kind`` (english, spanish, multilingual) under root."""
    rng = random.Random(seed)
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    if kind == "english":
        for i in range(notes):
            area, topic = rng.choice(DOC_AREAS), rng.choice(DOC_TOPICS)
            tags = [f"{area}/{topic}"] if rng.random() < 0.6 else []
            body = _note(rng, "en", rng.randint(2, 25), f"{topic.title()} {area} {i}")
            _write(root, f"{area}/{topic}-{i}.md", tags, body)
    elif kind == "spanish":
        vocabulary = [
            f"{a}/{w}" + (f"/{rng.choice(SPANISH_WORDS)}-{k}" if k % 3 else "")
            for k, (a, w) in enumerate(
                (rng.choice(SPANISH_AREAS), rng.choice(SPANISH_WORDS)) for _ in range(900)
            )
        ]
        for i in range(notes):
            tags = rng.sample(vocabulary, rng.randint(0, 5))
            body = _note(rng, "es", rng.randint(0, 6), f"Reunión {i}")
            _write(root, f"{rng.choice(SPANISH_AREAS)}/nota {i}.md", tags, body)
    elif kind == "multilingual":
        langs = list(SENTENCES)
        for i in range(notes):
            lang = langs[i % len(langs)]
            area, topic = rng.choice(DOC_AREAS), rng.choice(DOC_TOPICS)
            tags = [f"{area}/{topic}", f"lang/{lang}"] if rng.random() < 0.7 else []
            body = _note(rng, lang, rng.randint(1, 10), f"{topic} {i}")
            _write(root, f"{lang}/{area}/{topic}-{i}.md", tags, body)
    else:
        raise ValueError(f"unknown vault kind {kind!r}")
