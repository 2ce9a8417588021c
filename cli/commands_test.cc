// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The command table drives dispatch and help; every command parses its
// arguments and reports errors the same way (cli/commands.h).

#include "cli/commands.h"

#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/internal/cli_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::cli {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using testing::IsOneErrorLine;
using testing::NewDir;
using ::testing::Not;
using testing::Result;
using testing::RunCli;
using ::testing::StartsWith;

TEST(CommandTableTest, MainHelpListsEveryCommandOfTheTable) {
  Result r = RunCli({"--help"});
  EXPECT_EQ(r.status, kExitOk);
  EXPECT_EQ(r.err, "");
  for (const Command& c : Commands()) {
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("\n  ", c.name, " "))) << c.name;
    EXPECT_THAT(r.out, HasSubstr(c.summary)) << c.name;
  }
  for (const char* word : {"run APP... -- CMD", "get APP", "inspect PID"}) {
    EXPECT_THAT(r.out, HasSubstr(word));
  }
  EXPECT_EQ(RunCli({"-h"}).out, r.out);
  EXPECT_EQ(RunCli({"help"}).out, r.out);
}

TEST(CommandTableTest, NoCommandPrintsTheHelpAsAnError) {
  Result r = RunCli({});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("Usage: berth COMMAND"));
}

TEST(CommandTableTest, EveryCommandsHelpShowsItsUsageAndEveryFlag) {
  for (const Command& c : Commands()) {
    Result r = RunCli({c.name, "--help"});
    EXPECT_EQ(r.status, kExitOk) << c.name;
    EXPECT_THAT(r.out, StartsWith(absl::StrCat("Usage: berth ", c.name)));
    EXPECT_THAT(r.out, HasSubstr(c.help)) << c.name;
    for (const Flag& f : c.flags) {
      EXPECT_THAT(r.out, HasSubstr(absl::StrCat("  --", f.name))) << c.name;
    }
    EXPECT_THAT(r.out, HasSubstr("--help")) << c.name;
    EXPECT_EQ(RunCli({c.name, "-h"}).out, r.out) << c.name;
    EXPECT_EQ(RunCli({"help", c.name}).out, r.out) << c.name;
    // No help line is wider than a terminal.
    for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
      EXPECT_LE(line.size(), 80u) << c.name << ": " << line;
    }
  }
}

TEST(CommandTableTest, EveryCommandRefusesAnUnknownOptionInOneLine) {
  for (const Command& c : Commands()) {
    Result r = RunCli({c.name, "--no-such-option"});
    EXPECT_EQ(r.status, kExitUsage) << c.name;
    EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
    EXPECT_THAT(r.err, StartsWith(absl::StrCat("berth: ", c.name, ": ")));
    EXPECT_EQ(r.out, "");
  }
}

TEST(CommandTableTest, EveryCommandChecksItsOperandCount) {
  for (const Command& c : Commands()) {
    if (c.min_operands > 0) {
      Result r = RunCli({c.name});
      EXPECT_EQ(r.status, kExitUsage) << c.name;
      EXPECT_TRUE(IsOneErrorLine(r.err)) << c.name << ": " << r.err;
      EXPECT_THAT(r.err, HasSubstr(absl::StrCat("see berth ", c.name)));
    }
    if (c.max_operands < 100) {
      std::vector<std::string> argv = {c.name};
      for (size_t i = 0; i <= c.max_operands; ++i) {
        argv.push_back(absl::StrCat("x", i));
      }
      Result r = RunCli(argv);
      EXPECT_EQ(r.status, kExitUsage) << c.name;
      EXPECT_TRUE(IsOneErrorLine(r.err)) << c.name << ": " << r.err;
    }
  }
}

TEST(CommandTableTest, UnknownCommandsAreEscapedInOneLine) {
  Result r = RunCli({"nosuchcommand"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_TRUE(IsOneErrorLine(r.err));
  r = RunCli({"evil\ncommand\x1b[31m"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("evil\\ncommand\\x1b[31m"));
  r = RunCli({"help", "nosuch"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_TRUE(IsOneErrorLine(r.err));
}

TEST(CommandTableTest, OptionErrorsAreEscapedInOneLine) {
  Result r = RunCli({"list", "--a\nb\x1b[2J"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--a\\nb\\x1b[2J"));
  r = RunCli({"who", "8\n0"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_TRUE(IsOneErrorLine(r.err)) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("\x1b")));
}

TEST(CommandTableTest, AValueFlagWithoutItsValueSaysWhichValue) {
  Result r = RunCli({"get", "web", "--port"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_TRUE(IsOneErrorLine(r.err));
  EXPECT_THAT(r.err, HasSubstr("--port P"));
}

// The choices a flag lists (for shell completion) are values its command
// takes: each gets past the flag's check to the empty app operand, which
// is refused after it; a value not listed does not.
TEST(CommandTableTest, EveryChoiceOfAFlagIsAccepted) {
  int checked = 0;
  for (const Command& c : Commands()) {
    for (const Flag& f : c.flags) {
      if (f.choices == nullptr) continue;
      ASSERT_NE(f.value, nullptr) << c.name << " --" << f.name;
      const auto run = [&](const std::string& value) {
        return RunCli({c.name, "", absl::StrCat("--", f.name), value,
                       "--registry", NewDir("reg")});
      };
      for (absl::string_view choice :
           absl::StrSplit(f.choices, ' ', absl::SkipEmpty())) {
        Result r = run(std::string(choice));
        EXPECT_EQ(r.status, kExitUsage) << c.name << " --" << f.name;
        EXPECT_THAT(r.err, HasSubstr("the app name is empty"))
            << c.name << " --" << f.name << " " << choice;
        ++checked;
      }
      Result r = run("no-such-choice");
      EXPECT_EQ(r.status, kExitUsage) << c.name << " --" << f.name;
      EXPECT_THAT(r.err, HasSubstr("no-such-choice")) << c.name;
      EXPECT_THAT(r.err, Not(HasSubstr("the app name is empty"))) << c.name;
    }
  }
  EXPECT_GT(checked, 0);
}

// A stream whose every write fails, as stdout on a full disk.
class FullBuffer : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

TEST(CommandTableTest, AnOutputThatCannotBeWrittenIsAFailure) {
  FullBuffer full;
  std::ostream out(&full);
  std::ostringstream help_err;
  EXPECT_EQ(Main({"--help"}, out, help_err), kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(help_err.str())) << help_err.str();
  std::ostringstream err;
  std::ostream out2(&full);
  const int status = Main({"prune", "--registry", NewDir("reg")}, out2, err);
  EXPECT_EQ(status, kExitFailure);
  EXPECT_TRUE(IsOneErrorLine(err.str())) << err.str();
  EXPECT_THAT(err.str(), HasSubstr("berth: prune: cannot write the result"));
}

}  // namespace
}  // namespace berth::cli
