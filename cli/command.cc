// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "cli/command.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "cli/printable.h"

namespace berth::cli {

int Invocation::Fail(const absl::Status& status) {
  Note(status.message());
  return absl::IsInvalidArgument(status) ? kExitUsage : kExitFailure;
}

int Invocation::Usage(absl::string_view message) {
  Note(absl::StrCat(message, " (see berth ", command_.name, " --help)"));
  return kExitUsage;
}

void Invocation::Note(absl::string_view message) {
  err_ << "berth: " << command_.name << ": " << Printable(message) << "\n";
  err_.flush();
}

absl::StatusOr<Options> Invocation::CommonOptions() const {
  Options options;
  options.registry_dir = args_.Get("registry");
  options.scope = args_.Get("scope");
  if (options.scope && options.scope->empty()) {
    return absl::InvalidArgumentError(
        "--scope needs a directory, or none for the global scope");
  }
  return options;
}

bool Invocation::FlushOutput() {
  errno = 0;
  out_.flush();
  if (out_) return true;
  if (!output_failure_reported_) {
    output_failure_reported_ = true;
    const int error = errno;
    Note(absl::StrCat(
        "cannot write the result to standard output",
        error != 0 ? absl::StrCat(": ", std::strerror(error)) : std::string()));
  }
  return false;
}

}  // namespace berth::cli
