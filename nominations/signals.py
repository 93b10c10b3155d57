"""Signals other apps listen to, so nominations never imports them.

`nominee_changed` is sent inside the transaction of every service that changes
what may be shown of a nominee in public: consent given or withdrawn, a merge or
its undoing, approval or rejection of a nomination, the has-died flag. Receivers
run in the same transaction, so a withdrawal takes a name off public pages in the
same request that records it.
"""

from django.dispatch import Signal

# Sent with nominee_ids: a list of the primary keys of the nominees affected.
nominee_changed = Signal()
