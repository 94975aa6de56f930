"""JUnit XML: one test suite per spec, one test case per spec x property (each invariant, and
deadlock freedom when it is checked), plus an `expect violated` case for specs that document a
known bug. Failures carry the text trace.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET


def junit_document(entries: list[dict]) -> bytes:
    """`entries`: per spec, the JSON result plus `_text` (the rendered text per violation),
    `_properties` (names in order), `_seconds`."""
    root = ET.Element("testsuites", name="protocheck")
    total = failures = errors = 0
    for e in entries:
        suite = ET.SubElement(root, "testsuite", name=e["spec"], file=e["path"])
        s_tests = s_fail = s_err = 0
        violated = {v["property"]: (v, text) for v, text in zip(e["violations"], e["_text"])}
        expect_violated = e["expect"] == "violated"
        cases = list(e["_properties"])
        # Built-in properties (assert, range, runtime) get a case only when they fail.
        cases += [p for p in violated if p not in cases]
        for prop in cases:
            case = ET.SubElement(suite, "testcase", name=prop, classname=e["spec"],
                                 file=e["path"], time=f"{e['_seconds']:.3f}")
            s_tests += 1
            if prop in violated:
                v, text = violated[prop]
                if expect_violated:
                    out = ET.SubElement(case, "system-out")
                    out.text = "violated, as the spec expects (a known bug):\n" + text
                else:
                    s_fail += 1
                    f = ET.SubElement(case, "failure", type=v["kind"],
                                      message=f"{prop} violated: {v['description']}")
                    f.text = text
            elif e["verdict"] == "inconclusive":
                s_err += 1
                err = ET.SubElement(case, "error", type="inconclusive",
                                    message=f"inconclusive: {e['limit']}")
                err.text = (f"exploration stopped early ({e['limit']}) after "
                            f"{e['stats']['states']} states; the property is not proved")
        if expect_violated:
            case = ET.SubElement(suite, "testcase", name="expect violated", classname=e["spec"],
                                 file=e["path"], time=f"{e['_seconds']:.3f}")
            s_tests += 1
            if e["verdict"] == "holds":
                s_fail += 1
                ET.SubElement(case, "failure", type="expectation",
                              message="the spec expects a violation but every property holds")
            elif e["verdict"] == "inconclusive":
                s_err += 1
                ET.SubElement(case, "error", type="inconclusive",
                              message=f"inconclusive: {e['limit']}")
        suite.set("tests", str(s_tests))
        suite.set("failures", str(s_fail))
        suite.set("errors", str(s_err))
        suite.set("time", f"{e['_seconds']:.3f}")
        total, failures, errors = total + s_tests, failures + s_fail, errors + s_err
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
