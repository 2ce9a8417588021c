// examples/consumer/server_test.cc: a port from berth, with its default
// configuration (the per-user registry every test shares, whatever the
// sandbox), is in the default range and can be listened on while the
// ports_test_* tests hold ports for the same app at the same time.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/lease.h"
#include "gtest/gtest.h"

namespace {

int64_t NowMicros() {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000 + t.tv_nsec / 1000;
}

// Log appends a line to the log CI shares between the tests (see
// ports_test.sh), if it passed one.
void Log(const std::string& line) {
  const char* dir = std::getenv("BERTH_CONSUMER_LOG");
  if (dir == nullptr) return;
  const std::string path = std::string(dir) + "/spans";
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) return;
  (void)!write(fd, line.data(), line.size());
  close(fd);
}

TEST(ConsumerTest, AcquiredPortCanBeBound) {
  const int64_t test_start = NowMicros();
  absl::StatusOr<berth::Lease> lease = berth::Acquire("web");
  ASSERT_TRUE(lease.ok()) << lease.status();
  const int64_t start = NowMicros();
  EXPECT_GE(lease->port(), 8800);
  EXPECT_LE(lease->port(), 8999);
  EXPECT_EQ(lease->app(), "web");

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(lease->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
      << "port " << lease->port();
  EXPECT_EQ(listen(fd, 1), 0);
  sleep(3);  // hold it while the other tests hold theirs

  Log("span " + std::to_string(lease->port()) + " " + std::to_string(start) +
      " " + std::to_string(NowMicros()) + " server_test/web\n");
  close(fd);
  EXPECT_TRUE(lease->Release().ok());
  Log("test server_test " + std::to_string(test_start) + " " +
      std::to_string(NowMicros()) + (HasFailure() ? " failed\n" : " ok\n"));
}

}  // namespace
