#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rstcheck.py <file.rst>...: each file parses as reStructuredText with
no warning (docutils, warnings and errors reported); exit 1 if any did."""
import sys

import docutils.core
import docutils.utils


def check(path):
    text = open(path).read()
    try:
        docutils.core.publish_doctree(
            text, source_path=path,
            settings_overrides={'report_level': 2, 'halt_level': 5,
                                'warning_stream': sys.stdout})
    except docutils.utils.SystemMessage as e:
        print(e)
        return 1
    return 0


def main():
    import io
    bad = 0
    for path in sys.argv[1:]:
        out = io.StringIO()
        old, sys.stdout = sys.stdout, out
        try:
            rc = check(path)
        finally:
            sys.stdout = old
        if rc or out.getvalue():
            print(out.getvalue().strip() or path)
            bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
