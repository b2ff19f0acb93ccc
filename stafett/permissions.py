"""The permission scheme and the principals it is granted to: a leaf every layer may name
(DESIGN: Security). Who holds which principal is worked out in ``stafett.security``; which
principal may do what on an object is its ACL, beside its model (``models.acl``)."""

from __future__ import annotations

import enum

from pyramid.authorization import Everyone


class Permission(enum.StrEnum):
    """The permission scheme. Each view and each workflow transition names one of these."""

    HOME = "home"  # the logged-in user's own pages
    CREATE_LOG = "create_log"  # employees who may be holder open new logs (R1, R13)
    VIEW_HEADER = "view_header"  # the log's header: state, holder, unit, level (R3, R6)
    VIEW = "view"  # the whole log, or one concern (R3-R5)
    EDIT = "edit"  # holder's writing: concerns, measures, meetings, log notes (R2)
    CONTRIBUTE = "contribute"  # glimpses and private notes (R2, R30)
    RECORD_CONSENT = "record_consent"  # give or withdraw consent (R9-R12)
    TRANSFER = "transfer"  # propose / cancel a transfer (R19, R22)
    RECEIVE = "receive"  # accept / decline an incoming transfer (R19, R21)
    REOPEN = "reopen"  # passive -> reopened (R16)
    DELETE = "delete"  # passive|draft -> deleted (R17)
    DISCARD = "discard"  # the holder discards their own draft (R17)
    EDIT_OWN = "edit_own"  # the author edits a glimpse or private note (R8, R30)
    ADMIN_UNIT = "admin_unit"  # the unit leader's console (R1, R6)
    ADMIN_MUNICIPALITY = "admin_municipality"  # the superuser's console (R1)
    AUDIT = "audit"  # workflow audit reports of a unit (leader) or municipality (superuser)
    ACCESS_LOG = "access_log"  # who has read this log: family, holder, leader (Normen)
    SPEAK = "speak"  # the child's voice: recorded by the holder, the youth's own words (R40)
    FAMILY_INPUT = "family_input"  # guardians and the subject before and after a meeting (R27)
    ENROL_SUBJECT = "enrol_subject"  # the child's login under 15: holder, guardians (R39)
    ASK_FOR_LOG = "ask_for_log"  # a guardian or a youth from 16 asks a unit for a log (R41)
    VIEW_REQUEST = "view_request"  # a request for a log: the asker and the unit's leader
    ANSWER_REQUEST = "answer_request"  # the unit's leader names a holder or declines (R41)
    WITHDRAW_REQUEST = "withdraw_request"  # the asker, while the request waits (R41)
    SEARCH = "search"  # find a child among the logs one may see; who holds a child's log (R45)
    PRACTISE = "practise"  # staff step into their municipality's practice one (R43)
    RESET_PRACTICE = "reset_practice"  # its leaders put the fictive families back (R43)
    ARCHIVE_COPIES = "archive_copies"  # list and download a log's archive copies (R35)
    HAND_OUT = "hand_out"  # files for someone without Stafett: plan, receiver PDF (R23, R38)
    IMPORT_LOG = "import_log"  # a log from another Stafett: the unit's leader or a holder (R23)
    SYSTEM = "system"  # scheduled jobs only (consent expiry)


P = Permission
DENY_ALL = ("Deny", Everyone, tuple(Permission))

HOLDER, LEADER, GUARDIAN, SUBJECT = "role:holder", "role:leader", "role:guardian", "role:subject"
ACTOR, READER, PARTIAL_READER = "role:actor", "role:reader", "role:partial_reader"
RECEIVER, SUPERUSER = "role:receiver", "role:superuser"
MAY_HOLD = "role:may_hold"
UNIT_HOLDER = "role:unit_holder"  # staff of this unit who may hold a log
LEADS_A_UNIT = "role:leads_a_unit"  # a unit leader, wherever in the municipality
TRAINEE = "role:trainee"  # staff of the real municipality, or anyone in the practice one
PRACTICE_LEADER = "role:practice_leader"  # a leader or superuser of a practice municipality
CONCERN_ACTOR, CONCERN_READER = "role:concern_actor", "role:concern_reader"
SYSTEM_PRINCIPAL = "system:scheduler"

FAMILY = (GUARDIAN, SUBJECT)
