// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// tests/fuzz/codec_check.h: what must hold for the registry codec on any
// input, as one function that the libFuzzer target and the seeded CI test
// both call.

#ifndef BERTH_TESTS_FUZZ_CODEC_CHECK_H_
#define BERTH_TESTS_FUZZ_CODEC_CHECK_H_

#include <string>

#include "absl/strings/string_view.h"
#include "registry/codec.h"

namespace berth::fuzz {

// CheckCodec decodes `bytes` as each of the registry's formats (a lease
// record, the memory, a format 1 registry) and returns "" when the codec
// behaved, else what went wrong. Behaving means: each decoder returns OK or
// DataLoss (never anything else, and never crashes: run it under ASan/UBSan
// to see); and when one is OK, the data holds what the registry relies on
// (ports 1-65535, held once each in format 1, pids > 0, non-empty apps),
// the encoder's output decodes to the same data, and encoding that again
// gives the same bytes.
std::string CheckCodec(absl::string_view bytes);

// SameData returns "" when `a` and `b` hold the same format 1 registry,
// else the first difference.
std::string SameData(const registry::v1::RegistryData& a,
                     const registry::v1::RegistryData& b);

}  // namespace berth::fuzz

#endif  // BERTH_TESTS_FUZZ_CODEC_CHECK_H_
