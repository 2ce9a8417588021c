// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/json.h: just enough JSON to print berth's objects.

#ifndef BERTH_CLI_JSON_H_
#define BERTH_CLI_JSON_H_

#include <string>

#include "absl/strings/string_view.h"

namespace berth::cli {

// JsonString returns `text` as a quoted JSON string. Control characters,
// C1 ones (U+0080-U+009F) included, are \u escapes; bytes that are not
// valid UTF-8 (process names can hold any bytes) become U+FFFD.
std::string JsonString(absl::string_view text);

}  // namespace berth::cli

#endif  // BERTH_CLI_JSON_H_
