// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/handlers.h: the handler of each row of the command table
// (cli/commands.cc), one file each (or a few related ones together).

#ifndef BERTH_CLI_HANDLERS_H_
#define BERTH_CLI_HANDLERS_H_

#include "cli/command.h"

namespace berth::cli {

int RunCommand(Invocation& call);      // run_command.cc
int GetCommand(Invocation& call);      // registry_commands.cc
int ReleaseCommand(Invocation& call);  // registry_commands.cc
int ListCommand(Invocation& call);     // registry_commands.cc
int PruneCommand(Invocation& call);    // registry_commands.cc
int WaitCommand(Invocation& call);     // control_commands.cc
int StopCommand(Invocation& call);     // control_commands.cc
int UrlCommand(Invocation& call);      // control_commands.cc
int WhoCommand(Invocation& call);      // who_command.cc
int InspectCommand(Invocation& call);  // inspect_command.cc

}  // namespace berth::cli

#endif  // BERTH_CLI_HANDLERS_H_
