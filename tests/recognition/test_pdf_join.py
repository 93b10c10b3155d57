"""Joining PDFs for a print batch: every page, in order, in memory that does not grow with the batch."""

import io
import json
import subprocess
import sys

import pdfplumber
from django.conf import settings
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, RectangleObject
from weasyprint import HTML

from recognition.pdf_join import PdfJoiner


def pdf_saying(*words: str) -> bytes:
    """A small PDF, a page for each word, as WeasyPrint writes them (object streams and all)."""
    pages = "".join(f'<p style="page-break-after: always">{word}</p>' for word in words)
    return HTML(string=f"<html lang='en'><body>{pages}</body></html>").write_pdf()


def join(sources: list[bytes], **finish) -> bytes:
    out = io.BytesIO()
    joiner = PdfJoiner(out)
    for source in sources:
        joiner.add(io.BytesIO(source))
    joiner.finish(**finish)
    return out.getvalue()


def test_every_page_of_every_source_in_order_with_the_batchs_title():
    joined = join(
        [pdf_saying("one", "two"), pdf_saying("three"), pdf_saying("four", "five")],
        title="Print batch 7",
    )
    with pdfplumber.open(io.BytesIO(joined)) as document:
        assert [page.extract_text() for page in document.pages] == [
            "one",
            "two",
            "three",
            "four",
            "five",
        ]
    reader = PdfReader(io.BytesIO(joined), strict=True)
    assert reader.metadata.title == "Print batch 7"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_a_page_keeps_what_it_inherited_from_its_page_tree():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=300)
    # Move the page size up to the page tree, as some PDF writers do.
    pages = writer.root_object["/Pages"]
    page = writer.pages[0]
    pages[NameObject("/MediaBox")] = RectangleObject([0, 0, 200, 300])
    del page[NameObject("/MediaBox")]
    source = io.BytesIO()
    writer.write(source)

    joined = PdfReader(io.BytesIO(join([source.getvalue(), pdf_saying("after")])))
    assert [float(value) for value in joined.pages[0].mediabox] == [0, 0, 200, 300]
    assert len(joined.pages) == 2


MEASURE = """
import io, json, sys, tempfile, tracemalloc
from recognition.pdf_join import PdfJoiner

letter = open(sys.argv[1], "rb").read()
peaks = {}
for count in (20, 200):
    with tempfile.TemporaryFile() as out:  # on disk, as a batch's PDF is
        tracemalloc.start()
        joiner = PdfJoiner(out)
        for _ in range(count):
            joiner.add(io.BytesIO(letter))
        joiner.finish()
        peaks[count] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
print(json.dumps(peaks))
"""


def test_memory_does_not_grow_with_the_number_of_sources(tmp_path):
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(pdf_saying("Dear Maureen", "Yours sincerely"))
    # In a fresh interpreter, so nothing else this test run allocates is counted.
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(letter)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    peaks = json.loads(result.stdout)
    few, many = peaks["20"], peaks["200"]
    # Ten times the sources: the peak barely changes (a few bytes an object are kept
    # for the cross-reference table), where keeping the pages would take ten times.
    assert many < few * 2, peaks
