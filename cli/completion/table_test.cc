// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// The completion scripts know berth's command table (cli/commands.cc) and
// nothing else: every command, each command's options, which options take
// a value, and the values of those that take one of a fixed set. A command
// or option added to the table, changed or dropped fails here until both
// scripts follow.
//
// The scripts are read as text, in the shapes they are written in:
//   commands="a b"                  bash: the commands
//   commands=( 'a:...' ... )        zsh: the commands, one a line
//   NAME) opts="--a --b" ;;         bash: a command's options
//   NAME) flags=(--a --b) ;;        zsh: a command's options
//   valued="--a --b"                bash: the options that take a value
//   --a) choices="x y" ;;           bash: the values of an option
//   '--a[...]:message:(x y)'        zsh: an option's spec, with a value
//                                   after the ] when it takes one, and its
//                                   values in ( ) when they are a fixed set
// Besides, every --word anywhere in them (comments too) must be an option
// of the table or --help, and every case label a command or an option.
//
// Usage: table_test BERTH_BASH ZSH_BERTH

#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::cli {
namespace {

using Set = std::set<std::string>;

struct Script {
  std::string name;         // for failure messages
  std::string text;         // the whole file
  std::string options_var;  // the variable a command's options are set in
};
std::vector<Script> g_scripts;
const Script* g_bash = nullptr;
const Script* g_zsh = nullptr;

// --- the table -----------------------------------------------------------

Set TableCommands() {
  Set names;
  for (const Command& c : Commands()) names.insert(c.name);
  return names;
}

std::string Option(const Flag& f) { return absl::StrCat("--", f.name); }

// Every option of every command, and whether it takes a value.
std::map<std::string, bool> TableValued() {
  std::map<std::string, bool> valued;
  for (const Command& c : Commands()) {
    for (const Flag& f : c.flags) valued[Option(f)] = f.value != nullptr;
  }
  return valued;
}

Set TableOptions() {
  Set options;
  for (const auto& [option, valued] : TableValued()) options.insert(option);
  return options;
}

std::map<std::string, Set> TableChoices() {
  std::map<std::string, Set> choices;
  for (const Command& c : Commands()) {
    for (const Flag& f : c.flags) {
      if (f.choices == nullptr) continue;
      for (absl::string_view v :
           absl::StrSplit(f.choices, ' ', absl::SkipEmpty())) {
        choices[Option(f)].insert(std::string(v));
      }
    }
  }
  return choices;
}

std::string Join(const Set& set) { return absl::StrJoin(set, " "); }

// --- reading the scripts -------------------------------------------------

Set Words(absl::string_view text) {
  Set words;
  for (absl::string_view w :
       absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
    words.insert(std::string(w));
  }
  return words;
}

// Lines returns the script's lines that are not comments.
std::vector<absl::string_view> Lines(const Script& script) {
  std::vector<absl::string_view> lines;
  for (absl::string_view line : absl::StrSplit(script.text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

bool IsLabelWord(absl::string_view w) {
  if (w.empty() || !(absl::ascii_islower(w[0]) || w[0] == '-')) return false;
  for (char c : w) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

// A case branch: `a | b) BODY`.
struct Branch {
  std::vector<std::string> labels;
  absl::string_view body;
};

std::optional<Branch> CaseBranch(absl::string_view line) {
  const size_t paren = line.find(')');
  if (paren == absl::string_view::npos) return std::nullopt;
  Branch branch;
  for (absl::string_view label : absl::StrSplit(line.substr(0, paren), '|')) {
    label = absl::StripAsciiWhitespace(label);
    if (!IsLabelWord(label)) return std::nullopt;
    branch.labels.push_back(std::string(label));
  }
  branch.body = absl::StripAsciiWhitespace(line.substr(paren + 1));
  return branch;
}

// Assigned returns the words assigned to `var` in `text` (var="..." or
// var=(...)), if it is assigned there.
std::optional<Set> Assigned(absl::string_view text, absl::string_view var) {
  for (size_t at = text.find(absl::StrCat(var, "="));
       at != absl::string_view::npos;
       at = text.find(absl::StrCat(var, "="), at + 1)) {
    if (at > 0 && text[at - 1] != ' ' && text[at - 1] != '\t') continue;
    const size_t open = at + var.size() + 1;
    if (open >= text.size() || (text[open] != '"' && text[open] != '(')) {
      continue;
    }
    const size_t close = text.find(text[open] == '"' ? '"' : ')', open + 1);
    if (close == absl::string_view::npos) return std::nullopt;
    return Words(text.substr(open + 1, close - open - 1));
  }
  return std::nullopt;
}

// Options returns every --word of the script, comments included.
Set Options(const Script& script) {
  Set options;
  const std::string& t = script.text;
  for (size_t at = t.find("--"); at != std::string::npos;
       at = t.find("--", at + 2)) {
    if (at > 0 && t[at - 1] == '-') continue;
    size_t end = at + 2;
    while (end < t.size() && (absl::ascii_islower(t[end]) ||
                              absl::ascii_isdigit(t[end]) || t[end] == '-')) {
      ++end;
    }
    if (end > at + 2) options.insert(t.substr(at, end - at));
  }
  return options;
}

// CommandOptions returns each command's options, as the script's case
// branches set them.
std::map<std::string, Set> CommandOptions(const Script& script) {
  std::map<std::string, Set> options;
  for (absl::string_view line : Lines(script)) {
    const std::optional<Branch> branch = CaseBranch(line);
    if (!branch) continue;
    const std::optional<Set> set = Assigned(branch->body, script.options_var);
    if (!set) continue;
    for (const std::string& command : branch->labels) {
      EXPECT_FALSE(options.count(command))
          << script.name << ": the options of " << command << " twice";
      options[command] = *set;
    }
  }
  return options;
}

// --- both scripts --------------------------------------------------------

TEST(CompletionTableTest, TheTableSaysOnceWhetherAnOptionTakesAValue) {
  // Both scripts know an option's kind by its name.
  std::map<std::string, bool> seen;
  for (const Command& c : Commands()) {
    for (const Flag& f : c.flags) {
      const auto [it, added] = seen.emplace(Option(f), f.value != nullptr);
      EXPECT_EQ(it->second, f.value != nullptr) << c.name << " " << Option(f);
      if (f.choices != nullptr) {
        EXPECT_NE(f.value, nullptr) << Option(f);
      }
    }
  }
}

TEST(CompletionTableTest, EveryOptionNamedIsInTheTable) {
  Set known = TableOptions();
  known.insert("--help");
  for (const Script& script : g_scripts) {
    for (const std::string& option : Options(script)) {
      EXPECT_TRUE(known.count(option))
          << script.name << " names " << option
          << ", which no command of cli/commands.cc takes";
    }
  }
}

TEST(CompletionTableTest, EveryCommandHasTheTablesOptions) {
  for (const Script& script : g_scripts) {
    std::map<std::string, Set> options = CommandOptions(script);
    for (const Command& c : Commands()) {
      Set table;
      for (const Flag& f : c.flags) table.insert(Option(f));
      auto it = options.find(c.name);
      if (it == options.end()) {
        ADD_FAILURE() << script.name << " has no line `" << c.name << ") "
                      << script.options_var << "=...` for berth " << c.name
                      << " (options: " << Join(table) << ")";
        continue;
      }
      EXPECT_EQ(Join(it->second), Join(table))
          << script.name << ": the options of berth " << c.name;
      options.erase(it);
    }
    for (const auto& [command, set] : options) {
      ADD_FAILURE() << script.name << " completes options for \"" << command
                    << "\", which is not a command of cli/commands.cc";
    }
  }
}

TEST(CompletionTableTest, EveryCaseLabelIsACommandOrAnOption) {
  Set known = TableCommands();
  for (const std::string& option : TableOptions()) known.insert(option);
  known.insert("--help");
  for (const Script& script : g_scripts) {
    size_t branches = 0;
    for (absl::string_view line : Lines(script)) {
      const std::optional<Branch> branch = CaseBranch(line);
      if (!branch) continue;
      ++branches;
      for (const std::string& label : branch->labels) {
        EXPECT_TRUE(known.count(label))
            << script.name << ": case label \"" << label
            << "\" is no command or option of cli/commands.cc, in: " << line;
      }
    }
    EXPECT_GT(branches, TableCommands().size()) << script.name;
  }
}

// --- bash ----------------------------------------------------------------

std::optional<Set> BashAssigned(absl::string_view var) {
  for (absl::string_view line : Lines(*g_bash)) {
    if (CaseBranch(line)) continue;
    if (std::optional<Set> set = Assigned(line, var)) return set;
  }
  return std::nullopt;
}

TEST(BashCompletionTest, CompletesTheTablesCommands) {
  const std::optional<Set> commands = BashAssigned("commands");
  ASSERT_TRUE(commands) << "no line `commands=\"...\"` in " << g_bash->name;
  EXPECT_EQ(Join(*commands), Join(TableCommands()));
}

TEST(BashCompletionTest, KnowsWhichOptionsTakeAValue) {
  const std::optional<Set> valued = BashAssigned("valued");
  ASSERT_TRUE(valued) << "no line `valued=\"...\"` in " << g_bash->name;
  Set table;
  for (const auto& [option, takes_value] : TableValued()) {
    if (takes_value) table.insert(option);
  }
  EXPECT_EQ(Join(*valued), Join(table));
}

TEST(BashCompletionTest, OffersTheTablesValues) {
  std::map<std::string, Set> choices;
  for (absl::string_view line : Lines(*g_bash)) {
    const std::optional<Branch> branch = CaseBranch(line);
    if (!branch) continue;
    if (std::optional<Set> set = Assigned(branch->body, "choices")) {
      for (const std::string& option : branch->labels) choices[option] = *set;
    }
  }
  std::map<std::string, Set> table = TableChoices();
  ASSERT_FALSE(table.empty());
  for (const auto& [option, values] : table) {
    EXPECT_EQ(Join(choices[option]), Join(values))
        << g_bash->name << ": the values after " << option << " (a line `"
        << option << ") choices=\"...\" ;;`)";
  }
  for (const auto& [option, values] : choices) {
    EXPECT_TRUE(table.count(option))
        << g_bash->name << " offers values after " << option
        << ", which has no fixed set in cli/commands.cc";
  }
}

// --- zsh -----------------------------------------------------------------

TEST(ZshCompletionTest, CompletesTheTablesCommands) {
  Set commands;
  bool in_list = false;
  for (absl::string_view line : Lines(*g_zsh)) {
    if (!in_list) {
      in_list = line == "commands=(";
      continue;
    }
    if (line == ")") break;
    // 'name:description' or "name:description"
    ASSERT_TRUE(line[0] == '\'' || line[0] == '"') << line;
    const size_t colon = line.find(':');
    ASSERT_NE(colon, absl::string_view::npos) << line;
    commands.insert(std::string(line.substr(1, colon - 1)));
  }
  ASSERT_TRUE(in_list) << "no line `commands=(` in " << g_zsh->name;
  EXPECT_EQ(Join(commands), Join(TableCommands()));
}

// Spec is one option's _arguments spec: '--name[...]' or
// '--name[...]:message:action'.
struct Spec {
  std::string option;
  bool takes_value;
  std::optional<Set> choices;  // for an action (x y z)
  std::string text;
};

std::vector<Spec> ZshSpecs() {
  std::vector<Spec> specs;
  const std::string& t = g_zsh->text;
  for (const std::string& option : Options(*g_zsh)) {
    const std::string start = option + "[";
    for (size_t at = t.find(start); at != std::string::npos;
         at = t.find(start, at + 1)) {
      if (at > 0 && t[at - 1] != '\'' && t[at - 1] != ')') continue;
      const size_t close = t.find(']', at);
      const size_t quote = t.find('\'', at);
      if (close == std::string::npos || quote == std::string::npos ||
          quote < close) {
        continue;
      }
      Spec spec;
      spec.option = option;
      spec.text = t.substr(at, quote - at);
      const absl::string_view rest =
          absl::string_view(t).substr(close + 1, quote - close - 1);
      spec.takes_value = absl::StartsWith(rest, ":");
      std::vector<absl::string_view> parts = absl::StrSplit(rest, ':');
      if (parts.size() == 3 && absl::StartsWith(parts[2], "(") &&
          absl::EndsWith(parts[2], ")")) {
        spec.choices = Words(parts[2].substr(1, parts[2].size() - 2));
      }
      specs.push_back(spec);
    }
  }
  return specs;
}

TEST(ZshCompletionTest, EveryOptionHasASpecOfItsKind) {
  const std::map<std::string, bool> valued = TableValued();
  const std::map<std::string, Set> choices = TableChoices();
  Set specified;
  for (const Spec& spec : ZshSpecs()) {
    specified.insert(spec.option);
    auto kind = valued.find(spec.option);
    if (kind == valued.end()) continue;  // EveryOptionNamedIsInTheTable
    EXPECT_EQ(spec.takes_value, kind->second)
        << g_zsh->name << ": " << spec.text << " should "
        << (kind->second ? "" : "not ") << "take a value";
    auto values = choices.find(spec.option);
    if (values != choices.end()) {
      EXPECT_TRUE(spec.choices) << g_zsh->name << ": " << spec.text
                                << " should offer " << Join(values->second);
      if (spec.choices) {
        EXPECT_EQ(Join(*spec.choices), Join(values->second)) << spec.text;
      }
    } else {
      EXPECT_FALSE(spec.choices)
          << g_zsh->name << ": " << spec.text
          << " offers values that cli/commands.cc does not list";
    }
  }
  for (const auto& [option, takes_value] : valued) {
    EXPECT_TRUE(specified.count(option))
        << g_zsh->name << " has no spec '" << option << "[...]'";
  }
}

}  // namespace
}  // namespace berth::cli

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 3) {
    std::cerr << "usage: table_test BERTH_BASH ZSH_BERTH\n";
    return 2;
  }
  using berth::cli::Script;
  auto& scripts = berth::cli::g_scripts;
  scripts.push_back(Script{argv[1], "", "opts"});
  scripts.push_back(Script{argv[2], "", "flags"});
  for (Script& script : scripts) {
    std::ifstream in(script.name, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    script.text = text.str();
    if (!in || script.text.empty()) {
      std::cerr << "table_test: cannot read " << script.name << "\n";
      return 1;
    }
  }
  berth::cli::g_bash = &scripts[0];
  berth::cli::g_zsh = &scripts[1];
  return RUN_ALL_TESTS();
}
