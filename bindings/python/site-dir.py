# SPDX-License-Identifier: BSD-2-Clause
"""Print the site-packages directory this Python searches below the prefix
argv[1] (e.g. /usr/local/lib/python3.11/dist-packages for /usr/local on
Debian 12), or nothing when it searches none there."""
import site
import sys

prefix = sys.argv[1].rstrip("/") + "/"
for d in site.getsitepackages():
    if d.startswith(prefix) and d[len(prefix):].startswith("lib"):
        print(d)
        break
