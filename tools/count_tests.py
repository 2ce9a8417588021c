#!/usr/bin/env python3
"""count_tests.py DIR: sum the test cases in the JUnit XML files under DIR.

Prints one line, "N passed, N failed, N skipped", for CI logs. Bazel reports
test targets; this counts the cases inside them (gtest and our scripts both
write test.xml).
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def main(root):
    passed = failed = skipped = 0
    for xml in pathlib.Path(root).glob("**/test.xml"):
        try:
            tree = ET.parse(xml)
        except ET.ParseError:
            failed += 1
            continue
        for case in tree.iter("testcase"):
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.find("skipped") is not None or case.get("result") == "skipped":
                skipped += 1
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs")
