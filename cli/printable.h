// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/printable.h: text from anyone (app names, process names, which any
// user can set with prctl(PR_SET_NAME), paths, messages that quote them)
// made safe to print on one line of a terminal.

#ifndef BERTH_CLI_PRINTABLE_H_
#define BERTH_CLI_PRINTABLE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace berth::cli {

// Printable returns `text` with every control character escaped: C0
// controls and DEL become \n, \r, \t or \xNN (ESC is \x1b); C1 controls
// (U+0080-U+009F, which some terminals obey as escape sequences) become
// \u0080-\u009f; bytes that are not UTF-8 become \xNN. Everything else,
// other non-ASCII text and backslashes included, is kept as it is, so
// ordinary names print unchanged.
std::string Printable(absl::string_view text);

// Utf8Length returns the length of the valid UTF-8 sequence at s[i] (1 to
// 4) and stores its code point, or returns 0 when there is none (a stray
// byte, a truncated, overlong or surrogate sequence).
size_t Utf8Length(absl::string_view s, size_t i, uint32_t* code_point);

}  // namespace berth::cli

#endif  // BERTH_CLI_PRINTABLE_H_
