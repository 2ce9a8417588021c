"""mingw_toolchain_config: a C++ toolchain for x86_64 Windows, cross-compiling
from Linux with Debian's mingw-w64 compilers (posix thread model).

Programs link with -static, so they need no DLL beyond Windows' own (with
-static-libgcc -static-libstdc++ alone they would still want
libwinpthread-1.dll). Executables are named `.exe`: Windows, and wine, run
nothing else. Objects and archives keep the Unix names (`.o`, `.a`), which
the GNU tools expect. The `targets_windows` feature is left off: it names
and copies DLLs the way MSVC users expect; a `linkshared` cc_binary still
links as a DLL, under the name it is given.

The tools are named by absolute path: Debian installs them in /usr/bin.
`cxx_builtin_include_directories` are prefixes, so the GCC version in the
path (12-posix today) does not matter.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "artifact_name_pattern",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
)

_PREFIX = "/usr/bin/x86_64-w64-mingw32-"

_COMPILE_ACTIONS = [
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.cpp_module_codegen,
    ACTION_NAMES.linkstamp_compile,
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
]

_CXX_ACTIONS = [
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.cpp_module_codegen,
    ACTION_NAMES.linkstamp_compile,
]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _impl(ctx):
    tool_paths = [
        # The gcc driver compiles .c as C and .cc as C++; links get
        # -lstdc++ from default_link_flags, after every library.
        tool_path(name = "gcc", path = _PREFIX + "gcc-posix"),
        tool_path(name = "cpp", path = _PREFIX + "cpp-posix"),
        tool_path(name = "ar", path = _PREFIX + "ar"),
        tool_path(name = "ld", path = _PREFIX + "ld"),
        tool_path(name = "nm", path = _PREFIX + "nm"),
        tool_path(name = "objcopy", path = _PREFIX + "objcopy"),
        tool_path(name = "objdump", path = _PREFIX + "objdump"),
        tool_path(name = "strip", path = _PREFIX + "strip"),
        tool_path(name = "gcov", path = _PREFIX + "gcov-posix"),
    ]

    default_compile_flags = feature(
        name = "default_compile_flags",
        enabled = True,
        flag_sets = [
            flag_set(
                actions = _COMPILE_ACTIONS,
                flag_groups = [flag_group(flags = [
                    "-Wall",
                    # Paths in .d files as the compiler found them, so that
                    # Bazel's header check sees the prefixes listed below.
                    "-fno-canonical-system-headers",
                ])],
            ),
            flag_set(
                actions = _CXX_ACTIONS,
                flag_groups = [flag_group(flags = ["-std=c++17"])],
            ),
        ],
    )

    opt = feature(
        name = "opt",
        flag_sets = [
            flag_set(
                actions = _COMPILE_ACTIONS,
                flag_groups = [flag_group(flags = [
                    "-O2",
                    "-DNDEBUG",
                    "-ffunction-sections",
                    "-fdata-sections",
                ])],
            ),
            flag_set(
                actions = _LINK_ACTIONS,
                flag_groups = [flag_group(flags = ["-Wl,--gc-sections"])],
            ),
        ],
    )

    dbg = feature(
        name = "dbg",
        flag_sets = [
            flag_set(
                actions = _COMPILE_ACTIONS,
                flag_groups = [flag_group(flags = ["-g"])],
            ),
        ],
    )

    default_link_flags = feature(
        name = "default_link_flags",
        enabled = True,
        flag_sets = [
            flag_set(
                actions = _LINK_ACTIONS,
                flag_groups = [flag_group(flags = [
                    "-static",
                    "-lstdc++",
                    # Abseil 20220623 asks for dbghelp (symbolize, which
                    # every Mutex user links) with #pragma comment, which
                    # only MSVC obeys. These flags come after every library
                    # on the command line.
                    "-ldbghelp",
                ])],
            ),
        ],
    )

    # cc_common is global up to Bazel 8; rules_cc 0.0.1, the last release for
    # Bazel 4, has no //cc/common to load it from.
    # buildifier: disable=native-cc-common
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "mingw-w64-x86_64",
        host_system_name = "x86_64-unknown-linux-gnu",
        target_system_name = "x86_64-w64-mingw32",
        target_cpu = "x86_64",
        target_libc = "msvcrt",
        # The name Bazel's own mingw toolchain uses; Abseil and GoogleTest
        # select their GCC flags for anything but MSVC and clang-cl.
        compiler = "mingw-gcc",
        abi_version = "local",
        abi_libc_version = "local",
        tool_paths = tool_paths,
        features = [default_compile_flags, default_link_flags, opt, dbg],
        artifact_name_patterns = [
            artifact_name_pattern(
                category_name = "executable",
                prefix = "",
                extension = ".exe",
            ),
        ],
        cxx_builtin_include_directories = [
            "/usr/lib/gcc/x86_64-w64-mingw32/",
            "/usr/x86_64-w64-mingw32/include",
            "/usr/share/mingw-w64/include",
        ],
    )

mingw_toolchain_config = rule(
    implementation = _impl,
    attrs = {},
    provides = [CcToolchainConfigInfo],
)
