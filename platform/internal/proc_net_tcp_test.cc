// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0

#include "platform/internal/proc_net_tcp.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace berth::platform::internal {
namespace {

constexpr ProcNetTcpFile kTcp = ProcNetTcpFile::kTcp;
constexpr ProcNetTcpFile kTcp6 = ProcNetTcpFile::kTcp6;
constexpr WordOrder kLittle = WordOrder::kLittleEndian;
constexpr WordOrder kBig = WordOrder::kBigEndian;

// Captured on Linux 6.18 (x86_64), trailing padding included: a listener on
// 0.0.0.0:2024 and a connection in TIME_WAIT (06), which has no inode.
constexpr char kTcpHeader[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
    "retrnsmt   uid  timeout inode                                         "
    "            \n";
constexpr char kTcpListenRow[] =
    "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000     0        0 105 1 000000000090f955 100 0 0 10 0          "
    "             \n";
constexpr char kTcpTimeWaitRow[] =
    "   1: 0100007F:82CB 0100007F:CA66 06 00000000:00000000 03:00000CEC "
    "00000000     0        0 0 3 00000000dec0bed0                         "
    "             \n";

// Captured likewise from /proc/net/tcp6: a listener on ::1 port 35825.
constexpr char kTcp6Header[] =
    "  sl  local_address                         remote_address            "
    "            st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n";
constexpr char kTcp6ListenRow[] =
    "   0: 00000000000000000000000001000000:8BF1 "
    "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 "
    "00000000     0        0 51320 1 000000005b107033 100 0 0 10 0\n";

// Row builds a tcp or tcp6 row as the kernel prints it.
std::string Row(const std::string& local, const std::string& state,
                const std::string& inode = "4242", int slot = 3) {
  const std::string remote = local.size() > 13
                                 ? "00000000000000000000000000000000:0000"
                                 : "00000000:0000";
  return absl::StrCat("  ", slot, ": ", local, " ", remote, " ", state,
                      " 00000000:00000000 00:00000000 00000000  1000        "
                      "0 ",
                      inode, " 1 0000000000000000 100 0 0 10 0\n");
}

TEST(ParseProcNetTcpListenersTest, CapturedIPv4Table) {
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(
          absl::StrCat(kTcpHeader, kTcpListenRow, kTcpTimeWaitRow), kTcp,
          kLittle);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].address, "0.0.0.0");
  EXPECT_EQ((*rows)[0].port, 2024);
  EXPECT_EQ((*rows)[0].inode, 105u);
}

TEST(ParseProcNetTcpListenersTest, CapturedIPv6Table) {
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(absl::StrCat(kTcp6Header, kTcp6ListenRow), kTcp6,
                               kLittle);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].address, "::1");
  EXPECT_EQ((*rows)[0].port, 35825);
  EXPECT_EQ((*rows)[0].inode, 51320u);
}

TEST(ParseProcNetTcpListenersTest, IPv4Addresses) {
  struct Case {
    std::string local;
    std::string address;
    uint16_t port;
  };
  for (const Case& c : std::vector<Case>{
           {"0100007F:1F90", "127.0.0.1", 8080},
           {"00000000:0050", "0.0.0.0", 80},
           {"0101A8C0:FFFF", "192.168.1.1", 65535},
           {"0a00000a:01bb", "10.0.0.10", 443},  // lowercase hex
       }) {
    SCOPED_TRACE(c.local);
    absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
        ParseProcNetTcpListeners(absl::StrCat(kTcpHeader, Row(c.local, "0A")),
                                 kTcp, kLittle);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].address, c.address);
    EXPECT_EQ((*rows)[0].port, c.port);
    EXPECT_EQ((*rows)[0].inode, 4242u);
  }
}

TEST(ParseProcNetTcpListenersTest, IPv6Addresses) {
  struct Case {
    std::string local;
    std::string address;
  };
  for (const Case& c : std::vector<Case>{
           {"00000000000000000000000001000000:1F90", "::1"},
           {"00000000000000000000000000000000:1F90", "::"},
           // IPv4-mapped, as a dual-stack socket's accepted IPv4 peer shows.
           {"0000000000000000FFFF00000100007F:1F90", "::ffff:127.0.0.1"},
           {"000080FE000000000000000001000000:1F90", "fe80::1"},
           {"B80D0120000000000000000001000000:1F90", "2001:db8::1"},
       }) {
    SCOPED_TRACE(c.local);
    absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
        ParseProcNetTcpListeners(absl::StrCat(kTcp6Header, Row(c.local, "0A")),
                                 kTcp6, kLittle);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].address, c.address);
    EXPECT_EQ((*rows)[0].port, 8080);
  }
}

TEST(ParseProcNetTcpListenersTest, BigEndianWords) {
  absl::StatusOr<std::vector<ProcNetTcpListener>> v4 = ParseProcNetTcpListeners(
      absl::StrCat(kTcpHeader, Row("7F000001:1F90", "0A")), kTcp, kBig);
  ASSERT_TRUE(v4.ok()) << v4.status();
  ASSERT_EQ(v4->size(), 1u);
  EXPECT_EQ((*v4)[0].address, "127.0.0.1");
  EXPECT_EQ((*v4)[0].port, 8080);

  absl::StatusOr<std::vector<ProcNetTcpListener>> v6 = ParseProcNetTcpListeners(
      absl::StrCat(kTcp6Header,
                   Row("FE800000000000000000000000000001:1F90", "0A")),
      kTcp6, kBig);
  ASSERT_TRUE(v6.ok()) << v6.status();
  ASSERT_EQ(v6->size(), 1u);
  EXPECT_EQ((*v6)[0].address, "fe80::1");
}

TEST(ParseProcNetTcpListenersTest, HostWordOrderReadsLoopback) {
  // Whatever this machine is, the kernel printed its own words: a row built
  // for the host's order must read back as 127.0.0.1.
  const std::string local = HostWordOrder() == WordOrder::kLittleEndian
                                ? "0100007F:1F90"
                                : "7F000001:1F90";
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(absl::StrCat(kTcpHeader, Row(local, "0A")),
                               kTcp);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].address, "127.0.0.1");
}

TEST(ParseProcNetTcpListenersTest, OnlyListenRows) {
  // Every TCP state the kernel prints (include/net/tcp_states.h); only 0A is
  // LISTEN.
  std::string text = kTcpHeader;
  int slot = 0;
  for (const char* state : {"01", "02", "03", "04", "05", "06", "07", "08",
                            "09", "0A", "0B", "0C", "0D", "0a"}) {
    absl::StrAppend(
        &text, Row("0100007F:1F90", state, absl::StrCat(1000 + slot), slot));
    ++slot;
  }
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(text, kTcp, kLittle);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].inode, 1009u);  // "0A"
  EXPECT_EQ((*rows)[1].inode, 1013u);  // "0a"
}

TEST(ParseProcNetTcpListenersTest, KeepsFileOrder) {
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(
          absl::StrCat(kTcpHeader, Row("0100007F:0050", "0A", "7", 0),
                       Row("00000000:0051", "01", "0", 1),
                       Row("00000000:0050", "0A", "9", 2)),
          kTcp, kLittle);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].address, "127.0.0.1");
  EXPECT_EQ((*rows)[0].inode, 7u);
  EXPECT_EQ((*rows)[1].address, "0.0.0.0");
  EXPECT_EQ((*rows)[1].inode, 9u);
}

TEST(ParseProcNetTcpListenersTest, LargestInode) {
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(
          absl::StrCat(kTcpHeader,
                       Row("0100007F:1F90", "0A", "18446744073709551615")),
          kTcp, kLittle);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].inode, 18446744073709551615u);
}

TEST(ParseProcNetTcpListenersTest, EmptyTextIsAnEmptyTable) {
  for (const char* text : {"", "\n", "\n\n"}) {
    absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
        ParseProcNetTcpListeners(text, kTcp, kLittle);
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_TRUE(rows->empty());
  }
}

TEST(ParseProcNetTcpListenersTest, HeaderOnly) {
  std::string without_newline = kTcpHeader;
  without_newline.pop_back();
  for (const std::string& text : {std::string(kTcpHeader), without_newline}) {
    absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
        ParseProcNetTcpListeners(text, kTcp, kLittle);
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_TRUE(rows->empty());
  }
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows6 =
      ParseProcNetTcpListeners(kTcp6Header, kTcp6, kLittle);
  ASSERT_TRUE(rows6.ok()) << rows6.status();
  EXPECT_TRUE(rows6->empty());
}

TEST(ParseProcNetTcpListenersTest, LastRowWithoutNewline) {
  std::string text = absl::StrCat(kTcpHeader, Row("0100007F:1F90", "0A"));
  text.pop_back();
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(text, kTcp, kLittle);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].inode, 4242u);
}

TEST(ParseProcNetTcpListenersTest, RejectsMissingHeader) {
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(Row("0100007F:1F90", "0A"), kTcp, kLittle);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(rows.status().message().find("line 1"), absl::string_view::npos)
      << rows.status();
}

TEST(ParseProcNetTcpListenersTest, RejectsMalformedRows) {
  const std::string good_tail =
      " 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 4242 "
      "1 0000000000000000 100 0 0 10 0";
  for (const std::string& row : std::vector<std::string>{
           // Too few fields (cut before the inode).
           std::string("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
                       "00:00000000 00000000  1000 0"),
           absl::StrCat("   x: 0100007F:1F90", good_tail),   // slot
           absl::StrCat("   0 0100007F:1F90", good_tail),    // slot colon
           absl::StrCat("  -1: 0100007F:1F90", good_tail),   // slot sign
           absl::StrCat("   0: 0100007F1F90", good_tail),    // no port colon
           absl::StrCat("   0: 0100007F:1F9", good_tail),    // short port
           absl::StrCat("   0: 0100007F:1F900", good_tail),  // long port
           absl::StrCat("   0: 100007F:1F90", good_tail),    // short address
           absl::StrCat("   0: 0100007G:1F90", good_tail),   // not hex
           absl::StrCat("   0: +100007F:1F90", good_tail),   // sign
           // An IPv6 address in the IPv4 file.
           absl::StrCat("   0: 00000000000000000000000001000000:1F90",
                        good_tail),
           // Remote address.
           "   0: 0100007F:1F90 00000000:000 0A 00000000:00000000 "
           "00:00000000 00000000  1000 0 4242 1 0 100 0 0 10 0",
           // State: not hex, one digit, three digits.
           "   0: 0100007F:1F90 00000000:0000 0G 00000000:00000000 "
           "00:00000000 00000000  1000 0 4242 1 0 100 0 0 10 0",
           "   0: 0100007F:1F90 00000000:0000 A 00000000:00000000 "
           "00:00000000 00000000  1000 0 4242 1 0 100 0 0 10 0",
           "   0: 0100007F:1F90 00000000:0000 00A 00000000:00000000 "
           "00:00000000 00000000  1000 0 4242 1 0 100 0 0 10 0",
           // Inode: signed, not decimal, out of range.
           "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
           "00:00000000 00000000  1000 0 -1 1 0 100 0 0 10 0",
           "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
           "00:00000000 00000000  1000 0 12a 1 0 100 0 0 10 0",
           "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 "
           "00:00000000 00000000  1000 0 18446744073709551616 1 0 100 0 0 "
           "10 0",
       }) {
    SCOPED_TRACE(row);
    absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
        ParseProcNetTcpListeners(absl::StrCat(kTcpHeader, row, "\n"), kTcp,
                                 kLittle);
    EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(rows.status().message().find("/proc/net/tcp line 2"),
              absl::string_view::npos)
        << rows.status();
  }
}

TEST(ParseProcNetTcpListenersTest, RejectsMalformedIPv6Rows) {
  for (const std::string& local : std::vector<std::string>{
           "0100007F:1F90",  // an IPv4 address in the tcp6 file
           "0000000000000000000000000100000:1F90",    // 31 digits
           "000000000000000000000000010000000:1F90",  // 33
           "00000000000000000000000001000 00:1F90",   // a space
           "0000000000000000000000000100000Z:1F90",
       }) {
    SCOPED_TRACE(local);
    absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
        ParseProcNetTcpListeners(absl::StrCat(kTcp6Header, Row(local, "0A")),
                                 kTcp6, kLittle);
    EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(ParseProcNetTcpListenersTest, AMalformedRowAfterGoodOnesRejectsAll) {
  absl::StatusOr<std::vector<ProcNetTcpListener>> rows =
      ParseProcNetTcpListeners(
          absl::StrCat(kTcpHeader, kTcpListenRow, "   1: garbage\n"), kTcp,
          kLittle);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(rows.status().message().find("line 3"), absl::string_view::npos)
      << rows.status();
}

}  // namespace
}  // namespace berth::platform::internal
