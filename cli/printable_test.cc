// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/printable.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace berth::cli {
namespace {

TEST(PrintableTest, OrdinaryTextIsKept) {
  EXPECT_EQ(Printable("web"), "web");
  EXPECT_EQ(Printable("my api (v2) %20"), "my api (v2) %20");
  EXPECT_EQ(Printable("C:\\Users\\ada"), "C:\\Users\\ada");
  EXPECT_EQ(Printable("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x9a\xa2"),
            "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x9a\xa2");
  EXPECT_EQ(Printable(""), "");
}

TEST(PrintableTest, ControlCharactersAreEscaped) {
  EXPECT_EQ(Printable("a\nb"), "a\\nb");
  EXPECT_EQ(Printable("a\r\tb"), "a\\r\\tb");
  EXPECT_EQ(Printable("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(Printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(Printable("\x7f"), "\\x7f");
  // C1 controls: U+009B is CSI to some terminals.
  EXPECT_EQ(Printable("x\xc2\x9b"
                      "31my"),
            "x\\u009b31my");
  EXPECT_EQ(Printable("\xc2\x85"), "\\u0085");
  EXPECT_EQ(Printable("\xc2\xa0"), "\xc2\xa0");  // NBSP is no control
}

TEST(PrintableTest, BytesThatAreNotUtf8AreEscaped) {
  EXPECT_EQ(Printable("\x9b"), "\\x9b");
  EXPECT_EQ(Printable("a\xff"), "a\\xff");
  EXPECT_EQ(Printable("\xc3"), "\\xc3");                    // cut short
  EXPECT_EQ(Printable("\xc0\x8a"), "\\xc0\\x8a");           // overlong newline
  EXPECT_EQ(Printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

TEST(PrintableTest, NeverHoldsANewlineOrEscape) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const std::string out = Printable(all);
  for (char c : out) {
    const unsigned char u = static_cast<unsigned char>(c);
    EXPECT_FALSE(u < 0x20 || u == 0x7f) << static_cast<int>(u);
  }
}

TEST(Utf8LengthTest, DecodesValidSequencesAndRefusesTheRest) {
  struct Case {
    const char* text;
    size_t length;
    uint32_t code_point;
  };
  for (const Case& c : std::vector<Case>{{"a", 1, 0x61},
                                         {"\xc3\xa9", 2, 0xe9},
                                         {"\xc2\x9b", 2, 0x9b},
                                         {"\xe2\x82\xac", 3, 0x20ac},
                                         {"\xf0\x9f\x9a\xa2", 4, 0x1f6a2},
                                         {"\xc3", 0, 0},
                                         {"\xc0\x8a", 0, 0},
                                         {"\xed\xa0\x80", 0, 0},
                                         {"\xf4\x90\x80\x80", 0, 0},
                                         {"\x80", 0, 0}}) {
    uint32_t code_point = 0;
    EXPECT_EQ(Utf8Length(c.text, 0, &code_point), c.length) << c.text;
    if (c.length > 0) {
      EXPECT_EQ(code_point, c.code_point) << c.text;
    }
  }
}

}  // namespace
}  // namespace berth::cli
