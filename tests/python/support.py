"""Shared helpers for the needle Python tests.

Everything a test module needs lives here: where the binary and the shared
data are, how to run the CLI and read its CSV, Python reference versions of
the scorers and of the default processor, loaders for ../shared, and a
deterministic generator of realistic name variants.

Only the standard library and python-Levenshtein 0.12 (Debian's
python3-levenshtein) are used.
"""

import csv
import functools
import io
import lzma
import os
import random
import subprocess
import tempfile
from pathlib import Path

import Levenshtein

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NEEDLE_BIN = Path(os.environ.get("NEEDLE_BIN") or REPO / "build" / "needle").resolve()
SHARED = Path(os.environ.get("NEEDLE_SHARED") or REPO.parent / "shared").resolve()
DATA = HERE / "data"

OUTPUT_HEADER = ["needle_id", "needle", "rank", "match_id", "match", "score"]
SCORERS = ("ratio", "setratio", "token_sort_ratio", "token_set_ratio")
TOLERANCE = 1e-9
# No single call takes more than a few seconds; a hang is a failure, not a stall.
TIMEOUT_SECONDS = 60


class Skip(Exception):
    """Raised by a test that cannot run here (the runner counts it as skipped)."""


# --------------------------------------------------------------- the binary


def run_needle(args, stdin=None, cwd=None, timeout=TIMEOUT_SECONDS):
    """Runs the binary with `args`; returns (exit code, stdout, stderr) as text.

    stdin may be bytes or str. Output is decoded as UTF-8 (strictly: the CLI
    must never write anything else). A run longer than `timeout` seconds is
    killed and fails the test.
    """
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    command = [str(NEEDLE_BIN)] + [str(a) for a in args]
    try:
        proc = subprocess.run(
            command,
            input=stdin if stdin is not None else b"",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"needle did not finish in {timeout} s (killed): "
                             f"{' '.join(command[1:])}") from None
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def run_ok(args, stdin=None, cwd=None, timeout=TIMEOUT_SECONDS):
    """Runs the binary and fails the test unless it exits 0; returns stdout."""
    rc, out, err = run_needle(args, stdin=stdin, cwd=cwd, timeout=timeout)
    assert rc == 0, f"needle {' '.join(map(str, args))} exited {rc}: {err.strip()}"
    return out


def match_rows(args, stdin=None, cwd=None):
    """Runs `needle match ARGS --quiet`; returns the parsed data rows."""
    return parse_match_csv(run_ok(["match"] + list(args) + ["--quiet"], stdin=stdin, cwd=cwd))


def parse_match_csv(text):
    """Parses match output with Python's csv module; checks the header.

    Returns a list of 6-item lists (all strings), header excluded.
    """
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    assert rows, "match wrote nothing, not even the header"
    assert rows[0] == OUTPUT_HEADER, f"bad output header {rows[0]!r}"
    for row in rows[1:]:
        assert len(row) == 6, f"output row with {len(row)} fields: {row!r}"
    return rows[1:]


def score_pairs(pairs, scorer, processor, tmpdir):
    """Scores many (a, b) pairs with one `needle score --pairs FILE` call."""
    # A scorer may carry flags: "levenshtein --raw".
    name, *flags = scorer.split()
    path = Path(tmpdir) / f"pairs-{name}-{processor}.tsv"
    write_pairs(path, pairs)
    out = run_ok(["score", "--scorer", name, *flags, "--processor", processor, "--pairs", path])
    lines = out.split("\n")
    assert lines[-1] == "", "score output does not end with a newline"
    lines = lines[:-1]
    assert len(lines) == len(pairs), f"{len(pairs)} pairs in, {len(lines)} scores out"
    return [float(x) for x in lines]


def write_pairs(path, pairs):
    for a, b in pairs:
        for s in (a, b):
            assert not any(c in s for c in "\t\n\r"), f"pair string holds a tab/newline: {s!r}"
    if pairs:
        assert not pairs[0][0].startswith("\ufeff"), "a leading U+FEFF would read as a BOM"
    Path(path).write_bytes("".join(f"{a}\t{b}\n" for a, b in pairs).encode("utf-8"))


# ------------------------------------------------------------------- files


def write_bytes(path, data):
    Path(path).write_bytes(data)
    return Path(path)


def write_text(path, text):
    """Writes text as UTF-8 exactly as given (no newline translation)."""
    return write_bytes(path, text.encode("utf-8"))


def csv_field(value):
    """One RFC 4180 field: quoted (quotes doubled) when it holds , " CR or LF.

    (Python's csv.writer with an LF line terminator leaves a lone CR unquoted,
    which any reader takes for a line end.)
    """
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_csv(path, header, rows):
    """Writes an RFC 4180 CSV with LF line ends."""
    lines = [",".join(csv_field(str(v)) for v in row) + "\n" for row in [header] + list(rows)]
    return write_text(path, "".join(lines))


def demo_names(limit):
    """The first `limit` names of data/demo/haystack.csv (shipped in the repo)."""
    with open(REPO / "data" / "demo" / "haystack.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [r[1] for r in rows[:limit]]


def write_hay_and_needles(tmp, names, needles):
    """Writes hay.csv (ids h0...) and needles.csv (ids n0...) into tmp; returns both paths."""
    hay = tmp / "hay.csv"
    write_csv(hay, ["id", "name"], [[f"h{i}", n] for i, n in enumerate(names)])
    nfile = tmp / "needles.csv"
    write_csv(nfile, ["id", "name"], [[f"n{i}", n] for i, n in enumerate(needles)])
    return hay, nfile


def tempdir():
    return tempfile.TemporaryDirectory(prefix="needle-test-")


# ------------------------------------------------------- reference scorers


def default_process(s):
    """RapidFuzz's default_process.

    Every code point that is not alphanumeric (str.isalnum) becomes a space;
    alphanumerics take their simple, one-to-one lower case; spaces are trimmed
    at both ends (inner runs stay). str.lower() gives the simple lower case
    whenever it is one code point. The one code point whose full lower case is
    longer, U+0130 (capital I with dot above, lower case 'i' + U+0307), has the
    simple lower case 'i' (UnicodeData.txt), and RapidFuzz takes that first
    code point too; keeping U+0130 unchanged would differ from RapidFuzz.
    """
    out = []
    for c in s:
        if c.isalnum():
            out.append(c.lower()[0])
        else:
            out.append(" ")
    return "".join(out).strip(" ")


def process(s, processor):
    if processor == "default":
        return default_process(s)
    assert processor == "none", processor
    return s


def ref_ratio(a, b):
    """python-Levenshtein ratio x 100 (1.0 for two empty strings)."""
    return Levenshtein.ratio(a, b) * 100


def ref_setratio(a, b):
    """python-Levenshtein 0.12 setratio on the ' '-split tokens, x 100."""
    return Levenshtein.setratio(a.split(" "), b.split(" ")) * 100


def indel_distance(a, b):
    """Insertions plus deletions turning a into b (len(a)+len(b)-2*LCS).

    Recovered from python-Levenshtein's ratio, (lensum - dist) / lensum: the
    quotient is correctly rounded, so rounding ratio * lensum gives the exact
    integer for any length a test uses.
    """
    lensum = len(a) + len(b)
    if lensum == 0:
        return 0
    return lensum - round(Levenshtein.ratio(a, b) * lensum)


def sorted_joined(s):
    """The token_sort form: whitespace tokens (str.split()), sorted, joined by one space."""
    return " ".join(sorted(s.split()))


def ref_token_sort_ratio(a, b):
    return ref_ratio(sorted_joined(a), sorted_joined(b))


def _norm100(dist, lensum):
    return 100.0 if lensum == 0 else 100 - 100 * dist / lensum


def token_set_parts(s):
    return frozenset(s.split())


def ref_token_set_ratio(a, b, parts_a=None, parts_b=None):
    """RapidFuzz 3.x token_set_ratio (no processing).

    parts_a/parts_b: precomputed token_set_parts of a and b (optional).
    """
    ta = token_set_parts(a) if parts_a is None else parts_a
    tb = token_set_parts(b) if parts_b is None else parts_b
    if not ta or not tb:
        return 0.0
    sect = ta & tb
    diff_ab = ta - tb
    diff_ba = tb - ta
    if sect and (not diff_ab or not diff_ba):
        return 100.0
    ab = " ".join(sorted(diff_ab))
    ba = " ".join(sorted(diff_ba))
    sect_len = len(" ".join(sorted(sect)))
    sep = 1 if sect_len else 0
    sect_ab_len = sect_len + sep + len(ab)
    sect_ba_len = sect_len + sep + len(ba)
    best = _norm100(indel_distance(ab, ba), sect_ab_len + sect_ba_len)
    if sect_len:
        best = max(
            best,
            _norm100(sep + len(ab), sect_len + sect_ab_len),
            _norm100(sep + len(ba), sect_len + sect_ba_len),
        )
    return best


def ref_seqratio(a, b):
    """python-Levenshtein 0.12 seqratio(a.split(' '), b.split(' ')) x 100."""
    return Levenshtein.seqratio(a.split(" "), b.split(" ")) * 100


def ref_levenshtein_raw(a, b):
    """python-Levenshtein's distance (unit costs), as `needle score --raw`."""
    return float(Levenshtein.distance(a, b))


REF_SCORERS = {
    "ratio": ref_ratio,
    "setratio": ref_setratio,
    "seqratio": ref_seqratio,
    "levenshtein --raw": ref_levenshtein_raw,
    "token_sort_ratio": ref_token_sort_ratio,
    "token_set_ratio": ref_token_set_ratio,
}


def mismatches(pairs, got, want, tol=TOLERANCE):
    """The (pair, got, want) triples that differ by more than tol."""
    return [(p, g, w) for p, g, w in zip(pairs, got, want) if not abs(g - w) <= tol]


def describe_mismatches(bad, total, what):
    lines = [f"{len(bad)} of {total} {what} differ by more than {TOLERANCE}:"]
    for (a, b), g, w in bad[:8]:
        lines.append(f"  needle score {a!r} {b!r}: got {g!r}, expected {w!r}")
    return "\n".join(lines)


# ------------------------------------------------------------- shared data


def require_shared(*relpaths):
    """Skips the calling test unless ../shared (and the given files) exist."""
    if not SHARED.is_dir():
        raise Skip(f"shared data not found at {SHARED} (set NEEDLE_SHARED)")
    for rel in relpaths:
        if not (SHARED / rel).is_file():
            raise Skip(f"shared file {SHARED / rel} not found")


@functools.lru_cache(maxsize=None)
def shared_lines(rel):
    """Data lines of an xz-compressed TSV under ../shared (header dropped)."""
    require_shared(rel)
    with lzma.open(SHARED / rel, "rt", encoding="utf-8", newline="\n") as f:
        lines = f.read().split("\n")
    return tuple(line for line in lines[1:] if line)


def usable(name):
    """A name that fits in a pairs file and in a CSV cell the tests build."""
    return not any(c in name for c in "\t\n\r\0")


def sample_names(rel, column, k, seed):
    """k names (column index `column`) drawn at random from a shared TSV."""
    lines = shared_lines(rel)
    rnd = random.Random(seed)
    out = []
    for i in rnd.sample(range(len(lines)), min(len(lines), k * 2)):
        name = lines[i].split("\t")[column]
        if usable(name):
            out.append(name)
            if len(out) == k:
                break
    return out


WOF = "data/wof_venues_names.tsv.xz"
IRS = "data/irs_eo_bmf_names.tsv.xz"
NSI = "data/nsi_brand_operator_name_groups.tsv.xz"
IRS_HISTORY = "data/irs_eo_bmf_name_history_groups.tsv.xz"
ELF = "data/iso20275_elf_2026-02-19.csv.xz"
VECTORS = "vectors/rapidfuzz_vectors.tsv.xz"


@functools.lru_cache(maxsize=None)
def name_groups(rel):
    """Ground-truth groups: {group_id: [distinct names]} (2+ names only)."""
    name_col = 2 if rel == NSI else 1
    groups = {}
    for line in shared_lines(rel):
        fields = line.split("\t")
        name = fields[name_col]
        if usable(name):
            names = groups.setdefault(fields[0], [])
            if name not in names:
                names.append(name)
    return {g: n for g, n in groups.items() if len(n) >= 2}


@functools.lru_cache(maxsize=None)
def elf_name_pairs():
    """(local name, transliterated name) and (local name, abbreviation) pairs
    from the ISO 20275 legal-form list (CSV, many scripts)."""
    require_shared(ELF)
    with lzma.open(SHARED / ELF, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    local = header.index("Entity Legal Form name Local name")
    translit = header.index("Entity Legal Form name Transliterated name (per ISO 01-140-10)")
    abbrev = header.index("Abbreviations Local language")
    pairs = []
    for row in rows[1:]:
        name = row[local]
        if not name or not usable(name):
            continue
        for other in (row[translit], row[abbrev].split(";")[0]):
            if other and usable(other) and other != name:
                pairs.append((name, other))
    return tuple(pairs)


# ---------------------------------------------------------- name variants

PUNCTUATION = ".,-'/&()!#:;\"*+"


def _typo(name, rnd):
    if not name:
        return rnd.choice("abcxyz")
    chars = list(name)
    i = rnd.randrange(len(chars))
    pool = name.replace(" ", "") or "e"
    op = rnd.randrange(4)
    if op == 0:  # insert
        chars.insert(i, rnd.choice(pool + "aeiou"))
    elif op == 1:  # delete
        del chars[i]
    elif op == 2:  # substitute
        chars[i] = rnd.choice(pool + "aeiou")
    elif len(chars) > 1:  # transpose
        j = min(i + 1, len(chars) - 1)
        i = j - 1
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def _drop_word(name, rnd):
    words = name.split(" ")
    if len(words) < 2:
        return name
    del words[rnd.randrange(len(words))]
    return " ".join(words)


def _swap_words(name, rnd):
    words = name.split(" ")
    if len(words) < 2:
        return name
    i = rnd.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def _ampersand(name, rnd):
    if " and " in name:
        return name.replace(" and ", " & ", 1)
    if " & " in name:
        return name.replace(" & ", rnd.choice([" and ", " AND ", "&", " + "]), 1)
    words = name.split(" ")
    i = rnd.randrange(len(words) + 1)
    return " ".join(words[:i] + ["&"] + words[i:])


def _punctuation(name, rnd):
    i = rnd.randrange(len(name) + 1)
    return name[:i] + rnd.choice(PUNCTUATION) + name[i:]


def _spaces(name, rnd):
    op = rnd.randrange(3)
    if op == 0 and " " in name:
        return name.replace(" ", rnd.choice(["  ", "   "]), 1)
    if op == 1:
        return " " + name + rnd.choice(["", " ", "  "])
    i = rnd.randrange(len(name) + 1)
    return name[:i] + "  " + name[i:]


def _case(name, rnd):
    return rnd.choice([str.upper, str.lower, str.title, str.swapcase])(name)


def _suffix(name, rnd):
    return name + rnd.choice([" Inc", " Inc.", ", LLC", " Co", " Corp.", " Ltd", " GmbH", " S.A."])


MUTATIONS = (_typo, _typo, _drop_word, _swap_words, _ampersand, _punctuation, _spaces, _case,
             _suffix)


def perturb(name, rnd, steps=None):
    """A realistic variant of name: 1-3 of typos, dropped or swapped words,
    '&'/'and', punctuation, extra spaces, case changes, legal suffixes."""
    for _ in range(steps or rnd.randint(1, 3)):
        name = rnd.choice(MUTATIONS)(name, rnd)
    return name


# ---------------------------------------------------------- output checks


def format_shortest(x):
    """Python's shortest round-trip repr, without the '.0' of whole numbers."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text
