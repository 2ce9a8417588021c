// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// main() of the cli tests that start copies of themselves (StartCli,
// StartServer): a helper mode when argv[1] names one, else the tests.

#include "cli/internal/cli_runner.h"
#include "gtest/gtest.h"

int main(int argc, char** argv) {
  if (const int status = berth::cli::testing::HelperMain(argc, argv);
      status >= 0) {
    return status;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
