"""What every PDF that leaves Stafett must be, checked by parsing it with pikepdf: PDF/A
named in its XMP metadata, every font embedded, no JavaScript and no actions."""

from __future__ import annotations

import io

import pikepdf

PDFA_NS = "http://www.aiim.org/pdfa/ns/id/"


def assert_pdfa(data: bytes) -> pikepdf.Pdf:
    pdf = pikepdf.open(io.BytesIO(data))
    meta = pdf.open_metadata()
    assert meta.get(f"{{{PDFA_NS}}}part") in ("1", "2", "3"), "no PDF/A identification"
    assert meta.get(f"{{{PDFA_NS}}}conformance") in ("A", "B", "U")
    assert "/OutputIntents" in pdf.Root
    assert not any(key in pdf.Root for key in ("/OpenAction", "/AA"))
    assert "/JavaScript" not in pdf.Root.get("/Names", {})
    for page in pdf.pages:
        assert "/AA" not in page.obj
        for font in page.Resources.get("/Font", {}).values():
            assert _embedded(font), f"font {font.get('/BaseFont')} not embedded"
        for annot in page.obj.get("/Annots", []):
            assert "/A" not in annot and "/AA" not in annot, "an action in an annotation"
    return pdf


def _embedded(font) -> bool:
    descendants = font.get("/DescendantFonts")
    descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
    return descriptor is not None and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
