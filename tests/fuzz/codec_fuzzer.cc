// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// tests/fuzz/codec_fuzzer.cc: the registry codec under libFuzzer. Every
// input goes through CheckCodec (codec_check.h); a broken property aborts,
// which libFuzzer reports with the input that did it. See BUILD.bazel for
// how to build it with clang, or without (a plain driver then runs given
// files).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "tests/fuzz/codec_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string wrong = berth::fuzz::CheckCodec(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!wrong.empty()) {
    std::fprintf(stderr, "codec_fuzzer: %s\n", wrong.c_str());
    std::abort();
  }
  return 0;
}
