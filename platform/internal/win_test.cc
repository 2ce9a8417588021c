// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// platform/internal/win.h, on Windows (and under wine).

#include "platform/internal/win.h"
// winsock2.h after windows.h: only for the WSAE* codes.
#include <winsock2.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace berth::platform::internal {
namespace {

TEST(Utf8ToWideTest, ConvertsAndRoundTrips) {
  const std::string utf8 =
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\xa2";  // é € 🚢
  absl::StatusOr<std::wstring> wide = Utf8ToWide(utf8);
  ASSERT_TRUE(wide.ok()) << wide.status();
  EXPECT_EQ(*wide, std::wstring(L"caf\u00e9 \u20ac \xd83d\xdea2"));
  absl::StatusOr<std::string> back = WideToUtf8(*wide);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, utf8);
}

TEST(Utf8ToWideTest, EmptyIsEmpty) {
  EXPECT_EQ(Utf8ToWide("").value(), L"");
  EXPECT_EQ(WideToUtf8(L"").value(), "");
}

// Invalid input is refused, never patched up with U+FFFD into another name.
TEST(Utf8ToWideTest, RefusesInvalidUtf8) {
  for (const std::string& bad :
       {std::string("\xff"), std::string("ab\xc3"), std::string("\xc0\xaf"),
        std::string("x\xed\xa0\x80y")}) {
    absl::StatusOr<std::wstring> wide = Utf8ToWide(bad);
    EXPECT_EQ(wide.status().code(), absl::StatusCode::kInvalidArgument)
        << "accepted " << testing::PrintToString(bad);
    EXPECT_NE(wide.status().message().find("is not valid UTF-8"),
              std::string::npos)
        << wide.status();
  }
}

TEST(WideToUtf8Test, RefusesAnUnpairedSurrogate) {
  const wchar_t lone[] = {L'a', static_cast<wchar_t>(0xD800), L'b', 0};
  EXPECT_EQ(WideToUtf8(lone).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(WindowsErrorToStatusTest, MapsCodesTheWayErrnoToStatusWould) {
  struct Case {
    DWORD error;
    absl::StatusCode code;
  };
  for (const Case& c : {
           Case{ERROR_FILE_NOT_FOUND, absl::StatusCode::kNotFound},
           Case{ERROR_PATH_NOT_FOUND, absl::StatusCode::kNotFound},
           Case{ERROR_ACCESS_DENIED, absl::StatusCode::kPermissionDenied},
           Case{ERROR_SHARING_VIOLATION, absl::StatusCode::kUnavailable},
           Case{ERROR_LOCK_VIOLATION, absl::StatusCode::kUnavailable},
           Case{ERROR_FILE_EXISTS, absl::StatusCode::kAlreadyExists},
           Case{ERROR_ALREADY_EXISTS, absl::StatusCode::kAlreadyExists},
           Case{ERROR_DISK_FULL, absl::StatusCode::kResourceExhausted},
           Case{ERROR_INVALID_PARAMETER, absl::StatusCode::kInvalidArgument},
           Case{ERROR_INVALID_NAME, absl::StatusCode::kInvalidArgument},
           // Winsock's codes share the space (WSAGetLastError).
           Case{WSAEMFILE, absl::StatusCode::kResourceExhausted},
           Case{WSAENOBUFS, absl::StatusCode::kResourceExhausted},
           Case{WSANOTINITIALISED, absl::StatusCode::kUnavailable},
           Case{WSAEINVAL, absl::StatusCode::kInvalidArgument},
           Case{WSAEACCES, absl::StatusCode::kPermissionDenied},
           Case{ERROR_GEN_FAILURE, absl::StatusCode::kUnknown},
       }) {
    EXPECT_EQ(WindowsErrorToStatus(c.error, "call").code(), c.code)
        << "error " << c.error;
  }
}

TEST(WindowsErrorToStatusTest, NamesTheCallAndTheNumber) {
  absl::Status status =
      WindowsErrorToStatus(ERROR_FILE_NOT_FOUND, "CreateFileW C:\\x\\registry");
  EXPECT_EQ(status.message().rfind("CreateFileW C:\\x\\registry: ", 0), 0u)
      << status;
  EXPECT_NE(status.message().find("Windows error 2"), std::string::npos)
      << status;
  EXPECT_NE(status.message().back(), '\n');
  EXPECT_NE(status.message().back(), '.');
}

TEST(ScopedHandleTest, ClosesAtScopeExitAndIgnoresNoHandle) {
  HANDLE raw = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ASSERT_NE(raw, nullptr);
  {
    ScopedHandle handle(raw);
    EXPECT_TRUE(handle.valid());
    DWORD flags = 0;
    EXPECT_TRUE(GetHandleInformation(raw, &flags));
  }
  DWORD flags = 0;
  EXPECT_FALSE(GetHandleInformation(raw, &flags)) << "still open";
  EXPECT_FALSE(ScopedHandle().valid());
  EXPECT_FALSE(ScopedHandle(INVALID_HANDLE_VALUE).valid());
}

TEST(ProcessImageNameTest, NamesThisProgram) {
  const std::string name = ProcessImageName(GetCurrentProcess());
  EXPECT_NE(name.find("win_test"), std::string::npos) << name;
  EXPECT_EQ(name.find('\\'), std::string::npos) << "the file name only";
}

TEST(StartProcessTest, StartsAProgram) {
  std::wstring self(32768, L'\0');
  const DWORD n =
      GetModuleFileNameW(nullptr, &self[0], static_cast<DWORD>(self.size()));
  ASSERT_GT(n, 0u);
  self.resize(n);
  // This test program again, listing its tests: exits 0.
  std::wstring command_line = L"\"" + self + L"\" --gtest_list_tests";
  STARTUPINFOW startup = {};
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info = {};
  ASSERT_TRUE(StartProcess(self.c_str(), &command_line[0], nullptr, FALSE, 0,
                           &startup, &info))
      << GetLastError();
  ScopedHandle process(info.hProcess);
  ScopedHandle thread(info.hThread);
  ASSERT_EQ(WaitForSingleObject(process.get(), 60000), WAIT_OBJECT_0);
  DWORD code = 1;
  ASSERT_TRUE(GetExitCodeProcess(process.get(), &code));
  EXPECT_EQ(code, 0u);
}

TEST(StartProcessTest, AMissingProgramFailsWithItsOwnError) {
  std::wstring command_line = L"no-such-program.exe";
  STARTUPINFOW startup = {};
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info = {};
  EXPECT_FALSE(StartProcess(L"C:\\no\\such\\program.exe", &command_line[0],
                            nullptr, FALSE, 0, &startup, &info));
  const DWORD error = GetLastError();
  EXPECT_TRUE(error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND)
      << error;
}

}  // namespace
}  // namespace berth::platform::internal
