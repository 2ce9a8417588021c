// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// berth wait / stop / url: an app's server, from the outside.

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/control.h"
#include "cli/handlers.h"
#include "cli/printable.h"

namespace berth::cli {
namespace {

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

}  // namespace

int WaitCommand(Invocation& call) {
  const Args& args = call.args();
  WaitOptions options;
  auto common = call.CommonOptions();
  if (!common.ok()) return call.Fail(common.status());
  options.options = *common;
  if (auto t = args.Get("timeout")) {
    auto timeout = ParseSeconds(*t);
    if (!timeout.ok()) return call.Fail(timeout.status());
    options.timeout = *timeout;
  }
  options.free = args.Has("free");
  WaitTarget target;
  const std::string& operand = args.positional[0];
  if (AllDigits(operand)) {
    auto port = ParsePort(operand);
    if (!port.ok()) return call.Fail(port.status());
    target.port = *port;
  } else {
    target.app = operand;
  }
  const absl::Status s = Wait(target, options);
  if (!s.ok()) return call.Fail(s);
  return kExitOk;
}

int StopCommand(Invocation& call) {
  const Args& args = call.args();
  StopOptions options;
  auto common = call.CommonOptions();
  if (!common.ok()) return call.Fail(common.status());
  options.options = *common;
  if (auto s = args.Get("signal")) options.signal = *s;
  if (auto t = args.Get("timeout")) {
    auto timeout = ParseSeconds(*t);
    if (!timeout.ok()) return call.Fail(timeout.status());
    options.timeout = *timeout;
  }
  options.kill_after = args.Has("kill-after");
  auto stopped = Stop(args.positional[0], options);
  if (!stopped.ok()) return call.Fail(stopped.status());
  for (const Stopped& s : *stopped) {
    call.out() << "stopped " << Printable(s.app) << ": pid " << s.pid
               << " (port" << (s.ports.size() == 1 ? " " : "s ")
               << absl::StrJoin(s.ports, ", ") << ") exited after " << s.signal
               << "\n";
  }
  return kExitOk;
}

int UrlCommand(Invocation& call) {
  auto options = call.CommonOptions();
  if (!options.ok()) return call.Fail(options.status());
  // Every name is checked before anything is read.
  for (const std::string& app : call.args().positional) {
    if (absl::Status s = ValidateAppName(app); !s.ok()) return call.Fail(s);
    if (auto label = DnsLabel(app); !label.ok()) {
      return call.Fail(label.status());
    }
  }
  for (const std::string& app : call.args().positional) {
    auto url = AppUrl(app, *options);
    if (!url.ok()) return call.Fail(url.status());
    call.out() << *url << "\n";
  }
  return kExitOk;
}

}  // namespace berth::cli
