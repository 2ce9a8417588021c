// examples/consumer/server_test.cc: a port from berth is in the range asked
// for, and this process can listen on it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "api/lease.h"
#include "gtest/gtest.h"

namespace {

TEST(ConsumerTest, AcquiredPortCanBeBound) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  ASSERT_NE(tmp, nullptr) << "run under bazel test";
  berth::Options options;
  options.registry_dir = std::string(tmp) + "/registry";
  options.range = berth::PortRange{20000, 20999};

  absl::StatusOr<berth::Lease> lease =
      berth::Acquire("consumer-demo", options);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_GE(lease->port(), 20000);
  EXPECT_LE(lease->port(), 20999);
  EXPECT_EQ(lease->app(), "consumer-demo");

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(lease->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
      << "port " << lease->port();
  EXPECT_EQ(listen(fd, 1), 0);
  close(fd);

  EXPECT_TRUE(lease->Release().ok());
}

}  // namespace
