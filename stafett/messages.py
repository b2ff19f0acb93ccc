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
    "log_child_has_log": "This child already has a stafettlogg in the municipality, held by "
                         "${holder} at ${unit}. A child has one log, which follows the child.",
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
    "lc_guardian_has_consent": "A guardian who gave a standing consent cannot be removed.",
    "consent_read_access_needs_employee": "Name the employee the read access is for.",
    "measure_actor_unit_needs_consent": "The actor works in another unit: record the family's "
                                        "consent to involve that unit first.",
    "grant_needs_consent": "Read access needs the family's standing consent to this "
                           "employee's access: record it first.",
    "grant_exists": "This employee already has read access in this log.",
    "grant_log_not_running": "Read access can only be granted in an active log.",
    "grant_employee_inactive": "The employee must be active.",
    "grant_withdrawn": "This access is already withdrawn.",
    "upload_too_large": "The file is larger than ${limit} MB.",
    "upload_not_pdf": "The file is not a PDF.",
    "upload_pdf_unreadable": "The file cannot be read as a PDF: it is damaged or only looks "
                             "like a PDF.",
    "upload_pdf_encrypted": "The PDF is protected by a password. Remove the password, or save "
                            "it as a new PDF, and try again.",
    "upload_pdf_too_many_pages": "The PDF has more than ${limit} pages.",
    "upload_pdf_too_many_objects": "The PDF is too complex: it has more than ${limit} objects.",
    "upload_pdf_too_much_content": "The PDF unpacks to more than ${limit} MB. That much content "
                                   "is not accepted; it may be made to fill up the memory (a "
                                   "\"zip bomb\").",
    "upload_pdf_lzw": "The PDF uses an old compression (LZW) that cannot be checked safely. Save "
                      "or scan it as a new PDF and try again.",
    # the child's own login under 15 (R39)
    "enrol_too_old": "Login with a username, password and one-time code is for children under "
                     "15. From 15 the young person logs in with ID-porten.",
    "enrol_username_taken": "This username is taken. Choose another one.",
    "enrol_already": "The child already has a login. Use «New phone» or «New password».",
    "enrol_not_enrolled": "The child has no login yet.",
    "enrol_other_log": "This login was set up from another log and can only be changed there.",
    "enrol_nothing_pending": "There is no new phone waiting for a code.",
    "enrol_code_wrong": "The code is wrong or too old. Type the code the app shows now.",
    # the unit leader's console and the superuser's pages
    "adm_username_taken": "This username is already in use.",
    "adm_slug_invalid_or_taken": "The short name must be 2-40 lower-case letters, digits or "
                                 "hyphens, and not in use.",
    "adm_number_invalid_or_taken": "The municipality number must be 4 digits, and not in use.",
    "adm_name_missing": "The name is missing.",
    "adm_no_such_municipality": "There is no municipality by that short name.",
    "inv_already_known": "This guardian's fødselsnummer is known: they log in with ID-porten "
                         "without an invitation.",
    "inv_no_email": "Add the guardian's e-mail address first; the invitation is sent there.",
    "lc_guardian_fnr_twice": "The same fødselsnummer is given twice (for the child or two "
                             "guardians).",
    "adm_fnr_taken": "An employee with this fødselsnummer is already registered in the "
                     "municipality.",
    "adm_deactivate_holds_logs": "The employee still holds logs. Transfer them first.",
    "adm_leader_not_in_unit": "The leader must be an active employee of the unit.",
    "adm_choose_receiver": "Choose who is to receive the log.",
    "adm_choose_new_holder": "Choose the new holder.",
    "adm_delete_confirm_missing": "Tick the box to confirm that the log is to be erased.",
    "adm_delete_choose_reason": "Choose the reason from the list.",
    "adm_consent_choose_parties": "Choose who gave the new consent.",
    "adm_consent_date_invalid": "Give the date of the consent as a valid date.",
    "voice_needs_meeting": "Choose the meeting the child's voice belongs to.",
    "voice_unknown_concern": "Choose one of the log's concerns, or none.",
    "family_verdict_not_due": "This measure has been evaluated or has ended; what you noted "
                              "was not saved for it.",
    "feedback_before_meeting": "The meeting has not been held yet; answer after it.",
    # a family's request for a log (R41)
    "req_needs_idporten": "Log in with ID-porten to ask for a stafettlogg.",
    "req_too_young_for_self": "You can ask for a stafettlogg for yourself from the age of 16.",
    "req_guardian_not_adult": "To ask for a child, you must be 18 or older. From 16 you can "
                              "ask for yourself.",
    "req_child_is_asker": "This is your own fødselsnummer. Choose «Myself» to ask for "
                          "yourself.",
    "req_child_is_adult": "This person is 18 or older and asks for themselves.",
    "req_choose_holder": "Choose a holder among the unit's employees who may hold logs.",
    "req_decline_needs_reason": "Give the reason: the family sees it.",
    # an individual plan (R38)
    "plan_needs_coordinator": "Name the coordinator of the individual plan.",
    "plan_needs_concerns": "Choose the concerns that go along to the individual plan.",
    "plan_unknown_concern": "Choose concerns from this log.",
    "plan_needs_consent": "Handing the log over to an individual plan needs the family's "
                          "consent.",
}


def message_for(error: DomainError):
    """The translatable message for a refusal, with its mapping. A refused transition is
    told in words: the action and the state by name, never by their codes."""
    if error.msg == "transition_not_allowed":
        return _transition_refusal(error.mapping.get("machine"), error.mapping.get("trigger"),
                                   error.mapping.get("state"))
    return _(error.msg, default=MESSAGES.get(error.msg, error.msg), mapping=error.mapping)


def _transition_refusal(machine: str | None, trigger: str | None, state: str | None):
    specific = next((message for (triggers, states), message in SPECIFIC_REFUSALS.items()
                     if trigger in triggers and state in states), None)
    if specific is not None:
        return _(specific, mapping={"state": name_of("state", state)})
    return _("wd_refusal_transition",
             default="This cannot be done now: you cannot ${action} ${object} that is "
                     "${state}.",
             mapping={"action": name_of("trigger", trigger),
                      "object": OBJECT_NAMES.get(machine, UNKNOWN_OBJECT),
                      "state": name_of("state", state)})


def name_of(kind: str, code: str | None):
    """The translatable name of a code a person would otherwise see (a workflow, trigger,
    state or reason in the journal); an unknown code is shown as it is."""
    return NAMES[kind].get(code or "", code or "")


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
    "requested": _("req_state_name_requested", default="waiting for an answer"),
    "assigned": _("req_state_name_assigned", default="answered with a log"),
}

# -- the words for codes a person sees (audit reports, refusals, PDFs) ---------------------
MACHINE_NAMES = {
    "log": _("wd_machine_log", default="Log"),
    "transfer": _("wd_machine_transfer", default="Transfer"),
    "measure": _("wd_machine_measure", default="Measure"),
    "consent": _("wd_machine_consent", default="Consent"),
    "log_request": _("req_machine", default="Request for a log"),
}
OBJECT_NAMES = {  # as the object of a sentence: "you cannot close a log that is passive"
    "log": _("wd_object_log", default="a log"),
    "transfer": _("wd_object_transfer", default="a transfer"),
    "measure": _("wd_object_measure", default="a measure"),
    "consent": _("wd_object_consent", default="a consent"),
    "log_request": _("req_object", default="a request for a log"),
}
UNKNOWN_OBJECT = _("wd_object_unknown", default="something")
TRIGGER_NAMES = {
    "create": _("wd_trigger_create", default="create"),
    "activate": _("wd_trigger_activate", default="activate"),
    "close": _("wd_trigger_close", default="close"),
    "force_close": _("wd_trigger_force_close", default="close on withdrawn consent"),
    "reopen": _("wd_trigger_reopen", default="reopen"),
    "delete": _("wd_trigger_delete", default="delete"),
    "discard": _("wd_trigger_discard", default="discard"),
    "propose": _("wd_trigger_propose", default="propose"),
    "consent": _("wd_trigger_consent", default="consent to"),
    "accept": _("wd_trigger_accept", default="accept"),
    "decline": _("wd_trigger_decline", default="decline"),
    "cancel": _("wd_trigger_cancel", default="cancel"),
    "add": _("wd_trigger_add", default="add"),
    "evaluate": _("wd_trigger_evaluate", default="evaluate"),
    "misregister": _("wd_trigger_misregister", default="mark as misregistered"),
    "give": _("wd_trigger_give", default="give"),
    "withdraw": _("wd_trigger_withdraw", default="withdraw"),
    "expire": _("wd_trigger_expire", default="mark as expired"),
    "send": _("req_trigger_send", default="send"),
    "assign": _("req_trigger_assign", default="name the holder of"),
    "to_individual_plan": _("plan_trigger", default="hand over to an individual plan"),
    "receipt_accepted": _("ex_trigger_receipt_accepted",
                          default="receipt from the other Stafett: accepted"),
    "receipt_declined": _("ex_trigger_receipt_declined",
                          default="receipt from the other Stafett: declined"),
}
REASON_NAMES = {  # the reason codes the workflows journal; free text is journaled as "text"
    "closed_by_holder": _("wd_reason_closed_by_holder", default="closed by the holder"),
    "consent_withdrawn": _("wd_reason_consent_withdrawn", default="the consent was withdrawn"),
    "goals_met": _("wd_reason_goals_met", default="the goals are met"),
    "discarded_by_holder": _("wd_reason_discarded_by_holder",
                             default="draft discarded by the holder"),
    "deleted_by_leader": _("wd_reason_deleted_by_leader", default="deleted by the unit leader"),
    "created_by_mistake": _("wd_reason_created_by_mistake", default="created by mistake"),
    "retention_ended": _("wd_reason_retention_ended", default="the retention period has ended"),
    "family_request": _("wd_reason_family_request", default="the family asked for deletion"),
    "log_closed": _("wd_reason_log_closed", default="the log was closed"),
    "declined": _("wd_reason_declined", default="declined by the receiver"),
    "replaces_misregistered": _("wd_reason_replaces_misregistered",
                                default="replaces a misregistered measure"),
    "expiry_date_passed": _("wd_reason_expiry_date_passed",
                            default="the expiry date has passed"),
    "text": _("wd_reason_text", default="free text in the log"),
    "individual_plan": _("plan_reason", default="handed over to an individual plan"),
}
SCOPE_NAMES = {
    "create": _("lc_scope_create", default="Create the log"),
    "involve_unit": _("lc_scope_involve_unit", default="Involve another unit or service"),
    "transfer": _("lc_scope_transfer", default="Transfer the log"),
    "reopen": _("lc_scope_reopen", default="Reopen the log"),
    "read_access": _("wd_scope_read_access", default="Read access for a named employee"),
    "individual_plan": _("plan_scope", default="Hand the log over to an individual plan"),
}
ARENA_NAMES = {
    "service": _("ct_arena_service", default="In the service"),
    "home": _("ct_arena_home", default="At home"),
    "child": _("ct_arena_child", default="The child's own"),
}
VERDICT_NAMES = {
    "worked": _("ct_verdict_worked", default="Worked"),
    "partly": _("ct_verdict_partly", default="Partly worked"),
    "did_not_work": _("ct_verdict_did_not_work", default="Did not work"),
}
DECISION_NAMES = {  # what an evaluation decides for a measure (R27)
    "continue": _("ct_decision_continue", default="Continue"),
    "change": _("ct_decision_change", default="Change"),
    "end": _("ct_decision_end", default="End"),
}
PARTY_NAMES = {  # who carries out a measure (R25)
    "actor": _("ct_party_actor", default="An employee (choose below)"),
    "home": _("ct_party_home", default="The home (the guardians)"),
    "subject": _("ct_party_subject", default="The child or youth"),
}
CATEGORY_NAMES = {  # what a concern is about (R24)
    "learning": _("ct_cat_learning", default="Learning"),
    "language": _("ct_cat_language", default="Language"),
    "social": _("ct_cat_social", default="Friends and social life"),
    "behaviour": _("ct_cat_behaviour", default="Behaviour"),
    "mental_health": _("ct_cat_mental_health", default="Mental health"),
    "physical_health": _("ct_cat_physical_health", default="Physical health"),
    "attendance": _("ct_cat_attendance", default="Attendance"),
    "family": _("ct_cat_family", default="Family"),
    "school_environment": _("ct_cat_school_environment",
                            default="School environment (Education Act chapter 12, "
                                    "formerly §9a)"),
    "pregnancy": _("ct_cat_pregnancy", default="Pregnancy"),
    "other": _("ct_cat_other", default="Other"),
}


def category_name(category):
    """A category stored before the list was checked (issue 8) shows as "Other"."""
    return CATEGORY_NAMES.get(category, CATEGORY_NAMES["other"])


COPY_REASON_NAMES = {  # why an archive copy of a log was made (R35)
    "yearly": _("copy_reason_yearly", default="Yearly copy"),
    "change_of_service": _("copy_reason_change_of_service", default="Change of service"),
    "closed": _("copy_reason_closed", default="The log was closed"),
    "before_deletion": _("copy_reason_before_deletion", default="Before deletion"),
    "individual_plan": _("copy_reason_individual_plan",
                         default="Handed over to an individual plan"),
}
NAMES = {"machine": MACHINE_NAMES, "trigger": TRIGGER_NAMES, "state": STATE_NAMES,
         "reason": REASON_NAMES, "scope": SCOPE_NAMES, "arena": ARENA_NAMES,
         "verdict": VERDICT_NAMES, "copy_reason": COPY_REASON_NAMES,
         "decision": DECISION_NAMES, "party": PARTY_NAMES}

# The refusals common enough to deserve a sentence of their own: (triggers, states) -> msgid.
SPECIFIC_REFUSALS = {
    (("evaluate",), ("evaluated",)): _(
        "wd_refusal_already_evaluated",
        default="This cannot be done now: the measure has already been evaluated, and a "
                "measure is evaluated only once."),
    (("evaluate", "misregister"), ("misregistered",)): _(
        "wd_refusal_measure_misregistered",
        default="This cannot be done now: the measure is marked as misregistered and has "
                "been replaced by a corrected one."),
    (("misregister",), ("evaluated",)): _(
        "wd_refusal_evaluated_not_misregistered",
        default="This cannot be done now: the measure has been evaluated and can no longer "
                "be marked as misregistered."),
    (("activate",), ("active", "reopened")): _(
        "wd_refusal_log_already_active",
        default="This cannot be done now: the log is already active."),
    (("close", "force_close"), ("passive",)): _(
        "wd_refusal_log_already_closed",
        default="This cannot be done now: the log is already closed."),
    (("withdraw",), ("withdrawn",)): _(
        "wd_refusal_consent_already_withdrawn",
        default="This cannot be done now: the consent has already been withdrawn."),
    (("consent", "accept", "decline", "cancel"), ("accepted", "declined", "cancelled")): _(
        "wd_refusal_transfer_decided",
        default="This cannot be done now: the transfer has already been ${state}."),
}
