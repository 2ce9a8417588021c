// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The pure part of Run; tests/run_test.sh runs real servers.

#include "api/run.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth {
namespace {

using ::testing::ElementsAre;

TEST(SubstitutePortTest, ReplacesEveryPlaceholder) {
  EXPECT_THAT(SubstitutePort({"./srv", "--port", "{port}", "--url=http://x:{port}/{port}"}, 8825),
              ElementsAre("./srv", "--port", "8825",
                          "--url=http://x:8825/8825"));
}

TEST(SubstitutePortTest, LeavesOtherBracesAlone) {
  EXPECT_THAT(SubstitutePort({"{PORT}", "{port", "port}", "{}", ""}, 1),
              ElementsAre("{PORT}", "{port", "port}", "{}", ""));
}

}  // namespace
}  // namespace berth
