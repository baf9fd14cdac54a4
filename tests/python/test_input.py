"""Reading haystacks and needles: formats, encodings, columns, odd names.

No shared data needed: every test writes its own small files.
"""

import csv
import io
import os

import support

HEADER_LINE = ",".join(support.OUTPUT_HEADER) + "\n"


def by_needle(rows):
    """{needle_id: [(match_id, match, score), ...]} from parsed output rows."""
    out = {}
    for nid, _, _, mid, match, score in rows:
        out.setdefault(nid, []).append((mid, match, score))
    return out


def test_quoted_fields_with_commas_quotes_and_newlines_come_out_intact():
    hay = [["id,1", "Smith, Jones & Co"], ['id "2"', 'The "Best" Bakery'],
           ["id\n3", "Line one\nLine two"], ["4", "Crlf\r\ninside"], ["5", "Plain"]]
    with support.tempdir() as tmp:
        hay_path = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], hay)
        needles = [[f"n{i}", name] for i, (_, name) in enumerate(hay)]
        needles.append(["n,\"x\"\n", "Plain"])
        needle_path = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], needles)
        rows = support.match_rows([hay_path, needle_path, "--processor", "none"])
    assert len(rows) == len(needles)
    for (nid, name), row in zip(needles, rows):
        assert row[0] == nid and row[1] == name, row
        expected = next(h for h in hay if h[1] == name)
        assert row[2:] == ["1", expected[0], expected[1], "100"], row


def test_output_parses_with_python_csv_when_names_need_quoting():
    with support.tempdir() as tmp:
        hay_path = support.write_csv(f"{tmp}/hay.csv", ["id", "name"],
                                     [["1", 'a,"b"\nc'], ["2", "\r"]])
        needle_path = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n", 'a,"b"\nc']])
        out = support.run_ok(["match", hay_path, needle_path, "--top", "2", "--quiet"])
    rows = list(csv.reader(io.StringIO(out, newline=""), strict=True))
    assert rows == [support.OUTPUT_HEADER, ["n", 'a,"b"\nc', "1", "1", 'a,"b"\nc', "100"],
                    ["n", 'a,"b"\nc', "2", "2", "\r", "0"]], rows


def test_haystack_ids_are_data_row_numbers_without_an_id_column():
    with support.tempdir() as tmp:
        # Row 2 spans two lines: ids count data rows, not lines.
        hay = support.write_text(f"{tmp}/hay.csv",
                                 'name,city\nAlpha,X\n"Beta\nBeta",Y\nGamma,Z\n')
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"],
                                    [["a", "alpha"], ["g", "gamma"], ["b", "beta\nbeta"]])
        rows = support.match_rows([hay, needles])
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("a", "1", "Alpha"), ("g", "3", "Gamma"), ("b", "2", "Beta\nBeta")], rows


def test_needle_ids_are_data_row_numbers_without_an_id_column():
    # CSV without an id column, a text file and text on stdin: the needle_id
    # column holds the data row (for text: line) number. The other tests leave
    # these ids alone so that this one alone speaks for them.
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"]])
        needles_csv = support.write_text(f"{tmp}/needles.csv",
                                         'name,note\nalpha,x\n"al\npha",y\nALPHA,z\n')
        needles_txt = support.write_text(f"{tmp}/needles.txt", "alpha\nbeta\n\ngamma\n")
        got = {
            "csv": [(r[0], r[1]) for r in support.match_rows([hay, needles_csv])],
            "txt": [(r[0], r[1]) for r in support.match_rows([hay, needles_txt])],
            "stdin": [(r[0], r[1]) for r in support.match_rows(
                [hay, "-", "--needle-format", "txt"], stdin="alpha\nbeta\n")],
        }
    want = {
        "csv": [("1", "alpha"), ("2", "al\npha"), ("3", "ALPHA")],
        "txt": [("1", "alpha"), ("2", "beta"), ("3", ""), ("4", "gamma")],
        "stdin": [("1", "alpha"), ("2", "beta")],
    }
    assert got == want, f"needle ids should be row numbers:\n got  {got}\n want {want}"


def test_utf8_bom_is_not_part_of_the_first_header_or_name():
    bom = "\ufeff"
    with support.tempdir() as tmp:
        hay = support.write_text(f"{tmp}/hay.csv", bom + "id,name\nh7,Alpha\nh8,Beta\n")
        needles = support.write_text(f"{tmp}/needles.csv", bom + "id,name\nn1,Beta\n")
        needles_txt = support.write_text(f"{tmp}/needles.txt", bom + "Alpha\nBeta\n")
        rows = support.match_rows([hay, needles, "--processor", "none"])
        assert rows == [["n1", "Beta", "1", "h8", "Beta", "100"]], rows
        rows = support.match_rows([hay, needles_txt, "--processor", "none"])
        assert [r[1:] for r in rows] == [["Alpha", "1", "h7", "Alpha", "100"],
                                         ["Beta", "1", "h8", "Beta", "100"]], rows


def test_crlf_line_ends_are_not_part_of_ids_or_names():
    with support.tempdir() as tmp:
        hay = support.write_text(f"{tmp}/hay.csv",
                                 'id,name\r\nh1,Alpha\r\nh2,"Be\r\nta"\r\nh3,\r\n')
        needles = support.write_text(f"{tmp}/needles.tsv", "id\tname\r\nn1\tAlpha\r\nn2\t\r\n")
        rows = support.match_rows([hay, needles, "--processor", "none", "--top", "3"])
    assert rows[0] == ["n1", "Alpha", "1", "h1", "Alpha", "100"], rows
    assert ["n2", "", "1", "h3", "", "100"] in rows, rows
    assert any(r[3] == "h2" and r[4] == "Be\r\nta" for r in rows), rows


def test_tsv_files_take_quotes_and_commas_literally():
    with support.tempdir() as tmp:
        hay = support.write_text(f"{tmp}/hay.tsv",
                                 'id\tname\nh1\t"Quoted" Name\nh2\tSmith, Jones\n')
        needles = support.write_text(f"{tmp}/needles.tsv",
                                     'id\tname\nn1\tSmith, Jones\nn2\t"Quoted" Name\n')
        rows = support.match_rows([hay, needles, "--processor", "none"])
    assert rows == [["n1", "Smith, Jones", "1", "h2", "Smith, Jones", "100"],
                    ["n2", '"Quoted" Name', "1", "h1", '"Quoted" Name', "100"]], rows


def test_text_haystack_ids_are_line_numbers_and_quotes_are_literal():
    with support.tempdir() as tmp:
        hay = support.write_text(f"{tmp}/hay.txt", 'Alpha, Inc\n"Beta"\n\nGamma\n')
        needles = support.write_text(f"{tmp}/needles.txt", 'gamma\n"beta"\n')
        rows = support.match_rows([hay, needles, "--processor", "none", "--scorer", "ratio"])
    assert [r[1:] for r in rows] == [["gamma", "1", "4", "Gamma", "80"],
                                     ['"beta"', "1", "2", '"Beta"', "83.33333333333334"]], rows


def test_format_options_override_the_extension():
    with support.tempdir() as tmp:
        hay = support.write_text(f"{tmp}/hay.dat", "id\tname\nh1\tAlpha, Beta\n")
        needles = support.write_text(f"{tmp}/needles.csv", "Alpha, Beta\n")
        rows = support.match_rows([hay, needles, "--format", "tsv", "--needle-format", "txt",
                                   "--processor", "none"])
        assert [r[1:] for r in rows] == [["Alpha, Beta", "1", "h1", "Alpha, Beta", "100"]], rows
        hay_csv = support.write_text(f"{tmp}/hay.txt", "id,name\nh1,Alpha\n")
        rows = support.match_rows([hay_csv, needles, "--format", "csv", "--needle-format", "txt"])
        assert rows[0][3:5] == ["h1", "Alpha"], rows


def test_needles_read_from_stdin():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"], ["h2", "Beta"]])
        rows = support.match_rows([hay, "-"], stdin="id,name\nn1,beta\nn2,\"alpha\"\n")
        assert [(r[0], r[3]) for r in rows] == [("n1", "h2"), ("n2", "h1")], rows
        rows = support.match_rows([hay, "-", "--needle-format", "txt"], stdin="beta\nalpha\n")
        assert [(r[1], r[3]) for r in rows] == [("beta", "h2"), ("alpha", "h1")], rows


def test_columns_chosen_by_header_name():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["code", "label", "name"],
                                [["c1", "Alpha", "zzz"], ["c2", "Beta", "yyy"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["code", "label", "name"],
                                    [["q1", "beta", "xxx"]])
        rows = support.match_rows([hay, needles, "--id-column", "code", "--name-column", "label"])
    assert rows == [["q1", "beta", "1", "c2", "Beta", "100"]], rows


def test_columns_chosen_by_1_based_number():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["a", "b", "c"],
                                [["x", "Alpha", "h1"], ["y", "Beta", "h2"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["a", "b", "c"], [["z", "alpha", "q1"]])
        rows = support.match_rows([hay, needles, "--id-column", "3", "--name-column", "2"])
    assert rows == [["q1", "alpha", "1", "h1", "Alpha", "100"]], rows


def test_needle_columns_can_differ_from_haystack_columns():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"], ["h2", "Beta"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["note", "query", "ref"],
                                    [["-", "beta", "r1"], ["-", "alpha", "r2"]])
        rows = support.match_rows([hay, needles, "--needle-id-column", "ref",
                                   "--needle-name-column", "query"])
        assert [(r[0], r[1], r[3]) for r in rows] == [("r1", "beta", "h2"), ("r2", "alpha", "h1")]
        rows = support.match_rows([hay, needles, "--needle-id-column", "3",
                                   "--needle-name-column", "2"])
        assert [(r[0], r[1], r[3]) for r in rows] == [("r1", "beta", "h2"), ("r2", "alpha", "h1")]


def test_default_columns_are_the_ones_named_id_and_name():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["city", "name", "id"],
                                [["Paris", "Alpha", "h1"], ["Rome", "Beta", "h2"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["x", "id", "name"],
                                    [["Paris", "q1", "beta"]])
        rows = support.match_rows([hay, needles])
    assert rows == [["q1", "beta", "1", "h2", "Beta", "100"]], rows


def test_default_name_is_the_first_column_that_is_not_the_id():
    with support.tempdir() as tmp:
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["q", "beta"]])
        hay = support.write_csv(f"{tmp}/a.csv", ["id", "label", "extra"],
                                [["h1", "Alpha", "Beta"], ["h2", "Beta", "Alpha"]])
        assert support.match_rows([hay, needles])[0][3:5] == ["h2", "Beta"]
        hay = support.write_csv(f"{tmp}/b.csv", ["label", "extra"],
                                [["Alpha", "Beta"], ["Beta", "Alpha"]])
        assert support.match_rows([hay, needles])[0][3:5] == ["2", "Beta"]
        hay = support.write_csv(f"{tmp}/c.csv", ["code", "id"], [["Beta", "h1"], ["Alpha", "h2"]])
        assert support.match_rows([hay, needles])[0][3:5] == ["h1", "Beta"]


def test_blank_lines_at_the_end_of_a_file_are_ignored():
    with support.tempdir() as tmp:
        hay = support.write_text(f"{tmp}/hay.csv", "id,name\nh1,Alpha\n\n\n")
        needles = support.write_text(f"{tmp}/needles.txt", "alpha\nbeta\n\r\n\n")
        rows = support.match_rows([hay, needles])
    assert [r[1] for r in rows] == ["alpha", "beta"], rows


def test_header_only_needle_file_gives_header_only_output():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"]])
        for name, text in (("needles.csv", "id,name\n"), ("needles.tsv", "id\tname\r\n"),
                           ("needles.txt", "")):
            needles = support.write_text(f"{tmp}/{name}", text)
            rc, out, err = support.run_needle(["match", hay, needles, "--quiet"])
            assert (rc, out, err) == (0, HEADER_LINE, ""), (name, rc, out, err)


def test_needles_that_are_empty_or_only_punctuation():
    needles = [["n1", ""], ["n2", "!!!"], ["n3", "   "], ["n4", "Alpha"]]
    hay = [["h1", "Alpha"], ["h2", "-"], ["h3", "Beta"]]
    with support.tempdir() as tmp:
        hay_path = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], hay)
        needle_path = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], needles)
        for scorer in ("token_sort_ratio", "setratio", "token_set_ratio"):
            rows = support.match_rows([hay_path, needle_path, "--scorer", scorer, "--top", "3"])
            assert [r[:2] for r in rows] == [n for n in needles for _ in range(3)], rows
            ref = support.REF_SCORERS[scorer]
            for nid, name, rank, mid, match, score in rows:
                want = ref(support.default_process(name), support.default_process(match))
                assert abs(float(score) - want) <= support.TOLERANCE, (scorer, name, match, score)


def test_empty_names_in_a_one_column_file_are_rows():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"], ["h2", ""]])
        needles = support.write_text(f"{tmp}/needles.csv", 'name\nalpha\n\n""\nbeta\n')
        rows = support.match_rows([hay, needles, "--scorer", "token_sort_ratio"])
    assert [r[1] for r in rows] == ["alpha", "", "", "beta"], rows


def test_quoted_empty_name_on_the_last_line_is_a_row():
    # '""' is a field holding an empty name, not a blank line.
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"]])
        needles = support.write_text(f"{tmp}/needles.csv", 'name\nalpha\n""\n')
        rows = support.match_rows([hay, needles, "--scorer", "token_sort_ratio"])
    assert [r[1] for r in rows] == ["alpha", ""], f"the quoted empty name was dropped: {rows}"


def test_a_name_of_100000_characters():
    base = "Acme Widgets & Gadgets Manufacturing Company of North America "
    long_a = (base * (100000 // len(base) + 1))[:100000]
    # long_b: long_a without 10 characters, so LCS = len(long_b) exactly.
    drop = set(range(5000, 100000, 9500))
    long_b = "".join(c for i, c in enumerate(long_a) if i not in drop)
    assert len(long_b) == 99990
    hay = [["h1", "Acme Widgets"], ["h2", long_a], ["h3", long_b], ["h4", "zzz"]]
    with support.tempdir() as tmp:
        hay_path = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], hay)
        needle_path = support.write_csv(f"{tmp}/needles.csv", ["id", "name"],
                                        [["n1", long_a], ["n2", "acme widgets co"]])
        rows = support.match_rows([hay_path, needle_path, "--processor", "none", "--top", "4",
                                   "--scorer", "ratio"])
    got = by_needle(rows)
    assert rows[0][1] == long_a, "the long needle did not come back intact"
    assert got["n1"][0] == ("h2", long_a, "100")
    assert got["n1"][1][0] == "h3" and got["n1"][1][1] == long_b
    assert abs(float(got["n1"][1][2]) - 100 * 2 * 99990 / 199990) <= support.TOLERANCE
    for mid, match, score in got["n2"]:
        want = support.ref_ratio("acme widgets co", match)
        assert abs(float(score) - want) <= support.TOLERANCE, (mid, score, want)


def test_non_latin_names():
    hay = [["h1", "\u0421\u0442\u0430\u0440\u0431\u0430\u043a\u0441"],  # Cyrillic
           ["h2", "\u30b9\u30bf\u30fc\u30d0\u30c3\u30af\u30b9"],  # Katakana
           ["h3", "\u0645\u0627\u0643\u062f\u0648\u0646\u0627\u0644\u062f\u0632"],  # Arabic
           ["h4", "\u039f\u0394\u039f\u03a3 \u0391\u0395"],  # Greek
           ["h5", "\U0001F355 Pizza \U00020000"],  # emoji, CJK Extension B
           ["h6", "\u661f\u5df4\u514b"]]  # Han
    needles = [["n1", "\u0421\u0422\u0410\u0420\u0411\u0410\u041a\u0421"],
               ["n2", "\u30b9\u30bf\u30fc\u30d0\u30c3\u30af\u30b9\uff01"],
               ["n3", "\u0645\u0627\u0643\u062f\u0648\u0646\u0627\u0644\u062f\u0632"],
               ["n4", "\u03bf\u03b4\u03bf\u03c3 \u03b1\u03b5"],
               ["n5", "\U0001F355 pizza \U00020000"],
               ["n6", "\u661f\u5df4\u514b\u54aa\u5561"]]
    with support.tempdir() as tmp:
        hay_path = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], hay)
        needle_path = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], needles)
        rows = support.match_rows([hay_path, needle_path, "--scorer", "ratio"])
    expected = {"n1": "h1", "n2": "h2", "n3": "h3", "n4": "h4", "n5": "h5", "n6": "h6"}
    names = dict((h[0], h[1]) for h in hay)
    for (nid, nname), row in zip(needles, rows):
        assert row[0] == nid and row[1] == nname
        assert row[3] == expected[nid] and row[4] == names[row[3]], row
        want = support.ref_ratio(support.default_process(nname), support.default_process(row[4]))
        assert abs(float(row[5]) - want) <= support.TOLERANCE, row


def test_out_file_holds_the_same_csv_as_stdout_and_no_temporary_file():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"], ["h2", "Beta"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n", "alpah"]])
        os.mkdir(f"{tmp}/out")
        stdout = support.run_ok(["match", hay, needles, "--quiet", "--top", "2"])
        printed = support.run_ok(["match", hay, needles, "--quiet", "--top", "2",
                                  "--out", f"{tmp}/out/result.csv"])
        assert printed == ""
        assert open(f"{tmp}/out/result.csv", encoding="utf-8", newline="").read() == stdout
        assert os.listdir(f"{tmp}/out") == ["result.csv"]


def test_out_replaces_an_existing_file():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n", "alpha"]])
        target = support.write_text(f"{tmp}/result.csv", "old content\n" * 1000)
        support.run_ok(["match", hay, needles, "--quiet", "--out", target])
        assert target.read_text(encoding="utf-8") == HEADER_LINE + "n,alpha,1,h1,Alpha,100\n"


def test_stdout_holds_only_the_csv_and_quiet_silences_stderr():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n", "alpha"]])
        rc, out, err = support.run_needle(["match", hay, needles])
        assert rc == 0 and out == HEADER_LINE + "n,alpha,1,h1,Alpha,100\n", out
        assert "error" not in err, err
        rc, out, err = support.run_needle(["match", hay, needles, "--quiet"])
        assert rc == 0 and out == HEADER_LINE + "n,alpha,1,h1,Alpha,100\n" and err == "", err


def test_scores_are_printed_in_shortest_round_trip_form():
    cases = [("abc", "abd", "66.66666666666667"), ("a", "a", "100"), ("a", "b", "0"),
             ("abcd", "abce", "75"), ("ab", "abc", "80")]
    with support.tempdir() as tmp:
        for a, b, text in cases:
            assert support.run_ok(["score", "-s", "ratio", a, b]) == text + "\n", (a, b)
            hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h", b]])
            needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n", a]])
            assert support.match_rows([hay, needles, "-s", "ratio"])[0][5] == text
        pairs = [("x" * i, "x" * j + "y") for i in range(30) for j in range(30)]
        support.write_pairs(f"{tmp}/pairs.tsv", pairs)
        out = support.run_ok(["score", "--pairs", f"{tmp}/pairs.tsv", "--processor", "none",
                              "-s", "ratio"])
    texts = out.split("\n")[:-1]
    assert len(texts) == len(pairs)
    for (a, b), text in zip(pairs, texts):
        assert text == support.format_shortest(text), f"{a!r} {b!r}: {text!r}"
        assert abs(float(text) - support.ref_ratio(a, b)) <= support.TOLERANCE


def test_score_pairs_from_stdin_and_with_crlf():
    out = support.run_ok(["score", "--pairs", "-", "--processor", "none", "-s", "ratio"],
                         stdin="abc\tabd\r\nx\tx\n\ty\n")
    assert out == "66.66666666666667\n100\n0\n", out


def test_column_options_are_ignored_for_text_needles():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["key", "label"], [["h1", "Alpha"]])
        needles = support.write_text(f"{tmp}/needles.txt", "alpha\n")
        rows = support.match_rows([hay, needles, "--id-column", "key", "--name-column", "label"])
    assert [r[1:] for r in rows] == [["alpha", "1", "h1", "Alpha", "100"]], rows


def test_same_results_with_one_thread_and_all_cores():
    with support.tempdir() as tmp:
        names = [f"Company {i} {chr(65 + i % 26)}" for i in range(500)]
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"],
                                [[f"h{i}", n] for i, n in enumerate(names)])
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"],
                                    [[f"n{i}", n.lower()] for i, n in enumerate(names[::7])])
        outs = [support.run_ok(["match", hay, needles, "--top", "3", "--threads", t, "--quiet"])
                for t in ("1", "0", "2")]
    assert outs[0] == outs[1] == outs[2]


def test_top_larger_than_the_haystack_lists_every_row():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"],
                                [["h1", "Alpha"], ["h2", "Alphabet"], ["h3", "Beta"]])
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n", "alpha"]])
        rows = support.match_rows([hay, needles, "--top", "10"])
    assert [(r[2], r[3]) for r in rows] == [("1", "h1"), ("2", "h2"), ("3", "h3")], rows
