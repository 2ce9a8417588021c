// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// tests/fuzz/standalone_main.cc: a main for fuzz targets built without
// libFuzzer. Runs LLVMFuzzerTestOneInput once on each file named (files of
// a directory named), or on stdin when none is: how to replay a crash or a
// corpus with any compiler.
//
//   codec_fuzzer FILE|DIR...

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void RunOne(const std::string& bytes) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                         bytes.size());
}

bool RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.string().c_str());
    return false;
  }
  RunOne(std::string(std::istreambuf_iterator<char>(in), {}));
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    RunOne(std::string(std::istreambuf_iterator<char>(std::cin), {}));
    std::printf("ran 1 input from stdin\n");
    return 0;
  }
  int ran = 0;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(arg, ec)) {
        if (!e.is_regular_file()) continue;
        ok = RunFile(e.path()) && ok;
        ++ran;
      }
    } else {
      ok = RunFile(arg) && ok;
      ++ran;
    }
  }
  std::printf("ran %d inputs\n", ran);
  return ok ? 0 : 1;
}
