"""Write a synthetic store in the real CSV schema, deterministically (same seed, same bytes).

    python bench/generate.py --rows 100000 -o bench/out/100k.csv

The rows look like an office's inventory over many years: the registry's projects (a few
activities shared by several), real cities with their ISO country codes, and fuzzy dates
in about the proportions of the newsletters: ~5% tentative "(dates TBC)", ~3% with only the
month known ("dates TBD"), ~1% deadlines ("by 30 November"), ~2% in two parts ("21-22 and
28-29 October"), ~3% across two months, a few half days. Every row is one the normal
loader accepts, with its derived columns (start, end, ...) written as the tool writes them.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from inventory.dates import parse_schedule
from inventory.ids import ALPHABET, LENGTH
from inventory.projects import load_registry
from inventory.records import derived_cells
from inventory.vocab import COLUMNS

MONTHS = [calendar.month_name[m] for m in range(1, 13)]

# (city, ISO codes, location as written); the bundled newsletter's places and a few more.
PLACES = [
    ("Strasbourg", "FR", "Strasbourg, France"),
    ("Strasbourg", "FR", "Strasbourg"),
    ("Lyon", "FR", "LYON, FRANCE"),
    ("Tbilisi", "GE", "Tbilisi, Georgia"),
    ("Batumi", "GE", "Batumi, Georgia"),
    ("Chisinau", "MD", "Chisinau, Moldova"),
    ("Kyiv", "UA", "Kyiv, Ukraine"),
    ("Kharkiv", "UA", "Kharkiv, Ukraine"),
    ("Yerevan", "AM", "Yerevan, Armenia"),
    ("Baku", "AZ", "Baku, Azerbaijan"),
    ("Minsk", "BY", "Minsk, Belarus"),
    ("Bucharest", "RO", "Bucharest, Romania"),
    ("Rabat", "MA", "Rabat, Morocco"),
    ("Marrakech", "MA", "Marrakech, Morocco"),
    ("Tunis", "TN", "Tunis, Tunisia"),
    ("Beirut", "LB", "Beirut, Lebanon"),
    ("Amman", "JO", "Amman, Jordan"),
    ("Tirana", "AL", "Tirana, Albania"),
    ("Belgrade", "RS", "Belgrade, Serbia"),
    ("Podgorica", "ME", "Podgorica, Montenegro"),
    ("Sarajevo", "BA", "Sarajevo, Bosnia and Herzegovina"),
    ("Skopje", "MK", "Skopje, North Macedonia"),
    ("Pristina", "XK", "Pristina, Kosovo*"),
    ("Ankara", "TR", "Ankara, Turkey"),
    ("Berlin", "DE", "Berlin, Germany"),
    ("Dublin", "IE", "Dublin, Ireland"),
    ("Lisbon", "PT", "Lisbon, Portugal"),
    ("The Hague", "NL", "The Hague, The Netherlands"),
    ("Barcelona", "ES", "Barcelona, Spain"),
    ("Addis Ababa", "ET", "Addis Ababa"),
    ("Accra", "GH", "Accra, Ghana"),
    ("Dakar", "SN", "Dakar, Senegal"),
    ("Abuja", "NG", "Abuja, Nigeria"),
    ("Manila", "PH", "Manila, Philippines"),
    ("Colombo", "LK", "Colombo, Sri Lanka"),
    ("Santo Domingo", "DO", "Santo Domingo, Dominican Republic"),
    ("San José", "CR", "San José, Costa Rica"),
    ("Asunción", "PY", "Asunción, Paraguay"),
    ("Port Louis", "MU", "Port Louis, Mauritius"),
    ("Praia", "CV", "Praia, Cape Verde"),
    ("Windhoek", "NA", "Windhoek, Namibia"),
    ("Brazzaville", "CG", "Congo, Brazzaville"),
    ("", "GH", "Ghana"),
    ("", "PH", "Philippines"),
    ("", "NG", "Nigeria"),
    ("", "SN", "Senegal"),
    ("", "MU", "Mauritius"),
    ("", "ET", "Ethiopia"),
    ("", "NL", "the Netherlands"),
    ("", "UA", "Ukraine"),
    ("", "FJ", "Fiji"),
    ("", "KE", "Kenya"),
    ("", "CL", "Chile"),
    ("", "BZ", "Belize"),
    ("", "PT;NL", "Portugal / The Netherlands"),
    ("", "MD;UA", "Moldova and Ukraine"),
    ("", "", ""),
]
PLACE_WEIGHTS = [3 if p[0] else 1 for p in PLACES[:-1]] + [4]

# (name, weight): about the shares of the 2019-Q4 newsletter.
PROJECT_WEIGHTS = {
    "GLACY+": 40,
    "CyberEast": 17,
    "CyberSouth": 12,
    "iPROCEEDS": 8,
    "iPROCEEDS-2": 5,
    "EndOCSEA@Europe": 7,
    "Cybercrime@Octopus": 6,
    "T-CY": 3,
}

KINDS = ["Training on", "Workshop on", "Advisory mission on", "Regional conference on",
         "Desk study on", "Assessment mission on", "Meeting on", "Support to",
         "Participation in a conference on", "Webinar on"]  # fmt: skip
TOPICS = ["cybercrime legislation", "electronic evidence", "financial investigations",
          "the Budapest Convention", "international cooperation", "malware analysis",
          "online child sexual exploitation", "judicial training", "data protection",
          "public-private cooperation", "cybersecurity strategies", "first responders",
          "CERT/CSIRT cooperation", "mutual legal assistance",
          "darknet investigations"]  # fmt: skip
AUDIENCES = ["for prosecutors", "for judges", "for law enforcement", "for investigators",
             "for the 24/7 point of contact", "with the national police", "with INTERPOL",
             "with Europol", "with the World Bank", "", "", ""]  # fmt: skip
DASHES = ["-"] * 17 + [" - ", " – ", "–"]


def crockford_ids(rng: random.Random) -> Iterator[str]:
    """Valid, unique 8-character ids (the alphabet of ``ids.derive_id``), much faster than
    hashing each activity's identity."""
    seen: set[str] = set()
    while True:
        number = rng.getrandbits(5 * LENGTH)
        chars = []
        for _ in range(LENGTH):
            number, rest = divmod(number, 32)
            chars.append(ALPHABET[rest])
        candidate = "".join(chars)
        if candidate not in seen:
            seen.add(candidate)
            yield candidate


def title(rng: random.Random) -> str:
    text = f"{rng.choice(KINDS)} {rng.choice(TOPICS)} {rng.choice(AUDIENCES)}".strip()
    if rng.random() < 0.15:
        text += f", phase {rng.randint(1, 4)}"
    return text


def projects(rng: random.Random) -> str:
    names = list(PROJECT_WEIGHTS)
    if rng.random() < 0.04:
        return "; ".join(rng.sample(names, rng.randint(2, 5)))
    return rng.choices(names, weights=list(PROJECT_WEIGHTS.values()))[0]


def dates(rng: random.Random, year: int, month: int) -> tuple[str, str]:
    """A date text and the ``YYYY-MM`` month it is listed under."""
    name = MONTHS[month - 1]
    length = calendar.monthrange(year, month)[1]
    ym = f"{year:04d}-{month:02d}"
    r = rng.random()
    if r < 0.03:
        return rng.choice(["dates TBD"] * 8 + ["dates TBC", "location and dates TBD"]), ym
    if r < 0.04:
        return f"by {rng.choice([15, 28, length])} {name}", ym
    if r < 0.06:
        a = rng.randint(1, length - 12)
        b, c = a + rng.randint(0, 2), a + 7
        return f"{a}-{b} and {c}-{c + rng.randint(0, 2)} {name}", ym
    if r < 0.09:
        nm = 1 if month == 12 else month + 1
        a = length - rng.randint(0, 2)
        return f"{a} {name} - {rng.randint(1, 3)} {MONTHS[nm - 1]}", ym
    if r < 0.10:
        a = rng.randint(1, length - 4)
        return f"{a} (PM) – {a + rng.randint(1, 4)} (AM) {name}", ym
    a = rng.randint(1, length)
    if r < 0.35 or a == length:
        text = f"{a} {name}"
    else:
        text = f"{a}{rng.choice(DASHES)}{min(length, a + rng.randint(1, 4))} {name}"
    if rng.random() < 0.1:
        text += f" {year}"
    if rng.random() < 0.055:
        text += " (dates TBC)"
    return text, ym


def rows(count: int, seed: int, first_year: int, last_year: int) -> Iterator[list[str]]:
    rng = random.Random(seed)
    ids = crockford_ids(rng)
    for _ in range(count):
        year, month = rng.randint(first_year, last_year), rng.randint(1, 12)
        text, ym = dates(rng, year, month)
        schedule = parse_schedule(text, context_month=ym)
        city, codes, location = rng.choices(PLACES, weights=PLACE_WEIGHTS)[0]
        r = rng.random()
        status = "held" if r < 0.25 else "cancelled" if r < 0.28 else "postponed" if r < 0.3 else ""
        row = {
            "id": next(ids),
            "projects": projects(rng),
            "title": title(rng),
            "modality": rng.choices(["", "Desk Study", "Online"], weights=[95, 3, 2])[0],
            "city": city,
            "countries": codes,
            "location": location,
            "dates": text,
            "month": schedule.month,
            **derived_cells(schedule),
            "status": status or "planned",
        }
        yield [row[c] for c in COLUMNS]


def write(
    path: Path, count: int, seed: int = 7, first_year: int = 2015, last_year: int = 2030
) -> None:
    # Fail early on a renamed project rather than write a store the tool would flag.
    known = {p.name for p in load_registry().projects}
    if set(PROJECT_WEIGHTS) - known:
        raise SystemExit(f"unknown projects: {sorted(set(PROJECT_WEIGHTS) - known)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows(count, seed, first_year, last_year))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="number of activities")
    parser.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--years", default="2015-2030", help="first-last year, e.g. 2015-2030")
    args = parser.parse_args(argv)
    first, _, last = args.years.partition("-")
    write(args.output, args.rows, args.seed, int(first), int(last or first))
    print(f"wrote {args.rows} activities to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
