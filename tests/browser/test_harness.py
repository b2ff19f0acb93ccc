"""The browser layer's own checks: they must be able to fail."""

from __future__ import annotations

import pytest

from .conftest import assert_accessible, require_chromium

pytestmark = pytest.mark.browser


def test_assert_accessible_lists_serious_violations(page):
    page.set_content("<html><body><input id='q'><img src='data:,'></body></html>")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    report = str(failure.value)
    for rule in ("html-has-lang", "label", "image-alt"):
        assert f"] {rule}:" in report
    assert "#q" in report  # names the offending element


def test_assert_accessible_can_skip_a_named_rule(page):
    page.set_content("<html lang='nb'><head><title>t</title></head>"
                     "<body><main><h1>t</h1><img src='data:,'></main></body></html>")
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
    assert_accessible(page, disable=("image-alt",))


def test_missing_chromium_fails_with_the_make_target_to_run(tmp_path):
    with pytest.raises(pytest.fail.Exception, match="run `make browser`"):
        require_chromium(str(tmp_path / "no-chromium"))
