"""Made-up but plausible master data for the generator: part families, suppliers, people.

Everything here is a pure function of a `random.Random`, so a seed gives the same plant every time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from desktop.models.enums import PartCategory

Describe = Callable[[random.Random], tuple[str, str | None]]  # -> (description, manufacturer number)


def _pick(rng: random.Random, items: tuple[str, ...]) -> str:
    return items[rng.randrange(len(items))]


def _bearing(rng: random.Random) -> tuple[str, str | None]:
    series = rng.choice((60, 62, 63, 160, 618))
    size = rng.randrange(0, 22)
    code = f"{series}{size:02d}"
    seal = _pick(rng, ("2RS", "ZZ", "2Z", "OPEN", "2RSH"))
    bore = 10 + size * 5
    return f"Deep groove ball bearing {code}-{seal} Ø{bore} mm", f"{code}-{seal}"


def _bolt(rng: random.Random) -> tuple[str, str | None]:
    d = rng.choice((4, 5, 6, 8, 10, 12, 16, 20))
    length = rng.choice((10, 12, 16, 20, 25, 30, 35, 40, 50, 60, 80, 100))
    grade = _pick(rng, ("8.8", "10.9", "A2-70", "A4-80"))
    return f"Hex bolt M{d}x{length} {grade} DIN 933 zinc plated", None


def _screw(rng: random.Random) -> tuple[str, str | None]:
    d = rng.choice((3, 4, 5, 6, 8, 10, 12))
    length = rng.choice((8, 10, 12, 16, 20, 25, 30, 40))
    return f"Socket head cap screw M{d}x{length} 12.9 DIN 912", None


def _nut(rng: random.Random) -> tuple[str, str | None]:
    d = rng.choice((3, 4, 5, 6, 8, 10, 12, 16, 20, 24))
    return f"Hex nut M{d} {_pick(rng, ('8', '10', 'A2', 'A4'))} DIN 934", None


def _washer(rng: random.Random) -> tuple[str, str | None]:
    return f"Flat washer {rng.choice((3.2, 4.3, 5.3, 6.4, 8.4, 10.5, 13))} mm A2 DIN 125", None


def _hose(rng: random.Random) -> tuple[str, str | None]:
    dn = _pick(rng, ("DN6", "DN8", "DN10", "DN12", "DN16", "DN20"))
    length = rng.randrange(3, 40) * 50
    mpn = f"{rng.choice(('387', '471', '492'))}TC-{dn[2:]}-{length}"
    return f"Hydraulic hose assembly {dn} 2SN {length} mm JIC 37°", mpn


def _sensor(rng: random.Random) -> tuple[str, str | None]:
    m = rng.choice((8, 12, 18, 30))
    sn = rng.choice((2, 4, 5, 8, 10, 15))
    return (
        f"Inductive sensor M{m} PNP NO {sn} mm M12 connector",
        f"I{_pick(rng, ('G', 'F', 'E'))}{rng.randrange(2000, 6000)}",
    )


def _cable(rng: random.Random) -> tuple[str, str | None]:
    cores = rng.choice((2, 3, 4, 5, 7, 12, 18, 25))
    section = rng.choice((0.5, 0.75, 1, 1.5, 2.5, 4))
    return f"Control cable {cores}G{section} mm² PVC grey", f"{rng.randrange(1100000, 1199999)}"


def _filter(rng: random.Random) -> tuple[str, str | None]:
    micron = rng.choice((3, 5, 10, 20, 25))
    return (
        f"Hydraulic filter element {micron} µm {rng.choice((110, 160, 240, 330))} l/min",
        f"{rng.choice((160, 240, 330, 660))}D{micron:03d}BN4HC",
    )


def _sheet(rng: random.Random) -> tuple[str, str | None]:
    t = rng.choice((1, 1.5, 2, 3, 4, 5, 6, 8, 10))
    return f"Steel sheet S235JR {t} mm 1250x2500", None


def _carton(rng: random.Random) -> tuple[str, str | None]:
    a, b, c = (rng.randrange(1, 13) * 50 for _ in range(3))
    return f"Corrugated carton {a}x{b}x{c} mm double wall", None


def _belt(rng: random.Random) -> tuple[str, str | None]:
    profile = _pick(rng, ("SPZ", "SPA", "SPB", "XPZ", "XPA"))
    length = rng.randrange(60, 400) * 10
    return f"V-belt {profile} {length} Lw", f"{profile}{length}"


def _oring(rng: random.Random) -> tuple[str, str | None]:
    inner = rng.randrange(4, 200)
    cs = rng.choice((1.5, 2, 2.5, 3, 3.5, 4, 5))
    return f"O-ring {inner}x{cs} NBR 70 Shore A", None


def _cylinder(rng: random.Random) -> tuple[str, str | None]:
    bore = rng.choice((32, 40, 50, 63, 80, 100))
    stroke = rng.choice((25, 50, 80, 100, 125, 160, 200, 250))
    return f"Pneumatic cylinder ISO 15552 Ø{bore}x{stroke}", f"DSBC-{bore}-{stroke}-PPVA-N3"


def _contactor(rng: random.Random) -> tuple[str, str | None]:
    amps = rng.choice((9, 12, 18, 25, 32, 40, 65))
    volts = rng.choice((24, 110, 230))
    return f"Contactor 3P {amps} A coil {volts} V", f"3RT20{rng.randrange(15, 46)}-1A{rng.randrange(10, 99)}0"


def _fuse(rng: random.Random) -> tuple[str, str | None]:
    return f"Fuse {rng.choice((2, 4, 6, 10, 16, 20, 25, 32))} A gG 10x38", None


def _gloves(rng: random.Random) -> tuple[str, str | None]:
    return f"Nitrile gloves size {rng.choice((7, 8, 9, 10, 11))} box of 100", None


def _grease(rng: random.Random) -> tuple[str, str | None]:
    return f"Grease lithium EP{rng.choice((0, 1, 2, 3))} 400 g cartridge", None


def _oil(rng: random.Random) -> tuple[str, str | None]:
    return f"Hydraulic oil HLP {rng.choice((22, 32, 46, 68, 100))}", None


def _wire(rng: random.Random) -> tuple[str, str | None]:
    return f"Welding wire G3Si1 {rng.choice((0.8, 1.0, 1.2))} mm 15 kg spool", None


def _motor(rng: random.Random) -> tuple[str, str | None]:
    kw = rng.choice((0.37, 0.55, 0.75, 1.1, 1.5, 2.2, 3, 4, 5.5, 7.5, 11))
    return (
        f"Three-phase motor {kw} kW {rng.choice((2, 4, 6))}-pole IE3 B3",
        f"1LE1003-{rng.randrange(0, 2)}{_pick(rng, ('A', 'B', 'C', 'D'))}{rng.randrange(10, 99)}",
    )


def _valve(rng: random.Random) -> tuple[str, str | None]:
    return (
        f"Solenoid valve 5/2 G{_pick(rng, ('1/8', '1/4', '3/8', '1/2'))} 24 VDC",
        f"VUVG-L{rng.choice((10, 14, 18))}-M52",
    )


def _chain(rng: random.Random) -> tuple[str, str | None]:
    return f"Roller chain {_pick(rng, ('06B-1', '08B-1', '10B-1', '12B-1', '16B-1'))} simplex", None


def _tape(rng: random.Random) -> tuple[str, str | None]:
    return f"Packing tape {rng.choice((19, 25, 38, 50))} mm x 66 m", None


def _housing(rng: random.Random) -> tuple[str, str | None]:
    return f"Pump housing sub-assembly GP-{rng.randrange(10, 99)} rev {_pick(rng, ('A', 'B', 'C'))}", None


def _pump(rng: random.Random) -> tuple[str, str | None]:
    return f"Gear pump GP-{rng.randrange(10, 99)} {rng.choice((4, 8, 11, 16, 22))} cc finished", None


def _imported(rng: random.Random) -> tuple[str, str | None]:
    """Descriptions as imported from a Russian or Chinese sister plant: non-Latin text must work."""
    return _pick(
        rng, ("Подшипник шариковый 6205", "Уплотнение вала 35x52x7", "轴承 深沟球", "密封圈 NBR")
    ), None


@dataclass(frozen=True)
class Family:
    prefix: str
    weight: int
    category: PartCategory
    units: tuple[str, ...]
    cost: tuple[float, float]
    manufacturers: tuple[str, ...]
    describe: Describe
    mpn_share: float  # share of parts of this family with a manufacturer part number


FAMILIES: tuple[Family, ...] = (
    Family("BRG", 8, PartCategory.MRO, ("EA",), (3, 180), ("SKF", "FAG", "NSK", "NTN"), _bearing, 0.9),
    Family("BLT", 10, PartCategory.RAW, ("EA", "BOX"), (0.05, 2), ("Würth", "Bossard"), _bolt, 0.1),
    Family("SCR", 8, PartCategory.RAW, ("EA", "BOX"), (0.05, 2), ("Würth", "Bossard"), _screw, 0.1),
    Family("NUT", 6, PartCategory.RAW, ("EA", "BOX"), (0.02, 1), ("Würth", "Bossard"), _nut, 0.05),
    Family("WSH", 4, PartCategory.RAW, ("EA", "BOX"), (0.01, 0.5), ("Würth",), _washer, 0.0),
    Family("HOS", 5, PartCategory.MRO, ("EA",), (18, 160), ("Parker", "Gates"), _hose, 0.8),
    Family("SEN", 5, PartCategory.MRO, ("EA",), (25, 220), ("ifm", "Sick", "Balluff"), _sensor, 0.95),
    Family("CBL", 3, PartCategory.RAW, ("M",), (0.8, 12), ("Lapp", "Helukabel"), _cable, 0.6),
    Family("FLT", 4, PartCategory.MRO, ("EA",), (12, 140), ("Hydac", "Parker", "Mahle"), _filter, 0.85),
    Family("STL", 3, PartCategory.RAW, ("KG",), (0.9, 4), ("Salzgitter", "Thyssenkrupp"), _sheet, 0.0),
    Family("CTN", 3, PartCategory.RAW, ("EA",), (0.3, 3), ("Smurfit",), _carton, 0.0),
    Family("BLV", 4, PartCategory.MRO, ("EA",), (6, 60), ("Optibelt", "Gates"), _belt, 0.8),
    Family("ORG", 5, PartCategory.MRO, ("EA", "PK"), (0.1, 6), ("Freudenberg", "Trelleborg"), _oring, 0.2),
    Family("CYL", 3, PartCategory.MRO, ("EA",), (60, 480), ("Festo", "SMC"), _cylinder, 0.9),
    Family("CTR", 3, PartCategory.MRO, ("EA",), (20, 240), ("Siemens", "ABB", "Schneider"), _contactor, 0.9),
    Family("FUS", 2, PartCategory.MRO, ("EA", "PK"), (0.5, 8), ("Mersen", "Eaton"), _fuse, 0.3),
    Family("GLV", 1, PartCategory.MRO, ("PK", "BOX"), (4, 15), ("Ansell",), _gloves, 0.2),
    Family("GRS", 1, PartCategory.MRO, ("EA",), (5, 25), ("Klüber", "Shell"), _grease, 0.3),
    Family("OIL", 1, PartCategory.MRO, ("L",), (2, 9), ("Shell", "Fuchs"), _oil, 0.3),
    Family("WLD", 1, PartCategory.RAW, ("KG",), (2, 6), ("ESAB", "Lincoln"), _wire, 0.3),
    Family("MTR", 2, PartCategory.MRO, ("EA",), (120, 1800), ("Siemens", "WEG", "ABB"), _motor, 0.9),
    Family("VLV", 2, PartCategory.MRO, ("EA",), (40, 260), ("Festo", "SMC", "Bosch Rexroth"), _valve, 0.9),
    Family("CHN", 1, PartCategory.MRO, ("M",), (8, 40), ("iwis", "Renold"), _chain, 0.4),
    Family("TAP", 1, PartCategory.RAW, ("ROLL",), (1, 4), ("tesa", "3M"), _tape, 0.2),
    Family("ASM", 3, PartCategory.WIP, ("EA",), (60, 320), ("own",), _housing, 0.0),
    Family("GP", 2, PartCategory.FINISHED, ("EA",), (250, 950), ("own",), _pump, 0.0),
    Family("IMP", 1, PartCategory.MRO, ("EA", "SET"), (2, 90), ("imported",), _imported, 0.0),
)

_SUPPLIER_FIRST = (
    "Acme",
    "Nordic",
    "Hydraulix",
    "Sparkline",
    "Steelhouse",
    "PackRight",
    "Motion",
    "Alpine",
    "Baltic",
    "Central",
    "Delta",
    "Eastern",
    "Fortis",
    "Global",
    "Helix",
    "Iberia",
    "Kraft",
    "Lakeside",
    "Meridian",
    "Northern",
    "Orion",
    "Pioneer",
    "Quantum",
    "Rhein",
    "Summit",
    "Titan",
    "Union",
    "Vertex",
    "Western",
    "Zenith",
)
_SUPPLIER_TRADE = (
    "Bearings",
    "Fasteners",
    "Hydraulics",
    "Electric",
    "Filtration",
    "Metals",
    "Packaging",
    "Industrial Supply",
    "Pneumatics",
    "Automation",
    "Seals",
    "Tools",
    "Safety",
    "Lubricants",
    "Drives",
)
_SUPPLIER_FORM = ("GmbH", "Ltd", "Inc.", "S.A.", "AB", "Sp. z o.o.", "B.V.", "s.r.o.")


def supplier_names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct supplier names (distinct also ignoring case and spacing)."""
    combos = [f"{a} {b} {c}" for a in _SUPPLIER_FIRST for b in _SUPPLIER_TRADE for c in _SUPPLIER_FORM]
    if count > len(combos):
        raise ValueError(f"at most {len(combos)} supplier names")
    return rng.sample(combos, count)


_FIRST = (
    "Anna",
    "Ben",
    "Chloé",
    "Dariusz",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Katarzyna",
    "Lars",
    "Maria",
    "Nikolai",
    "Olga",
    "Pedro",
    "Rosa",
    "Sven",
    "Tomás",
    "Ute",
    "Viktor",
    "Wei",
    "Yusuf",
    "Zofia",
)
_LAST = (
    "Andersen",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fischer",
    "García",
    "Horvath",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Lindqvist",
    "Müller",
    "Novak",
    "Okafor",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Weber",
)


def person_names(rng: random.Random, count: int) -> list[str]:
    combos = [f"{a} {b}" for a in _FIRST for b in _LAST]
    return rng.sample(combos, count)


ADJUSTMENT_REASONS = (
    "Found during cycle count",
    "Damaged in storage",
    "Mislabelled bin corrected",
    "Shelf life expired",
    "Supplier short delivery",
    "Found on shop floor",
)
