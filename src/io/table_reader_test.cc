#include "needle/table.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>

namespace needle {
namespace {

class TableReaderTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& ext, const std::string& content) {
    std::string path = ::testing::TempDir() + "needle_table_" + std::to_string(::getpid()) + "_" +
                       std::to_string(counter_++) + ext;
    std::ofstream(path, std::ios::binary) << content;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (auto& p : paths_) std::remove(p.c_str());
  }
  // Reads all records as "id|name" (id "#row" when there is no id column).
  Status ReadAll(const std::string& path, std::vector<std::string>* out,
                 TableOptions opts = TableOptions()) {
    auto r = TableReader::Open(path, opts);
    if (!r.ok()) return r.status();
    TableRecord rec;
    bool eof = false;
    for (;;) {
      Status s = r.value()->Next(&rec, &eof);
      if (!s.ok()) return s;
      if (eof) return Status::Ok();
      out->push_back(
          (r.value()->has_id_column() ? std::string(rec.id) : "#" + std::to_string(rec.row)) + "|" +
          std::string(rec.name));
    }
  }
  std::vector<std::string> paths_;
  int counter_ = 0;
};

TEST_F(TableReaderTest, CsvQuotingCommasNewlinesAndDoubledQuotes) {
  auto p = Write(".csv",
                 "id,name\n1,plain\n2,\"Smith, Jones & Co\"\n3,\"say \"\"hi\"\"\"\n"
                 "4,\"two\nlines\"\n5,\n");
  std::vector<std::string> rows;
  ASSERT_TRUE(ReadAll(p, &rows).ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"1|plain", "2|Smith, Jones & Co", "3|say \"hi\"",
                                            "4|two\nlines", "5|"}));
}

TEST_F(TableReaderTest, BomCrlfAndColumnChoice) {
  auto p = Write(".csv", "\xEF\xBB\xBFname,code,id\r\nAcme,x,7\r\nBeta,y,8\r\n");
  std::vector<std::string> rows;
  ASSERT_TRUE(ReadAll(p, &rows).ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"7|Acme", "8|Beta"}));
  rows.clear();
  TableOptions o;
  o.name_column = "2";
  o.id_column = "name";
  ASSERT_TRUE(ReadAll(p, &rows, o).ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"Acme|x", "Beta|y"}));
}

TEST_F(TableReaderTest, QuotedLastFieldEndingInCrWithoutLf) {
  auto p = Write(".csv", "id,name\r\n1,\"abc\"\r");
  std::vector<std::string> rows;
  ASSERT_TRUE(ReadAll(p, &rows).ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"1|abc"}));
}

TEST_F(TableReaderTest, DefaultsWithoutIdOrNameColumns) {
  auto p = Write(".csv", "company,city\nAcme,Paris\n");
  std::vector<std::string> rows;
  ASSERT_TRUE(ReadAll(p, &rows).ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"#1|Acme"}));
}

TEST_F(TableReaderTest, TsvAndTextFormats) {
  auto tsv = Write(".tsv", "id\tname\na\tX \"quoted\" Y\nb\tZ\n");
  std::vector<std::string> rows;
  ASSERT_TRUE(ReadAll(tsv, &rows).ok());
  EXPECT_EQ(rows, (std::vector<std::string>{"a|X \"quoted\" Y", "b|Z"}));
  auto txt = Write(".txt", "first\r\n\nthird\n\n\n");
  rows.clear();
  ASSERT_TRUE(ReadAll(txt, &rows).ok());
  // A blank line inside a text file is an empty name; trailing blanks are not rows.
  EXPECT_EQ(rows, (std::vector<std::string>{"#1|first", "#2|", "#3|third"}));
}

TEST_F(TableReaderTest, ErrorsNameFileAndLine) {
  struct Case {
    std::string content, expect;
  } cases[] = {
      {"id,name\n1,a\n2,b,c\n", ":3: expected 2 field(s)"},
      {"id,name\n1,a\n2,\"open\nstill open\n", ":3: unterminated quoted field"},
      {"id,name\n1,\"a\"b\n", ":2: unexpected text after a closing quote"},
      {"id,name\n1,ok\n2,bad\xFF\n", ":3: invalid UTF-8 in the name"},
      {std::string("id,name\n1,nul\0x\n", 16), ":2: NUL byte"},
      {"id,name\n1,a\n\n2,b\n", ":3: blank line inside the table"},
      {"", ":1: empty file"},
  };
  for (const auto& c : cases) {
    auto p = Write(".csv", c.content);
    std::vector<std::string> rows;
    Status s = ReadAll(p, &rows);
    ASSERT_FALSE(s.ok()) << c.expect;
    EXPECT_NE(s.message().find(p + c.expect), std::string::npos)
        << s.message() << " should contain " << c.expect;
  }
}

TEST_F(TableReaderTest, MissingColumnAndFile) {
  auto p = Write(".csv", "id,name\n1,a\n");
  TableOptions o;
  o.name_column = "nope";
  std::vector<std::string> rows;
  Status s = ReadAll(p, &rows, o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'nope': no such column"), std::string::npos) << s.message();
  o.name_column = "3";
  s = ReadAll(p, &rows, o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("has 2 column"), std::string::npos) << s.message();
  s = ReadAll("/nonexistent/needle.csv", &rows);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/needle.csv: cannot open"), std::string::npos);
}

TEST_F(TableReaderTest, RecordsLongerThanTheReadBuffer) {
  std::string big(3 << 20, 'x');  // three times the 1 MiB chunk
  auto p = Write(".csv", "id,name\n1,\"" + big + "\"\n2," + big + "\n");
  std::vector<std::string> rows;
  ASSERT_TRUE(ReadAll(p, &rows).ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], "1|" + big);
  EXPECT_EQ(rows[1], "2|" + big);
}

}  // namespace
}  // namespace needle
