"""`--processor name` and `needle normalize` through the CLI.

The normaliser's cases are in src/text/name_normalizer_test.cc; here: the
command prints the parts and steps, refuses bad input clearly, and `match`
with `-p name` matches names that differ only in legal form, initials,
article, accents and abbreviations, from a CSV and from an index file that
records the processor.
"""

from pathlib import Path

import support


def test_normalize_prints_core_legal_form_and_steps():
    out = support.run_ok(["normalize", "The I.B.M. Intl Corp", "AMBA",
                          "Müller Transporte GmbH & Co. KG"])
    blocks = out.split("\n")
    assert "  core:  ibm international" in blocks
    assert "  legal: corp" in blocks
    assert "  - initials 'i.b.m.' -> ibm" in blocks
    assert "  - article 'the' dropped" in blocks
    assert "  - abbreviation 'intl' -> international" in blocks
    # A name that is only a legal form keeps it.
    i = blocks.index("AMBA")
    assert blocks[i + 1] == "  core:  amba" and blocks[i + 2] == "  legal: (none)"
    assert "  core:  muller transporte" in blocks and "  legal: gmbh and co kg" in blocks
    kept = support.run_ok(["normalize", "--keep-accents", "Société Générale"])
    assert "  core:  société générale" in kept.split("\n")


def test_normalize_refuses_no_name_and_invalid_utf8():
    rc, _, err = support.run_needle(["normalize"])
    assert rc == 2 and "names" in err, err
    # A lone surrogate escape becomes the byte 0xFF in argv: not UTF-8.
    rc, _, err = support.run_needle(["normalize", "Acme \udcff Inc"])
    assert rc == 2 and "UTF-8" in err, err


def test_match_with_the_name_processor_sees_through_legal_forms_and_initials():
    with support.tempdir() as tmpname:
        tmp = Path(tmpname)
        hay = tmp / "hay.csv"
        support.write_csv(hay, ["id", "name"], [
            ["h1", "International Business Machines Corporation"],
            ["h2", "I.B.M. Corp."],
            ["h3", "Société Générale S.A."],
            ["h4", "Acme Widgets, Inc."],
            ["h5", "Acme Gadgets Ltd"],
        ])
        needles = tmp / "needles.csv"
        support.write_csv(needles, ["id", "name"], [
            ["n1", "IBM Corporation"],
            ["n2", "SOCIETE GENERALE SA"],
            ["n3", "The Acme Widgets Incorporated"],
        ])
        out = tmp / "out.csv"
        support.run_ok(["match", hay, needles, "-p", "name", "-o", out, "-q"])
        rows = support.parse_match_csv(out.read_text(encoding="utf-8"))
        # The words are the same after the processor: only the name scorer's
        # spelling term (at most 2 points) separates them from 100.
        assert [(r[0], r[3]) for r in rows] == [("n1", "h2"), ("n2", "h3"), ("n3", "h4")], rows
        assert all(98 <= float(r[5]) < 100 for r in rows), rows
        # The same from an index, which records the processor.
        index = tmp / "hay.ndx"
        support.run_ok(["index", hay, "-p", "name", "-o", index, "-q"])
        out2 = tmp / "out2.csv"
        support.run_ok(["match", index, needles, "-o", out2, "-q"])
        assert out2.read_bytes() == out.read_bytes()
        rc, _, err = support.run_needle(["match", index, needles, "-p", "default", "-o",
                                         tmp / "x.csv"])
        assert rc == 2 and "processor" in err, err
