"""Builds the Python package `dysta` (python/dysta/ + the C++ extension dysta._dysta) with CMake.

Used by `pip install --no-build-isolation --break-system-packages .` (pyproject.toml). The
extension is the CMake target _dysta of the build folder $DYSTA_BUILD_DIR (default: build/, the
folder scripts/setup.sh builds, so an existing build is reused), configured for the interpreter
running pip. No network: everything comes from Debian packages (scripts/setup.sh).
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
VERSION = re.search(r"project\(dysta VERSION ([0-9.]+)",
                    (ROOT / "CMakeLists.txt").read_text()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = pathlib.Path(os.environ.get("DYSTA_BUILD_DIR", ROOT / "build"))
        if not build.is_absolute():
            build = ROOT / build
        configure = ["cmake", "-S", str(ROOT), "-B", str(build), "-DDYSTA_BUILD_PYTHON=ON"]
        cache = build / "CMakeCache.txt"
        if not cache.exists():
            configure += ["-DCMAKE_BUILD_TYPE=Release", f"-DPython3_EXECUTABLE={sys.executable}"]
        subprocess.check_call(configure)
        subprocess.check_call(["cmake", "--build", str(build), "--target", "_dysta", "-j",
                               str(os.cpu_count() or 1)])
        name = pathlib.Path(self.get_ext_filename(ext.name)).name
        built = build / "python" / "dysta" / name
        if not built.exists():
            sys.exit(f"{built} was not built: {build} is configured for another Python than "
                     f"{sys.executable}; set DYSTA_BUILD_DIR to a new folder")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


setup(
    version=VERSION,
    packages=["dysta"],
    package_dir={"": "python"},
    ext_modules=[Extension("dysta._dysta", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": "build/setuptools"}},
    zip_safe=False,
)
