"""berth_install: the rule behind `bazel run //:install -- PREFIX`.

Everything it installs that is compiled is built with -c opt, whatever the
command line says: the attributes carry a transition to
compilation_mode=opt (Bazel 4.2 and later). When the command line already
says -c opt the transition changes nothing and the outputs are shared with
that build.
"""

load(":version.bzl", "BERTH_SOVERSION", "BERTH_VERSION")

def _opt_impl(_settings, _attr):
    return {"//command_line_option:compilation_mode": "opt"}

_opt = transition(
    implementation = _opt_impl,
    inputs = [],
    outputs = ["//command_line_option:compilation_mode"],
)

# Attributes whose files the installer copies: name -> what it is.
_ROLES = {
    "bash_completion": "bash completion script",
    "berth": "the berth binary",
    "build_mode": "a program that says how the rest was compiled",
    "cmake": "CMake package files (berthConfig*.cmake.in)",
    "header": "berth.h",
    "libberth": "the versioned shared library",
    "node": "the Node package's JavaScript and package.json",
    "node_addon": "the Node package's native addon",
    "pkgconfig": "berth.pc.in",
    "python": "the Python package's modules",
    "zsh_completion": "zsh completion script",
}

def _install_impl(ctx):
    lines = []
    files = []
    for role in sorted(_ROLES):
        for f in getattr(ctx.files, role):
            lines.append("%s %s" % (role, f.short_path))
            files.append(f)
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._template,
        output = script,
        substitutions = {
            "%{files}": "\n".join(lines),
            "%{soversion}": BERTH_SOVERSION,
            "%{version}": BERTH_VERSION,
            "%{workspace}": ctx.workspace_name,
        },
        is_executable = True,
    )
    return [DefaultInfo(
        executable = script,
        runfiles = ctx.runfiles(files = files),
    )]

def _role_attr(role):
    return attr.label_list(allow_files = True, cfg = _opt, doc = _ROLES[role])

_attrs = {role: _role_attr(role) for role in _ROLES}
_attrs["_template"] = attr.label(
    allow_single_file = True,
    default = ":install.sh.tpl",
)
_attrs["_allowlist_function_transition"] = attr.label(
    default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
)

berth_install = rule(
    implementation = _install_impl,
    attrs = _attrs,
    executable = True,
    doc = "An installer script: `bazel run` it with a prefix.",
)
