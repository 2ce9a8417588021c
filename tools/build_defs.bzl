"""Build settings that several of berth's BUILD files share.

Select keys are labels in berth's own root package (//:windows,
//:windows_msvc), so these are for berth's BUILD files, not for consumers.
"""

# For target_compatible_with: a target that cannot build or run on Windows
# (fork, flock, shell scripts, ELF files...). `bazel test //...` skips it
# there, and says so, instead of failing.
NOT_ON_WINDOWS = select({
    "//:windows": ["@platforms//:incompatible"],
    "//conditions:default": [],
})

# deps of a target whose Windows files use platform/internal/win.h (error
# text, UTF-8/UTF-16 conversion): //platform:win on Windows, nothing
# elsewhere, where that library does not build.
WINDOWS_HELPERS = select({
    "//:windows": ["//platform:win"],
    "//conditions:default": [],
})

# copts of the C tests of the C ABI: plain C99, no extensions, so api/berth.h
# stays a header any C compiler takes. None on Windows: MSVC has no -std=c99
# (cl warns and ignores it), and the mingw-w64 build keeps its defaults.
C99_STRICT_COPTS = select({
    "//:windows": [],
    "//conditions:default": [
        "-std=c99",
        "-pedantic-errors",
    ],
})

def windows_system_libraries(*names):
    """linkopts that link Windows system libraries, e.g. ("ws2_32",).

    mingw-w64's gcc takes `-lNAME`; MSVC's link.exe ignores that (warning
    LNK4044) and takes `-DEFAULTLIB:NAME.lib`, as Abseil's BUILD files pass
    it. Other OSes get nothing. The MSVC branch is exercised only by the
    hosted Windows CI (.github/workflows/ci.yml); here only mingw-w64 builds.

    Args:
      *names: library names without prefix or suffix ("ws2_32").

    Returns:
      A select() for the linkopts attribute.
    """
    return select({
        "//:windows_msvc": ["-DEFAULTLIB:%s.lib" % name for name in names],
        "//:windows": ["-l" + name for name in names],
        "//conditions:default": [],
    })
