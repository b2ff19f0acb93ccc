"""Help where it is needed (R43): a short "?" for each page, in the guides' own words.

Each page is a *topic*: a title and a few short lines. A page finds its topic by the type
of its context and its view name (``VIEW_TOPICS``), or by the template it renders when one
view draws several pages (the family's and the child's own pages); the front page by the
user's role. Pages with nothing to explain are listed in ``NO_HELP``, so a new page must
choose one or the other (tests/unit/test_help.py).
"""

from __future__ import annotations

from ..i18n import _


class Help:
    def __init__(self, title, *lines) -> None:
        self.title, self.lines = title, lines


TOPICS: dict[str, Help] = {
    "home_staff": Help(
        _("help_home_staff_title", default='My logs'),
        _("help_home_staff_1", default=(
            'Here are the logs you hold, the logs where you have a measure and the logs you may'
            ' read.'
        )),
        _("help_home_staff_2", default=(
            '«Needs attention» lists measures you will evaluate soon and consents about to '
            'expire. Start there.'
        )),
        _("help_home_staff_3", default=(
            'Open a new log only when you and the family agree that the child needs support '
            'over time, and the family consents.'
        )),
        _("help_home_staff_4", default=(
            'Before you open a log, check whether the child already has one: one child has one '
            'log in the municipality.'
        )),
    ),
    "home_leader": Help(
        _("help_home_leader_title", default='My logs and the unit'),
        _("help_home_leader_1", default=(
            'As a unit leader you see your own logs here, and every log of the unit in «Unit» '
            'in the menu.'
        )),
        _("help_home_leader_2", default=(
            'Logs offered to the unit wait for you to name a holder. Until someone accepts, the'
            ' old holder keeps the log.'
        )),
        _("help_home_leader_3", default=(
            'Families who ask for a log wait for an answer from you. Answer them within a few '
            'days.'
        )),
    ),
    "home_family": Help(
        _("help_home_family_title", default='Our logs'),
        _("help_home_family_1", default=(
            'The log belongs to the child. You read all of it and may write glimpses: short, '
            'positive news from home.'
        )),
        _("help_home_family_2", default=(
            'The holder is your contact person. Contact the holder if something is unclear.'
        )),
        _("help_home_family_3", default=(
            'You can withdraw your consent at any time. Then the log ends.'
        )),
    ),
    "log": Help(
        _("help_log_title", default='The log'),
        _("help_log_1", default=(
            'The log replaces the minutes: write what you agree in the meeting, with the family'
            ' present.'
        )),
        _("help_log_2", default=(
            'Each concern needs a measure in the service, one at home and one for the child. '
            'The log shows which are missing.'
        )),
        _("help_log_3", default=(
            'Everything you write is read by the family. Write in plain language, without '
            'abbreviations.'
        )),
        _("help_log_4", default=(
            'Use meeting mode when the log is shown on a screen in the meeting: then no other '
            'log or name can be reached.'
        )),
    ),
    "family": Help(
        _("help_family_title", default="Your child's log"),
        _("help_family_1", default=(
            'Here you see what you have agreed with the service: concerns, goals and who does '
            'what by when.'
        )),
        _("help_family_2", default=(
            'Before a meeting, write how each measure went at home. In the meeting the family '
            'has the last word.'
        )),
        _("help_family_3", default=(
            'Write a glimpse when something went well. It encourages the child and the staff.'
        )),
    ),
    "child_view": Help(
        _("help_child_view_title", default='Your page'),
        _("help_child_view_1", default=(
            'This page shows what you and the adults have agreed, in short words.'
        )),
        _("help_child_view_2", default=(
            'What you think counts. Tell your holder what you want, or ask them to write it in '
            'the log.'
        )),
        _("help_child_view_3", default=(
            'Show the page to the child in the meeting, and point out what went well.'
        )),
    ),
    "meeting_mode": Help(
        _("help_meeting_mode_title", default='Meeting mode'),
        _("help_meeting_mode_1", default=(
            'Meeting mode shows this log only, without the menu and without other names. It is '
            'safe on a projector.'
        )),
        _("help_meeting_mode_2", default=(
            'Write what you agree while everyone sees it. Evaluate each measure together; the '
            'family gives its verdict last.'
        )),
        _("help_meeting_mode_3", default=(
            "Note the child's own view, also when the child is not in the meeting."
        )),
        _("help_meeting_mode_4", default='Leave meeting mode when the meeting is over.'),
    ),
    "concern": Help(
        _("help_concern_title", default='The concern'),
        _("help_concern_1", default=(
            'A concern has one goal at a time and measures in the service, at home and for the '
            'child.'
        )),
        _("help_concern_2", default=(
            'Each measure has one person responsible and a date for evaluation.'
        )),
        _("help_concern_3", default='Close the concern when the goal is reached.'),
    ),
    "concern_form": Help(
        _("help_concern_form_title", default='How to write a concern'),
        _("help_concern_form_1", default=(
            'Write the concern as one descriptive sentence about what you see, for example '
            '«Emma is often alone at break».'
        )),
        _("help_concern_form_2", default=(
            'Use verbs rather than adjectives, and keep to one challenge the family recognises.'
        )),
        _("help_concern_form_3", default=(
            'Write the goal in the present tense, as if it is already true: «Emma takes part at'
            ' break».'
        )),
        _("help_concern_form_4", default=(
            'The text is kept while you type; nothing is lost if you are interrupted.'
        )),
    ),
    "add_measure": Help(
        _("help_add_measure_title", default='How to write a measure'),
        _("help_add_measure_1", default=(
            'A measure is short and concrete: who does what, when and how often. «Ali reads '
            'with Emma for 15 minutes every school day.»'
        )),
        _("help_add_measure_2", default=(
            'Choose the arena: the service, the home or the child. Each concern needs one of '
            'each.'
        )),
        _("help_add_measure_3", default=(
            'One measure has one person responsible. The family helps to word the home measure.'
        )),
        _("help_add_measure_4", default=(
            'Set a date for evaluation: two to three weeks for small practical things, one to '
            'two months for others.'
        )),
    ),
    "correct": Help(
        _("help_correct_title", default='Correct the text'),
        _("help_correct_1", default=(
            'You can correct the text of a measure for 8 hours after you wrote it. After that '
            'it is fixed.'
        )),
        _("help_correct_2", default=(
            'Correct spelling and wording only. If you change the measure itself, register it '
            'as misregistered and write the right one.'
        )),
    ),
    "evaluate": Help(
        _("help_evaluate_title", default='Evaluate the measure'),
        _("help_evaluate_1", default=(
            'Evaluate in the meeting, together with the people who have measures: the family, '
            'the child and the service.'
        )),
        _("help_evaluate_2", default=(
            'Ask the child and the family last: they have the last word on whether the measure '
            'worked.'
        )),
        _("help_evaluate_3", default=(
            'You evaluate a measure once. Then choose: continue, change or end it.'
        )),
        _("help_evaluate_4", default=(
            'Praise what went well: it is strong recognition for the child and the family.'
        )),
    ),
    "misregister": Help(
        _("help_misregister_title", default='Misregistered measure'),
        _("help_misregister_1", default=(
            'Use this when nobody could carry out the measure as written: wrong person, wrong '
            'text or wrong date.'
        )),
        _("help_misregister_2", default=(
            'Write the right measure here. The old one stays in the log, marked misregistered '
            'and linked to the new one.'
        )),
    ),
    "meeting_form": Help(
        _("help_meeting_form_title", default='The meeting'),
        _("help_meeting_form_1", default=(
            'Write the date, the agenda, who takes part and who writes the minutes. A meeting '
            'can come before any concern.'
        )),
        _("help_meeting_form_2", default=(
            'Agree on what everyone expects of the meeting at the start. The child takes part '
            'from school age.'
        )),
        _("help_meeting_form_3", default=(
            'If the child does not take part, talk with the child before and after, and write '
            'down what the child says.'
        )),
    ),
    "before_meeting": Help(
        _("help_before_meeting_title", default='Before the meeting'),
        _("help_before_meeting_1", default=(
            'Write how each measure has gone at home. Your words are read in the meeting.'
        )),
        _("help_before_meeting_2", default=(
            'You evaluate in the meeting, and the family gives its verdict last.'
        )),
    ),
    "meeting_feedback": Help(
        _("help_meeting_feedback_title", default='After the meeting'),
        _("help_meeting_feedback_1", default=(
            'Tell the holder how the meeting was for you. Short answers are fine.'
        )),
        _("help_meeting_feedback_2", default=(
            'Your answers help the holder to make the next meeting better.'
        )),
    ),
    "voice": Help(
        _("help_voice_title", default="The child's voice"),
        _("help_voice_1", default=(
            "From the age of 7 the child has the right to be heard. Write the child's own view "
            'with each meeting and concern.'
        )),
        _("help_voice_2", default=(
            "Use the child's own words, and say how you heard them: in the meeting, or in a "
            'talk before or after.'
        )),
    ),
    "glimpse": Help(
        _("help_glimpse_title", default='Glimpse'),
        _("help_glimpse_1", default=(
            'A glimpse is short, positive news between meetings: «Emma read a whole page aloud '
            'today!»'
        )),
        _("help_glimpse_2", default=(
            'The child and the family read it. Write nothing you would not say to them.'
        )),
        _("help_glimpse_3", default='You can change your own glimpse afterwards.'),
    ),
    "log_note": Help(
        _("help_log_note_title", default='Log note'),
        _("help_log_note_1", default=(
            'A log note keeps what is agreed outside a meeting, for example a phone call with '
            'the family.'
        )),
        _("help_log_note_2", default=(
            'The family reads it unless you limit who sees it. Write precisely who does what, '
            'and when.'
        )),
        _("help_log_note_3", default=(
            "Documents for the archive belong in the municipality's case system, not here."
        )),
    ),
    "private_note": Help(
        _("help_private_note_title", default='Private note'),
        _("help_private_note_1", default=(
            'Only you can read a private note: not the family, not the leaders.'
        )),
        _("help_private_note_2", default=(
            'Use it for your own preparation, for example questions to ask in the next meeting.'
        )),
    ),
    "log_form": Help(
        _("help_log_form_title", default='The child and the guardians'),
        _("help_log_form_1", default=(
            'Check the national identity number carefully: it must be exactly right.'
        )),
        _("help_log_form_2", default=(
            'Add every guardian. Up to and including age 15 at least one guardian is required.'
        )),
        _("help_log_form_3", default=(
            "The log stays a draft until the family's consent is recorded. Only you and your "
            'leader see a draft.'
        )),
    ),
    "consent": Help(
        _("help_consent_title", default='Consent'),
        _("help_consent_1", default=(
            "The log rests on the family's consent. Record who consented, the date and any "
            'expiry.'
        )),
        _("help_consent_2", default=(
            'Under 16 the guardians consent; from 16 the youth consents alone. If the child '
            'lives with both guardians apart, both must consent.'
        )),
        _("help_consent_3", default=(
            'New consent is needed when a new service joins, at every transfer and to reopen a '
            'log.'
        )),
        _("help_consent_4", default='Give the family the consent form in the language they read.'),
    ),
    "withdraw_consent": Help(
        _("help_withdraw_consent_title", default='Withdraw consent'),
        _("help_withdraw_consent_1", default=(
            'The family can withdraw consent at any time, also orally. Record it here.'
        )),
        _("help_withdraw_consent_2", default=(
            'The log ends at once and becomes passive. The withdrawal is documented in the log.'
        )),
    ),
    "transfer": Help(
        _("help_transfer_title", default='Transfer the log'),
        _("help_transfer_1", default=(
            "Give a reason, and choose the new holder or the receiving unit's leader."
        )),
        _("help_transfer_2", default=(
            "A transfer to another unit or municipality needs the family's consent. Choose "
            'together which concerns go along.'
        )),
        _("help_transfer_3", default=(
            'You remain the holder until the new holder has accepted the log.'
        )),
    ),
    "transfer_elsewhere": Help(
        _("help_ex_title", default="A log to or from another Stafett"),
        _("help_ex_1", default=(
            "The log goes as a file. Only the concerns the family agrees to are in the file."
        )),
        _("help_ex_2", default=(
            "You are the holder until the receipt comes back. Then the log here is closed."
        )),
        _("help_ex_3", default=(
            "A leader or holder who gets a file checks who sent it. The leader names a "
            "holder; a holder takes the log on. Or they say no and why."
        )),
    ),
    "transfer_answer": Help(
        _("help_transfer_answer_title", default='A log offered to you'),
        _("help_transfer_answer_1", default=(
            "Accept when you are ready to be the child's holder. From then on the family "
            'contacts you.'
        )),
        _("help_transfer_answer_2", default=(
            'If you decline, say why. The old holder keeps the log until someone accepts it.'
        )),
    ),
    "close": Help(
        _("help_close_title", default='Close the log'),
        _("help_close_1", default=(
            'Close the log when the goals are reached, or when the family withdraws consent.'
        )),
        _("help_close_2", default=(
            'A closed log is passive: everyone can read it, nobody can change it. Stafett makes'
            ' an archive copy.'
        )),
        _("help_close_3", default=(
            'Only a unit leader can reopen it, with new consent from the family.'
        )),
    ),
    "individual_plan": Help(
        _("help_plan_title", default='Individual plan'),
        _("help_plan_1", default=(
            'The family chooses the coordinator of the plan and the concerns that go along. '
            'Record their consent here.'
        )),
        _("help_plan_2", default=(
            'Stafett closes the log, makes an archive copy and tells the family.'
        )),
        _("help_plan_3", default=(
            'Then give the coordinator the PDF or the export file from the log page.'
        )),
    ),
    "grant": Help(
        _("help_grant_title", default='Read access'),
        _("help_grant_1", default=(
            "Another employee may read the log only with the family's consent. Record that "
            'consent first.'
        )),
        _("help_grant_2", default=(
            'Give access to the concerns the employee needs, not more. You can narrow or '
            'withdraw it later.'
        )),
    ),
    "console": Help(
        _("help_console_title", default='The unit console'),
        _("help_console_1", default=(
            'Here you see every log of the unit, also passive ones, and the figures for the '
            'unit.'
        )),
        _("help_console_2", default=(
            'Follow up evaluations that are overdue and consents that expire soon.'
        )),
        _("help_console_3", default=(
            'When an employee is away or has left, transfer their logs so no child is left '
            'without a holder.'
        )),
    ),
    "staff": Help(
        _("help_staff_title", default='Staff'),
        _("help_staff_1", default=(
            "Add the unit's employees and mark who may be holder and who may have measures."
        )),
        _("help_staff_2", default=(
            'Deactivate an employee who has left. Transfer the logs they hold first.'
        )),
    ),
    "delete": Help(
        _("help_delete_title", default='Delete a log'),
        _("help_delete_1", default=(
            'A leader can delete only passive logs with an archive copy. Deleting removes the '
            'content for good.'
        )),
        _("help_delete_2", default=(
            'Only the date, who deleted it and the reason are kept, for the audit.'
        )),
    ),
    "municipality_admin": Help(
        _("help_municipality_admin_title", default='The municipality'),
        _("help_municipality_admin_1", default=(
            'As superuser you add the units and their leaders. The leaders add their own staff.'
        )),
        _("help_municipality_admin_2", default=(
            "You do not see the children's logs: they belong to the units."
        )),
        _("help_municipality_admin_3", default=(
            'The practice municipality is for training: use it to rehearse before a real '
            'meeting.'
        )),
    ),
    "supervision": Help(
        _("help_supervision_title", default='Leaders with read access'),
        _("help_supervision_1", default='This page shows which leaders may read the log, and why.'),
        _("help_supervision_2", default=(
            'Every reading is recorded; the family can see who has read the log.'
        )),
    ),
    "child_login": Help(
        _("help_child_login_title", default="The child's login"),
        _("help_child_login_1", default=(
            'A child under 15 logs in with a username, a password and a one-time code on a '
            'phone.'
        )),
        _("help_child_login_2", default=(
            'Set up the login together with the child and a guardian, and check that the first '
            'code works.'
        )),
    ),
    "ask_for_log": Help(
        _("help_ask_for_log_title", default='Ask for a stafettlogg'),
        _("help_ask_for_log_1", default=(
            'Parents, and youths from 16, can ask a kindergarten, school, health station or '
            'midwife to open a log.'
        )),
        _("help_ask_for_log_2", default=(
            'Write in a few words what you are concerned about. The leader of the place you '
            'choose answers you.'
        )),
        _("help_ask_for_log_3", default=(
            'Nothing is shared with others before you have given your consent.'
        )),
    ),
    "log_request": Help(
        _("help_log_request_title", default='A request for a log'),
        _("help_log_request_1", default=(
            'A family asks for a log. Answer them: name a holder who contacts the family, or '
            'say why not.'
        )),
        _("help_log_request_2", default=(
            'You open the log itself only when the family has consented.'
        )),
    ),
    "practice": Help(
        _("help_practice_title", default='The practice municipality'),
        _("help_practice_1", default=(
            'Here you practise with made-up families. Do not use real information.'
        )),
        _("help_practice_2", default=(
            'Try out a meeting before the real one: write the concern, the goal and the '
            'measures as you will with the family.'
        )),
        _("help_practice_3", default=(
            'No e-mail is sent from here. A leader can reset it to the starting point.'
        )),
    ),
    "access_log": Help(
        _("help_access_log_title", default='Who has read this log'),
        _("help_access_log_1", default=(
            'Every time someone opens the log, Stafett records who it was, when, and why they '
            'had access.'
        )),
        _("help_access_log_2", default=(
            'If someone has read the log who should not have, tell the holder or the unit '
            'leader.'
        )),
    ),
    "archive_copies": Help(
        _("help_copies_title", default='Archive copies'),
        _("help_copies_1", default=(
            'Stafett makes a PDF of the whole log every year, when the log changes service, when '
            'it is closed and before it is deleted.'
        )),
        _("help_copies_2", default=(
            'Save the copy in the child\'s folder in the archive. Each download is recorded.'
        )),
    ),
    "audit": Help(
        _("help_audit_title", default='Workflow audit'),
        _("help_audit_1", default=(
            'The audit shows every change of state of the logs: who, when, from what to what, '
            'and why.'
        )),
        _("help_audit_2", default=(
            'It names no child. Choose a period, and download the report as a spreadsheet or a '
            'PDF for the archive.'
        )),
    ),
    "search": Help(
        _("help_search_title", default='Find a child'),
        _("help_search_1", default=(
            'Search by part of the name, by the birth date or by the whole national identity '
            'number. You find only the logs you may read.'
        )),
        _("help_search_2", default=(
            'With the whole number you also learn who holds the child\'s log, so you can '
            'contact them instead of opening a second log.'
        )),
    ),
    "notifications": Help(
        _("help_notifications_title", default='Notifications'),
        _("help_notifications_1", default=(
            'Choose for each kind of news whether you want an e-mail, a text message, both or '
            'nothing.'
        )),
        _("help_notifications_2", default=(
            'A message never names the child or says what happened. It tells you to log in '
            'and read it here.'
        )),
    ),
}

# (context type, view name) -> topic. "home" is chosen by role (``front_page_topic``).
VIEW_TOPICS: dict[tuple[str, str], str] = {
    ("AppRoot", ""): "home",
    ("AppRoot", "help"): "home",
    ("AppRoot", "notifications"): "notifications",
    ("Municipality", "search"): "search",
    ("Municipality", "practice"): "practice",
    ("Municipality", "reset-practice"): "practice",
    ("Log", ""): "log",
    ("Log", "full"): "log",
    ("Log", "meeting-mode"): "meeting_mode",
    ("Log", "child-view"): "child_view",
    ("Log", "add-concern"): "concern_form",
    ("Concern", ""): "concern",
    ("Concern", "edit"): "concern_form",
    ("Concern", "add-measure"): "add_measure",
    ("Measure", "correct"): "correct",
    ("Measure", "evaluate"): "evaluate",
    ("Measure", "misregister"): "misregister",
    ("Log", "add-meeting"): "meeting_form",
    ("Meeting", "edit"): "meeting_form",
    ("Log", "before-meeting"): "before_meeting",
    ("Meeting", "feedback"): "meeting_feedback",
    ("Log", "add-voice"): "voice",
    ("ChildVoice", "edit"): "voice",
    ("Log", "add-glimpse"): "glimpse",
    ("Glimpse", "edit"): "glimpse",
    ("Log", "add-note"): "log_note",
    ("Log", "add-private-note"): "private_note",
    ("PrivateNote", "edit"): "private_note",
    ("Municipality", "new-log"): "log_form",
    ("Log", "edit"): "log_form",
    ("Log", "consent"): "consent",
    ("Consent", "withdraw"): "withdraw_consent",
    ("Log", "transfer"): "transfer",
    ("Transfer", "accept"): "transfer_answer",
    ("Transfer", "decline"): "transfer_answer",
    ("Transfer", "consent"): "transfer",
    ("Log", "transfer-elsewhere"): "transfer_elsewhere",
    ("Transfer", "receipt"): "transfer_elsewhere",
    ("Unit", "import-log"): "transfer_elsewhere",
    ("Log", "close"): "close",
    ("Log", "individual-plan"): "individual_plan",
    ("Log", "grant"): "grant",
    ("ReadGrant", "narrow"): "grant",
    ("Log", "supervision"): "supervision",
    ("Log", "child-login"): "child_login",
    ("Log", "child-login-code"): "child_login",
    ("Log", "child-login-password"): "child_login",
    ("Unit", "console"): "console",
    ("Unit", "console-children"): "console",
    ("Unit", "console-consents"): "console",
    ("Unit", "console-logs"): "console",
    ("Unit", "console-passive"): "console",
    ("Unit", "console-requests"): "console",
    ("Unit", "console-supervise"): "console",
    ("Unit", "console-transfers"): "console",
    ("Unit", "console-archive"): "console",
    ("Unit", "console-archive-retry"): "console",
    ("Unit", "console-delete"): "delete",
    ("Unit", "console-staff"): "staff",
    ("Employee", ""): "staff",
    ("Employee", "edit"): "staff",
    ("Municipality", "admin"): "municipality_admin",
    ("Municipality", "archive-outbox"): "municipality_admin",
    ("Unit", "admin-unit"): "municipality_admin",
    ("Unit", "admin-leader"): "municipality_admin",
    ("Municipality", "ask-for-log"): "ask_for_log",
    ("LogRequest", ""): "log_request",
    ("Log", "access-log"): "access_log",
    ("Log", "archive-copies"): "archive_copies",
    ("Unit", "console-archive-copies"): "archive_copies",
    ("Unit", "audit"): "audit",
    ("Municipality", "audit"): "audit",
}

# What the family and the child meet; staff see every topic.
FAMILY_TOPICS = ("home_family", "family", "child_view", "before_meeting", "meeting_feedback",
                 "glimpse", "private_note", "voice", "withdraw_consent", "access_log",
                 "ask_for_log")

# One view, several pages: the log opens on the family's or the child's own page.
TEMPLATE_TOPICS: dict[str, str] = {
    "stafett:templates/log/family.pt": "family",
    "stafett:templates/log/child.pt": "child_view",
}

# Pages that explain themselves or come before a login: the login, the accessibility
# statement, an invitation link and the page of someone without a role.
NO_HELP: frozenset[tuple[str, str]] = frozenset({
    ("AppRoot", "login"), ("AppRoot", "accessibility"), ("AppRoot", "invitation"),
    ("AppRoot", "idporten-callback"),
})


def topics_for(role: str) -> list[Help]:
    """The help page's topics: the family's own, or all of them for staff."""
    keys = FAMILY_TOPICS if role == "family" else TOPICS
    return [TOPICS[key] for key in keys]


def page_topic(context, view_name: str, renderer_name: str | None, role: str) -> str | None:
    """The topic of a page; ``role`` (staff, leader or family) picks the front page's."""
    topic = TEMPLATE_TOPICS.get(renderer_name or "")
    if topic is None:
        topic = VIEW_TOPICS.get((type(context).__name__, view_name or ""))
    if topic == "home":
        topic = f"home_{role}"
    return topic
