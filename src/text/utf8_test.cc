#include "text/utf8.h"

#include <gtest/gtest.h>

#include <random>

#include "needle/processor.h"

namespace needle::text {
namespace {

TEST(Utf8, AcceptsWellFormed) {
  EXPECT_TRUE(ValidUtf8(""));
  EXPECT_TRUE(ValidUtf8("plain ascii"));
  EXPECT_TRUE(ValidUtf8("Zo\xC3\xAB"));                // ë
  EXPECT_TRUE(ValidUtf8("\xE3\x82\xB9\xE3\x82\xBF"));  // スタ
  EXPECT_TRUE(ValidUtf8("\xF0\x9F\x98\x80"));          // U+1F600
  EXPECT_TRUE(ValidUtf8("\xF4\x8F\xBF\xBF"));          // U+10FFFF
}

TEST(Utf8, RejectsMalformedAndSaysWhere) {
  size_t at = 99;
  EXPECT_FALSE(ValidUtf8("ab\xFF", &at));
  EXPECT_EQ(at, 2u);
  EXPECT_FALSE(ValidUtf8("\xC0\xAF", &at));          // overlong '/'
  EXPECT_FALSE(ValidUtf8("\xE0\x80\xAF", &at));      // overlong
  EXPECT_FALSE(ValidUtf8("\xED\xA0\x80", &at));      // surrogate D800
  EXPECT_FALSE(ValidUtf8("\xF4\x90\x80\x80", &at));  // > U+10FFFF
  EXPECT_FALSE(ValidUtf8("x\xC3", &at));             // truncated
  EXPECT_EQ(at, 1u);
  EXPECT_FALSE(ValidUtf8("\x80", &at));  // lone continuation
}

TEST(Utf8, DecodeEncodeRoundTripOnRandomCodePoints) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 2000; ++iter) {
    std::u32string cps;
    const int n = static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      char32_t c;
      do {
        c = static_cast<char32_t>(rng() % 0x110000);
      } while (c >= 0xD800 && c <= 0xDFFF);
      cps.push_back(c);
    }
    const std::string s = Encode(cps);
    ASSERT_TRUE(ValidUtf8(s));
    EXPECT_EQ(CodePointCount(s), cps.size());
    std::u32string back;
    Decode(s, &back);
    EXPECT_EQ(back, cps);
  }
}

TEST(Processor, DefaultMatchesRapidFuzzDefaultProcess) {
  std::string out;
  ProcessName(Processor::kDefault, "  J.T. Fasteners, Inc.  ", &out);
  EXPECT_EQ(out, "j t  fasteners  inc");
  ProcessName(Processor::kDefault, "Smith & Sons", &out);
  EXPECT_EQ(out, "smith   sons");
  ProcessName(Processor::kDefault, "ÉCOLE Zoë", &out);
  EXPECT_EQ(out,
            "\xC3\xA9"
            "cole zo\xC3\xAB");
  ProcessName(Processor::kDefault, "!!!", &out);
  EXPECT_EQ(out, "");
  ProcessName(Processor::kDefault, "СТАРБАКС", &out);  // Cyrillic upper -> lower
  EXPECT_EQ(out, "старбакс");
  ProcessName(Processor::kNone, "  As Is ", &out);
  EXPECT_EQ(out, "  As Is ");
}

}  // namespace
}  // namespace needle::text
