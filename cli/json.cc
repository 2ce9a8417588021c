// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/json.h"

#include "absl/strings/str_format.h"

namespace berth::cli {
namespace {

// Utf8Length returns the length of the valid UTF-8 sequence starting at
// s[i], or 0 when there is none.
size_t Utf8Length(absl::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

}  // namespace

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
      ++i;
    } else if (const size_t n = Utf8Length(text, i); n > 0) {
      // C1 controls (U+0080-U+009F, C2 80-C2 9F), which some terminals
      // obey, are escaped like C0 ones.
      if (n == 2 && c == 0xc2 &&
          static_cast<unsigned char>(text[i + 1]) < 0xa0) {
        absl::StrAppendFormat(&out, "\\u%04x",
                              static_cast<unsigned char>(text[i + 1]));
      } else {
        out.append(text.data() + i, n);
      }
      i += n;
    } else {
      out.append("\xef\xbf\xbd");  // U+FFFD
      ++i;
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace berth::cli
