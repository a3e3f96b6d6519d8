"""Deployment time after a removal push, on the local Kudu-like deployment (real git pushes,
real venvs, pip installing wheels built here): the surgical prune against the wipe and the
runtime toggle, with N packages installed, as ratios to a deployment that changes nothing.

    python3 benches/deploy.py ENVGUARD_BIN [--smoke] [--sizes 20,100] [--runs 3] [--modules N]

Each package is a wheel of one module, or with `--modules N` of N modules of about 2 KB more
(real packages are bigger than one file: installing them is what a wipe pays for).

Every run starts from a copy of the same deployed state (server, site with its env, clone).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEPLOY = os.path.join(ROOT, "examples", "local-deploy", "kudu-deploy.sh")
WHEELS = os.path.join(ROOT, "examples", "local-deploy", "make-wheels.py")


def run(cmd, cwd, env):
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def git(cwd, env, *args):
    run(["git", *args], cwd, env)


def prepare(base, size, modules, bin_dir, env):
    """The deployed state: N packages plus `gone`, which needs three packages of its own."""
    wheels = os.path.join(base, "wheels")
    names = [f"p{i}" for i in range(size)]
    specs = names + ["gone:g0|g1|g2", "g0", "g1", "g2"]
    run([sys.executable, WHEELS, "--modules", str(modules), wheels, *specs], base, env)
    site = os.path.join(base, "site")
    os.makedirs(site)
    with open(os.path.join(site, "site.env"), "w") as f:
        f.write(f"PIP_NO_INDEX=1\nPIP_FIND_LINKS={wheels}\n")
    server = os.path.join(base, "server.git")
    git(base, env, "init", "-q", "--bare", "-b", "master", server)
    hook = os.path.join(server, "hooks", "post-receive")
    with open(hook, "w") as f:
        f.write("#!/bin/sh\nwhile read old new ref; do\n"
                '  [ "$ref" = refs/heads/master ] && tip=$new\ndone\n'
                f'[ -n "${{tip:-}}" ] && sh "{DEPLOY}" "$PWD" "{site}" "$tip"\nexit 0\n')
    os.chmod(hook, 0o755)
    clone = os.path.join(base, "app")
    git(base, env, "init", "-q", "-b", "master", clone)
    with open(os.path.join(clone, "requirements.txt"), "w") as f:
        f.write("\n".join(names + ["gone"]) + "\n")
    with open(os.path.join(clone, "runtime.txt"), "w") as f:
        f.write("python-3.6\n")
    with open(os.path.join(clone, "app.py"), "w") as f:
        f.write("print('v1')\n")
    git(clone, env, "add", "-A")
    git(clone, env, "commit", "-qm", "The app")
    git(clone, env, "remote", "add", "origin", server)
    git(clone, env, "push", "-q", "origin", "master")
    git(clone, env, "config", "envguard.remoteName", "origin")
    git(clone, env, "config", "envguard.platform", "kudu-windows")
    run([os.path.join(bin_dir, "envguard"), "hook", "install"], clone, env)
    run([os.path.join(bin_dir, "envguard"), "hook", "install", "--server", "--target",
         os.path.join(site, "wwwroot")], server, env)
    return names


def timed_push(base, strategy, names, env):
    """Copies the deployed state, makes the push of `strategy`, returns its seconds."""
    work = tempfile.mkdtemp(dir=base)
    for part in ("server.git", "site", "app"):
        shutil.copytree(os.path.join(base, part), os.path.join(work, part), symlinks=True)
    # Paths inside the copies still name the originals: point them at the copies.
    for path in (os.path.join(work, "server.git", "hooks", "post-receive.legacy"),
                 os.path.join(work, "site", "site.env")):
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace(os.path.join(base, "site"), os.path.join(work, "site")))
    server, clone = os.path.join(work, "server.git"), os.path.join(work, "app")
    git(server, env, "config", "envguard.target", os.path.join(work, "site", "wwwroot"))
    git(clone, env, "remote", "set-url", "origin", server)
    if strategy == "no change":
        with open(os.path.join(clone, "app.py"), "w") as f:
            f.write("print('v2')\n")
        message = "Change the app"
    else:
        with open(os.path.join(clone, "requirements.txt"), "w") as f:
            f.write("\n".join(names) + "\n")
        message = "Drop gone"
    action = {"prune": "prune", "wipe": "wipe"}.get(strategy, "wipe")
    git(server, env, "config", "envguard.serverAction", action)
    # The toggle is the client's remedy: the server hook stays out of its way.
    git(clone, env, "config", "envguard.mode", "toggle" if strategy == "toggle" else "off")
    if strategy == "toggle":
        os.remove(os.path.join(server, "hooks", "post-receive"))
        os.rename(os.path.join(server, "hooks", "post-receive.legacy"),
                  os.path.join(server, "hooks", "post-receive"))
    git(clone, env, "commit", "-qam", message)
    started = time.perf_counter()
    subprocess.run(["git", "push", "-q", "origin", "master"], cwd=clone, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.perf_counter() - started
    shutil.rmtree(work)
    return took


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--sizes", default="20,100")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modules", type=int, default=0)
    args = parser.parse_args()
    sizes = [3] if args.smoke else [int(s) for s in args.sizes.split(",")]
    runs = 1 if args.smoke else args.runs
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    bin_dir = os.path.dirname(os.path.abspath(args.bin))
    env["PATH"] = bin_dir + os.pathsep + env["PATH"]
    strategies = ["no change", "prune", "wipe", "toggle"]
    files = f"1 + {args.modules} modules" if args.modules else "1 module"
    print(f"| packages ({files} each) | " + " | ".join(strategies) + " | prune / wipe |")
    print("| --- | " + " | ".join("---" for _ in strategies) + " | --- |")
    for size in sizes:
        base = tempfile.mkdtemp()
        try:
            names = prepare(base, size, args.modules, bin_dir, env)
            median = {}
            for strategy in strategies:
                median[strategy] = statistics.median(
                    timed_push(base, strategy, names, env) for _ in range(runs))
            floor = median["no change"]
            cells = [f"{median[s]:.2f} s ({median[s] / floor:.2f}x)" for s in strategies]
            print(f"| {size} | " + " | ".join(cells)
                  + f" | {median['prune'] / median['wipe']:.2f} |")
        finally:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
