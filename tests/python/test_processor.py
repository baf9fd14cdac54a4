"""The `default` and `none` processors.

`default` is RapidFuzz's default_process: every code point that is not
alphanumeric (str.isalnum) becomes a space, alphanumerics take their simple
(one-to-one) lower case, spaces are trimmed at both ends and inner runs kept.
The processed form is not printed by the CLI, so these tests read it through
scores: `needle score --processor default A B` must equal the unprocessed
score of support.default_process(A) and support.default_process(B).
"""

import unicodedata

import support


def score(a, b, scorer="ratio", processor="default"):
    return float(support.run_ok(["score", "--scorer", scorer, "--processor", processor, a, b]))


def expected_default(pairs, scorer="ratio"):
    ref = support.REF_SCORERS[scorer]
    return [ref(support.default_process(a), support.default_process(b)) for a, b in pairs]


def check_default_pairs(pairs, what, scorer="ratio"):
    with support.tempdir() as tmp:
        got = support.score_pairs(pairs, scorer, "default", tmp)
    bad = support.mismatches(pairs, got, expected_default(pairs, scorer))
    assert not bad, support.describe_mismatches(bad, len(pairs), what)


def test_default_processor_lowercases_and_turns_punctuation_into_spaces():
    assert score("Hello-World!", "hello world") == 100
    assert score("ACME/CORP.", "acme corp") == 100
    # ', ' is two non-alphanumerics: two spaces, and the run is kept.
    assert score("Hello, World!", "hello  world") == 100
    assert score("Hello, World!", "hello world") == support.ref_ratio("hello  world", "hello world")
    assert score("Hello-World!", "hello world", processor="none") < 100


def test_default_processor_trims_spaces_at_both_ends():
    assert score("  (acme)  ", "acme") == 100
    assert score("  acme  ", "acme", processor="none") < 100


def test_default_processor_keeps_runs_of_inner_spaces():
    # 'a--b' becomes 'a  b': three ' '-separated tokens for setratio.
    assert score("a--b", "a  b", scorer="setratio") == 100
    assert score("a--b", "a b", scorer="setratio") == support.ref_setratio("a  b", "a b")
    assert score("a--b", "a b", scorer="setratio") < 100


def test_processor_none_compares_names_as_they_are():
    assert score("Acme", "acme", processor="none") == support.ref_ratio("Acme", "acme")
    assert score("a.b", "a b", processor="none") < 100


def test_default_processor_lowercases_non_latin_letters():
    assert score("\u0421\u0422\u0410\u0420\u0411\u0410\u041a\u0421",
                 "\u0441\u0442\u0430\u0440\u0431\u0430\u043a\u0441") == 100  # Cyrillic
    assert score("\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c3") == 100  # Greek, sigma
    assert score("\uff21\uff22\uff23", "\uff41\uff42\uff43") == 100  # fullwidth Latin
    assert score("\U00010400", "\U00010428") == 100  # Deseret (astral plane)


def test_default_processor_lowercases_capital_i_with_dot_above_to_i():
    # 'İ'.lower() is 'i' + U+0307 (two code points); the simple one-to-one
    # mapping, which RapidFuzz uses, is 'i'. The combining dot must not appear.
    assert support.default_process("\u0130") == "i"
    assert score("\u0130", "i") == 100
    assert score("\u0130STANBUL", "istanbul") == 100
    assert score("\u0130", "i\u0307", processor="default") == 100  # U+0307 becomes a space


def python_assigned(c):
    return unicodedata.category(c) not in ("Cn", "Cs")


def classification_pairs():
    """(c + 'x', 'x') for every assigned code point c (private use areas only
    in the BMP): 100 when c becomes a trimmed space, 66.67 when it is kept."""
    pairs = []
    for cp in range(1, 0x110000):
        c = chr(cp)
        if c in "\t\n\r" or not python_assigned(c):
            continue
        if cp > 0xFFFF and unicodedata.category(c) == "Co":
            continue
        pairs.append((c + "x", "x"))
    return pairs


def case_class_pairs():
    """Every pair of code points linked by lower/upper/title/casefold maps
    (one code point each way, or the first of a longer lower case), e.g.
    Σ σ ς, K k K (Kelvin), ǅ Ǆ ǆ, İ i I."""
    parent = {}

    def find(c):
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for cp in range(0x20000):
        c = chr(cp)
        if not python_assigned(c):
            continue
        for mapped in (c.lower(), c.lower()[:1], c.upper(), c.title(), c.casefold()):
            if len(mapped) == 1 and mapped != c:
                parent[find(c)] = find(mapped)
    classes = {}
    for c in list(parent):
        classes.setdefault(find(c), set()).add(c)
    for root, members in classes.items():
        members.add(root)
    pairs = []
    for members in classes.values():
        ordered = sorted(members)
        pairs.extend((a, b) for a in ordered for b in ordered if a != b)
    return pairs


def test_default_processor_classifies_every_code_point_like_str_isalnum():
    pairs = classification_pairs()
    assert len(pairs) > 140_000
    check_default_pairs(pairs, "code points classified (c + 'x' vs 'x')")


def test_default_processor_lower_cases_every_cased_code_point():
    pairs = case_class_pairs()
    assert len(pairs) > 2_000
    check_default_pairs(pairs, "case-related code point pairs")


def test_default_processor_applies_to_both_sides_of_match():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"],
                                [["h1", "Acme Inc"], ["h2", "ACME-INC."], ["h3", "Zeta"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n1", "acme-inc"]])
        rows = support.match_rows([hay, needles, "--top", "2"])
        assert rows == [["n1", "acme-inc", "1", "h1", "Acme Inc", "100"],
                        ["n1", "acme-inc", "2", "h2", "ACME-INC.", "100"]], rows
        rows = support.match_rows([hay, needles, "--top", "2", "--processor", "none"])
        assert [r[5] for r in rows] != ["100", "100"], rows
