"""Builds tiny pure-Python wheels for offline pip installs: one module per package.

    python3 make-wheels.py [--modules N] OUT_DIR SPEC [SPEC ...]

SPEC is NAME, NAME==VERSION, or either followed by `:` and its dependencies (Requires-Dist
lines) separated by `|`, e.g. `web:core|speedups ; extra == "fast"` (an extra named in a
marker becomes a Provides-Extra).

A wheel is a zip holding the package and a .dist-info folder (METADATA, WHEEL, RECORD).
"""

import base64
import hashlib
import os
import sys
import zipfile


def metadata(name, version, requires):
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    extras = []
    for req in requires:
        if 'extra == "' in req:
            extra = req.split('extra == "', 1)[1].split('"', 1)[0]
            if extra not in extras:
                extras.append(extra)
    lines += [f"Provides-Extra: {e}" for e in extras]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return "\n".join(lines) + "\n"


def build(out_dir, name, version="1.0", requires=(), modules=0):
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"NAME = {name!r}\n",
        f"{dist_info}/METADATA": metadata(name, version, requires),
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: make-wheels\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ),
    }
    for i in range(modules):
        files[f"{name}/m{i}.py"] = "".join(f"def f{j}():\n    return {j}\n\n" for j in range(100))
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = "\n".join(record) + "\n"
    path = os.path.join(out_dir, f"{name}-{version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in files.items():
            wheel.writestr(member, text)


def main():
    args = sys.argv[1:]
    modules = 0
    if args and args[0] == "--modules":
        modules, args = int(args[1]), args[2:]
    out_dir, specs = args[0], args[1:]
    os.makedirs(out_dir, exist_ok=True)
    for spec in specs:
        head, _, deps = spec.partition(":")
        name, _, version = head.partition("==")
        requires = [d.strip() for d in deps.split("|") if d.strip()]
        build(out_dir, name, version or "1.0", requires, modules)


if __name__ == "__main__":
    main()
