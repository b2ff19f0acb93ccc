"""Clear, translatable messages for every refusal a rule can give (R18)."""

from __future__ import annotations

from .i18n import _
from .models.base import DomainError

MESSAGES = {
    "fnr_length": "A fødselsnummer has exactly 11 digits.",
    "fnr_digits": "A fødselsnummer contains digits only.",
    "fnr_checksum": "The check digits do not match: check the fødselsnummer digit by digit.",
    "fnr_date": "The first six digits are not a valid date of birth.",
    "fnr_invalid": "This is not a valid fødselsnummer or D-number.",
    "measure_one_party": "A measure has exactly one responsible party: an actor, the home or "
                         "the child.",
    "measure_deadline_before_start": "The evaluation deadline cannot be before the start.",
    "measure_text_fixed": "The text of a measure can only be corrected within 8 hours of "
                          "creation.",
    "log_holder_may_not_hold": "Only an active employee who may be holder can hold a log.",
    "log_holder_other_unit": "The holder must work in the log's unit.",
    "log_needs_consent": "The log cannot become active without a recorded, valid consent from "
                         "the right people.",
    "log_needs_guardian": "Add at least one guardian: it is required up to and including "
                          "age 15.",
    "log_has_open_transfer": "Finish or cancel the open transfer first.",
    "log_reopen_needs_consent": "Reopening needs a new consent given after the log was closed.",
    "log_delete_needs_archive": "The archive PDF must be produced before the log is deleted.",
    "transition_not_allowed": "This cannot be done now: '${trigger}' is not possible from "
                              "'${state}'.",
    "transition_forbidden": "You do not have permission to do this.",
    "transfer_log_not_active": "Only an active log can be transferred.",
    "transfer_already_open": "This log already has an open transfer.",
    "transfer_needs_reason": "Give the reason for the transfer.",
    "transfer_unknown_municipality": "The receiving municipality is not known.",
    "transfer_receiver_may_not_hold": "The receiver must be an active employee who may be "
                                      "holder.",
    "transfer_to_self": "The log cannot be transferred to its present holder.",
    "transfer_needs_receiver": "Choose a receiving employee or unit.",
    "transfer_kind_mismatch": "An internal transfer stays in the unit; other kinds leave it.",
    "transfer_unit_has_no_leader": "The receiving unit has no leader to name a holder.",
    "transfer_unknown_concern": "Choose concerns from this log.",
    "transfer_needs_consent": "A transfer to another unit or municipality needs the family's "
                              "consent.",
    "transfer_new_holder_may_not_hold": "Name a new holder who may be holder.",
    "transfer_new_holder_other_unit": "The new holder must work in the receiving unit.",
    "transfer_decline_needs_reason": "Give the reason for declining.",
    "measure_concern_closed": "The concern is closed.",
    "measure_actor_may_not_act": "The responsible employee must be active and allowed to be an "
                                 "actor.",
    "measure_actor_outside_unit": "On level 1 only actors from the holder's own unit can be "
                                  "added.",
    "measure_actor_has_active_measure": "This actor already has an active measure in this "
                                        "concern.",
    "measure_evaluation_needs_family_verdict": "The evaluation needs the family's verdict.",
    "measure_evaluation_needs_meeting": "A measure is evaluated in a meeting of this log.",
    "measure_misregistered_needs_replacement": "Enter the corrected measure that replaces it.",
    "consent_date_in_future": "The consent date cannot be in the future.",
    "consent_expires_before_given": "The consent cannot expire before it was given.",
    "consent_involve_needs_unit": "Name the unit or service the consent involves.",
    "consent_wrong_parties": "This consent is not given by the people who must consent.",
    "consent_scan_missing": "Attach the scanned, signed consent form as a PDF.",
    "consent_not_expired": "The consent has not expired.",
    "upload_too_large": "The file is larger than ${limit} MB.",
    "upload_not_pdf": "The file is not a PDF.",
}


def message_for(error: DomainError):
    """The translatable message for a refusal, with its mapping."""
    return _(error.msg, default=MESSAGES.get(error.msg, error.msg), mapping=error.mapping)

STATE_NAMES = {
    "new": _("state_new", default="new"),
    "draft": _("state_draft", default="draft"),
    "active": _("state_active", default="active"),
    "passive": _("state_passive", default="passive"),
    "reopened": _("state_reopened", default="reopened"),
    "deleted": _("state_deleted", default="deleted"),
    "proposed": _("state_proposed", default="proposed"),
    "consented": _("state_consented", default="consented"),
    "accepted": _("state_accepted", default="accepted"),
    "declined": _("state_declined", default="declined"),
    "cancelled": _("state_cancelled", default="cancelled"),
    "evaluated": _("state_evaluated", default="evaluated"),
    "misregistered": _("state_misregistered", default="misregistered"),
    "given": _("state_given", default="given"),
    "withdrawn": _("state_withdrawn", default="withdrawn"),
    "expired": _("state_expired", default="expired"),
}
