"""Checks over the build output: compiled extensions built for Lambda, the SDK packaged."""

from __future__ import annotations

from momento_lambda_cli import catalog
from momento_lambda_cli.doctor.build_output import (
    Package,
    binary_problems,
    classify,
    dist_label,
    wheel_glibc_floor,
    wheel_problems,
)
from momento_lambda_cli.doctor.checks._util import plural
from momento_lambda_cli.doctor.context import DoctorContext
from momento_lambda_cli.doctor.elf import version_text
from momento_lambda_cli.doctor.model import Check, Group, Result, SkipCheck
from momento_lambda_cli.frameworks import adapter_for
from momento_lambda_cli.project.model import Function


def _packages(ctx: DoctorContext) -> list[tuple[Package, list[Function]]]:
    project = ctx.project_or_skip()
    packages = ctx.packages()
    if not packages:
        adapter = adapter_for(project)
        own = adapter.build_packages(project) is not None  # the framework keeps its build output itself
        where = "no function asset in the cloud assembly" if own else ".aws-sam/build or .serverless/*.zip"
        raise SkipCheck(f"No build output ({where}).", adapter.wording.no_build_hint)
    by_key = {f.key: f for f in project.functions}
    result = []
    for package in packages:
        functions = [by_key[k] for k in package.function_keys if k in by_key] or (
            [] if package.function_keys else list(project.functions)
        )
        if functions:
            result.append((package, functions))
    if not result:
        raise SkipCheck(
            "The build output does not belong to any function of the template.",
            adapter_for(project).wording.no_build_hint,
        )
    return result


def _grouped(package: Package, found: dict[tuple[str, str], list[str]]) -> list[str]:
    """One line per (distribution or file, reason): ``label: first.so and 3 more files of numpy 2.1: reason``."""
    lines = []
    for (owner, reason), names in found.items():
        names = sorted(set(names))
        more = f" and {plural(len(names) - 1, 'more file')} of {owner}" if len(names) > 1 else ""
        lines.append(f"{package.label}: {names[0]}{more}: {reason}")
    return lines


def binaries(ctx: DoctorContext) -> Result:
    problems: list[str] = []
    checked = 0
    for package, functions in _packages(ctx):
        targets = {(f.runtime_name, str(f.architecture)) for f in functions}
        libraries = [a for a in package.artifacts if not a.name.endswith("/WHEEL")]
        # A wheel whose libraries are in the package is judged by them; its tags only when they are not.
        with_libraries = {package.owner(a.name) for a in libraries} - {None}
        by_reason: dict[tuple[str, str], list[str]] = {}
        for runtime, arch in sorted(targets):
            for artifact in package.artifacts:
                if artifact.name.endswith("/WHEEL"):
                    if dist_label(artifact.name) not in with_libraries:
                        text = artifact.head.decode("utf-8", "replace")
                        problems.extend(
                            f"{package.label}: {p}" for p in wheel_problems(artifact.name, text, runtime, arch)
                        )
                    continue
                for problem in binary_problems(artifact.name, classify(artifact.name, artifact.head), runtime, arch):
                    reason = problem.removeprefix(f"{artifact.name}: ")
                    owner = package.owner(artifact.name) or artifact.name
                    by_reason.setdefault((owner, reason), []).append(artifact.name)
        checked += len(libraries)
        problems.extend(_grouped(package, by_reason))
    problems = sorted(set(problems))
    if problems:
        return Result.fail(
            f"The package holds binaries that cannot load on Lambda ({_kinds(problems)})",
            _rebuild_hint(ctx),
            problems,
        )
    if checked == 0:
        return Result.ok("No compiled extensions in the package")
    return Result.ok(f"{plural(checked, 'compiled extension')} built for Linux, the right CPU and Python")


BINARY_KINDS = (
    ("a macOS (Mach-O) binary", "built on macOS"),
    (" (macOS)", "built on macOS"),
    ("a Windows binary", "built on Windows"),
    (" (Windows)", "built on Windows"),
    (", the function runs on ", "built for another CPU"),
    ("musl libc", "built for musl libc"),
    ("built for Python ", "built for another Python"),
    (", the runtime is ", "built for another Python"),
    ("not an ELF shared library", "not a Linux library"),
)
"""(text in a problem line, what it says about the build) for the summary line."""


def _kinds(problems: list[str]) -> str:
    """What went wrong, in a few words: ``built for another CPU``, ``built on macOS and built for another Python``."""
    kinds = list(dict.fromkeys(kind for text, kind in BINARY_KINDS for p in problems if text in p))
    if not kinds:
        return "built for another platform"
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]


def _rebuild_hint(ctx: DoctorContext) -> str:
    """How to rebuild for Lambda, in the words of the project's framework."""
    return adapter_for(ctx.project_or_skip()).wording.rebuild_hint


def glibc(ctx: DoctorContext) -> Result:
    """The newest glibc any library of the package needs (its ELF symbol versions; the wheel's
    manylinux tag when its libraries could not be read), against the runtime's Amazon Linux."""
    problems: list[str] = []
    highest: dict[str, tuple[tuple[int, int], str]] = {}
    for package, functions in _packages(ctx):
        # Owner (a distribution, or the file itself) -> (glibc, why).
        needs: dict[str, tuple[tuple[int, int], str]] = {}
        for artifact in package.artifacts:
            if artifact.glibc is None:
                continue
            owner = package.owner(artifact.name) or artifact.name
            why = f"{artifact.glibc.symbol_version} in {artifact.name}"
            if owner not in needs or artifact.glibc.version > needs[owner][0]:
                needs[owner] = (artifact.glibc.version, why)
        for artifact in package.artifacts:
            if artifact.name.endswith("/WHEEL"):
                owner = dist_label(artifact.name)
                floor = wheel_glibc_floor(artifact.head.decode("utf-8", "replace"))
                if floor and owner not in needs and owner not in package.owners.values():
                    needs[owner] = (floor, f"its wheel tag manylinux_{floor[0]}_{floor[1]}")
        for owner, (version, why) in needs.items():
            if owner not in highest or version > highest[owner][0]:
                highest[owner] = (version, why)
        for function in functions:
            have = catalog.glibc_of(function.runtime_name)
            if have is None:
                continue
            known = catalog.runtime(function.runtime_name)
            os_name = known.os.name if known else None
            on = (
                f"{function.runtime_name} ({os_name}, glibc {version_text(have)})"
                if os_name
                else (f"{function.runtime_name} (glibc {version_text(have)})")
            )
            for owner, (version, why) in sorted(needs.items()):
                if version > have:
                    problems.append(
                        f"{package.label}: {owner} needs glibc {version_text(version)} ({why}); {function.key} runs on {on}"
                    )
    if problems:
        return Result.fail(
            "A library needs a newer glibc than the function's runtime has: it fails to load on Lambda",
            _glibc_hint(ctx, {f.runtime_name for _, functions in _packages(ctx) for f in functions}),
            sorted(set(problems)),
        )
    if not highest:
        return Result.ok("No library in the package names a glibc version")
    top = max(v for v, _ in highest.values())
    return Result.ok(
        f"{len(highest)} {'library needs' if len(highest) == 1 else 'libraries need'} at most glibc "
        f"{version_text(top)}; the runtimes have it",
        [f"{owner}: glibc {version_text(v)} ({why})" for owner, (v, why) in sorted(highest.items())],
    )


def _glibc_hint(ctx: DoctorContext, runtimes: set[str]) -> str:
    """How to get a glibc the libraries load on; the runtimes named are of the functions' own languages."""
    languages = {known.language for name in runtimes if (known := catalog.runtime(name)) is not None}
    amazon_linux_2023 = ", ".join(
        r.name
        for r in catalog.RUNTIMES
        if r.os is catalog.AMAZON_LINUX_2023 and r.offered and (not languages or r.language in languages)
    )
    build = adapter_for(ctx.project_or_skip()).wording.glibc_build
    return (
        f"Build in the runtime's own image: {build}; or install manylinux wheels no newer than the runtime "
        f"(--platform manylinux2014_<arch>); or move to an Amazon Linux 2023 runtime ({amazon_linux_2023}, glibc "
        f"{version_text(catalog.AMAZON_LINUX_2023.glibc)})."
    )


BUNDLER_PLUGINS = ("serverless-esbuild", "serverless-webpack", "serverless-bundle")
"""Serverless plugins that bundle a Node.js handler with its dependencies (no node_modules/)."""
_JS_SUFFIXES = (".js", ".mjs", ".cjs")


def _bundler(plugins: list[str], functions: list[Function]) -> str | None:
    """What bundles these Node.js functions' code with its dependencies, if anything: SAM's
    ``BuildMethod: esbuild`` or a bundling Serverless plugin."""
    if any((f.build_method or "").lower() == "esbuild" for f in functions):
        return "esbuild (BuildMethod)"
    return next((plugin for plugin in plugins if plugin in BUNDLER_PLUGINS), None)


def _in_layers(functions: list[Function], layers: dict[str, Package], node: bool) -> str | None:
    """The built layer package that gives every one of ``functions`` the SDK (Lambda puts a layer
    under /opt: ``nodejs/node_modules/@gomomento/sdk``, ``python/momento`` or
    ``python/lib/pythonX.Y/site-packages/momento``), if each has one."""
    found = None
    for function in functions:
        labels = [
            layers[layer.key].label
            for layer in function.layers
            if layer.key in layers and _layer_has_sdk(layers[layer.key].names, node)
        ]
        if not labels:
            return None
        found = found or labels[0]
    return found


def _layer_has_sdk(names: set[str], node: bool) -> bool:
    if node:
        return any(n.startswith("nodejs/") and "node_modules/@gomomento/sdk/package.json" in n for n in names)
    return any(
        n.startswith("python/") and (n.endswith("/momento/__init__.py") or n == "python/momento/__init__.py")
        for n in names
    )


def sdk_packaged(ctx: DoctorContext) -> Result:
    missing, found = [], []
    project = ctx.project_or_skip()
    packages = _packages(ctx)
    layer_keys = {layer.key for layer in project.layers}
    layers = {
        p.function_keys[0]: p for p in ctx.packages() if len(p.function_keys) == 1 and p.function_keys[0] in layer_keys
    }
    momento = {code.function.key for code in ctx.momento_code()}
    for package, all_functions in packages:
        functions = [f for f in all_functions if f.key in momento]
        names = package.names
        python = [f for f in functions if f.is_python]
        node = [f for f in functions if f.is_node]
        if python:
            if any(n.startswith("momento/") for n in names):
                found.append(f"{package.label}: momento")
            elif layer := _in_layers(python, layers, node=False):
                found.append(f"{package.label}: momento in the layer {layer}")
            else:
                missing.append(f"{package.label}: no momento/ package (add `momento` to requirements.txt)")
        if node:
            bundler = _bundler(project.build.plugins, functions)
            if any("node_modules/@gomomento/sdk/" in n for n in names):
                found.append(f"{package.label}: @gomomento/sdk")
            elif layer := _in_layers(node, layers, node=True):
                found.append(f"{package.label}: @gomomento/sdk in the layer {layer}")
            elif bundler and any(n.endswith(_JS_SUFFIXES) and "node_modules/" not in n for n in names):
                # a bundler fails the build on an import it cannot resolve (unless marked external)
                found.append(f"{package.label}: @gomomento/sdk bundled by {bundler}")
            else:
                missing.append(f"{package.label}: no node_modules/@gomomento/sdk (add it to package.json dependencies)")
    if missing:
        return Result.fail("The Momento SDK is not in the package: the function fails at import", None, missing)
    if not found:
        return Result.skip("No packaged function uses the Momento SDK.")
    return Result.ok("The Momento SDK is packaged", found)


CHECKS = [
    Check(
        "build.binaries",
        Group.BUILD,
        "Compiled extensions built for Lambda",
        binaries,
        reads="the build output (.aws-sam/build, .serverless/*.zip)",
        fails_when="a `*.so` / `*.pyd` in `.aws-sam/build/*` or `.serverless/*.zip` is not Linux ELF for the function's CPU, is for another Python, or is musl (a wheel whose libraries are packaged is one finding)",
        why="a library for another OS, CPU or Python does not load on Lambda",
    ),
    Check(
        "build.glibc",
        Group.BUILD,
        "Libraries load on the runtime's glibc",
        glibc,
        reads="the build output's ELF libraries and wheel tags",
        fails_when="a library needs a newer glibc than the runtime's Amazon Linux (2.26 / 2.34), read from its ELF symbol versions (`GLIBC_2.xx`), or from the wheel's manylinux tag when no library can be read",
        why="a library that needs a newer glibc than Amazon Linux's fails to load",
    ),
    Check(
        "build.sdk",
        Group.BUILD,
        "Momento SDK packaged",
        sdk_packaged,
        reads="the build output",
        fails_when="`momento` (Python) or `@gomomento/sdk` (Node.js) is not in the package",
        why="a package without the SDK fails at import",
    ),
]
