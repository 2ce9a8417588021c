// Copyright 2026 The berth Authors. SPDX-License-Identifier: Apache-2.0
//
// node/addon/node_api_subset.h: the few Node-API (N-API) declarations the
// addon uses, copied from Node's js_native_api.h / js_native_api_types.h.
// Node-API is a stable C ABI (every function here is in Node-API version 1,
// so in every Node since 10), so these declarations are all a build needs:
// no Node headers, no node-gyp, no npm. The functions are resolved in the
// node executable when it loads the addon.

#ifndef BERTH_NODE_ADDON_NODE_API_SUBSET_H_
#define BERTH_NODE_ADDON_NODE_API_SUBSET_H_

#include <stddef.h>
#include <stdint.h>

extern "C" {

typedef struct napi_env__* napi_env;
typedef struct napi_value__* napi_value;
typedef struct napi_callback_info__* napi_callback_info;

typedef enum {
  napi_undefined,
  napi_null,
  napi_boolean,
  napi_number,
  napi_string,
  napi_symbol,
  napi_object,
  napi_function,
  napi_external,
  napi_bigint,
} napi_valuetype;

typedef enum {
  napi_ok,
  napi_invalid_arg,
  napi_object_expected,
  napi_string_expected,
  napi_name_expected,
  napi_function_expected,
  napi_number_expected,
  napi_boolean_expected,
  napi_array_expected,
  napi_generic_failure,
  napi_pending_exception,
  napi_cancelled,
  napi_escape_called_twice,
  napi_handle_scope_mismatch,
  napi_callback_scope_mismatch,
  napi_queue_full,
  napi_closing,
  napi_bigint_expected,
  napi_date_expected,
  napi_arraybuffer_expected,
  napi_detachable_arraybuffer_expected,
  napi_would_deadlock,
  napi_no_external_buffers_allowed,
  napi_cannot_run_js,
} napi_status;

typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

napi_status napi_create_function(napi_env env, const char* utf8name,
                                 size_t length, napi_callback cb, void* data,
                                 napi_value* result);
napi_status napi_set_named_property(napi_env env, napi_value object,
                                    const char* utf8name, napi_value value);
napi_status napi_get_cb_info(napi_env env, napi_callback_info cbinfo,
                             size_t* argc, napi_value* argv,
                             napi_value* this_arg, void** data);
napi_status napi_typeof(napi_env env, napi_value value, napi_valuetype* result);
napi_status napi_get_value_string_utf8(napi_env env, napi_value value,
                                       char* buf, size_t bufsize,
                                       size_t* result);
napi_status napi_get_value_double(napi_env env, napi_value value,
                                  double* result);
napi_status napi_create_uint32(napi_env env, uint32_t value,
                               napi_value* result);
napi_status napi_create_string_utf8(napi_env env, const char* str,
                                    size_t length, napi_value* result);
napi_status napi_get_boolean(napi_env env, bool value, napi_value* result);
napi_status napi_throw_error(napi_env env, const char* code, const char* msg);

}  // extern "C"

#endif  // BERTH_NODE_ADDON_NODE_API_SUBSET_H_
