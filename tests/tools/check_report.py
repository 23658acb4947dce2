#!/usr/bin/env python3
"""Checks a `cadre compare --report DIR` directory is well formed.

Every SVG parses as XML with an <svg> root in the SVG namespace, a width, a
height and some drawing; index.html parses as XML (it is written as
well-formed XHTML) with a title, the layer and kernel tables and an <img> for
every chart; every file the page names is in the directory; every CSV file
parses with one value per header column on each line; compare.json parses.
Prints what it checked; exits 1 naming the first problem.
"""
import csv
import json
import os
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
CHARTS = ["roofline.svg", "time.svg", "energy.svg", "utilisation.svg"]
TABLES = ["kernels.csv", "layer.csv", "utilisation.csv"]


def fail(message):
    print(f"check_report: {message}")
    sys.exit(1)


def main(directory):
    for name in CHARTS:
        path = os.path.join(directory, name)
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as e:
            fail(f"{name}: {e}")
        if root.tag != SVG + "svg":
            fail(f"{name}: the root is {root.tag}, not svg")
        if not root.get("width") or not root.get("height") or not root.get("viewBox"):
            fail(f"{name}: no width, height or viewBox")
        shapes = sum(1 for e in root.iter() if e.tag in (SVG + "rect", SVG + "line", SVG + "polyline", SVG + "circle"))
        texts = [e.text for e in root.iter(SVG + "text")]
        if shapes < 5 or not texts:
            fail(f"{name}: {shapes} shapes and {len(texts)} texts: nothing drawn")
    page = os.path.join(directory, "index.html")
    try:
        html = ET.parse(page).getroot()
    except (OSError, ET.ParseError) as e:
        fail(f"index.html: {e}")
    if html.tag != "html" or html.find("head/title") is None:
        fail("index.html: no <html> root with a <head><title>")
    if len(html.findall(".//table")) < 2:
        fail("index.html: fewer than two tables (the layer, the kernels)")
    images = [img.get("src") for img in html.iter("img")]
    if sorted(images) != sorted(CHARTS):
        fail(f"index.html shows {images}, not the four charts")
    for ref in images + [a.get("href") for a in html.iter("a")]:
        if not os.path.isfile(os.path.join(directory, ref)):
            fail(f"index.html names {ref}, which is not in {directory}")
    for name in TABLES:
        with open(os.path.join(directory, name), newline="") as f:
            rows = list(csv.reader(f))
        if len(rows) < 2:
            fail(f"{name}: no rows under the header")
        for i, row in enumerate(rows[1:], start=2):
            if len(row) != len(rows[0]):
                fail(f"{name}:{i}: {len(row)} values for {len(rows[0])} columns")
    with open(os.path.join(directory, "compare.json")) as f:
        data = json.load(f)
    if not data.get("kernels"):
        fail("compare.json: no kernels")
    print(f"check_report: {len(CHARTS)} SVG charts, index.html with {len(images)} images, "
          f"{len(TABLES)} CSV tables and compare.json well formed")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: check_report.py REPORT_DIR")
    main(sys.argv[1])
