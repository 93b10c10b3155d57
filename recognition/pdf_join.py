"""One PDF made from many, written as it goes, so memory stays flat however many pages.

A print batch of thousands of letters is one PDF for the print room. pypdf's
writer (and qpdf, through pikepdf) keep every object of the document being
built until it is written: for 1,000 letters that was about 330 MB (pypdf)
or 150 MB (qpdf) and grows with the batch. Here pypdf reads each source, and
every object a page needs is given its new number and written out at once;
only each object's position in the file (for the cross-reference table) and
the list of pages are kept, a few bytes an object. One source is open at a
time, so memory is bounded by the largest source, not by the batch.

What is copied: every page with what it draws with (contents, fonts, images,
links). What is not: each source's document-level parts (its outline, tags
for screen readers, metadata); the joined file gets its own title and
language. Print batches are for a print room, and each letter the nominee
receives by email or downloads keeps its tags.
"""

from array import array
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

# Page attributes a page may take from the page tree above it (PDF 1.7, 7.7.3.4).
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
# Object numbers kept for the parts written last: the page tree, catalogue, information.
PAGES, CATALOG, INFO = 1, 2, 3


class PdfJoiner:
    """Write `add()`ed PDFs one after another into `out`; `finish()` completes the file."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.offsets = array("Q", [0] * (INFO + 1))  # by object number; 0 is the free entry
        self.pages = array("Q")  # the new numbers of the pages, in order
        self._start = out.tell()
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def _write(self, data: bytes) -> None:
        self.out.write(data)

    def _position(self) -> int:
        return self.out.tell() - self._start

    def add(self, source: BinaryIO) -> int:
        """Append every page of the PDF in `source`; returns how many pages it had."""
        # Closed at the end, which lets go of everything it read.
        with PdfReader(source) as reader:
            return self._add(reader)

    def _add(self, reader: PdfReader) -> int:
        numbers: dict[tuple[int, int], int] = {}
        waiting: list[tuple[IndirectObject, int]] = []

        def number_for(reference: IndirectObject) -> int:
            key = (reference.idnum, reference.generation)
            if key not in numbers:
                numbers[key] = len(self.offsets)
                self.offsets.append(0)
                waiting.append((reference, numbers[key]))
            return numbers[key]

        def copy(value: PdfObject) -> PdfObject:
            if isinstance(value, IndirectObject):
                return IndirectObject(number_for(value), 0, None)
            if isinstance(value, StreamObject):
                stream = (
                    EncodedStreamObject()
                    if isinstance(value, EncodedStreamObject)
                    else DecodedStreamObject()
                )
                for key, item in dict.items(value):
                    stream[NameObject(key)] = copy(item)
                stream._data = value._data
                return stream
            if isinstance(value, DictionaryObject):
                result = DictionaryObject()
                for key, item in dict.items(value):
                    result[NameObject(key)] = copy(item)
                return result
            if isinstance(value, ArrayObject):
                return ArrayObject(copy(item) for item in list.__iter__(value))
            return value

        page_numbers = set()
        for page in reader.pages:
            number = number_for(page.indirect_reference)
            self.pages.append(number)
            page_numbers.add(number)
        while waiting:
            reference, number = waiting.pop()
            original = reference.get_object()
            if number in page_numbers:
                # Its own place in the new page tree, not the source's.
                original = _page_with_inherited(original)
                result = copy(
                    DictionaryObject(
                        {key: value for key, value in dict.items(original) if key != "/Parent"}
                    )
                )
                result[NameObject("/Parent")] = IndirectObject(PAGES, 0, None)
            else:
                result = copy(original)
            self._write_object(number, result)
        return len(page_numbers)

    def _write_object(self, number: int, value: PdfObject) -> None:
        self.offsets[number] = self._position()
        self._write(f"{number} 0 obj\n".encode())
        value.write_to_stream(self.out)
        self._write(b"\nendobj\n")

    def finish(self, *, title: str = "", language: str = "en-GB") -> None:
        """Write the page tree, catalogue and cross-reference table: the file is complete."""
        pages = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Pages"),
                NameObject("/Kids"): ArrayObject(
                    IndirectObject(number, 0, None) for number in self.pages
                ),
                NameObject("/Count"): NumberObject(len(self.pages)),
            }
        )
        self._write_object(PAGES, pages)
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): IndirectObject(PAGES, 0, None),
                NameObject("/Lang"): TextStringObject(language),
            }
        )
        self._write_object(CATALOG, catalog)
        info = DictionaryObject({NameObject("/Producer"): TextStringObject("Proud to Support")})
        if title:
            info[NameObject("/Title")] = TextStringObject(title)
        self._write_object(INFO, info)
        table = self._position()
        self._write(f"xref\n0 {len(self.offsets)}\n0000000000 65535 f \n".encode())
        for number in range(1, len(self.offsets)):
            self._write(f"{self.offsets[number]:010d} 00000 n \n".encode())
        self._write(
            f"trailer\n<< /Size {len(self.offsets)} /Root {CATALOG} 0 R /Info {INFO} 0 R >>\n"
            f"startxref\n{table}\n%%EOF\n".encode()
        )


def _page_with_inherited(page: DictionaryObject) -> DictionaryObject:
    """The page with the attributes it takes from its page tree written on itself."""
    missing = [key for key in INHERITED if key not in page]
    if not missing:
        return page
    page = DictionaryObject(dict(dict.items(page)))
    parent = page.get("/Parent")
    while missing and parent is not None:
        node = parent.get_object()
        for key in list(missing):
            if key in node:
                page[NameObject(key)] = dict.__getitem__(node, key)
                missing.remove(key)
        parent = node.get("/Parent")
    return page
