"""The lifecycle forms' own rules: a scanned consent needs its PDF, and every error summary
names its field."""

from __future__ import annotations

import colander
import pytest

from stafett.forms.log_lifecycle import ConsentSchema, TransferSchema


def _bound(schema, world, log):
    return schema.bind(log=log, municipality=world.m, request=None)


def test_r10_scanned_consent_without_pdf_is_an_error_on_the_upload_field(world):
    log = world.draft()
    schema = _bound(ConsentSchema(), world, log)
    guardian_id = next(iter(log.guardians.keys()))
    with pytest.raises(colander.Invalid) as caught:
        schema.deserialize({"given_by": [guardian_id], "date": "2024-01-02", "expires": "",
                            "scope": "create", "unit_id": "", "form": "scanned",
                            "upload": colander.null, "exception_reason": ""})
    assert set(caught.value.asdict()) == {"upload"}


def test_r11_involving_a_unit_names_the_unit_field(world):
    log = world.draft()
    schema = _bound(ConsentSchema(), world, log)
    with pytest.raises(colander.Invalid) as caught:
        schema.deserialize({"given_by": ["subject"], "date": "2024-01-02", "expires": "",
                            "scope": "involve_unit", "unit_id": "", "form": "digital",
                            "upload": colander.null, "exception_reason": ""})
    assert set(caught.value.asdict()) == {"unit_id"}


def test_r19_a_transfer_needs_a_receiver(world):
    log = world.active()
    schema = _bound(TransferSchema(), world, log)
    with pytest.raises(colander.Invalid) as caught:
        schema.deserialize({"kind": "internal", "to_employee_id": "", "to_unit_id": "",
                            "reason": "Ny kontaktlærer", "concern_ids": []})
    assert set(caught.value.asdict()) == {"to_employee_id"}
