// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/json.h"

#include <string>

#include "gtest/gtest.h"

namespace berth::cli {
namespace {

TEST(JsonStringTest, QuotesAndEscapes) {
  EXPECT_EQ(JsonString("web"), "\"web\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("a\nb\tc\x01"), "\"a\\u000ab\\u0009c\\u0001\"");
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("\x1b[31m\x7f"), "\"\\u001b[31m\\u007f\"");
  // C1 controls, which some terminals obey (U+009B is CSI), are escaped;
  // U+00A0 and beyond are kept.
  EXPECT_EQ(JsonString("a\xc2\x9b"
                       "b\xc2\x85\xc2\xa0"),
            "\"a\\u009bb\\u0085\xc2\xa0\"");
}

TEST(JsonStringTest, KeepsUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(JsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonString("\xf0\x9f\x9a\xa2"), "\"\xf0\x9f\x9a\xa2\"");
  EXPECT_EQ(JsonString("a\xffz"), "\"a\xef\xbf\xbdz\"");
  EXPECT_EQ(JsonString("\xc3"), "\"\xef\xbf\xbd\"");  // cut short
  EXPECT_EQ(JsonString("\xc0\xaf"),
            "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong
  EXPECT_EQ(JsonString("\xed\xa0\x80"),
            "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // surrogate
}

}  // namespace
}  // namespace berth::cli
