"""The version of what //:install installs.

It names the shared library (libberth.so.VERSION, soname libberth.so.MAJOR)
and goes into berth.pc, the CMake package version and the Python and Node
package metadata. install_test checks that it equals BERTH_VERSION in
api/berth.h, python/berth/__init__.py and node/package.json.
"""

BERTH_VERSION = "0.2.0"

# The soname's number: 0 while the C ABI may still change between minor
# releases (berth_options.struct_size keeps older callers working).
BERTH_SOVERSION = "0"
