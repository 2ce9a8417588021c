// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// node/addon/berth_addon.cc: berth.node, the Node package's native part.
//
// A Node-API addon over the C ABI (api/berth.h, linked in statically): the
// node process itself holds each port's lease, so the kernel frees the port
// when the process ends, however it ends (SIGKILL included), and it works
// in any PID namespace (containers, bazel test). index.cjs is its only
// caller and checks the arguments first; this file checks them again, so a
// bad call throws instead of crashing. Exports:
//
//   acquire(app, port, lo, hi, registry) -> port   (port/lo/hi 0: default;
//       registry "" : default); throws Error with code "BERTH_EFAIL" or
//       "BERTH_EINVAL" and berth_last_error() as the message
//   release(port) -> true if this process held `port` through acquire
//   version() -> berth_version()
//
// The leases live in a table keyed by port for as long as the process
// (worker threads share it). Calls block the calling thread for the one
// registry transaction (about 0.2 ms; up to the lock timeout, 5 s by
// default, when other processes keep the registry locked).

#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "api/berth.h"
#include "node/addon/node_api_subset.h"

namespace {

std::mutex leases_mu;
std::map<uint16_t, berth_lease*>& Leases() {
  static auto* leases = new std::map<uint16_t, berth_lease*>();
  return *leases;
}

napi_value Undefined() { return nullptr; }

napi_value Throw(napi_env env, const char* code, const std::string& message) {
  napi_throw_error(env, code, message.c_str());
  return Undefined();
}

// GetArgs stores up to `n` arguments in `argv` (missing ones undefined).
bool GetArgs(napi_env env, napi_callback_info info, size_t n,
             napi_value* argv) {
  size_t argc = n;
  return napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) == napi_ok;
}

bool GetString(napi_env env, napi_value value, std::string* out) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) {
    return false;
  }
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) {
    return false;
  }
  out->assign(length + 1, '\0');
  if (napi_get_value_string_utf8(env, value, &(*out)[0], out->size(),
                                 &length) != napi_ok) {
    return false;
  }
  out->resize(length);
  return true;
}

// GetPort reads an integer 0-65535 (0: none).
bool GetPort(napi_env env, napi_value value, uint16_t* out) {
  napi_valuetype type;
  double number;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_number ||
      napi_get_value_double(env, value, &number) != napi_ok ||
      !(number >= 0 && number <= 65535) || std::floor(number) != number) {
    return false;
  }
  *out = static_cast<uint16_t>(number);
  return true;
}

napi_value Acquire(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  std::string app, registry;
  berth_options options = BERTH_OPTIONS_INIT;
  if (!GetArgs(env, info, 5, argv) || !GetString(env, argv[0], &app) ||
      !GetPort(env, argv[1], &options.port) ||
      !GetPort(env, argv[2], &options.range_lo) ||
      !GetPort(env, argv[3], &options.range_hi) ||
      !GetString(env, argv[4], &registry)) {
    return Throw(env, "BERTH_EINVAL",
                 "berth.node acquire(app, port, lo, hi, registry): bad "
                 "arguments");
  }
  // C would see only what comes before a NUL.
  if (app.find('\0') != std::string::npos ||
      registry.find('\0') != std::string::npos) {
    return Throw(env, "BERTH_EINVAL",
                 "the app name or registry has a NUL character");
  }
  if (!registry.empty()) options.registry_dir = registry.c_str();
  berth_lease* lease = nullptr;
  uint16_t port = 0;
  const int rc = berth_acquire(app.c_str(), &options, &lease, &port);
  if (rc != BERTH_OK) {
    return Throw(env, rc == BERTH_EINVAL ? "BERTH_EINVAL" : "BERTH_EFAIL",
                 berth_last_error());
  }
  {
    std::lock_guard<std::mutex> lock(leases_mu);
    Leases()[port] = lease;
  }
  napi_value result;
  napi_create_uint32(env, port, &result);
  return result;
}

napi_value Release(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint16_t port = 0;
  if (!GetArgs(env, info, 1, argv) || !GetPort(env, argv[0], &port)) {
    return Throw(env, "BERTH_EINVAL", "berth.node release(port): bad port");
  }
  berth_lease* lease = nullptr;
  {
    std::lock_guard<std::mutex> lock(leases_mu);
    auto it = Leases().find(port);
    if (it != Leases().end()) {
      lease = it->second;
      Leases().erase(it);
    }
  }
  // The lease is freed and its lock dropped even when the registry could
  // not be updated; the entry is stale for everyone then.
  if (lease != nullptr && berth_release(lease) != BERTH_OK) {
    return Throw(env, "BERTH_EFAIL", berth_last_error());
  }
  napi_value result;
  napi_get_boolean(env, lease != nullptr, &result);
  return result;
}

napi_value Version(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_string_utf8(env, berth_version(), static_cast<size_t>(-1),
                          &result);
  return result;
}

bool Export(napi_env env, napi_value exports, const char* name,
            napi_callback fn) {
  napi_value f;
  return napi_create_function(env, name, static_cast<size_t>(-1), fn, nullptr,
                              &f) == napi_ok &&
         napi_set_named_property(env, exports, name, f) == napi_ok;
}

}  // namespace

extern "C" {

// Node-API module registration by symbol (NAPI_MODULE_INIT): node looks
// these two up when it loads the addon.
__attribute__((visibility("default"))) int32_t
node_api_module_get_api_version_v1(void) {
  return 8;
}

__attribute__((visibility("default"))) napi_value napi_register_module_v1(
    napi_env env, napi_value exports) {
  if (!Export(env, exports, "acquire", Acquire) ||
      !Export(env, exports, "release", Release) ||
      !Export(env, exports, "version", Version)) {
    return Throw(env, "BERTH_EFAIL", "berth.node: cannot export functions");
  }
  return exports;
}

}  // extern "C"
