"""Bad input and bad options: exit code 2, one line on stderr, no output file.

Every run writes with --out into an empty directory of its own; after the
error that directory must still be empty (no result, no temporary file). The
message must read `needle: error: ...`, name the file it is about and, where
the problem sits on a line, that line: `FILE:LINE: problem`.
"""

import os
import random

import support


def expect_error(args, tmp, file=None, line=None, stdin=None, command="match"):
    """Runs `needle COMMAND ARGS --out OUT` and checks the failure contract.

    Returns the message (the text after 'needle: error: ').
    """
    out_dir = os.path.join(tmp, "out")
    os.makedirs(out_dir, exist_ok=True)
    out_args = ["--out", os.path.join(out_dir, "result.csv")] if command == "match" else []
    rc, out, err = support.run_needle([command] + list(args) + out_args, stdin=stdin)
    shown = f"needle {command} {' '.join(map(str, args))}"
    assert rc == 2, f"{shown}: exit code {rc}, expected 2 (stderr: {err!r})"
    assert err.endswith("\n") and err.count("\n") == 1, f"{shown}: stderr is not one line: {err!r}"
    assert err.startswith("needle: error: "), f"{shown}: {err!r}"
    message = err[len("needle: error: "):-1]
    if file is not None and line is not None:
        assert f"{file}:{line}: " in message, f"{shown}: expected '{file}:{line}: ' in {err!r}"
    elif file is not None:
        assert str(file) in message, f"{shown}: the message does not name {file}: {err!r}"
    if command == "match":
        assert out == "", f"{shown}: wrote to stdout: {out[:200]!r}"
    left = os.listdir(out_dir)
    assert left == [], f"{shown}: left {left} in the output directory"
    return message


def good_files(tmp):
    hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"], ["h2", "Beta"]])
    needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"], [["n1", "alpha"]])
    return hay, needles


def test_missing_haystack_file():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        expect_error([f"{tmp}/nope.csv", needles], tmp, file=f"{tmp}/nope.csv")


def test_missing_needles_file():
    with support.tempdir() as tmp:
        hay, _ = good_files(tmp)
        expect_error([hay, f"{tmp}/nope.csv"], tmp, file=f"{tmp}/nope.csv")


def test_directory_given_as_a_file():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        os.mkdir(f"{tmp}/adir")
        expect_error([f"{tmp}/adir", needles], tmp, file=f"{tmp}/adir")
        expect_error([hay, f"{tmp}/adir"], tmp, file=f"{tmp}/adir")


def test_missing_name_column():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        message = expect_error([hay, needles, "--name-column", "nope"], tmp, file=hay)
        assert "nope" in message, message


def test_a_header_name_holding_a_newline_still_gives_a_one_line_error():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = os.path.join(tmp, "nl_header.csv")
        support.write_bytes(hay, b'id,"na\nme"\nh1,Alpha\n')
        message = expect_error([hay, needles, "--name-column", "nope"], tmp, file=hay)
        assert "\\n" in message, message  # the newline is shown escaped


def test_missing_id_column():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--id-column", "nope"], tmp, file=hay)


def test_missing_needle_name_column_names_the_needles_file():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--needle-name-column", "query"], tmp, file=needles)


def test_column_number_out_of_range():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--name-column", "3"], tmp, file=hay)
        expect_error([hay, needles, "--needle-id-column", "0", "--needle-name-column", "2"],
                     tmp, file=needles)


def test_ragged_row_names_its_line():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_text(f"{tmp}/hay.csv", "id,name\nh1,Alpha\nh2,Beta\nh3,Gamma,x\nh4,D\n")
        expect_error([hay, needles], tmp, file=hay, line=4)


def test_ragged_row_after_a_field_spanning_lines_names_its_physical_line():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_text(f"{tmp}/hay.csv", 'id,name\nh1,"Al\npha"\nh2,"B\n\nC"\nh3\nh4,D\n')
        expect_error([hay, needles], tmp, file=hay, line=7)


def test_short_row_in_a_tsv_file():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_text(f"{tmp}/hay.tsv", "id\tname\nh1\tAlpha\nh2\n")
        expect_error([hay, needles], tmp, file=hay, line=3)


def test_blank_line_inside_a_two_column_table():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_text(f"{tmp}/hay.csv", "id,name\nh1,Alpha\n\nh2,Beta\n")
        expect_error([hay, needles], tmp, file=hay, line=3)


def test_unterminated_quote_names_the_line_where_it_opened():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_text(f"{tmp}/hay.csv",
                                 'id,name\nh1,Alpha\nh2,"Beta\nh3,Gamma\nh4,Delta\n')
        message = expect_error([hay, needles], tmp, file=hay, line=3)
        assert "quot" in message, message


def test_text_after_a_closing_quote():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_text(f"{tmp}/hay.csv", 'id,name\nh1,Alpha\nh2,"Beta" Inc\n')
        expect_error([hay, needles], tmp, file=hay, line=3)


def test_invalid_utf8_in_a_haystack_name_names_its_line():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_bytes(f"{tmp}/hay.csv", b"id,name\nh1,Alpha\nh2,Beta\nh3,Caf\xe9\n")
        expect_error([hay, needles], tmp, file=hay, line=4)


def test_invalid_utf8_in_a_needle_name_names_its_line():
    with support.tempdir() as tmp:
        hay, _ = good_files(tmp)
        needles = support.write_bytes(f"{tmp}/needles.csv", b"id,name\nn1,ok\nn2,\xc3\x28x\n")
        expect_error([hay, needles], tmp, file=needles, line=3)


def test_invalid_utf8_in_an_id():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_bytes(f"{tmp}/hay.csv", b"id,name\nh\xff1,Alpha\n")
        expect_error([hay, needles], tmp, file=hay, line=2)


def test_overlong_and_surrogate_utf8_are_invalid():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        for i, bad in enumerate((b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80")):
            hay = support.write_bytes(f"{tmp}/hay{i}.csv", b"id,name\nh1,A\nh2,x" + bad + b"\n")
            expect_error([hay, needles], tmp, file=hay, line=3)


def test_nul_byte_in_a_name():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_bytes(f"{tmp}/hay.csv", b"id,name\nh1,Alpha\nh2,Be\x00ta\n")
        expect_error([hay, needles], tmp, file=hay, line=3)


def test_binary_garbage_files():
    rnd = random.Random(404)
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        for i in range(5):
            garbage = support.write_bytes(f"{tmp}/garbage{i}.bin", rnd.randbytes(5000))
            expect_error([garbage, needles], tmp, file=garbage)
            expect_error([hay, garbage], tmp, file=garbage)


def test_zero_byte_haystack():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        for name in ("hay.csv", "hay.tsv", "hay.txt"):
            hay = support.write_bytes(f"{tmp}/{name}", b"")
            expect_error([hay, needles], tmp, file=hay)


def test_header_only_haystack_is_an_empty_haystack():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_text(f"{tmp}/hay.csv", "id,name\n")
        expect_error([hay, needles], tmp, file=hay)
        hay = support.write_text(f"{tmp}/hay2.csv", "id,name\r\n\r\n\n")
        expect_error([hay, needles], tmp, file=hay)


def test_unknown_scorer():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        assert "fuzzy" in expect_error([hay, needles, "--scorer", "fuzzy"], tmp)


def test_unknown_processor():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        assert "upper" in expect_error([hay, needles, "--processor", "upper"], tmp)


def test_unknown_format():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--format", "xlsx"], tmp)
        expect_error([hay, needles, "--needle-format", "json"], tmp)


def test_top_zero():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--top", "0"], tmp)


def test_cutoff_out_of_range():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--cutoff", "101"], tmp)
        expect_error([hay, needles, "--cutoff", "-1"], tmp)
        expect_error([hay, needles, "--cutoff", "100.0001"], tmp)


def test_cutoff_that_is_not_a_number():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--cutoff", "abc"], tmp)
        expect_error([hay, needles, "--cutoff", ""], tmp)


def test_cutoff_nan_is_rejected():
    # NaN is not in 0-100 either; accepted, it would make every score fail the
    # cutoff test in a different way than any number does.
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--cutoff", "nan"], tmp)


def test_negative_threads():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        expect_error([hay, needles, "--threads", "-1"], tmp)


def test_both_inputs_from_stdin():
    with support.tempdir() as tmp:
        expect_error(["-", "-"], tmp, stdin="id,name\nh1,A\n")


def test_unwritable_out_path_names_it():
    with support.tempdir() as tmp:
        hay, needles = good_files(tmp)
        target = f"{tmp}/no/such/dir/result.csv"
        rc, out, err = support.run_needle(["match", hay, needles, "--out", target])
        assert rc == 2 and err.count("\n") == 1 and target in err, (rc, err)
        assert not os.path.exists(f"{tmp}/no")


def test_bad_row_late_in_the_needles_file_leaves_no_output():
    with support.tempdir() as tmp:
        hay, _ = good_files(tmp)
        lines = ["id,name"] + [f"n{i},Needle number {i}" for i in range(1, 50001)]
        lines[45000] = "n45000,Needle,with a comma"  # line 45,001
        needles = support.write_text(f"{tmp}/needles.csv", "\n".join(lines) + "\n")
        expect_error([hay, needles, "--threads", "2"], tmp, file=needles, line=45001)
        bad_utf8 = "\n".join(lines[:45000] + ["n45000,Caf\udce9"] + lines[45001:]) + "\n"
        support.write_bytes(needles, bad_utf8.encode("utf-8", "surrogateescape"))
        expect_error([hay, needles, "--threads", "1"], tmp, file=needles, line=45001)


def test_failed_run_leaves_an_existing_out_file_untouched():
    with support.tempdir() as tmp:
        _, needles = good_files(tmp)
        hay = support.write_text(f"{tmp}/hay.csv", "id,name\nh1,Alpha\nh2,Beta,extra\n")
        os.mkdir(f"{tmp}/out")
        target = support.write_text(f"{tmp}/out/result.csv", "earlier result\n")
        rc, out, err = support.run_needle(["match", hay, needles, "--out", target])
        assert rc == 2 and f"{hay}:3: " in err, (rc, err)
        assert target.read_text(encoding="utf-8") == "earlier result\n"
        assert os.listdir(f"{tmp}/out") == ["result.csv"]


def test_score_pairs_line_without_a_tab_names_its_line():
    with support.tempdir() as tmp:
        pairs = support.write_text(f"{tmp}/pairs.tsv", "a\tb\nc\td\nno tab here\ne\tf\n")
        expect_error(["--pairs", pairs], tmp, file=pairs, line=3, command="score")
        pairs = support.write_text(f"{tmp}/pairs2.tsv", "a\tb\nc\td\te\n")
        expect_error(["--pairs", pairs], tmp, file=pairs, line=2, command="score")


def test_score_pairs_errors():
    with support.tempdir() as tmp:
        expect_error(["--pairs", f"{tmp}/nope.tsv"], tmp, file=f"{tmp}/nope.tsv", command="score")
        bad = support.write_bytes(f"{tmp}/bad.tsv", b"a\tb\nc\t\xff\n")
        expect_error(["--pairs", bad], tmp, file=bad, line=2, command="score")
        expect_error(["--scorer", "nope", "a", "b"], tmp, command="score")
        expect_error(["only-one-name"], tmp, command="score")
