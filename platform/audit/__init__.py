"""The audit log: an append-only, hash-chained record of who did what, when, from where.

Write with ``audit.services.audit_record``; check the chain with ``audit_verify_chain``
(or ``manage.py verify_audit_chain``).
"""
