// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/json.h"

#include <cstdint>

#include "absl/strings/str_format.h"
#include "cli/printable.h"

namespace berth::cli {

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
    } else if (uint32_t code_point = 0;
               const size_t n = Utf8Length(text, i, &code_point)) {
      // C1 controls (U+0080-U+009F, C2 80-C2 9F), which some terminals
      // obey, are escaped like C0 ones.
      if (code_point >= 0x80 && code_point < 0xa0) {
        absl::StrAppendFormat(&out, "\\u%04x", code_point);
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
