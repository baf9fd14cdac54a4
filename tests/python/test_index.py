"""Index files: `needle index`, `needle index verify`, `needle index stats`,
and `needle match` over an index.

An index holds the haystack as `needle match` loads it from the table, so a
match against the index must write the very bytes a match against the CSV
writes, for every scorer family the index was built for. Errors follow the
CLI's contract: exit code 2, one line on stderr naming the file, nothing on
stdout, and no file (finished or temporary) left where one was to be written.
The index is written under a temporary name and renamed when complete.

The data is data/demo (100,000 haystack rows, 1,000 needles); slow scorers get
the first needles only, to keep the module to a few seconds.
"""

import csv
import os

import support

DEMO = support.REPO / "data" / "demo"
DEMO_HAY = DEMO / "haystack.csv"
DEMO_NEEDLES = DEMO / "needles.csv"


def require_demo():
    if not DEMO_HAY.is_file() or not DEMO_NEEDLES.is_file():
        raise support.Skip(f"demo data not found in {DEMO}")


def demo_rows(path):
    """[(id, name)] of a demo CSV (header dropped)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, strict=True))
    assert rows[0] == ["id", "name"], rows[0]
    return [(r[0], r[1]) for r in rows[1:]]


def first_needles(tmp, n):
    """The first n demo needles, as a CSV of their own."""
    return support.write_csv(f"{tmp}/needles{n}.csv", ["id", "name"],
                             demo_rows(DEMO_NEEDLES)[:n])


def build_index(hay, out, *options):
    """`needle index HAY -o OUT OPTIONS`; fails the test unless it succeeds."""
    rc, out_text, err = support.run_needle(["index", hay, "-o", out, *options])
    assert rc == 0, f"needle index {hay} {' '.join(options)} exited {rc}: {err.strip()}"
    assert out_text == "", f"needle index wrote to stdout: {out_text[:200]!r}"
    return out


def match_bytes(hay, needles, out, *options):
    """`needle match HAY NEEDLES --out OUT OPTIONS --quiet`; returns the output bytes."""
    support.run_ok(["match", hay, needles, "--out", out, "--quiet", *options])
    with open(out, "rb") as f:
        return f.read()


def expect_same_output(tmp, index, table, needles, *options, table_options=(), min_rows=1):
    """Matching `index` and `table` writes identical bytes; returns the parsed rows."""
    from_index = match_bytes(index, needles, f"{tmp}/from_index.csv", *options)
    from_table = match_bytes(table, needles, f"{tmp}/from_table.csv", *options, *table_options)
    shown = f"needle match {' '.join(map(str, options))}"
    if from_index != from_table:
        at = next((i for i, (a, b) in enumerate(zip(from_index, from_table)) if a != b),
                  min(len(from_index), len(from_table)))
        raise AssertionError(f"{shown}: the output from the index differs from the output from "
                             f"{table} at byte {at}: {from_index[at - 80:at + 80]!r} against "
                             f"{from_table[at - 80:at + 80]!r}")
    rows = support.parse_match_csv(from_index.decode("utf-8"))
    assert len(rows) >= min_rows, f"{shown}: only {len(rows)} result rows"
    assert any(r[3] for r in rows), f"{shown}: no needle matched anything"
    return rows


def expect_error(args, tmp, file=None, contains=(), command=None):
    """Runs `needle ARGS` and checks the failure contract; returns the message.

    For `match`, output goes with --out into an empty directory that must stay
    empty; for `index` (build), the -o target given in args must not exist
    afterwards and its directory must hold no temporary file.
    """
    command = command or args[0]
    out_dir = os.path.join(tmp, "out")
    os.makedirs(out_dir, exist_ok=True)
    extra = ["--out", os.path.join(out_dir, "result.csv")] if command == "match" else []
    rc, out, err = support.run_needle(list(args) + extra)
    shown = f"needle {' '.join(map(str, args))}"
    assert rc == 2, f"{shown}: exit code {rc}, expected 2 (stderr: {err!r})"
    assert err.endswith("\n") and err.count("\n") == 1, f"{shown}: stderr is not one line: {err!r}"
    assert err.startswith("needle: error: "), f"{shown}: {err!r}"
    assert out == "", f"{shown}: wrote to stdout: {out[:200]!r}"
    message = err[len("needle: error: "):-1]
    if file is not None:
        assert str(file) in message, f"{shown}: the message does not name {file}: {err!r}"
    for text in contains:
        assert text in message, f"{shown}: expected {text!r} in {err!r}"
    left = os.listdir(out_dir)
    assert left == [], f"{shown}: left {left} in the output directory"
    return message


def no_temporary_files(directory):
    left = [n for n in os.listdir(directory) if ".tmp-" in n]
    assert left == [], f"temporary files left in {directory}: {left}"


def flipped_copy(src, dst, at):
    data = bytearray(open(src, "rb").read())
    data[at] ^= 0x01
    support.write_bytes(dst, bytes(data))
    return dst


def stats_fields(path):
    """`needle index stats PATH` as {first word: rest of the line} (summary lines only)."""
    out = support.run_ok(["index", "stats", path])
    fields = {}
    for line in out.split("\n"):
        if not line:
            break  # the section table follows the blank line
        key, _, value = line.partition(" ")
        fields[key] = value.strip()
    return fields


def leading_number(text):
    """The number a stats value starts with ("99,926 processed names" -> 99926)."""
    return int(text.split()[0].replace(",", ""))


# ------------------------------------------------------ same output as the CSV


def test_matching_the_demo_index_writes_the_same_bytes_as_matching_the_csv():
    require_demo()
    with support.tempdir() as tmp:
        index = build_index(DEMO_HAY, f"{tmp}/demo.ndx")
        rows = expect_same_output(tmp, index, DEMO_HAY, DEMO_NEEDLES, "--top", "3",
                                  min_rows=3000)
        assert len(rows) == 3000, len(rows)
        expect_same_output(tmp, index, DEMO_HAY, first_needles(tmp, 300), "--cutoff", "90")
        # The default scorer's index holds names processed by the name
        # processor; one made for ratio holds the default processor's, and
        # the other scorers that compare processed names use it too.
        stats = support.run_ok(["index", "stats", index])
        assert "processor   name" in stats, stats
        index = build_index(DEMO_HAY, f"{tmp}/ratio.ndx", "--scorer", "ratio")
        expect_same_output(tmp, index, DEMO_HAY, first_needles(tmp, 300),
                           "--scorer", "ratio", "--top", "3")
        expect_same_output(tmp, index, DEMO_HAY, first_needles(tmp, 60),
                           "--scorer", "levenshtein", "--top", "3")
        expect_same_output(tmp, index, DEMO_HAY, first_needles(tmp, 100),
                           "--scorer", "QRatio", "--top", "2")
        expect_same_output(tmp, index, DEMO_HAY, first_needles(tmp, 5),
                           "--scorer", "WRatio", "--top", "3")
        no_temporary_files(tmp)


def test_token_sort_and_token_set_indexes_write_the_same_bytes_as_the_csv():
    require_demo()
    with support.tempdir() as tmp:
        index = build_index(DEMO_HAY, f"{tmp}/sort.ndx", "--scorer", "token_sort_ratio")
        expect_same_output(tmp, index, DEMO_HAY, first_needles(tmp, 200),
                           "--scorer", "token_sort_ratio", "--top", "3")
        index = build_index(DEMO_HAY, f"{tmp}/set.ndx", "--scorer", "token_set_ratio")
        expect_same_output(tmp, index, DEMO_HAY, first_needles(tmp, 40),
                           "--scorer", "token_set_ratio", "--top", "3")


def test_an_index_with_processor_none_writes_the_same_bytes_as_the_csv():
    require_demo()
    with support.tempdir() as tmp:
        index = build_index(DEMO_HAY, f"{tmp}/none.ndx", "--processor", "none")
        needles = first_needles(tmp, 200)
        # Without --processor the index's own is used; with it, it must agree.
        rows = expect_same_output(tmp, index, DEMO_HAY, needles, "--top", "3",
                                  table_options=("--processor", "none"))
        expect_same_output(tmp, index, DEMO_HAY, needles, "--top", "3", "--processor", "none")
        # And the processor matters here: the default gives other scores.
        default = match_bytes(DEMO_HAY, needles, f"{tmp}/default.csv", "--top", "3")
        assert support.parse_match_csv(default.decode("utf-8")) != rows


def test_an_index_of_a_text_file_uses_line_numbers_as_ids():
    with support.tempdir() as tmp:
        names = ["Acme Inc", "ACME, Inc.", "Zoë Café", "東京 Trading", "", "Beta & Co",
                 "acme inc"] * 30
        hay = support.write_text(f"{tmp}/hay.txt", "".join(n + "\n" for n in names))
        needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"],
                                    [["n1", "acme"], ["n2", "zoe cafe"], ["n3", "beta co"],
                                     ["n4", "東京"]])
        index = build_index(hay, f"{tmp}/hay.ndx")
        rows = expect_same_output(tmp, index, hay, needles, "--top", "5")
        assert {r[3] for r in rows if r[4] == "Acme Inc"} >= {"1", "8"}, rows
        fields = stats_fields(index)
        assert fields["ids"] == "data row numbers", fields
        assert leading_number(fields["rows"]) == len(names), fields


# ------------------------------------------------------------------- stats


def test_stats_counts_rows_and_distinct_names_like_python():
    require_demo()
    hay = demo_rows(DEMO_HAY)
    names = [name for _, name in hay]
    with support.tempdir() as tmp:
        index = build_index(DEMO_HAY, f"{tmp}/none.ndx", "--processor", "none")
        fields = stats_fields(index)
        assert leading_number(fields["rows"]) == len(hay), fields
        assert leading_number(fields["distinct"]) == len(set(names)), fields
        assert f"({len(hay) - len(set(names)):,} rows repeat one)" in fields["distinct"], fields
        assert fields["processor"].startswith("none"), fields
        assert fields["names"].split() == ["as", "processed"], fields
        assert fields["ids"] == "from the id column", fields
        assert fields["format"].startswith("version 1,"), fields
        assert f"({os.path.getsize(index):,} bytes)" in fields["format"], fields

        # The default processor: the demo names are ASCII, so Python's
        # default_process agrees with needle's for every one of them.
        assert all(name.isascii() for name in names)
        index = build_index(DEMO_HAY, f"{tmp}/default.ndx", "--processor", "default")
        fields = stats_fields(index)
        processed = {support.default_process(name) for name in names}
        assert leading_number(fields["rows"]) == len(hay), fields
        assert leading_number(fields["distinct"]) == len(processed), fields
        assert fields["processor"].startswith("default"), fields
        lengths = sorted(len(p) for p in processed)
        assert (f"{len(set(lengths)):,} groups, {lengths[0]} to {lengths[-1]} code points"
                == fields["lengths"]), fields


def test_verify_reports_a_sound_index():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"],
                                [[f"h{i}", f"Name {i % 50}"] for i in range(300)])
        index = build_index(hay, f"{tmp}/hay.ndx")
        out = support.run_ok(["index", "verify", index])
        assert out.startswith(f"{index}: ok"), out
        assert support.run_ok(["index", "verify", "--quiet", index]) == ""


# ------------------------------------------------------------------- errors


def small_index(tmp, *options):
    hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"],
                            [[f"h{i}", f"Company number {i} & Sons"] for i in range(500)])
    needles = support.write_csv(f"{tmp}/needles.csv", ["id", "name"],
                                [["n1", "company number 7"], ["n2", "sons & company 12"]])
    return hay, needles, build_index(hay, f"{tmp}/hay.ndx", *options)


def test_matching_with_a_scorer_of_another_form_says_how_to_rebuild():
    with support.tempdir() as tmp:
        hay, needles, index = small_index(tmp)
        for scorer in ("token_set_ratio", "token_sort_ratio"):
            expect_error(["match", index, needles, "--scorer", scorer], tmp, file=index,
                         contains=("--scorer " + scorer,))
        _, _, set_index = small_index(tmp, "--scorer", "token_set_ratio")
        expect_error(["match", set_index, needles, "--scorer", "ratio"], tmp, file=set_index,
                     contains=("--scorer ratio",))
        # The family it was built for is accepted.
        support.run_ok(["match", set_index, needles, "--scorer", "partial_token_set_ratio",
                        "--quiet"])


def test_matching_with_another_explicit_processor_is_refused():
    with support.tempdir() as tmp:
        _, needles, index = small_index(tmp)
        expect_error(["match", index, needles, "--processor", "none"], tmp, file=index,
                     contains=("processor",))
        _, _, none_index = small_index(tmp, "--processor", "none")
        expect_error(["match", none_index, needles, "--processor", "default"], tmp,
                     file=none_index, contains=("processor",))
        support.run_ok(["match", none_index, needles, "--processor", "none", "--quiet"])


def test_a_flipped_byte_in_the_middle_fails_its_checksum():
    with support.tempdir() as tmp:
        _, needles, index = small_index(tmp)
        size = os.path.getsize(index)
        damaged = flipped_copy(index, f"{tmp}/damaged.ndx", size // 2)
        expect_error(["index", "verify", damaged], tmp, file=damaged, contains=("checksum",))
        expect_error(["match", damaged, needles], tmp, file=damaged, contains=("checksum",))
        # The original still verifies.
        support.run_ok(["index", "verify", "--quiet", index])


def test_a_truncated_index_is_refused_by_every_command():
    with support.tempdir() as tmp:
        _, needles, index = small_index(tmp)
        data = open(index, "rb").read()
        for n in (len(data) // 2, len(data) - 1, 64, 40):
            cut = support.write_bytes(f"{tmp}/cut{n}.ndx", data[:n])
            for args in (["index", "verify", cut], ["index", "stats", cut],
                         ["match", cut, needles]):
                expect_error(args, tmp, file=cut, contains=("truncated",))


def test_an_empty_file_or_a_directory_is_not_an_index():
    with support.tempdir() as tmp:
        empty = support.write_bytes(f"{tmp}/empty.ndx", b"")
        os.mkdir(f"{tmp}/adir")
        for sub in ("verify", "stats"):
            expect_error(["index", sub, empty], tmp, file=empty, contains=("empty",))
            expect_error(["index", sub, f"{tmp}/adir"], tmp, file=f"{tmp}/adir",
                         contains=("directory",))
            expect_error(["index", sub, f"{tmp}/missing.ndx"], tmp, file=f"{tmp}/missing.ndx")
            hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"]])
            expect_error(["index", sub, hay], tmp, file=hay, contains=("not a needle index",))


def test_an_index_cannot_be_written_to_standard_output():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"]])
        expect_error(["index", hay, "-o", "-"], tmp, contains=("standard output",))
        expect_error(["index", hay], tmp, contains=("-o",))
        assert sorted(os.listdir(tmp)) == ["hay.csv", "out"]


def test_an_index_cannot_be_written_over_a_directory():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"], [["h1", "Alpha"]])
        os.mkdir(f"{tmp}/target")
        expect_error(["index", hay, "-o", f"{tmp}/target"], tmp, file=f"{tmp}/target")
        assert os.listdir(f"{tmp}/target") == []
        no_temporary_files(tmp)


def test_indexing_an_empty_haystack_fails_and_writes_nothing():
    with support.tempdir() as tmp:
        hay = support.write_text(f"{tmp}/hay.csv", "id,name\n")
        target = f"{tmp}/hay.ndx"
        expect_error(["index", hay, "-o", target], tmp, file=hay)
        assert not os.path.exists(target)
        no_temporary_files(tmp)


def test_indexing_an_index_is_refused():
    with support.tempdir() as tmp:
        _, _, index = small_index(tmp)
        target = f"{tmp}/again.ndx"
        expect_error(["index", index, "-o", target], tmp, file=index, contains=("already",))
        assert not os.path.exists(target)
        no_temporary_files(tmp)


def test_an_output_that_is_an_input_is_refused_and_the_input_kept():
    with support.tempdir() as tmp:
        hay = os.path.join(tmp, "hay.csv")
        support.write_text(hay, "id,name\nh1,Acme Corp\nh2,Beta Sons\n")
        before = open(hay, "rb").read()
        for args in (["index", hay, "-o", hay],
                     ["match", hay, hay, "--out", hay],
                     ["match", hay, hay, "--out", os.path.join(tmp, ".", "hay.csv")]):
            rc, out, err = support.run_needle(args)
            assert rc == 2 and ("input file" in err or "haystack itself" in err), (args, rc, err)
            assert err.count("\n") == 1, err
            assert open(hay, "rb").read() == before, args
        no_temporary_files(tmp)


# ---------------------------------------------------------- atomic writing


def test_a_successful_build_leaves_only_the_index():
    with support.tempdir() as tmp:
        hay = support.write_csv(f"{tmp}/hay.csv", ["id", "name"],
                                [[f"h{i}", f"Name {i}"] for i in range(1000)])
        os.mkdir(f"{tmp}/idx")
        build_index(hay, f"{tmp}/idx/hay.ndx")
        assert os.listdir(f"{tmp}/idx") == ["hay.ndx"]
        # Building over an existing index replaces it, again without leftovers.
        hay2 = support.write_csv(f"{tmp}/hay2.csv", ["id", "name"], [["x", "Other"]])
        build_index(hay2, f"{tmp}/idx/hay.ndx")
        assert os.listdir(f"{tmp}/idx") == ["hay.ndx"]
        assert leading_number(stats_fields(f"{tmp}/idx/hay.ndx")["rows"]) == 1


def test_a_failed_build_leaves_no_file_and_keeps_an_existing_index():
    with support.tempdir() as tmp:
        lines = [b"id,name"] + [b"h%d,Name %d" % (i, i) for i in range(1, 3001)]
        lines[2500] = b"h2500,Caf\xe9"  # line 2,501
        hay = support.write_bytes(f"{tmp}/hay.csv", b"\n".join(lines) + b"\n")
        os.mkdir(f"{tmp}/idx")
        target = f"{tmp}/idx/hay.ndx"
        expect_error(["index", hay, "-o", target], tmp, contains=(f"{hay}:2501: ",))
        assert os.listdir(f"{tmp}/idx") == []

        # An index already at the target survives a failed rebuild unchanged.
        good = support.write_csv(f"{tmp}/good.csv", ["id", "name"], [["g1", "Good"]])
        build_index(good, target)
        before = open(target, "rb").read()
        expect_error(["index", hay, "-o", target], tmp, contains=(f"{hay}:2501: ",))
        assert os.listdir(f"{tmp}/idx") == ["hay.ndx"]
        assert open(target, "rb").read() == before
        support.run_ok(["index", "verify", "--quiet", target])
