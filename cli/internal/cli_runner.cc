// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/internal/cli_runner.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#ifndef _WIN32
#include <signal.h>
#endif

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/commands.h"
#include "platform/port.h"

namespace berth::cli::testing {

Result RunCli(const std::vector<std::string>& argv) {
  std::ostringstream out, err;
  Result r;
  r.status = Main(argv, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

bool IsOneErrorLine(const std::string& err) {
  return err.rfind("berth: ", 0) == 0 &&
         std::count(err.begin(), err.end(), '\n') == 1 && err.back() == '\n';
}

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : ".";
}

std::string NewDir(const std::string& stem) {
  static int n = 0;
  return absl::StrCat(TempDir(), "/", stem, "-", ++n, "-",
                      absl::ToUnixMicros(absl::Now()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string WaitForFile(const std::string& path, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!std::ifstream(path).good()) {
    if (absl::Now() > deadline) return "";
    absl::SleepFor(absl::Milliseconds(5));
  }
  return ReadFile(path);
}

namespace {

int Serve(int argc, char** argv) {
  // argv: PROGRAM --serve FILE MS IGNORE WORDS...
  int64_t ms = -1;
  if (argc < 5 || !absl::SimpleAtoi(argv[3], &ms)) return 2;
#ifndef _WIN32
  if (std::strcmp(argv[4], "1") == 0) signal(SIGTERM, SIG_IGN);
#endif
  std::string report;
  for (int i = 5; i < argc; ++i) {
    if (argv[i][0] == '$') {
      const char* value = std::getenv(argv[i] + 1);
      absl::StrAppend(&report, argv[i] + 1, "=", value ? value : "", "\n");
    } else {
      absl::StrAppend(&report, "arg=", argv[i], "\n");
    }
  }
  const std::string file = argv[2];
  const std::string temp = file + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary);
    out << report;
  }
  if (std::rename(temp.c_str(), file.c_str()) != 0) return 1;
  if (ms >= 0) {
    absl::SleepFor(absl::Milliseconds(ms));
    int port = 0;
    const char* text = std::getenv("PORT");
    if (text == nullptr || !absl::SimpleAtoi(text, &port)) return 1;
    if (!platform::ListenTcp("127.0.0.1", static_cast<uint16_t>(port)).ok()) {
      return 1;
    }
  }
  absl::SleepFor(absl::Seconds(120));
  return 3;
}

}  // namespace

int HelperMain(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--cli") == 0) {
    std::vector<std::string> args(argv + 2, argv + argc);
    const int status = Main(args, std::cout, std::cerr);
    std::cout.flush();
    return status;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--serve") == 0) {
    return Serve(argc, argv);
  }
  if (argc == 2 && std::strcmp(argv[1], "--sleep") == 0) {
    absl::SleepFor(absl::Seconds(120));
    return 3;
  }
  return -1;
}

absl::StatusOr<std::unique_ptr<platform::testing::ChildProcess>> StartCli(
    const std::vector<std::string>& args) {
  auto self = platform::testing::SelfPath();
  if (!self.ok()) return self.status();
  std::vector<std::string> argv = {*self, "--cli"};
  argv.insert(argv.end(), args.begin(), args.end());
  return platform::testing::ChildProcess::Start(argv);
}

std::vector<std::string> ServeCommand(const std::string& file,
                                      int listen_after_ms, bool ignore_term,
                                      const std::vector<std::string>& words) {
  auto self = platform::testing::SelfPath();
  std::vector<std::string> argv = {
      self.ok() ? *self : "missing-self", "--serve", file,
      absl::StrCat(listen_after_ms), ignore_term ? "1" : "0"};
  argv.insert(argv.end(), words.begin(), words.end());
  return argv;
}

Server StartServer(const std::vector<std::string>& run_args,
                   int listen_after_ms, bool ignore_term,
                   const std::vector<std::string>& words) {
  Server server;
  const std::string file = NewDir("serve");
  std::vector<std::string> args = {"run"};
  args.insert(args.end(), run_args.begin(), run_args.end());
  args.push_back("--");
  for (std::string& word :
       ServeCommand(file, listen_after_ms, ignore_term, words)) {
    args.push_back(std::move(word));
  }
  auto child = StartCli(args);
  if (!child.ok()) return server;
  server.process = *std::move(child);
  server.report = WaitForFile(file, absl::Seconds(30));
  return server;
}

std::vector<std::string> ReportValues(const std::string& report,
                                      const std::string& key) {
  std::vector<std::string> values;
  const std::string prefix = key + "=";
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0)
      values.push_back(line.substr(prefix.size()));
  }
  return values;
}

}  // namespace berth::cli::testing
