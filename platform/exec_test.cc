// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The pure parts of platform/exec.h, on every OS. On Windows the command
// line is also split back by Windows itself (CommandLineToArgvW).

#include "platform/exec.h"

#ifdef _WIN32
#include "platform/internal/win.h"
// shellapi.h needs windows.h first.
#include <shellapi.h>
#endif

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace berth::platform {
namespace {

TEST(WindowsCommandLineTest, QuotesOnlyWhereNeeded) {
  EXPECT_EQ(WindowsCommandLine({"server.exe", "--port", "8800"}),
            "server.exe --port 8800");
  EXPECT_EQ(WindowsCommandLine({"C:\\Program Files\\x.exe", ""}),
            "\"C:\\Program Files\\x.exe\" \"\"");
  EXPECT_EQ(WindowsCommandLine({"a\\b\\"}), "a\\b\\")
      << "backslashes are literal outside quotes";
}

TEST(WindowsCommandLineTest, EscapesQuotesAndTheBackslashesBeforeThem) {
  EXPECT_EQ(WindowsCommandLine({"say \"hi\""}), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(WindowsCommandLine({"a\\\"b"}), "\"a\\\\\\\"b\"");
  EXPECT_EQ(WindowsCommandLine({"dir x\\"}), "\"dir x\\\\\"")
      << "a trailing backslash must not escape the closing quote";
  EXPECT_EQ(WindowsCommandLine({"tab\there"}), "\"tab\there\"");
}

#ifdef _WIN32
// Windows' own splitter gives the arguments back, byte for byte.
TEST(WindowsCommandLineTest, CommandLineToArgvWSplitsItBack) {
  const std::vector<std::string> argv = {
      "prog.exe",       "",       "a b",         "a\\b",
      "a\\\\b c",       "q\"q",   "\\\"",        "x y\\",
      "\\\\srv\\share", "{port}", "--x=\"1 2\"", "end\\\\"};
  const std::string line = WindowsCommandLine(argv);
  const std::wstring wide(line.begin(), line.end());  // ASCII
  int count = 0;
  LPWSTR* split = CommandLineToArgvW(wide.c_str(), &count);
  ASSERT_NE(split, nullptr);
  ASSERT_EQ(count, static_cast<int>(argv.size())) << line;
  for (int i = 0; i < count; ++i) {
    const std::wstring got(split[i]);
    EXPECT_EQ(std::string(got.begin(), got.end()), argv[i]) << line;
  }
  LocalFree(split);
}
#endif

TEST(ExitStatusForExecErrorTest, IsWhatAShellSays) {
  EXPECT_EQ(ExitStatusForExecError(absl::NotFoundError("x")), 127);
  EXPECT_EQ(ExitStatusForExecError(absl::PermissionDeniedError("x")), 126);
  EXPECT_EQ(ExitStatusForExecError(absl::FailedPreconditionError("x")), 126);
}

TEST(ListenFdNamesTest, MakesNamesSystemdTakes) {
  EXPECT_EQ(ListenFdNames({"web", "a:b", "", "caf\xc3\xa9", "x y"}),
            "web:a_b:unknown:caf__:x_y");
  EXPECT_EQ(ListenFdNames({std::string(300, 'n')}), std::string(255, 'n'));
}

}  // namespace
}  // namespace berth::platform
