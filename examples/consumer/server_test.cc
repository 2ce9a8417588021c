// examples/consumer/server_test.cc: a port from berth, with its default
// configuration (the per-user registry every test shares, whatever the
// sandbox), is in the default range and can be listened on while the
// ports_test_* tests hold ports for the same app at the same time.

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "api/lease.h"
#include "gtest/gtest.h"
#include "spans.h"

namespace {

using consumer::Log;
using consumer::NowMicros;

TEST(ConsumerTest, AcquiredPortCanBeBound) {
  const int64_t test_start = NowMicros();
  absl::StatusOr<berth::Lease> lease = berth::Acquire("web");
  ASSERT_TRUE(lease.ok()) << lease.status();
  const int64_t start = NowMicros();
  EXPECT_GE(lease->port(), 8800);
  EXPECT_LE(lease->port(), 8999);
  EXPECT_EQ(lease->app(), "web");

  const int fd = consumer::Listen(lease->port());
  EXPECT_GE(fd, 0) << "port " << lease->port() << ": " << std::strerror(errno);
  sleep(3);  // hold it while the other tests hold theirs

  Log("span " + std::to_string(lease->port()) + " " + std::to_string(start) +
      " " + std::to_string(NowMicros()) + " server_test/web\n");
  if (fd >= 0) close(fd);
  EXPECT_TRUE(lease->Release().ok());
  Log("test server_test " + std::to_string(test_start) + " " +
      std::to_string(NowMicros()) + (HasFailure() ? " failed\n" : " ok\n"));
}

}  // namespace
