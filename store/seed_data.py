"""Fixed vocabulary of the demo city: departments, who coordinates them, names and file subjects.

Kept apart from the generator in `store.seed` so the lists can grow without touching the logic. Only
tuples (never sets): the generator draws from them with a seeded `random.Random`, and a fixed order is
what makes the same `--today` produce the same city.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DepartmentSpec:
    id: str
    name: str
    clerks: int
    deputy_mayor_id: str
    subjects: tuple[str, ...]


# Clerk counts add up to the article's 524; the first department must be `urbanism` so that the
# well-known demo clerks c0001..c0005 work there.
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec(
        "urbanism",
        "Direcția Urbanism",
        78,
        "vp1",
        (
            "Certificat de urbanism",
            "Autorizație de construire",
            "Autorizație de desființare",
            "Prelungire autorizație de construire",
            "Aviz de oportunitate PUZ",
            "Certificat de nomenclatură stradală",
            "Proces-verbal de recepție la terminarea lucrărilor",
        ),
    ),
    DepartmentSpec(
        "taxe-impozite",
        "Direcția Taxe și Impozite Locale",
        92,
        "vp2",
        (
            "Scutire impozit clădire",
            "Certificat de atestare fiscală",
            "Restituire sumă plătită în plus",
            "Declarație de impunere clădire",
            "Eșalonare la plată a obligațiilor fiscale",
            "Radiere mijloc de transport",
            "Contestație decizie de impunere",
        ),
    ),
    DepartmentSpec(
        "asistenta-sociala",
        "Direcția de Asistență Socială și Medicală",
        64,
        "vp3",
        (
            "Venit minim de incluziune",
            "Indemnizație persoană cu handicap",
            "Ajutor pentru încălzirea locuinței",
            "Card-legitimație de parcare pentru persoane cu dizabilități",
            "Repartizare locuință socială",
            "Servicii de îngrijire la domiciliu",
        ),
    ),
    DepartmentSpec(
        "patrimoniu",
        "Direcția Patrimoniul Municipiului și Evidența Proprietății",
        42,
        "vp1",
        (
            "Concesionare teren",
            "Închiriere spațiu cu altă destinație decât locuință",
            "Cumpărare locuință ANL",
            "Atribuire loc de parcare de reședință",
            "Restituire imobil (Legea 10/2001)",
            "Vânzare teren aferent construcției",
        ),
    ),
    DepartmentSpec(
        "mediu",
        "Serviciul Protecția Mediului",
        24,
        "vp1",
        (
            "Toaletare arbori",
            "Tăiere arbore uscat",
            "Sesizare depozitare ilegală de deșeuri",
            "Aviz privind spațiile verzi",
            "Sesizare poluare fonică",
        ),
    ),
    DepartmentSpec(
        "juridic",
        "Direcția Juridică",
        30,
        "vp2",
        (
            "Solicitare de informații de interes public (Legea 544/2001)",
            "Plângere prealabilă",
            "Petiție",
            "Cerere de despăgubire",
        ),
    ),
    DepartmentSpec(
        "stare-civila",
        "Serviciul Stare Civilă",
        36,
        "vp3",
        (
            "Transcriere certificat de naștere",
            "Programare oficiere căsătorie",
            "Eliberare duplicat certificat de deces",
            "Schimbare de nume pe cale administrativă",
            "Rectificare act de stare civilă",
            "Divorț pe cale administrativă",
        ),
    ),
    DepartmentSpec(
        "evidenta-persoane",
        "Direcția de Evidență a Persoanelor",
        40,
        "vp3",
        (
            "Carte de identitate — schimbare de domiciliu",
            "Carte de identitate — pierdere",
            "Mențiune privind reședința",
            "Furnizare date din Registrul Național de Evidență a Persoanelor",
        ),
    ),
    DepartmentSpec(
        "investitii",
        "Direcția Investiții",
        38,
        "vp1",
        (
            "Sesizare lucrări de reabilitare stradă",
            "Extindere iluminat public",
            "Informații despre un proiect de investiții",
            "Sesizare întârziere lucrări",
        ),
    ),
    DepartmentSpec(
        "transport",
        "Direcția Mobilitate Urbană",
        34,
        "vp2",
        (
            "Autorizație de liberă trecere",
            "Abonament de parcare rezidențial",
            "Aviz de circulație pentru lucrări",
            "Autorizație taxi",
            "Montare limitatoare de viteză",
        ),
    ),
    DepartmentSpec(
        "cultura",
        "Direcția Cultură, Sport și Turism",
        20,
        "vp3",
        (
            "Autorizare eveniment în spațiul public",
            "Finanțare nerambursabilă pentru proiect cultural",
            "Acces la bazele sportive ale municipiului",
            "Aviz de organizare festival",
        ),
    ),
    DepartmentSpec(
        "resurse-umane",
        "Direcția Resurse Umane",
        26,
        "vp2",
        (
            "Adeverință de vechime",
            "Contestație rezultat concurs",
            "Înscriere la concurs de recrutare",
            "Copie după dosarul profesional",
        ),
    ),
)

DEPUTY_MAYOR_IDS: tuple[str, ...] = ("vp1", "vp2", "vp3")
MAYOR_ID = "primar"
# The demo city's one operations person (issue 9: reads histories through the codec server). A fixed
# name, not drawn from the random generator, so adding them changes no other row of the city.
OPS_ID = "ops01"
OPS_NAME = ("Sorina", "Câmpean")

GIVEN_NAMES: tuple[str, ...] = (
    "Andrei", "Alexandru", "Ștefan", "Mihai", "Ioan", "Gheorghe", "Vasile", "Constantin", "Cristian",
    "Bogdan", "Răzvan", "Florin", "Adrian", "Dragoș", "Tudor", "Radu", "Sorin", "Lucian", "Ionuț",
    "Cătălin", "Ovidiu", "Horia", "Mircea", "Petru", "Marius", "Daniel", "Emil", "Nicolae", "Valentin",
    "Ioana", "Maria", "Elena", "Ana", "Andreea", "Cristina", "Mihaela", "Alexandra", "Roxana", "Raluca",
    "Diana", "Simona", "Oana", "Irina", "Ramona", "Alina", "Bianca", "Larisa", "Anca", "Corina",
    "Camelia", "Mădălina", "Florentina", "Ileana", "Georgiana", "Loredana", "Teodora", "Silvia", "Dana",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Pop", "Popescu", "Popa", "Ionescu", "Mureșan", "Moldovan", "Rus", "Cozma", "Țurcanu", "Crișan",
    "Sabău", "Oltean", "Pașca", "Bălan", "Dumitrescu", "Stan", "Stoica", "Gheorghiu", "Lazăr",
    "Năstase", "Șerban", "Mocanu", "Toma", "Ungureanu", "Vlad", "Florea", "Marin", "Dinu", "Neagu",
    "Munteanu", "Suciu", "Câmpean", "Moga", "Bârlea", "Hossu", "Coman", "Avram", "Ardelean", "Țăranu",
    "Bucur", "Chiorean", "Căpușan", "Rusu", "Morar", "Todea", "Sălăjan", "Someșan", "Țărău", "Husar",
    "Ștefănescu", "Pușcaș", "Boboș", "Nemeș", "Grigore", "Mărginean", "Buzura", "Ciobanu", "Tămaș",
)  # fmt: skip

COMPANIES: tuple[str, ...] = (
    "SC Construct Someș SRL",
    "SC Transilvania Imobiliare SRL",
    "SC Feleac Proiect SRL",
    "Asociația de Proprietari Mănăștur 12",
    "SC Napoca Invest SA",
    "SC Grădina Botanică Events SRL",
    "Asociația Culturală Clujul Vechi",
    "SC Arhitect Urban SRL",
)

ABSENCE_REASONS: tuple[str, ...] = ("leave", "leave", "leave", "sick", "training")


# --- the second demo municipality (issue 11): a small town with its own hours ----------------------

HUEDIN_ID = "huedin"
HUEDIN_NAME = "Orașul Huedin"
# Mon-Fri 08:00-14:00: the town hall's public hours, shorter than Cluj-Napoca's.
HUEDIN_HOURS = {day: ("08:00", "14:00") for day in range(5)}
HUEDIN_MAYOR_ID = "huedin-primar"
HUEDIN_DEPUTY_MAYOR_ID = "huedin-vp"
# (id, name, clerks): ids are unique across the deployment, so they carry the town's name.
HUEDIN_DEPARTMENTS: tuple[tuple[str, str, int], ...] = (
    ("huedin-urbanism", "Compartimentul Urbanism și Amenajarea Teritoriului", 2),
    ("huedin-taxe", "Compartimentul Impozite și Taxe Locale", 2),
)
HUEDIN_PEOPLE: tuple[tuple[str, str], ...] = (
    ("Vasile", "Rus"),
    ("Maria", "Sabo"),
    ("Ioan", "Pop"),
    ("Ana", "Bodea"),
    ("Florin", "Cuc"),
    ("Lucia", "Moldovan"),
    ("Gheorghe", "Tripon"),
    ("Rodica", "Farcaș"),
)
HUEDIN_SUBJECTS = {
    "huedin-urbanism": ("Certificat de urbanism", "Autorizație de construire", "Aviz de branșare"),
    "huedin-taxe": ("Certificat de atestare fiscală", "Scutire impozit clădire", "Declarație de impunere"),
}
